"""Following a place's event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator

from persistence import tables
from resolvers import inputs
from resolvers.context import Context
from resolvers.errors import BAD_USER_INPUT, coded_error
from resolvers.event_hub import FellBehind

FELL_BEHIND = "FELL_BEHIND"


def cursor(event: tables.MunicipalEvent) -> str:
    return inputs.cursor(event.stream_code, str(event.seq))


def _after(stream_code: str, after: str | None) -> int:
    if after is None:
        return 0
    stream, seq = inputs.cursor_parts(after, 2)
    if stream != stream_code or not seq.isdigit():
        raise coded_error("after is not a cursor of this stream", BAD_USER_INPUT, "after")
    return int(seq)


async def follow(
    context: Context, municipality_code: str, after: str | None
) -> AsyncIterator[tables.MunicipalEvent]:
    code = inputs.code(municipality_code)
    try:
        async for event in context.events.follow(code, _after(code, after)):
            yield event
    except FellBehind:
        raise coded_error(
            "the subscriber fell behind: subscribe again after the last cursor received",
            FELL_BEHIND,
        ) from None
