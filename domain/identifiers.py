"""Identifiers of new records: UUID version 7 (RFC 9562), whose leading 48 bits are the
millisecond of creation and the rest random. Rows made together sit together in every index
keyed by them, so that 100 million registrations (and a list of a million imported at once)
append to their indexes instead of touching a random page of each for every row. What an id
tells is when its record was made, which the record itself says to whoever may read it."""

from __future__ import annotations

import os
import time
import uuid

_RANDOM_BITS = 80
# The version (7) and the variant (RFC 9562's, binary 10) take these bits of the random part.
_MARK_MASK = (0xF << 76) | (0b11 << 62)
_MARK = (0x7 << 76) | (0b10 << 62)


def new_id() -> uuid.UUID:
    milliseconds = time.time_ns() // 1_000_000
    noise = int.from_bytes(os.urandom(_RANDOM_BITS // 8), "big")
    return uuid.UUID(int=(milliseconds << _RANDOM_BITS) | (noise & ~_MARK_MASK) | _MARK)
