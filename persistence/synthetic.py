"""A synthetic related population at scale, for benchmarks and for trying the dashboards.

People live mostly in cities and register with a few places each, for the reasons the scheme
lists (ふるさと納税 and birthplace above all); a few withdraw, some contribute and become
premium. Places are weighted by kind (cities and Tokyo's wards above towns, towns above
villages): the master data has no population. Rows are written in bulk (COPY on PostgreSQL)
with their certificates, the premium grants' events and the figures, so that the platform
reads them as if every registration had gone through it.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from credentials.status_list import MINIMUM_SIZE
from domain import municipality_code
from domain.activities import ActivityStatus
from domain.certificates import CertificateStatus
from domain.clock import japan_date, one_year_after
from domain.events import EventType, SubjectKind
from domain.places import PlaceKind
from domain.registrations import RegistrationStatus
from domain.statistics import Flow, Happening, Person, Standing, Tie, recount
from domain.tiers import Tier
from domain.vocabulary import ActivityKind, Interest, Relationship
from persistence import bulk, outbox, tables, tallies
from persistence.database import Database

SUBJECT_PREFIX = "synthetic-"
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
WEIGHT_BY_KIND = {
    PlaceKind.CITY: 8,
    PlaceKind.SPECIAL_WARD: 8,
    PlaceKind.TOWN: 3,
    PlaceKind.VILLAGE: 1,
}
PREFECTURE_SHARE = 0.08
RELATIONSHIPS = {
    Relationship.FURUSATO_NOZEI: 28,
    Relationship.BIRTHPLACE: 16,
    Relationship.TOURISM: 15,
    Relationship.FORMER_RESIDENCE: 12,
    Relationship.FAMILY: 8,
    Relationship.WORK_OR_STUDY: 6,
    Relationship.LOCAL_PRODUCTS: 5,
    Relationship.OTHER: 4,
    Relationship.VOLUNTEERING: 3,
    Relationship.TWO_BASE_LIVING: 3,
}
# How many places a person registers with: about 2.5 on average.
PLACES_PER_PERSON = {1: 38, 2: 25, 3: 15, 4: 9, 5: 6, 6: 3, 7: 2, 8: 1, 9: 0.6, 10: 0.4}
BIRTH_DECADES = {
    1930: 2,
    1940: 8,
    1950: 14,
    1960: 17,
    1970: 19,
    1980: 17,
    1990: 13,
    2000: 8,
    2010: 2,
}
UNKNOWN_BIRTH_YEAR = 0.05
IDENTITY_VERIFIED = 0.6
WITHDRAWN = 0.03
PREMIUM = 0.06
MAX_PREMIUM = 3
HISTORY_DAYS = 330
# Status lists are filled to half, like lists certificates went into at random.
PER_STATUS_LIST = MINIMUM_SIZE // 2
COPY_TABLES = ("resident", "registration", "certificate", "activity", "municipal_event")


@dataclass
class Population:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    standings: list[Standing] = field(default_factory=list)
    people: dict[uuid.UUID, Person] = field(default_factory=dict)
    happenings: list[Happening] = field(default_factory=list)


class Generator:
    def __init__(
        self,
        places: Sequence[tables.Municipality],
        now: datetime,
        seed: int,
        first_status_list: int,
        stream_heads: dict[str, int],
    ) -> None:
        self.now = now
        self.random = random.Random(seed)  # noqa: S311  (repeatable data, no secret)
        self.municipalities = [p.code for p in places if p.kind != PlaceKind.PREFECTURE]
        # Cumulative, so that each draw does not add up 1,741 weights again.
        self.cumulative_weights = list(
            accumulate(
                WEIGHT_BY_KIND[PlaceKind(p.kind)] for p in places if p.kind != PlaceKind.PREFECTURE
            )
        )
        self.status_list = first_status_list - 1
        self.free_indexes: list[int] = []
        self.stream_heads = stream_heads
        self.population = Population()

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    def _choice(self, weighted: Mapping[Any, float]) -> Any:
        return self.random.choices(list(weighted), list(weighted.values()))[0]

    def _municipality(self) -> str:
        return self.random.choices(self.municipalities, cum_weights=self.cumulative_weights)[0]

    def _place(self) -> str:
        place = self._municipality()
        if self.random.random() < PREFECTURE_SHARE:
            return municipality_code.prefecture_of(place)
        return place

    def _status_entry(self) -> tuple[int, int]:
        if not self.free_indexes:
            self.status_list += 1
            self.population.rows["status_list"].append(
                {"id": self.status_list, "size": MINIMUM_SIZE, "created_at": self.now}
            )
            self.free_indexes = self.random.sample(range(MINIMUM_SIZE), PER_STATUS_LIST)
        return self.status_list, self.free_indexes.pop()

    def _serial(self) -> str:
        body = "".join(self.random.choices(SERIAL_ALPHABET, k=12))
        return f"FR-{body[:4]}-{body[4:8]}-{body[8:]}"

    def person(self, number: int) -> None:
        rows = self.population.rows
        resident_id = self._uuid()
        home = self._municipality()
        birth_year = (
            None
            if self.random.random() < UNKNOWN_BIRTH_YEAR
            else self._choice(BIRTH_DECADES) + self.random.randrange(10)
        )
        verified = self.random.random() < IDENTITY_VERIFIED
        joined = self.now - timedelta(days=self.random.uniform(1, HISTORY_DAYS))
        rows["resident"].append(
            {
                "id": resident_id,
                "subject": f"{SUBJECT_PREFIX}{number}",
                "display_name": None,
                "birth_year": birth_year,
                "home_municipality_code": home,
                "interests": [],
                "identity_verified": verified,
                "created_at": joined,
            }
        )
        self.population.people[resident_id] = Person(
            municipality_code.prefecture_of(home), birth_year
        )
        places = {self._place() for _ in range(self._choice(PLACES_PER_PERSON))} - {home}
        premium = 0
        for place in sorted(places):
            # The rules' limits: not where they live, and no more than three premium.
            may_be_premium = (
                verified
                and premium < MAX_PREMIUM
                and place != municipality_code.prefecture_of(home)
            )
            premium += self.registration(resident_id, place, may_be_premium, joined)

    def registration(
        self, resident_id: uuid.UUID, place: str, may_be_premium: bool, joined: datetime
    ) -> bool:
        """Register; True when the registration is premium."""
        rows = self.population.rows
        registration_id = self._uuid()
        registered_at = joined + timedelta(days=self.random.uniform(0, (self.now - joined).days))
        relationship: Relationship = self._choice(RELATIONSHIPS)
        interests = self.random.sample(list(Interest), self.random.choice((0, 1, 1, 2, 3)))
        withdrawn_at = None
        granted_at = None
        if self.random.random() < WITHDRAWN:
            withdrawn_at = registered_at + (self.now - registered_at) * self.random.random()
        elif may_be_premium and self.random.random() < PREMIUM / IDENTITY_VERIFIED:
            granted_at = registered_at + (self.now - registered_at) * self.random.random()
        tier = Tier.PREMIUM if granted_at else Tier.BASIC
        status = RegistrationStatus.WITHDRAWN if withdrawn_at else RegistrationStatus.ACTIVE
        rows["registration"].append(
            {
                "id": registration_id,
                "resident_id": resident_id,
                "municipality_code": place,
                "prefecture_code": municipality_code.prefecture_of(place),
                "relationship": relationship.value,
                "interests": [i.value for i in interests],
                "tier": tier.value,
                "status": status.value,
                "registered_at": registered_at,
                "premium_granted_at": granted_at,
                "premium_until": one_year_after(granted_at) if granted_at else None,
                "withdrawn_at": withdrawn_at,
            }
        )
        self.population.standings.append(
            Standing(
                resident_id,
                place,
                None if withdrawn_at else Tie(relationship, tuple(interests), tier),
                japan_date(registered_at),
                japan_date(withdrawn_at) if withdrawn_at else None,
            )
        )
        self.certificate(registration_id, tier, registered_at, granted_at, withdrawn_at)
        if granted_at:
            self.premium(resident_id, registration_id, place, granted_at)
        return granted_at is not None

    def certificate(
        self,
        registration_id: uuid.UUID,
        tier: Tier,
        registered_at: datetime,
        granted_at: datetime | None,
        withdrawn_at: datetime | None,
    ) -> None:
        list_id, index = self._status_entry()
        issued_at = granted_at or registered_at
        self.population.rows["certificate"].append(
            {
                "id": self._uuid(),
                "registration_id": registration_id,
                "serial_number": self._serial(),
                "tier": tier.value,
                "status": (
                    CertificateStatus.REVOKED if withdrawn_at else CertificateStatus.VALID
                ).value,
                "issued_at": issued_at,
                "valid_until": one_year_after(granted_at) if granted_at else None,
                "ended_at": withdrawn_at,
                "status_list_id": list_id,
                "status_index": index,
            }
        )

    def premium(
        self, resident_id: uuid.UUID, registration_id: uuid.UUID, place: str, granted_at: datetime
    ) -> None:
        """The three verified activities a grant needs, and the grant's events."""
        rows = self.population.rows
        for days_before in (40, 25, 10):
            occurred = granted_at - timedelta(days=days_before)
            reviewed_at = occurred + timedelta(days=2)
            rows["activity"].append(
                {
                    "id": self._uuid(),
                    "resident_id": resident_id,
                    "municipality_code": place,
                    "prefecture_code": municipality_code.prefecture_of(place),
                    "kind": self.random.choice(list(ActivityKind)).value,
                    "occurred_on": japan_date(occurred),
                    "hours": float(self.random.randint(1, 8)),
                    "description": "synthetic",
                    "status": ActivityStatus.VERIFIED.value,
                    "recorded_at": occurred + timedelta(days=1),
                    "reviewed_at": reviewed_at,
                    "reviewed_by": f"{SUBJECT_PREFIX}staff-{place}",
                    "review_note": None,
                }
            )
            self.population.happenings.append(
                Happening(resident_id, place, Flow.ACTIVITY_VERIFIED, japan_date(reviewed_at))
            )
        self.population.happenings.append(
            Happening(resident_id, place, Flow.PREMIUM_GRANTED, japan_date(granted_at))
        )
        for stream in outbox.streams_of(place):
            self.stream_heads[stream] += 1
            rows["municipal_event"].append(
                {
                    "stream_code": stream,
                    "seq": self.stream_heads[stream],
                    "type": EventType.PREMIUM_GRANTED.value,
                    "municipality_code": place,
                    "occurred_at": granted_at,
                    "subject_kind": SubjectKind.REGISTRATION.value,
                    "subject_id": registration_id,
                    "tier": Tier.PREMIUM.value,
                }
            )


