"""Certificate tokens: issued to their holder on read, checked for partners."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from credentials import certificate, sd_jwt
from credentials.certificate import LIST_VALUE, Verdict, VerificationStatus
from persistence import tables, views
from resolvers.context import Context

# Longer than any token the platform issues; anything longer is not one of ours.
MAX_TOKEN_LENGTH = 8192


def issue(
    context: Context, row: tables.Certificate, municipality_code: str, display_name: str | None
) -> sd_jwt.IssuedSdJwt:
    claims = certificate.CertificateClaims(
        serial_number=row.serial_number,
        tier=row.tier,
        municipality_code=municipality_code,
        valid_from=int(row.issued_at.timestamp()),
        valid_until=int(row.valid_until.timestamp()) if row.valid_until else None,
        status_list_uri=context.issuer.status_list_uri(row.status_list_id),
        status_index=row.status_index,
        display_name=display_name,
    )
    issuer = context.issuer
    return certificate.issue_token(
        claims, issuer.signing_key, issuer.issuer, int(context.clock.now().timestamp())
    )


async def verify(context: Context, token: str) -> Verdict:
    """What a partner learns from a token: the platform's own record decides its status."""
    if len(token) > MAX_TOKEN_LENGTH:
        return Verdict(valid=False, status=VerificationStatus.INVALID, reason="MALFORMED")
    issuer = context.issuer
    reading = certificate.read_token(
        token, issuer.published, issuer.issuer, int(context.clock.now().timestamp())
    )
    if isinstance(reading, Verdict):
        return reading
    list_id = issuer.status_list_id(reading.status_list_uri)
    if list_id is None:
        return reading.verdict(None)
    async with AsyncSession(context.database.read_engine) as session:
        row = await views.certificate_at(session, list_id, reading.status_index)
    if row is None or row.serial_number != reading.serial_number:
        return reading.verdict(None)
    return reading.verdict(LIST_VALUE[row.status])
