"""Rows to domain objects and back, for the write side."""

from __future__ import annotations

from collections.abc import Sequence

from domain.activities import Activity, ActivityStatus
from domain.certificates import Certificate, CertificateStatus
from domain.imports import ImportJob, RowOutcome
from domain.municipality_code import prefecture_of
from domain.notices import Notice, interest_mask
from domain.places import Participation
from domain.premium import DEFAULT_POLICY, PremiumPolicy
from domain.registrations import Registration, RegistrationStatus
from domain.residents import Resident
from domain.support import SupportMeasure
from domain.tiers import Tier
from domain.vocabulary import ActivityKind, Interest, Relationship
from persistence import tables


def resident_from_row(row: tables.Resident) -> Resident:
    return Resident(
        id=row.id,
        subject=row.subject,
        created_at=row.created_at,
        display_name=row.display_name,
        birth_year=row.birth_year,
        home_municipality_code=row.home_municipality_code,
        interests=tuple(Interest(i) for i in row.interests),
        identity_verified=row.identity_verified,
    )


def resident_to_row(resident: Resident) -> tables.Resident:
    return tables.Resident(
        id=resident.id,
        subject=resident.subject,
        created_at=resident.created_at,
        display_name=resident.display_name,
        birth_year=resident.birth_year,
        home_municipality_code=resident.home_municipality_code,
        interests=[i.value for i in resident.interests],
        identity_verified=resident.identity_verified,
    )


def certificate_from_row(row: tables.Certificate) -> Certificate:
    return Certificate(
        id=row.id,
        registration_id=row.registration_id,
        serial_number=row.serial_number,
        tier=Tier(row.tier),
        issued_at=row.issued_at,
        valid_until=row.valid_until,
        status=CertificateStatus(row.status),
        ended_at=row.ended_at,
    )


def certificate_to_row(
    certificate: Certificate, status_list_id: int, status_index: int
) -> tables.Certificate:
    return tables.Certificate(
        status_list_id=status_list_id,
        status_index=status_index,
        id=certificate.id,
        registration_id=certificate.registration_id,
        serial_number=certificate.serial_number,
        tier=certificate.tier.value,
        status=certificate.status.value,
        issued_at=certificate.issued_at,
        valid_until=certificate.valid_until,
        ended_at=certificate.ended_at,
    )


def registration_from_row(
    row: tables.Registration, certificates: list[tables.Certificate]
) -> Registration:
    return Registration(
        id=row.id,
        resident_id=row.resident_id,
        municipality_code=row.municipality_code,
        relationship=Relationship(row.relationship),
        interests=tuple(Interest(i) for i in row.interests),
        registered_at=row.registered_at,
        status=RegistrationStatus(row.status),
        tier=Tier(row.tier),
        premium_granted_at=row.premium_granted_at,
        premium_until=row.premium_until,
        withdrawn_at=row.withdrawn_at,
        certificates=[certificate_from_row(c) for c in certificates],
    )


def registration_to_row(registration: Registration) -> tables.Registration:
    return tables.Registration(
        id=registration.id,
        resident_id=registration.resident_id,
        municipality_code=registration.municipality_code,
        prefecture_code=prefecture_of(registration.municipality_code),
        relationship=registration.relationship.value,
        interests=[i.value for i in registration.interests],
        tier=registration.tier.value,
        status=registration.status.value,
        registered_at=registration.registered_at,
        premium_granted_at=registration.premium_granted_at,
        premium_until=registration.premium_until,
        withdrawn_at=registration.withdrawn_at,
    )


def activity_from_row(row: tables.Activity) -> Activity:
    return Activity(
        id=row.id,
        resident_id=row.resident_id,
        municipality_code=row.municipality_code,
        kind=ActivityKind(row.kind),
        occurred_on=row.occurred_on,
        hours=row.hours,
        description=row.description,
        recorded_at=row.recorded_at,
        status=ActivityStatus(row.status),
        reviewed_at=row.reviewed_at,
        reviewed_by=row.reviewed_by,
        review_note=row.review_note,
    )


