"""Refusals: the expected failures of the scheme, each with a stable code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None


class Refusal(Exception):
    """One or more rules of the scheme refuse the request; nothing may change."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = (Problem(code, message, field),)
        super().__init__(message)

    @classmethod
    def of(cls, problems: list[Problem]) -> Refusal:
        refusal = cls(problems[0].code, problems[0].message, problems[0].field)
        refusal.problems = tuple(problems)
        return refusal


class InvalidInput(ValueError):
    """Input that no rule can judge, such as a code with a wrong check digit."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
