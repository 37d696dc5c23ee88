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
        self.keys: dict[str, PublicKey] = {}
        for jwk in jwks.get("keys", []) if isinstance(jwks, Mapping) else []:
            try:
                if isinstance(jwk, Mapping) and isinstance(jwk.get("kid"), str):
                    self.keys[jwk["kid"]] = key_from_jwk(dict(jwk))
            except MalformedToken:
                continue  # a key of a kind we do not use signs nothing we accept
        self._lists: dict[str, list[str]] = {}
        for token in status_lists:
            subject = _subject(token)
            if subject is not None:
                self._lists.setdefault(subject, []).append(token)

    def status_of(self, uri: str, index: int, now: int) -> int:
        """The status in the newest genuine, current list cached for `uri`."""
        newest: tuple[int, status_list.StatusList] | None = None
        for token in self._lists.get(uri, []):
            try:
                issued, found = status_list.verify_issued(token, self.keys, uri=uri, now=now)
            except status_list.InvalidStatusList:
                continue
            if newest is None or issued > newest[0]:
                newest = (issued, found)
        if newest is None:
            raise certificate.StatusUnavailable(f"no current status list cached for {uri}")
        return newest[1].status(index)

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
    """A JSON object from a file a partner saved; ValueError for anything else."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value
