"""The query root."""

from __future__ import annotations

import strawberry
from strawberry import BasePermission
from strawberry.utils.await_maybe import await_maybe

from resolvers import certificates, inputs, reads, statistics, support
from schema.auditing import AuditedRead
from schema.limits import PartnerRateLimit
from schema.national import NationalStats
from schema.notices import Notice
from schema.partners import CertificateVerification, SupportEligibility
from schema.permissions import (
    HoldsOrAdministersThisRecord,
    IsPartner,
    IsResident,
    IsSignedIn,
    IsTheResident,
    SeesNationalFigures,
    SeesThisImport,
)
from schema.relay import Connection, Node, connection
from schema.types import Activity, Ctx, ImportJob, Municipality, Registration, Resident


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[IsResident],
        description="The signed-in resident; the first call creates them from the token.",
    )
    async def me(self, info: Ctx) -> Resident:
        return Resident.from_row(await reads.me(info.context))

    @strawberry.field(
        permission_classes=[SeesNationalFigures],
        description="The nation's related population (analysts, staff and the operator).",
    )
    async def national_stats(self, info: Ctx) -> NationalStats:
        return NationalStats.of(await statistics.nation(info.context))

    @strawberry.field(
        permission_classes=[IsResident],
        description="Notices of every place you are registered with and of their prefectures,"
        " for your interests and tier, newest first; ended ones are gone.",
    )
    async def my_feed(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[Notice]:
        page = await reads.my_feed(info.context, first, after)
        return connection(
            [(inputs.time_cursor_of(n.published_at, n.id), Notice.from_row(n)) for n in page.rows],
            page.total,
            page.has_next,
            after,
        )

    @strawberry.field(description="Public: places to register with, by name or reading.")
    async def municipalities(
        self,
        info: Ctx,
        search: str | None = None,
        prefecture_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Municipality]:
        page = await reads.find_municipalities(info.context, search, prefecture_code, first, after)
        return connection(
            [(inputs.cursor(m.code), Municipality.from_row(m)) for m in page.rows],
            page.total,
            page.has_next,
            after,
        )

    @strawberry.field(description="Public: one place by its code; null when no place has it.")
    async def municipality(self, info: Ctx, code: str) -> Municipality | None:
        row = await info.context.loaders.municipality_by_code.load(inputs.code(code, "code"))
        return Municipality.from_row(row) if row else None

    @strawberry.field(
        permission_classes=[IsPartner],
        extensions=[PartnerRateLimit()],
        description="What a certificate token (scanned from its QR code) proves: genuine and in"
        " force, tier, municipality, validity. Never the holder's name.",
    )
    async def verify_certificate(self, info: Ctx, token: str) -> CertificateVerification:
        return CertificateVerification.from_verdict(await certificates.verify(info.context, token))

    @strawberry.field(
        permission_classes=[IsPartner],
        extensions=[PartnerRateLimit()],
        description="Whether the holder of a certificate may receive one of your measures now.",
    )
    async def support_eligibility(
        self, info: Ctx, certificate_token: str, measure_id: strawberry.ID
    ) -> SupportEligibility:
        found = await support.eligibility(info.context, certificate_token, measure_id)
        return SupportEligibility(
            eligible=found.reason is None,
            reason=found.reason,
            tier=certificates.shown_tier(found.verdict),
            valid_until=certificates.shown_valid_until(found.verdict),
            municipality_code=found.verdict.municipality_code,
        )

    @strawberry.field(
        permission_classes=[IsSignedIn],
        extensions=[AuditedRead()],
        description="Refetch an object by its global ID; null unless it is yours"
        " (or, for staff, of your municipality).",
    )
    async def node(self, info: Ctx, id: strawberry.ID) -> Node | None:
        type_name, node_id = inputs.parse_global_id(id, "id")
        loaders = info.context.loaders
        found: Registration | Activity | Resident | ImportJob | None = None
        visible_to: BasePermission = HoldsOrAdministersThisRecord()
        if type_name == "Registration":
            registration = await loaders.registration_by_id.load(node_id)
            found = Registration.from_row(registration) if registration else None
        elif type_name == "Activity":
            activity = await loaders.activity_by_id.load(node_id)
            found = Activity.from_row(activity) if activity else None
        elif type_name == "Resident":
            resident = await loaders.resident_by_id.load(node_id)
            found = Resident.from_row(resident) if resident else None
            visible_to = IsTheResident()
        elif type_name == "ImportJob":
            job = await loaders.import_job_by_id.load(node_id)
            found = ImportJob.from_row(job) if job else None
            visible_to = SeesThisImport()
        if found is None:
            return None
        # The same permission as the object's own fields; someone else's record answers
        # exactly like a missing one.
        visible = await await_maybe(visible_to.has_permission(found, info))
        return found if visible else None
