"""The scheme's closed lists: relationships to a place, interests, activity kinds."""

from __future__ import annotations

from enum import StrEnum


class Relationship(StrEnum):
    """Why a person cares about a place (RULES.md, Tiers: Basic)."""

    BIRTHPLACE = "BIRTHPLACE"
    FORMER_RESIDENCE = "FORMER_RESIDENCE"
    FAMILY = "FAMILY"
    WORK_OR_STUDY = "WORK_OR_STUDY"
    TOURISM = "TOURISM"
    FURUSATO_NOZEI = "FURUSATO_NOZEI"
    LOCAL_PRODUCTS = "LOCAL_PRODUCTS"
    VOLUNTEERING = "VOLUNTEERING"
    TWO_BASE_LIVING = "TWO_BASE_LIVING"
    OTHER = "OTHER"


class Interest(StrEnum):
    EVENTS = "EVENTS"
    LOCAL_ATTRACTIONS = "LOCAL_ATTRACTIONS"
    LOCAL_NEWS = "LOCAL_NEWS"
    CONTRIBUTOR_RECRUITMENT = "CONTRIBUTOR_RECRUITMENT"
    COMMUNITY_BUILDING = "COMMUNITY_BUILDING"
    HEALTHCARE_AND_CARE = "HEALTHCARE_AND_CARE"
    EDUCATION_AND_CHILDCARE = "EDUCATION_AND_CHILDCARE"
    DIGITAL = "DIGITAL"
    PUBLICITY = "PUBLICITY"
    BUSINESS_SUPPORT = "BUSINESS_SUPPORT"
    CONSTRUCTION = "CONSTRUCTION"
    INTERNATIONAL_EXCHANGE = "INTERNATIONAL_EXCHANGE"
    TRANSPORT = "TRANSPORT"
    AGRICULTURE_FORESTRY_FISHERY = "AGRICULTURE_FORESTRY_FISHERY"
    MIGRATION_AND_HOUSING = "MIGRATION_AND_HOUSING"
    OTHER = "OTHER"


class ActivityKind(StrEnum):
    """Contributor activities (担い手活動)."""

    VOLUNTEERING = "VOLUNTEERING"
    EVENT_STAFF = "EVENT_STAFF"
    COMMUNITY_MEETING = "COMMUNITY_MEETING"
    PRIMARY_INDUSTRY_HELP = "PRIMARY_INDUSTRY_HELP"
    LOCAL_BUSINESS = "LOCAL_BUSINESS"
    DISASTER_RECOVERY = "DISASTER_RECOVERY"
    EDUCATION_AND_CHILDCARE = "EDUCATION_AND_CHILDCARE"
    ELDERLY_CARE = "ELDERLY_CARE"
    CULTURAL_PRESERVATION = "CULTURAL_PRESERVATION"
    TWO_BASE_LIVING = "TWO_BASE_LIVING"
    OTHER = "OTHER"


_INTEREST_ORDER = {interest: position for position, interest in enumerate(Interest)}


def distinct_interests(interests: list[Interest] | tuple[Interest, ...]) -> tuple[Interest, ...]:
    """Interests in a stable order (the list's), each once, however the client sent them."""
    return tuple(sorted(set(interests), key=_INTEREST_ORDER.__getitem__))
