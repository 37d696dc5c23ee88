"""Certificate tokens kept once issued (tables.CertificateToken)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from persistence import tables, tallies
from persistence.database import Database


@dataclass(frozen=True)
class KeptToken:
    """A certificate's signed token, its disclosures, who signed it and when to renew it."""

    certificate_id: uuid.UUID
    signer: str
    renew_after: datetime
    jwt: str
    disclosures: tuple[str, ...]


async def keep(database: Database, tokens: Sequence[KeptToken]) -> None:
    """Kept in place of what was kept before: a token made anew replaces the old one. Two
    requests keeping a token for the same certificate at once each leave a good one."""
    if not tokens:
        return
    table = tables.CertificateToken.__table__  # type: ignore[attr-defined]
    async with AsyncSession(database.write_engine) as session, session.begin():
        statement = tallies.insert_for(session, table)
        statement = statement.on_conflict_do_update(
            index_elements=["certificate_id"],
            set_={
                name: statement.excluded[name]
                for name in ("signer", "renew_after", "jwt", "disclosures")
            },
        )
        connection = await session.connection()
        await connection.execute(statement, [asdict(token) for token in tokens])
