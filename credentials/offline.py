"""Verification on the partner's side: from the issuer's published keys and a cached status
list, with no call to the platform, which so never learns who checked whom."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

from credentials import certificate, status_list
from credentials.jose import MalformedToken, PublicKey, key_from_jwk, parse_compact


class OfflineVerifier:
    def __init__(
        self,
        metadata: Mapping[str, Any],
        status_lists: Iterable[str] = (),
        issuer: str | None = None,
    ) -> None:
        """`metadata` is the issuer's /.well-known/jwt-vc-issuer document (or a bare JWKS, with
        `issuer` given); `status_lists` the statuslist+jwt documents the partner cached."""
        jwks = metadata.get("jwks", metadata)
        self.issuer = issuer or str(metadata.get("issuer", ""))
        if not self.issuer:
            raise ValueError("the issuer is named neither in the metadata nor by the caller")
        self.keys: dict[str, PublicKey] = {
            str(jwk["kid"]): key_from_jwk(jwk) for jwk in jwks.get("keys", []) if "kid" in jwk
        }
        self._lists: dict[str, str] = {}
        for token in status_lists:
            subject = _subject(token)
            if subject is not None:
                self._lists[subject] = token

    def status_of(self, uri: str, index: int, now: int) -> int:
        token = self._lists.get(uri)
        if token is None:
            raise certificate.StatusUnavailable(f"no cached status list for {uri}")
        return status_list.verify(token, self.keys, uri=uri, now=now).status(index)

    def verify(self, token: str, now: int | None = None) -> certificate.Verdict:
        at = int(time.time()) if now is None else now
        return certificate.verify_token(
            token, self.keys, self.issuer, lambda uri, index: self.status_of(uri, index, at), at
        )


def _subject(token: str) -> str | None:
    """The list a status-list JWT claims to be, read before its signature is checked: it only
    files the list; `status_list.verify` checks everything when the list is used."""
    try:
        subject = parse_compact(token.strip()).payload.get("sub")
    except MalformedToken:
        return None
    return subject if isinstance(subject, str) else None


def load_json(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value