def activity_to_row(activity: Activity) -> tables.Activity:
    return tables.Activity(
        id=activity.id,
        resident_id=activity.resident_id,
        municipality_code=activity.municipality_code,
        prefecture_code=prefecture_of(activity.municipality_code),
        kind=activity.kind.value,
        occurred_on=activity.occurred_on,
        hours=activity.hours,
        description=activity.description,
        status=activity.status.value,
        recorded_at=activity.recorded_at,
        reviewed_at=activity.reviewed_at,
        reviewed_by=activity.reviewed_by,
        review_note=activity.review_note,
    )


def premium_policy_from_row(row: tables.PremiumPolicy | None) -> PremiumPolicy:
    return premium_policy_of(
        None
        if row is None
        else (row.required_activities, row.window_days, row.eligible_activity_kinds)
    )


def premium_policy_of(stored: tuple[int, int, Sequence[str]] | None) -> PremiumPolicy:
    """A stored policy (required activities, window, kinds); a place that never set its
    policy follows the defaults of RULES.md."""
    if stored is None:
        return DEFAULT_POLICY
    required, window, kinds = stored
    return PremiumPolicy(required, window, tuple(ActivityKind(k) for k in kinds))


def premium_policy_to_row(code: str, policy: PremiumPolicy) -> tables.PremiumPolicy:
    return tables.PremiumPolicy(
        municipality_code=code,
        required_activities=policy.required_activities,
        window_days=policy.window_days,
        eligible_activity_kinds=[k.value for k in policy.eligible_activity_kinds],
    )


def participation_from_row(row: tables.Participation | None) -> Participation | None:
    return Participation(row.municipality_code, row.agreed_on, row.starts_on) if row else None


def participation_to_row(participation: Participation) -> tables.Participation:
    return tables.Participation(
        municipality_code=participation.municipality_code,
        agreed_on=participation.agreed_on,
        starts_on=participation.starts_on,
    )


def support_measure_to_row(measure: SupportMeasure) -> tables.SupportMeasure:
    return tables.SupportMeasure(
        id=measure.id,
        municipality_code=measure.municipality_code,
        partner_id=measure.partner_id,
        title=measure.title,
        description=measure.description,
        minimum_tier=measure.minimum_tier.value,
        valid_from=measure.valid_from,
        valid_until=measure.valid_until,
        created_at=measure.created_at,
        created_by=measure.created_by,
    )


def support_measure_from_row(row: tables.SupportMeasure) -> SupportMeasure:
    return SupportMeasure(
        id=row.id,
        municipality_code=row.municipality_code,
        partner_id=row.partner_id,
        title=row.title,
        description=row.description,
        minimum_tier=Tier(row.minimum_tier),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def notice_to_row(notice: Notice) -> tables.Notice:
    return tables.Notice(
        id=notice.id,
        municipality_code=notice.municipality_code,
        kind=notice.kind.value,
        title=notice.title,
        body=notice.body,
        interests=[i.value for i in notice.interests],
        interest_mask=interest_mask(notice.interests),
        audience=notice.audience.value,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        published_at=notice.published_at,
        published_by=notice.published_by,
    )


def import_job_to_row(job: ImportJob) -> tables.ImportJob:
    return tables.ImportJob(
        id=job.id,
        municipality_code=job.municipality_code,
        kind=job.kind.value,
        file_name=job.file_name,
        status=job.status.value,
        started_at=job.started_at,
        finished_at=job.finished_at,
        started_by=job.started_by,
        accepted=job.outcomes[RowOutcome.ACCEPTED],
        updated=job.outcomes[RowOutcome.UPDATED],
        unchanged=job.outcomes[RowOutcome.UNCHANGED],
        rejected=job.outcomes[RowOutcome.REJECTED],
        failure=job.failure,
    )
