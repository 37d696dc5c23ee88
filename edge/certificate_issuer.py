"""The platform as issuer of certificates: its signing keys, its published keys, its URLs.

Keys live as PEM files in one folder, named by the time they were made. All are published; the
newest one that has been published for longer than partners cache the keys signs, so a
rotation (`furusato rotate-certificate-key`, then a restart) invalidates nothing already issued
and nothing issued next is signed by a key a partner cannot have yet."""

from __future__ import annotations

import fcntl
import functools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.jose import PublicKey, SigningKey, algorithm_of, public_jwk

# How long partners may cache the published keys (Cache-Control of the metadata and JWKS).
KEYS_MAX_AGE = timedelta(hours=1)
_STAMP = "%Y%m%dT%H%M%S%fZ"
# A status list id beyond what the database keeps is no list of ours.
MAX_LIST_ID = 2**31 - 1


class NoCertificateKey(Exception):
    """There is no signing key yet, and this use may not make one."""


@dataclass(frozen=True)
class _Key:
    made: datetime
    key: SigningKey


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One process at a time makes keys: workers starting together must agree on one."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_new_key(folder: Path, now: datetime) -> _Key:
    key = SigningKey.generate()
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Written aside and renamed into place, so that no reader ever sees half a key.
    fd, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    os.replace(temporary, folder / f"{now.strftime(_STAMP)}-{key.kid}.pem")
    return _Key(now, key)


def _read_keys(folder: Path) -> list[_Key]:
    keys = []
    for path in sorted(folder.glob("*.pem")):
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(private, EllipticCurvePrivateKey) and not isinstance(
            private.curve, SECP256R1
        ):
            raise ValueError(f"{path} holds an EC key on {private.curve.name}, not P-256")
        if not isinstance(private, Ed25519PrivateKey | EllipticCurvePrivateKey):
            raise ValueError(f"{path} holds neither a P-256 nor an Ed25519 key")
        made = datetime.strptime(path.name.split("-", 1)[0], _STAMP).replace(tzinfo=UTC)
        keys.append(_Key(made, SigningKey(private)))
    return keys


def rotate(folder: Path) -> SigningKey:
    """A new key: published from the next start, signing once partners can have it."""
    with _locked(folder):
        return _write_new_key(folder, datetime.now(UTC)).key


@dataclass(frozen=True)
class CertificateIssuer:
    issuer: str
    signing_key: SigningKey
    published: dict[str, PublicKey]

    @classmethod
    def load(cls, folder: Path, public_url: str, *, create: bool = True) -> CertificateIssuer:
        """The issuer whose keys are in `folder`; the first key is made on first use."""
        with _locked(folder):
            keys = _read_keys(folder)
            if not keys:
                if not create:
                    raise NoCertificateKey(f"no certificate key in {folder}")
                keys = [_write_new_key(folder, datetime.now(UTC))]
        return cls(
            issuer=public_url.rstrip("/"),
            signing_key=_signing(keys, datetime.now(UTC)).key,
            published={entry.key.kid: entry.key.public for entry in keys},
        )

    @functools.cached_property
    def signer(self) -> str:
        """Who signs tokens now: a kept token signed by any other key, or under another URL
        (its issuer and status lists), is made anew."""
        return f"{self.signing_key.kid} {self.issuer}"

    def status_list_uri(self, list_id: int) -> str:
        return f"{self.issuer}/status-lists/{list_id}"

    def status_list_id(self, uri: str) -> int | None:
        """The list an URI of this issuer names; None for anything else."""
        prefix = f"{self.issuer}/status-lists/"
        number = uri.removeprefix(prefix)
        if uri == number or not number.isascii() or not number.isdigit() or len(number) > 10:
            return None
        list_id = int(number)
        return list_id if 0 < list_id <= MAX_LIST_ID else None

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


def _signing(keys: list[_Key], now: datetime) -> _Key:
    """The newest key published long enough ago; the oldest one while none is."""
    settled = [entry for entry in keys if entry.made <= now - KEYS_MAX_AGE]
    return settled[-1] if settled else keys[0]
