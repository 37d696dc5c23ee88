"""Places for certificates in the status lists: a random free index in the newest list."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from credentials.status_list import MINIMUM_SIZE
from persistence import tables

# Indexes tried at once; when all are taken the list is full enough to open the next one.
CANDIDATES = 16
_random = secrets.SystemRandom()


async def _newest_list(session: AsyncSession) -> int | None:
    return (await session.exec(select(func.max(tables.StatusList.id)))).one()


async def _open_list(session: AsyncSession, now: datetime) -> int:
    status_list = tables.StatusList(size=MINIMUM_SIZE, created_at=now)
    session.add(status_list)
    await session.flush()
    if status_list.id is None:
        raise RuntimeError("the database gave the new status list no id")
    return status_list.id


async def allocate(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """(list, index) for a new certificate. The index is random, so that it tells nothing of
    when or where the certificate was issued; two transactions that pick the same one are
    stopped by the unique constraint."""
    list_id = await _newest_list(session) or await _open_list(session, now)
    for _ in range(2):
        candidates = _random.sample(range(MINIMUM_SIZE), CANDIDATES)
        taken = set(
            (
                await session.exec(
                    select(tables.Certificate.status_index).where(
                        tables.Certificate.status_list_id == list_id,
                        col(tables.Certificate.status_index).in_(candidates),
                    )
                )
            ).all()
        )
        free = [index for index in candidates if index not in taken]
        if free:
            return list_id, free[0]
        list_id = await _open_list(session, now)
    raise RuntimeError("no free status index in a freshly opened list")
