"""The platform as issuer of certificates: its signing keys, its published keys, its URLs.

Keys live as PEM files in one folder; the newest signs and all are published, so a rotated
key leaves the certificates it signed verifiable (`furusato rotate-certificate-key`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.jose import PublicKey, SigningKey, algorithm_of, public_jwk


def _write_new_key(folder: Path) -> SigningKey:
    key = SigningKey.generate()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{key.kid}.pem"
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


def _read_keys(folder: Path) -> list[SigningKey]:
    keys = []
    for path in sorted(folder.glob("*.pem")):
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey | EllipticCurvePrivateKey):
            raise ValueError(f"{path} holds neither an Ed25519 nor a P-256 key")
        keys.append(SigningKey(private))
    return keys


def rotate(folder: Path) -> SigningKey:
    """A new signing key; the older ones stay published."""
    return _write_new_key(folder)


@dataclass(frozen=True)
class CertificateIssuer:
    issuer: str
    signing_key: SigningKey
    published: dict[str, PublicKey]

    @classmethod
    def load(cls, folder: Path, public_url: str) -> CertificateIssuer:
        """The issuer whose keys are in `folder`, creating the first key on first use."""
        keys = _read_keys(folder) if folder.exists() else []
        if not keys:
            keys = [_write_new_key(folder)]
        return cls(
            issuer=public_url.rstrip("/"),
            signing_key=keys[-1],
            published={key.kid: key.public for key in keys},
        )

    def status_list_uri(self, list_id: int) -> str:
        return f"{self.issuer}/status-lists/{list_id}"

    def status_list_id(self, uri: str) -> int | None:
        """The list an URI of this issuer names; None for anything else."""
        prefix = f"{self.issuer}/status-lists/"
        number = uri.removeprefix(prefix)
        if uri == number or not number.isascii() or not number.isdigit() or len(number) > 12:
            return None
        return int(number)

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {**public_jwk(key), "kid": kid, "use": "sig", "alg": algorithm_of(key)}
                for kid, key in self.published.items()
            ]
        }

    def metadata(self) -> dict[str, Any]:
        """JWT VC Issuer Metadata, served at /.well-known/jwt-vc-issuer."""
        return {"issuer": self.issuer, "jwks": self.jwks()}
