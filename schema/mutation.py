"""The mutation root."""

from __future__ import annotations

import strawberry
from starlette.datastructures import UploadFile

from domain.activities import Activity as DomainActivity
from domain.registrations import Registration as DomainRegistration
from persistence import mapping
from resolvers import imports, mutations, support
from schema.enums import ImportKind
from schema.inputs import (
    ApplyForPremiumInput,
    JoinPlatformInput,
    PremiumPolicyInput,
    PublishNoticeInput,
    RecordActivityInput,
    RegisterInput,
    ReviewActivityInput,
    SupportMeasureInput,
    UpdateProfileInput,
    WithdrawInput,
)
from schema.limits import MutationRateLimit
from schema.notices import Notice
from schema.partners import SupportMeasure
from schema.payloads import (
    ApplyForPremiumPayload,
    CreateSupportMeasurePayload,
    ImportListPayload,
    JoinPlatformPayload,
    PublishNoticePayload,
    RecordActivityPayload,
    RegisterPayload,
    ReviewActivityPayload,
    SetPremiumPolicyPayload,
    UpdateProfilePayload,
    WithdrawPayload,
    attempt,
)
from schema.permissions import (
    GovernsInputPlace,
    IntegratesArgumentPlace,
    IsOperator,
    IsResident,
    IsStaff,
)
from schema.types import Activity, Ctx, ImportJob, Registration, Resident, municipality


def _registration(registration: DomainRegistration | None) -> Registration | None:
    return (
        Registration.from_row(mapping.registration_to_row(registration)) if registration else None
    )


