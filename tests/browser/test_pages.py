"""The resident app and the municipal dashboard, driven as people use them."""

from __future__ import annotations

import itertools
import re
import time

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    DESKTOP,
    HAKUBA,
    KARUIZAWA,
    NAGANO,
    PHONE,
    Pages,
    Platform,
    screenshot,
)

_people = itertools.count()


def _resident(platform: Platform, **claims: object) -> str:
    return platform.token(
        "resident", f"browser-resident-{next(_people)}", identity_verified=True, **claims
    )


def _register(platform: Platform, token: str, code: str) -> None:
    platform.call(
        "Register", {"input": {"municipalityCode": code, "relationship": "TOURISM"}}, token
    )


def test_the_pages_and_their_files_carry_the_content_security_policy(platform: Platform) -> None:
    for path in ("/app", "/dashboard", "/web/app.html", "/web/app.js", "/web/style.css"):
        response = httpx.get(f"{platform.url}{path}")
        assert response.status_code == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


def _fits_the_screen(page: Page) -> bool:
    width: bool = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    return width


def test_a_resident_registers_and_sees_the_certificate_qr(platform: Platform, pages: Pages) -> None:
    app = pages.open("/app", _resident(platform, name="山田 太郎"), PHONE)
    expect(app.get_by_text("まだどこにも登録していません。")).to_be_visible()

    app.get_by_label("市区町村名(かなでも)").fill("はくば")
    app.get_by_role("button", name="さがす").click()
    app.get_by_role("button", name="白馬村に登録する").click()

    card = app.locator(f'article[data-code="{HAKUBA}"]')
    expect(card).to_contain_text("基本登録")
    expect(card).to_contain_text("有効")
    qr = card.get_by_role("img", name=re.compile("登録証 .* のQRコード"))
    expect(qr).to_be_visible()
    expect(app.get_by_role("status")).to_contain_text("登録証を発行しました")
    assert qr.locator("path").get_attribute("d")
    assert _fits_the_screen(app)
    screenshot(app, "app-registered")

    # Withdrawn (after saying yes), the registration stays listed, its certificate revoked.
    app.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="登録を取り消す").click()
    expect(app.get_by_role("status")).to_contain_text("白馬村の登録を取り消しました")
    expect(card).to_contain_text("取消済み")
    expect(card).to_contain_text("失効")
    expect(card.get_by_role("img")).to_have_count(0)


def test_staff_verify_activities_and_the_resident_becomes_premium(
    platform: Platform, pages: Pages
) -> None:
    resident = _resident(platform, name="佐藤 花子")
    _register(platform, resident, HAKUBA)
    app = pages.open("/app", resident, PHONE)

    # Premium needs a home elsewhere: the refusal says so in plain words, and the profile mends it.
    app.get_by_role("button", name="プレミアム登録を申請する").click()
    expect(app.get_by_role("status")).to_contain_text("お住まいの市区町村を登録してください")
    app.get_by_label("お住まいの市区町村(自治体コード6桁)").fill("131016")
    app.get_by_role("button", name="プロフィールを保存").click()
    expect(app.locator("#profile")).to_contain_text("東京都 千代田区")

    for _ in range(3):
        app.get_by_role("button", name="報告する").click()
        expect(app.get_by_role("status")).to_contain_text("活動を報告しました")
        app.get_by_role("status").evaluate("region => region.replaceChildren()")
    app.get_by_role("button", name="プレミアム登録を申請する").click()
    expect(app.get_by_role("status")).to_contain_text(
        "自治体が確認した担い手活動の回数がまだ足りません"
    )

    staff = platform.token("staff", "browser-staff-hakuba", municipality=HAKUBA)
    dashboard = pages.open("/dashboard", staff, DESKTOP)
    queue = dashboard.locator("#queue li[data-id]")
    expect(queue).to_have_count(3)
    # Her home, by the master data's name of its prefecture.
    expect(dashboard.get_by_role("img", name="お住まいの都道府県")).to_contain_text("東京都")
    screenshot(dashboard, "dashboard-queue")
    for left in (2, 1, 0):
        queue.first.get_by_role("button", name="確認する").click()
        expect(queue).to_have_count(left)

    app.reload()
    card = app.locator(f'article[data-code="{HAKUBA}"]')
    expect(card).to_contain_text("確認済みの担い手活動 3 / 3 回")
    expect(card).to_contain_text("プレミアム登録を申請できます。")
    card.get_by_role("button", name="プレミアム登録を申請する").click()
    expect(app.get_by_role("status")).to_contain_text("白馬村のプレミアム登録が完了しました")
    expect(card.locator(".badge").first).to_have_text("プレミアム登録")
    screenshot(app, "app-premium")


