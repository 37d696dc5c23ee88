"""The two tiers of registration."""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    BASIC = "BASIC"
    PREMIUM = "PREMIUM"