def _activity(activity: DomainActivity | None) -> Activity | None:
    return Activity.from_row(mapping.activity_to_row(activity)) if activity else None


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[IsResident], extensions=[MutationRateLimit()])
    async def update_profile(self, info: Ctx, input: UpdateProfileInput) -> UpdateProfilePayload:
        resident, errors = await attempt(
            mutations.update_profile(
                info.context,
                input.display_name,
                input.birth_year,
                input.home_municipality_code,
                input.interests,
            )
        )
        return UpdateProfilePayload(
            resident=Resident.from_row(mapping.resident_to_row(resident)) if resident else None,
            errors=errors,
        )

    @strawberry.mutation(
        permission_classes=[IsResident],
        extensions=[MutationRateLimit()],
        description="Basic registration; a basic certificate is issued at once.",
    )
    async def register(self, info: Ctx, input: RegisterInput) -> RegisterPayload:
        registration, errors = await attempt(
            mutations.register(
                info.context, input.municipality_code, input.relationship, input.interests
            )
        )
        return RegisterPayload(registration=_registration(registration), errors=errors)

    @strawberry.mutation(
        permission_classes=[IsResident],
        extensions=[MutationRateLimit()],
        description="Withdraw a registration; its certificate is revoked.",
    )
    async def withdraw(self, info: Ctx, input: WithdrawInput) -> WithdrawPayload:
        registration, errors = await attempt(
            mutations.withdraw(info.context, input.registration_id)
        )
        return WithdrawPayload(registration=_registration(registration), errors=errors)

    @strawberry.mutation(permission_classes=[IsResident], extensions=[MutationRateLimit()])
    async def record_activity(self, info: Ctx, input: RecordActivityInput) -> RecordActivityPayload:
        activity, errors = await attempt(
            mutations.record_activity(
                info.context,
                input.municipality_code,
                input.kind,
                input.occurred_on,
                input.hours,
                input.description,
            )
        )
        return RecordActivityPayload(activity=_activity(activity), errors=errors)

    @strawberry.mutation(
        permission_classes=[IsResident],
        extensions=[MutationRateLimit()],
        description="Premium registration or its yearly renewal.",
    )
    async def apply_for_premium(
        self, info: Ctx, input: ApplyForPremiumInput
    ) -> ApplyForPremiumPayload:
        registration, errors = await attempt(
            mutations.apply_for_premium(info.context, input.registration_id)
        )
        return ApplyForPremiumPayload(registration=_registration(registration), errors=errors)

    @strawberry.mutation(
        permission_classes=[IsStaff],
        extensions=[MutationRateLimit()],
        description="Verify or reject an activity of your municipality (or prefecture).",
    )
    async def review_activity(self, info: Ctx, input: ReviewActivityInput) -> ReviewActivityPayload:
        activity, errors = await attempt(
            mutations.review_activity(info.context, input.activity_id, input.approve, input.note)
        )
        return ReviewActivityPayload(activity=_activity(activity), errors=errors)

    @strawberry.mutation(permission_classes=[GovernsInputPlace], extensions=[MutationRateLimit()])
    async def set_premium_policy(
        self, info: Ctx, input: PremiumPolicyInput
    ) -> SetPremiumPolicyPayload:
        policy, errors = await attempt(
            mutations.set_premium_policy(
                info.context,
                input.municipality_code,
                input.required_activities,
                input.window_days,
                input.eligible_activity_kinds,
            )
        )
        return SetPremiumPolicyPayload(
            municipality=await municipality(info, input.municipality_code) if policy else None,
            errors=errors,
        )

    @strawberry.mutation(
        permission_classes=[GovernsInputPlace],
        extensions=[MutationRateLimit()],
        description="A support measure of your place, or of a partner within its scope.",
    )
    async def create_support_measure(
        self, info: Ctx, input: SupportMeasureInput
    ) -> CreateSupportMeasurePayload:
        measure, errors = await attempt(
            support.create(
                info.context,
                input.municipality_code,
                input.title,
                input.description,
                input.minimum_tier,
                input.valid_from,
                input.valid_until,
                input.partner_id,
            )
        )
        return CreateSupportMeasurePayload(
            support_measure=SupportMeasure.from_row(mapping.support_measure_to_row(measure))
            if measure
            else None,
            errors=errors,
        )

    @strawberry.mutation(
        permission_classes=[GovernsInputPlace],
        extensions=[MutationRateLimit()],
        description="Publish a notice to the place's registrants (and, for a prefecture, its"
        " municipalities' registrants).",
    )
    async def publish_notice(self, info: Ctx, input: PublishNoticeInput) -> PublishNoticePayload:
        notice, errors = await attempt(
            mutations.publish_notice(
                info.context,
                input.municipality_code,
                input.kind,
                input.title,
                input.body,
                input.interests,
                input.audience,
                input.starts_at,
                input.ends_at,
            )
        )
        return PublishNoticePayload(
            notice=Notice.from_row(mapping.notice_to_row(notice)) if notice else None,
            errors=errors,
        )

    @strawberry.mutation(
        permission_classes=[IsOperator],
        extensions=[MutationRateLimit()],
        description="Record that a place agreed to the terms of use and when its use starts.",
    )
    async def join_platform(self, info: Ctx, input: JoinPlatformInput) -> JoinPlatformPayload:
        participation, errors = await attempt(
            mutations.join_platform(
                info.context, input.municipality_code, input.agreed_on, input.starts_on
            )
        )
        return JoinPlatformPayload(
            municipality=await municipality(info, input.municipality_code)
            if participation
            else None,
            errors=errors,
        )

    @strawberry.mutation(
        permission_classes=[IntegratesArgumentPlace],
        extensions=[MutationRateLimit()],
        description="Take in a file of the municipality's list (CSV in UTF-8 or Shift_JIS, or"
        " .xlsx; the layout is in the README), sent as a GraphQL multipart request. Rows are"
        " accepted, updated, left unchanged or rejected; importing the same file again changes"
        " nothing. The job comes back finished, with its report.",
    )
    async def import_list(
        self, info: Ctx, municipality_code: str, kind: ImportKind, file: UploadFile
    ) -> ImportListPayload:
        job, errors = await attempt(
            imports.import_uploaded_list(info.context, municipality_code, kind, file)
        )
        return ImportListPayload(
            job=ImportJob.from_row(mapping.import_job_to_row(job)) if job else None,
            errors=errors,
        )