def test_a_notice_published_on_the_dashboard_appears_live_in_the_feed(
    platform: Platform, pages: Pages
) -> None:
    resident = _resident(platform)
    _register(platform, resident, HAKUBA)
    app = pages.open("/app", resident, PHONE)
    expect(app.locator("#feed-state")).to_have_text("● ライブ")

    staff = platform.token("staff", "browser-staff-hakuba", municipality=HAKUBA)
    dashboard = pages.open("/dashboard", staff, DESKTOP)
    dashboard.get_by_label("タイトル").fill("白馬村 雪まつりのボランティア募集")
    dashboard.get_by_label("本文").fill("2月の雪まつりの運営を手伝ってくださる方を募集します。")
    dashboard.get_by_role("button", name="公開する").click()
    expect(dashboard.get_by_role("status")).to_contain_text("お知らせを公開しました")

    expect(app.locator("#feed li").first).to_contain_text("白馬村 雪まつりのボランティア募集")
    screenshot(app, "app-feed")


def test_an_event_appears_live_on_the_dashboard_and_resumes_after_a_reload(
    platform: Platform, pages: Pages
) -> None:
    staff = platform.token("staff", "browser-staff-karuizawa", municipality=KARUIZAWA)
    dashboard = pages.open("/dashboard", staff, DESKTOP)
    expect(dashboard.locator("#events-state")).to_have_text("● ライブ")
    events = dashboard.locator("#events li")
    expect(events).to_have_count(0)

    _register(platform, _resident(platform), KARUIZAWA)
    expect(events.filter(has_text="登録証の発行")).to_have_count(1)
    expect(events.filter(has_text=re.compile("登録基本登録$"))).to_have_count(1)
    per_registration = events.count()
    expect(dashboard.locator("#figures")).to_contain_text("登録者1")

    # Reloaded, the list is the one seen, and the stream goes on after its last event: nothing
    # twice; what happened while away arrives.
    dashboard.reload()
    expect(events).to_have_count(per_registration)
    _register(platform, _resident(platform), KARUIZAWA)
    expect(dashboard.locator("#events-state")).to_have_text("● ライブ")
    expect(events).to_have_count(2 * per_registration)
    screenshot(dashboard, "dashboard")


def test_prefecture_staff_switch_places_and_analysts_see_the_nation(
    platform: Platform, pages: Pages
) -> None:
    _register(platform, _resident(platform), HAKUBA)
    prefecture = platform.token("staff", "browser-staff-nagano", municipality=NAGANO)
    dashboard = pages.open("/dashboard", prefecture, DESKTOP)
    expect(dashboard.locator("#title")).to_have_text("長野県 ダッシュボード")
    dashboard.get_by_label("表示する自治体").select_option(HAKUBA)
    expect(dashboard.locator("#title")).to_have_text("白馬村 ダッシュボード")
    # Reviews, the policy, notices and measures stay with the village's own staff.
    expect(dashboard.locator("#manage")).to_be_hidden()
    expect(dashboard.locator("#registrants tbody tr").first).to_be_visible()

    analyst = platform.token("analyst", "browser-analyst")
    deadline = time.monotonic() + 20
    while platform.call("NationalOverview", {}, analyst)["nationalStats"]["uniqueResidents"] == 0:
        assert time.monotonic() < deadline, "the figures were not published"
        time.sleep(0.2)
    nation = pages.open("/dashboard", analyst, DESKTOP)
    expect(nation.locator("#title")).to_have_text("全国の関係人口")
    # A handful of people in all: every count is under the disclosure threshold, shown as "–".
    expect(nation.locator(".figure").first).to_have_text("実人数–")
    expect(nation.locator("#national")).to_contain_text("1〜9人の数は「–」")
    # Two municipalities take part (a prefecture is no municipality); every prefecture has a bar.
    expect(nation.locator("#national")).to_contain_text("参加自治体2")
    expect(nation.get_by_role("img", name="都道府県ごとの登録数").locator("rect")).to_have_count(47)
    screenshot(nation, "dashboard-national")