def _table(name: str) -> Table:
    return bulk.table(name)


async def _copy(connection: AsyncConnection, name: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        await bulk.copy(connection, name, list(rows[0]), [tuple(row.values()) for row in rows])


async def _add_figures(connection: AsyncConnection, population: Population) -> None:
    counted = recount(population.standings, population.people, population.happenings)
    rows = [
        {"scope": scope, "figure": figure, "shard": shard, "count": count}
        for (scope, figure, shard), count in sorted(counted.figures.items())
    ]
    # Figures already there (other people's) are added to, not replaced.
    await tallies.add_counts(connection, rows)
    await _copy(
        connection,
        "tally_member",
        [
            {
                "scope": scope,
                "resident_id": resident_id,
                "registrations": membership.registrations,
                "premium": membership.premium,
            }
            for (scope, resident_id), membership in counted.members.items()
        ],
    )


async def seed(database: Database, residents: int, now: datetime, seed: int = 2027) -> Population:
    """Add `residents` synthetic people, with everything they did, in one transaction."""
    async with database.write_engine.begin() as connection:
        places = [
            tables.Municipality(**row._mapping)
            for row in await connection.execute(select(_table("municipality")))
        ]
        existing = (
            await connection.execute(
                select(func.count()).where(_table("resident").c.subject.startswith(SUBJECT_PREFIX))
            )
        ).scalar_one()
        first_list = (
            await connection.execute(select(func.max(_table("status_list").c.id)))
        ).scalar_one()
        heads = dict(
            (
                await connection.execute(
                    select(_table("event_stream").c.code, _table("event_stream").c.last_seq)
                )
            ).all()
        )
        generator = Generator(
            places, now, seed + existing, (first_list or 0) + 1, defaultdict(int, heads)
        )
        for number in range(existing, existing + residents):
            generator.person(number)
        population = generator.population
        await _join_every_place(connection, places, now)
        for name in ("status_list", *COPY_TABLES):
            await _copy(connection, name, population.rows[name])
        if connection.dialect.name == "postgresql" and population.rows["status_list"]:
            await connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('status_list', 'id'),"
                    " (SELECT max(id) FROM status_list))"
                )
            )
        stream = _table("event_stream")
        for code, last in generator.stream_heads.items():
            if last != heads.get(code):
                await connection.execute(
                    update(stream).where(stream.c.code == code).values(last_seq=last)
                )
        await _add_figures(connection, population)
    return population


async def _join_every_place(
    connection: AsyncConnection, places: Iterable[tables.Municipality], now: datetime
) -> None:
    participation = _table("participation")
    joined = set((await connection.execute(select(participation.c.municipality_code))).scalars())
    start = japan_date(now - timedelta(days=HISTORY_DAYS + 30))
    rows = [
        {"municipality_code": place.code, "agreed_on": start, "starts_on": start}
        for place in places
        if place.code not in joined
    ]
    if rows:
        await connection.execute(insert(participation), rows)
