"""Who may read or call what, declared on fields and mutations.

No token where one is needed answers UNAUTHENTICATED; a token of the wrong role, or of
another municipality, answers FORBIDDEN. Resolvers never repeat these checks.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry import BasePermission
from strawberry.types import Info

from domain.roles import Actor, Role
from resolvers import inputs
from resolvers.context import Context
from resolvers.errors import FORBIDDEN, UNAUTHENTICATED


def _actor(info: Info[Context, None]) -> Actor:
    actor = info.context.actor
    if actor is None:
        raise GraphQLError("this needs a bearer token", extensions={"code": UNAUTHENTICATED})
    return actor


class _Denial(BasePermission):
    message = "your role or municipality does not allow this"
    error_extensions = {"code": FORBIDDEN}  # noqa: RUF012  (strawberry reads it off the class)


class _RolePermission(_Denial):
    role: Role

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return _actor(info).role is self.role


class IsResident(_RolePermission):
    role = Role.RESIDENT


class IsStaff(_RolePermission):
    role = Role.STAFF


class IsPartner(_RolePermission):
    role = Role.PARTNER


class IsOperator(_RolePermission):
    role = Role.OPERATOR


class AdministersThisPlace(_Denial):
    """Staff of the municipality the field belongs to (or of its prefecture)."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return _actor(info).administers(source.code)


class GovernsInputPlace(_Denial):
    """Staff of exactly the place named by `input.municipalityCode`: its decisions are its own."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        actor = _actor(info)
        return actor.governs(inputs.code(kwargs["input"].municipality_code))


class IsSignedIn(BasePermission):
    """Any caller with a valid token: without one, not even existence is answered."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        _actor(info)
        return True


class AdministersArgumentPlace(_Denial):
    """Staff of the place named by the `municipalityCode` argument (or of its prefecture)."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return _actor(info).administers(inputs.code(kwargs["municipality_code"]))


class IntegratesArgumentPlace(_Denial):
    """The integration of exactly the place named by the `municipalityCode` argument."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return _actor(info).integrates(inputs.code(kwargs["municipality_code"]))


class SeesImportsOfThisPlace(_Denial):
    """The integration or the staff of the municipality the field belongs to."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return _actor(info).sees_imports_of(source.code)


class SeesThisImport(_Denial):
    """The integration or the staff of the municipality an import was for."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return _actor(info).sees_imports_of(source.municipality_code)


class IsTheResident(_Denial):
    """The resident themselves: another person's private fields stay private."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        actor = _actor(info)
        return actor.role is Role.RESIDENT and source.subject == actor.subject


class HoldsThisRecord(_Denial):
    """The resident a registration or activity belongs to."""

    async def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        actor = _actor(info)
        if actor.role is not Role.RESIDENT:
            return False
        holder = await info.context.loaders.resident_by_id.load(source.resident_id)
        return holder is not None and holder.subject == actor.subject


class HoldsOrAdministersThisRecord(_Denial):
    """The resident a record belongs to, or staff of the record's municipality."""

    async def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        actor = _actor(info)
        if actor.administers(source.municipality_code):
            return True
        return await HoldsThisRecord().has_permission(source, info, **kwargs)


class SeesFiguresOfThisPlace(_Denial):
    """The figures of the municipality the field belongs to."""

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return _actor(info).sees_figures_of(source.code)


class SeesNationalFigures(_Denial):
    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return _actor(info).sees_national_figures
