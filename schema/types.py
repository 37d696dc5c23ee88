"""The object types: municipalities, residents, registrations, certificates, activities."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from credentials.sd_jwt import IssuedSdJwt
from domain import certificates as certificate_rules
from domain import places as place_rules
from domain import registrations as registration_rules
from domain.clock import japan_date
from persistence import mapping, tables
from resolvers import certificates, imports, inputs, progress, reads, statistics
from resolvers.context import Context
from resolvers.qr import qr_svg
from schema.auditing import AuditedRead
from schema.enums import (
    ActivityKind,
    ActivityStatus,
    AuditKind,
    CertificateStatus,
    ImportKind,
    ImportStatus,
    Interest,
    MunicipalityKind,
    RegistrationStatus,
    RegistrationTier,
    Relationship,
)
from schema.imports import ImportRejection
from schema.permissions import (
    AdministersThisPlace,
    HoldsOrAdministersThisRecord,
    HoldsThisRecord,
    IsTheResident,
    SeesFiguresOfThisPlace,
    SeesImportsOfThisPlace,
)
from schema.relay import Connection, Node, connection
from schema.statistics import PlaceStats

Ctx = Info[Context, None]


@strawberry.type(
    description="When a place agreed to the terms of use and starts using the platform."
)
class Participation:
    agreed_on: date
    starts_on: date
    early_adopter: bool = strawberry.field(
        description="Starts using the platform by the end of fiscal 2027 (2028-03-31)."
    )


@strawberry.type(description="What a municipality asks of a registrant before granting premium.")
class PremiumPolicy:
    required_activities: int
    window_days: int
    eligible_activity_kinds: list[ActivityKind]


@strawberry.federation.type(
    keys=["code"],
    description="A prefecture or municipality (local government), by its 6-digit code.",
)
class Municipality:
    code: str
    name: str
    name_kana: str
    kind: MunicipalityKind
    latitude: float
    longitude: float
    prefecture_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: tables.Municipality) -> Municipality:
        return cls(
            code=row.code,
            name=row.name,
            name_kana=row.name_kana,
            kind=place_rules.PlaceKind(row.kind),
            latitude=row.latitude,
            longitude=row.longitude,
            prefecture_code=row.prefecture_code,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, code: str) -> Municipality | None:
        """A gateway joining another subgraph's fields to a place; no such place: null."""
        row = await info.context.loaders.municipality_by_code.load(code)
        return cls.from_row(row) if row else None

    @strawberry.field(description="The prefecture this place belongs to (a prefecture: itself).")
    async def prefecture(self, info: Ctx) -> Municipality:
        return await municipality(info, self.prefecture_code)

    @strawberry.field(description="Whether the place uses the platform today.")
    async def participating(self, info: Ctx) -> bool:
        row = await info.context.loaders.participation_by_municipality_code.load(self.code)
        return place_rules.is_participating(
            mapping.participation_from_row(row), japan_date(info.context.clock.now())
        )

    @strawberry.field
    async def participation(self, info: Ctx) -> Participation | None:
        record = mapping.participation_from_row(
            await info.context.loaders.participation_by_municipality_code.load(self.code)
        )
        if record is None:
            return None
        return Participation(
            agreed_on=record.agreed_on,
            starts_on=record.starts_on,
            early_adopter=record.early_adopter,
        )

    @strawberry.field(description="The premium policy; the defaults of the scheme unless set.")
    async def premium_policy(self, info: Ctx) -> PremiumPolicy:
        policy = mapping.premium_policy_from_row(
            await info.context.loaders.premium_policy_by_municipality_code.load(self.code)
        )
        return PremiumPolicy(
            required_activities=policy.required_activities,
            window_days=policy.window_days,
            eligible_activity_kinds=list(policy.eligible_activity_kinds),
        )

    @strawberry.field(
        permission_classes=[AdministersThisPlace],
        extensions=[AuditedRead()],
        description="Active registrations, newest first. Staff of this place or its prefecture;"
        " a prefecture's list includes its municipalities' registrants.",
    )
    async def registrations(
        self,
        info: Ctx,
        tier: RegistrationTier | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Registration] | None:
        page = await reads.registrations_of_place(info.context, self.code, tier, first, after)
        return connection(
            [
                (inputs.time_cursor_of(r.registered_at, r.id), Registration.from_row(r))
                for r in page.rows
            ],
            page.total,
            page.has_next,
            after,
        )

    @strawberry.field(
        permission_classes=[SeesFiguresOfThisPlace],
        description="The place's related population: for its staff (and its prefecture's) and"
        " national analysts; counts below ten are suppressed except for its own staff.",
    )
    async def stats(self, info: Ctx) -> PlaceStats | None:
        return PlaceStats.of(await statistics.place(info.context, self.code))

    @strawberry.field(
        permission_classes=[AdministersThisPlace],
        extensions=[AuditedRead()],
        description="Activities recorded for this place, oldest first (the review queue).",
    )
    async def activities(
        self,
        info: Ctx,
        status: ActivityStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Activity] | None:
        page = await reads.activities_of_place(info.context, self.code, status, first, after)
        return connection(
            [(inputs.time_cursor_of(a.recorded_at, a.id), Activity.from_row(a)) for a in page.rows],
            page.total,
            page.has_next,
            after,
        )

    @strawberry.field(
        permission_classes=[SeesImportsOfThisPlace],
        description="The lists imported for this place, newest first: for its staff and its"
        " integration.",
    )
    async def import_jobs(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[ImportJob] | None:
        page = await imports.import_jobs_of_place(info.context, self.code, first, after)
        return connection(
            [(inputs.time_cursor_of(j.started_at, j.id), ImportJob.from_row(j)) for j in page.rows],
            page.total,
            page.has_next,
            after,
        )

    @strawberry.field(
        permission_classes=[AdministersThisPlace],
        extensions=[AuditedRead()],
        description="The place's audit log, newest first: every change to its records and"
        " every read of them by staff or integrations. Reading it is in it too.",
    )
    async def audit_trail(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEntry] | None:
        page = await reads.audit_trail_of_place(info.context, self.code, first, after)
        return connection(
            [(inputs.cursor(str(e.id)), AuditEntry.from_row(e)) for e in page.rows],
            page.total,
            page.has_next,
            after,
        )


@strawberry.type(description="One entry of the audit log: who changed or read which records.")
class AuditEntry:
    at: datetime
    kind: AuditKind
    subject: str = strawberry.field(description="The token's subject, or system:<job>.")
    role: str
    acting_for: str | None = strawberry.field(description="The code of the place they act for.")
    operation: str = strawberry.field(description='"mutation Register", "query Registrants".')
    records: list[str] = strawberry.field(description='"<table>:<id>" of each record.')
    row: strawberry.Private[tables.AuditEntry]

    @classmethod
    def from_row(cls, row: tables.AuditEntry) -> AuditEntry:
        return cls(
            at=row.at,
            kind=AuditKind(row.kind),
            subject=row.subject,
            role=row.role,
            acting_for=row.acting_for,
            operation=row.operation,
            records=row.records,
            row=row,
        )


async def municipality(info: Ctx, code: str) -> Municipality:
    row = await info.context.loaders.municipality_by_code.load(code)
    if row is None:
        raise LookupError(f"master data has no place {code}")
    return Municipality.from_row(row)


@strawberry.federation.type(
    keys=["id"], description="A person registered with places they care about (ふるさと住民)."
)
class Resident(Node):
    display_name: str | None
    birth_year: int | None
    resident_id: strawberry.Private[uuid.UUID]
    subject: strawberry.Private[str]
    home_municipality_code: strawberry.Private[str | None]
    interest_values: strawberry.Private[list[str]]
    verified: strawberry.Private[bool]

    @classmethod
    def from_row(cls, row: tables.Resident) -> Resident:
        return cls(
            id=strawberry.ID(inputs.global_id("Resident", row.id)),
            display_name=row.display_name,
            birth_year=row.birth_year,
            resident_id=row.id,
            subject=row.subject,
            home_municipality_code=row.home_municipality_code,
            interest_values=list(row.interests),
            verified=row.identity_verified,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Resident | None:
        """Only for the resident themselves, as by `node`: anyone else gets null, as if there
        were no such person."""
        _type, resident_id = inputs.parse_global_id(id, "id")
        row = await info.context.loaders.resident_by_id.load(resident_id)
        found = cls.from_row(row) if row else None
        return found if found and IsTheResident().has_permission(found, info) else None

    @strawberry.field(permission_classes=[IsTheResident])
    def identity_verified(self) -> bool | None:
        return self.verified

    @strawberry.field(permission_classes=[IsTheResident])
    def interests(self) -> list[Interest] | None:
        return [Interest(i) for i in self.interest_values]

    @strawberry.field
    async def home_municipality(self, info: Ctx) -> Municipality | None:
        if self.home_municipality_code is None:
            return None
        return await municipality(info, self.home_municipality_code)

    @strawberry.field(
        permission_classes=[IsTheResident],
        description="Every registration of the resident, withdrawn ones included, oldest first.",
    )
    async def registrations(self, info: Ctx) -> list[Registration] | None:
        rows = await info.context.loaders.registrations_by_resident_id.load(self.resident_id)
        return [Registration.from_row(r) for r in rows]


@strawberry.type(description="A registrant's certificate (登録証).")
class Certificate:
    serial_number: str
    tier: RegistrationTier
    issued_at: datetime
    valid_until: datetime | None = strawberry.field(description="None: valid until withdrawn.")
    row: strawberry.Private[tables.Certificate]
    resident_id: strawberry.Private[uuid.UUID]
    municipality_code: strawberry.Private[str]
    # One issuance per certificate and request, so that token and disclosures belong together.
    issued: strawberry.Private[dict[str, asyncio.Future[IssuedSdJwt]]]

    @classmethod
    def from_row(cls, row: tables.Certificate, registration: tables.Registration) -> Certificate:
        return cls(
            serial_number=row.serial_number,
            tier=RegistrationTier(row.tier),
            issued_at=row.issued_at,
            valid_until=row.valid_until,
            row=row,
            resident_id=registration.resident_id,
            municipality_code=registration.municipality_code,
            issued={},
        )

    def _status_now(self, info: Ctx) -> CertificateStatus:
        return certificate_rules.certificate_status_at(
            certificate_rules.CertificateStatus(self.row.status),
            self.valid_until,
            info.context.clock.now(),
        )

    @strawberry.field
    def status(self, info: Ctx) -> CertificateStatus:
        return self._status_now(info)

    async def _issue(self, info: Ctx) -> IssuedSdJwt | None:
        """The SD-JWT VC of a certificate in force; none for one that ended."""
        if self._status_now(info) is not certificate_rules.CertificateStatus.VALID:
            return None
        if "token" not in self.issued:
            # Token, disclosures and QR code resolve at once: the first starts the one issuance.
            self.issued["token"] = asyncio.ensure_future(self._token(info))
        return await self.issued["token"]

    async def _token(self, info: Ctx) -> IssuedSdJwt:
        loaders = info.context.loaders
        kept = await loaders.certificate_token_by_certificate_id.load(self.row.id)
        holder = await loaders.resident_by_id.load(self.resident_id)
        issued, made = certificates.token_for(
            info.context,
            self.row,
            kept,
            self.municipality_code,
            holder.display_name if holder else None,
        )
        if made is not None:
            await info.context.keep_token(made)
        return issued

    @strawberry.field(
        permission_classes=[HoldsThisRecord],
        description="What partners scan (an SD-JWT VC): genuine, in force, tier, municipality,"
        " validity, and nothing about the holder. Null once the certificate has ended.",
    )
    async def token(self, info: Ctx) -> str | None:
        issued = await self._issue(info)
        return issued.present() if issued else None

    @strawberry.field(
        permission_classes=[HoldsThisRecord],
        description="The holder's selectively disclosable claims (the display name), for the"
        " app to append to the token (`token` + disclosure + `~`) when the holder chooses.",
    )
    async def disclosures(self, info: Ctx) -> list[str] | None:
        issued = await self._issue(info)
        return list(issued.disclosures) if issued else None

    @strawberry.field(
        permission_classes=[HoldsThisRecord],
        description="The token as a QR code (SVG), for the app to show.",
    )
    async def qr_code(self, info: Ctx) -> str | None:
        issued = await self._issue(info)
        return qr_svg(issued.present()) if issued else None


@strawberry.type(
    description="How far a registration is from premium; `missing` lists the refusal"
    " codes ApplyForPremium would give now."
)
class PremiumProgress:
    verified_activities: int
    required_activities: int
    window_days: int
    eligible: bool
    missing: list[str]


@strawberry.type(description="A person's registration with one municipality or prefecture.")
class Registration(Node):
    status: RegistrationStatus
    relationship: Relationship
    interests: list[Interest]
    registered_at: datetime
    withdrawn_at: datetime | None
    row: strawberry.Private[tables.Registration]

    @property
    def resident_id(self) -> uuid.UUID:
        return self.row.resident_id

    @property
    def municipality_code(self) -> str:
        return self.row.municipality_code

    @classmethod
    def from_row(cls, row: tables.Registration) -> Registration:
        return cls(
            id=strawberry.ID(inputs.global_id("Registration", row.id)),
            status=RegistrationStatus(row.status),
            relationship=Relationship(row.relationship),
            interests=[Interest(i) for i in row.interests],
            registered_at=row.registered_at,
            withdrawn_at=row.withdrawn_at,
            row=row,
        )

    def _tier_now(self, info: Ctx) -> RegistrationTier:
        return registration_rules.tier_at(
            RegistrationTier(self.row.tier), self.row.premium_until, info.context.clock.now()
        )

    @strawberry.field(description="The tier in force now: premium that ran out is basic.")
    def tier(self, info: Ctx) -> RegistrationTier:
        return self._tier_now(info)

    @strawberry.field(description="End of the premium year, while premium is in force.")
    def premium_until(self, info: Ctx) -> datetime | None:
        if self._tier_now(info) is RegistrationTier.PREMIUM:
            return self.row.premium_until
        return None

    @strawberry.field
    async def municipality(self, info: Ctx) -> Municipality:
        return await municipality(info, self.row.municipality_code)

    @strawberry.field(permission_classes=[HoldsOrAdministersThisRecord])
    async def resident(self, info: Ctx) -> Resident | None:
        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        if row is None:
            raise LookupError(f"registration {self.row.id} has no resident")
        return Resident.from_row(row)

    @strawberry.field(
        permission_classes=[HoldsOrAdministersThisRecord],
        description="The certificate the registrant shows: the newest one.",
    )
    async def certificate(self, info: Ctx) -> Certificate | None:
        row = await info.context.loaders.certificate_by_registration_id.load(self.row.id)
        return Certificate.from_row(row, self.row) if row else None

    @strawberry.field(permission_classes=[HoldsThisRecord])
    async def premium_progress(self, info: Ctx) -> PremiumProgress | None:
        loaders = info.context.loaders
        resident, held, policy_row, verified = await asyncio.gather(
            loaders.resident_by_id.load(self.row.resident_id),
            loaders.registrations_by_resident_id.load(self.row.resident_id),
            loaders.premium_policy_by_municipality_code.load(self.row.municipality_code),
            loaders.verified_activities_by_resident_at_place.load(
                (self.row.resident_id, self.row.municipality_code)
            ),
        )
        if resident is None:
            raise LookupError(f"registration {self.row.id} has no resident")
        now = info.context.clock.now()
        found = progress.premium_progress(
            registration_id=self.row.id,
            status=self.row.status,
            municipality_code=self.row.municipality_code,
            identity_verified=resident.identity_verified,
            home_municipality_code=resident.home_municipality_code,
            verified=verified,
            policy=mapping.premium_policy_from_row(policy_row),
            in_force=progress.premiums_in_force(
                [(r.id, r.status, r.tier, r.premium_until) for r in held], now
            ),
            now=now,
        )
        return PremiumProgress(
            verified_activities=found.verified_activities,
            required_activities=found.required_activities,
            window_days=found.window_days,
            eligible=not found.missing,
            missing=found.missing,
        )


@strawberry.type(description="A contributor activity (担い手活動) reported by a resident.")
class Activity(Node):
    kind: ActivityKind
    status: ActivityStatus
    occurred_on: date
    hours: float
    description: str
    recorded_at: datetime
    reviewed_at: datetime | None
    review_note: str | None
    row: strawberry.Private[tables.Activity]

    @property
    def resident_id(self) -> uuid.UUID:
        return self.row.resident_id

    @property
    def municipality_code(self) -> str:
        return self.row.municipality_code

    @classmethod
    def from_row(cls, row: tables.Activity) -> Activity:
        return cls(
            id=strawberry.ID(inputs.global_id("Activity", row.id)),
            kind=ActivityKind(row.kind),
            status=ActivityStatus(row.status),
            occurred_on=row.occurred_on,
            hours=row.hours,
            description=row.description,
            recorded_at=row.recorded_at,
            reviewed_at=row.reviewed_at,
            review_note=row.review_note,
            row=row,
        )

    @strawberry.field
    async def municipality(self, info: Ctx) -> Municipality:
        return await municipality(info, self.row.municipality_code)

    @strawberry.field(permission_classes=[HoldsOrAdministersThisRecord])
    async def resident(self, info: Ctx) -> Resident | None:
        row = await info.context.loaders.resident_by_id.load(self.row.resident_id)
        if row is None:
            raise LookupError(f"activity {self.row.id} has no resident")
        return Resident.from_row(row)


@strawberry.type(
    description="A list file taken in for a municipality, and what became of each row:"
    " accepted (new), updated (changed since the last import), unchanged, or rejected."
)
class ImportJob(Node):
    kind: ImportKind
    file_name: str
    status: ImportStatus = strawberry.field(
        description="RUNNING until its rows are merged; a job still RUNNING long after it"
        " started was interrupted, and nothing of it was written."
    )
    started_at: datetime
    finished_at: datetime | None
    accepted: int
    updated: int
    unchanged: int
    rejected: int
    failure: str | None = strawberry.field(description="Why a FAILED job stopped.")
    row: strawberry.Private[tables.ImportJob]

    @property
    def municipality_code(self) -> str:
        return self.row.municipality_code

    @classmethod
    def from_row(cls, row: tables.ImportJob) -> ImportJob:
        return cls(
            id=strawberry.ID(inputs.global_id("ImportJob", row.id)),
            kind=ImportKind(row.kind),
            file_name=row.file_name,
            status=ImportStatus(row.status),
            started_at=row.started_at,
            finished_at=row.finished_at,
            accepted=row.accepted,
            updated=row.updated,
            unchanged=row.unchanged,
            rejected=row.rejected,
            failure=row.failure,
            row=row,
        )

    @strawberry.field
    async def municipality(self, info: Ctx) -> Municipality:
        return await municipality(info, self.row.municipality_code)

    @strawberry.field(description="The rows turned away, in the order of the file.")
    async def rejections(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[ImportRejection]:
        page = await imports.rejections_of_job(info.context, self.row.id, first, after)
        return connection(
            [(inputs.cursor(str(r.line)), ImportRejection.from_row(r)) for r in page.rows],
            page.total,
            page.has_next,
            after,
        )
