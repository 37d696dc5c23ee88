"""A small demo data set, made through the same services as everything else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.activities import ActivityReport
from domain.clock import Clock, japan_date
from domain.notices import NoticeAudience, NoticeDraft, NoticeKind
from domain.residents import ProfileChange
from domain.roles import Actor, Role
from domain.vocabulary import ActivityKind, Interest, Relationship
from services import activities, notices, places, registrations, residents
from services.unit_of_work import UnitOfWork

HIGASHIKAWA = "014583"  # 北海道東川町
HAKUBA = "204854"  # 長野県白馬村
NAGANO = "200000"  # 長野県
KAMIYAMA = "363421"  # 徳島県神山町
AMA = "325252"  # 島根県海士町
CHIYODA = "131016"  # 東京都千代田区 (home of the demo residents)
PARTICIPATING = (HIGASHIKAWA, HAKUBA, NAGANO, KAMIYAMA, AMA)


@dataclass(frozen=True)
class DemoActors:
    hanako: Actor
    ichiro: Actor
    staff_hakuba: Actor
    staff_nagano: Actor
    staff_higashikawa: Actor


DEMO = DemoActors(
    hanako=Actor(
        "demo-resident-hanako",
        Role.RESIDENT,
        identity_verified=True,
        name="佐藤 花子",
        birth_year=1988,
    ),
    ichiro=Actor("demo-resident-ichiro", Role.RESIDENT, name="鈴木 一郎", birth_year=1975),
    staff_hakuba=Actor("demo-staff-hakuba", Role.STAFF, municipality_code=HAKUBA),
    staff_nagano=Actor("demo-staff-nagano", Role.STAFF, municipality_code=NAGANO),
    staff_higashikawa=Actor("demo-staff-higashikawa", Role.STAFF, municipality_code=HIGASHIKAWA),
)


async def seed(uow: UnitOfWork, clock: Clock) -> bool:
    """Add the demo people and their records; False when they are there already."""
    async with uow:
        if await uow.residents.get_by_subject(DEMO.hanako.subject) is not None:
            return False
    today = japan_date(clock.now())
    for code in PARTICIPATING:
        await places.join_platform(
            uow, code, today - timedelta(days=60), today - timedelta(days=30)
        )

    hanako, ichiro = DEMO.hanako, DEMO.ichiro
    await residents.change_profile(
        uow,
        hanako,
        ProfileChange(
            home_municipality_code=CHIYODA,
            interests=(
                Interest.EVENTS,
                Interest.AGRICULTURE_FORESTRY_FISHERY,
                Interest.MIGRATION_AND_HOUSING,
            ),
        ),
        clock,
    )
    await residents.change_profile(
        uow, ichiro, ProfileChange(home_municipality_code=CHIYODA), clock
    )
    await registrations.register_with(
        uow, hanako, HIGASHIKAWA, Relationship.TOURISM, [Interest.EVENTS], clock
    )
    hakuba = await registrations.register_with(
        uow, hanako, HAKUBA, Relationship.TWO_BASE_LIVING, [Interest.EVENTS], clock
    )
    await registrations.register_with(uow, hanako, NAGANO, Relationship.FORMER_RESIDENCE, [], clock)
    await registrations.register_with(
        uow, ichiro, KAMIYAMA, Relationship.WORK_OR_STUDY, [Interest.DIGITAL], clock
    )
    await registrations.register_with(uow, ichiro, HAKUBA, Relationship.FURUSATO_NOZEI, [], clock)

    done = [
        (ActivityKind.PRIMARY_INDUSTRY_HELP, 40, 6.0, "りんご農園の収穫手伝い"),
        (ActivityKind.EVENT_STAFF, 25, 4.5, "村の冬まつり 会場設営"),
        (ActivityKind.VOLUNTEERING, 10, 3.0, "登山道の清掃ボランティア"),
    ]
    for kind, days_ago, hours, text in done:
        activity = await activities.record(
            uow,
            hanako,
            ActivityReport(HAKUBA, kind, today - timedelta(days=days_ago), hours, text),
            clock,
        )
        await activities.review(
            uow, DEMO.staff_hakuba, activity.id, True, "ありがとうございました", clock
        )
    await registrations.apply_for_premium(uow, hanako, hakuba.id, clock)

    await activities.record(
        uow,
        ichiro,
        ActivityReport(
            HAKUBA,
            ActivityKind.COMMUNITY_MEETING,
            today - timedelta(days=3),
            2.0,
            "地域づくり会議に参加",
        ),
        clock,
    )
    rejected = await activities.record(
        uow,
        ichiro,
        ActivityReport(HAKUBA, ActivityKind.OTHER, today - timedelta(days=5), 1.0, "観光"),
        clock,
    )
    await activities.review(
        uow, DEMO.staff_hakuba, rejected.id, False, "担い手活動に当たりません", clock
    )
    await activities.record(
        uow,
        hanako,
        ActivityReport(
            HIGASHIKAWA,
            ActivityKind.CULTURAL_PRESERVATION,
            today - timedelta(days=1),
            5.0,
            "写真甲子園の運営補助",
        ),
        clock,
    )
    for staff, draft in (
        (
            DEMO.staff_hakuba,
            NoticeDraft(
                HAKUBA,
                NoticeKind.CONTRIBUTOR_RECRUITMENT,
                "冬まつりの雪像づくり 担い手募集",
                "2月の冬まつりで雪像づくりを手伝ってくださる方を募集します。",
                (Interest.EVENTS, Interest.CONTRIBUTOR_RECRUITMENT),
                NoticeAudience.ALL,
                None,
                None,
            ),
        ),
        (
            DEMO.staff_nagano,
            NoticeDraft(
                NAGANO,
                NoticeKind.NEWS,
                "長野県 移住・二地域居住の相談会",
                "県内の市町村がそろう相談会を開きます。",
                (Interest.MIGRATION_AND_HOUSING,),
                NoticeAudience.ALL,
                None,
                None,
            ),
        ),
    ):
        await notices.publish_notice(uow, staff, draft, clock)
    return True
