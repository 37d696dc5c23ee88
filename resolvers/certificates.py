"""Certificate tokens: issued to their holder on their first read and kept, checked for
partners."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from credentials import certificate, sd_jwt
from credentials.certificate import LIST_VALUE, Reading, Verdict, VerificationStatus
from domain.tiers import Tier
from persistence import views
from persistence.certificate_tokens import KeptToken
from resolvers.context import Context

# Longer than any token the platform issues; anything longer is not one of ours.
MAX_TOKEN_LENGTH = 8192
TIERS = frozenset(tier.value for tier in Tier)


class StoredCertificate(Protocol):
    """What a token is made from: a certificate's row, or the compiled MyProfile's value."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def serial_number(self) -> str: ...
    @property
    def tier(self) -> str: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def valid_until(self) -> datetime | None: ...
    @property
    def status_list_id(self) -> int: ...
    @property
    def status_index(self) -> int: ...


class Kept(Protocol):
    """A token kept for a certificate: its row, or the compiled MyProfile's value."""

    @property
    def signer(self) -> str: ...
    @property
    def renew_after(self) -> datetime: ...
    @property
    def jwt(self) -> str: ...
    @property
    def disclosures(self) -> Sequence[str]: ...


def _claims(
    context: Context, row: StoredCertificate, municipality_code: str, display_name: str | None
) -> certificate.CertificateClaims:
    return certificate.CertificateClaims(
        serial_number=row.serial_number,
        tier=row.tier,
        municipality_code=municipality_code,
        valid_from=int(row.issued_at.timestamp()),
        valid_until=int(row.valid_until.timestamp()) if row.valid_until else None,
        status_list_uri=context.issuer.status_list_uri(row.status_list_id),
        status_index=row.status_index,
        display_name=display_name,
    )


def token_for(
    context: Context,
    row: StoredCertificate,
    kept: Kept | None,
    municipality_code: str,
    display_name: str | None,
) -> tuple[sd_jwt.IssuedSdJwt, KeptToken | None]:
    """The certificate's token for its holder, and what to keep when it was made now.

    A token is signed once and shown again (signing was most of what showing a profile cost),
    until the issuer signs with another key or under another URL, the token is a month from
    its end (certificate.renew_after), or the holder's name is not the one its disclosure
    carries. Showing the same token again tells a partner nothing new: it names its
    certificate's serial number either way."""
    issuer = context.issuer
    now = context.clock.now()
    if (
        kept is not None
        and kept.signer == issuer.signer
        and now < kept.renew_after
        and certificate.holder_name(kept.disclosures) == display_name
    ):
        return sd_jwt.IssuedSdJwt(kept.jwt, tuple(kept.disclosures)), None
    claims = _claims(context, row, municipality_code, display_name)
    at = int(now.timestamp())
    issued = certificate.issue_token(claims, issuer.signing_key, issuer.issuer, at)
    renew = datetime.fromtimestamp(certificate.renew_after(claims, at), UTC)
    made = KeptToken(row.id, issuer.signer, renew, issued.jwt, issued.disclosures)
    return issued, made


def read(context: Context, token: str) -> Reading | Verdict:
    """A token checked without the database: its verdict where that settles it, else the
    reading whose status the platform's record decides."""
    if len(token) > MAX_TOKEN_LENGTH:
        return Verdict(valid=False, status=VerificationStatus.INVALID, reason="MALFORMED")
    issuer = context.issuer
    return certificate.read_token(
        token, issuer.published, issuer.issuer, int(context.clock.now().timestamp())
    )


def status_entry(context: Context, reading: Reading) -> tuple[int, int] | None:
    """The platform's status list entry a token names (list, index); None for any other."""
    list_id = context.issuer.status_list_id(reading.status_list_uri)
    return None if list_id is None else (list_id, reading.status_index)


def verdict_at(reading: Reading, stored: tuple[str, str] | None) -> Verdict:
    """The verdict from the certificate at the token's entry (serial number, status): none
    there, or another certificate, and the status cannot be told."""
    if stored is None or stored[0] != reading.serial_number:
        return reading.verdict(None)
    return reading.verdict(LIST_VALUE[stored[1]])


async def verify(context: Context, token: str) -> Verdict:
    """What a partner learns from a token: the platform's own record decides its status."""
    reading = read(context, token)
    if isinstance(reading, Verdict):
        return reading
    entry = status_entry(context, reading)
    if entry is None:
        return reading.verdict(None)
    async with AsyncSession(context.database.read_engine) as session:
        row = await views.certificate_at(session, *entry)
    return verdict_at(reading, (row.serial_number, row.status) if row else None)


def shown_tier(verdict: Verdict) -> Tier | None:
    """The tier a verdict shows: none for what no certificate of the platform says."""
    return Tier(verdict.tier) if verdict.tier is not None and verdict.tier in TIERS else None


def shown_valid_until(verdict: Verdict) -> datetime | None:
    until = verdict.valid_until
    return datetime.fromtimestamp(until, UTC) if until is not None else None
