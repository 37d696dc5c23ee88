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
# Bulk issuing leaves half of each list free, for the certificates issued one by one later.
HALF = MINIMUM_SIZE // 2
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


async def allocate_many(session: AsyncSession, now: datetime, count: int) -> list[tuple[int, int]]:
    """(list, index) for `count` new certificates at once: free indexes of the newest list at
    random until it is half full, then lists opened for them, each filled to half."""
    entries: list[tuple[int, int]] = []
    list_id = await _newest_list(session)
    if list_id is not None:
        taken = set(
            (
                await session.exec(
                    select(tables.Certificate.status_index).where(
                        tables.Certificate.status_list_id == list_id
                    )
                )
            ).all()
        )
        room = min(count, HALF - len(taken))
        if room > 0:
            free = [index for index in range(MINIMUM_SIZE) if index not in taken]
            entries += [(list_id, index) for index in _random.sample(free, room)]
    while len(entries) < count:
        list_id = await _open_list(session, now)
        room = min(count - len(entries), HALF)
        entries += [(list_id, index) for index in _random.sample(range(MINIMUM_SIZE), room)]
    return entries
