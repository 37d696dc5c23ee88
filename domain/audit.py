"""The audit log's words: who acted, and what kind of entry it is. Every change, and every
read of personal data by staff or an integration, leaves an entry (RULES.md, Roles)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.roles import Actor, Role


class AuditKind(StrEnum):
    CHANGE = "CHANGE"
    READ = "READ"


@dataclass(frozen=True)
class Who:
    subject: str
    role: str
    # The place the subject acts for (staff, integrations).
    municipality_code: str | None = None

    @classmethod
    def acting(cls, actor: Actor | None) -> Who:
        if actor is None:
            return cls("anonymous", "anonymous")
        return cls(actor.subject, actor.role.value, actor.municipality_code)

    @classmethod
    def system(cls, job: str) -> Who:
        """The platform itself, on a schedule or from the command line."""
        return cls(f"system:{job}", "system")


def reads_are_audited(actor: Actor | None) -> bool:
    """Staff and integrations read other people's records: each read is written down."""
    return actor is not None and actor.role in (Role.STAFF, Role.INTEGRATION)
