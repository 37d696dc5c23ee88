"""Certificates partners can trust: tokens, verification, status lists, support eligibility."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from credentials import certificate, status_list
from credentials.jose import SigningKey, b64decode, b64encode, compact_json, key_from_jwk
from domain.clock import FixedClock
from edge.certificate_issuer import CertificateIssuer
from persistence import tables
from persistence.database import Database
from tests.integration.conftest import PUBLIC_URL, Api, Platform, snapshot
from tests.integration.steps import (
    CHIYODA,
    HAKUBA,
    HIGASHIKAWA,
    NAGANO,
    become_premium,
    join,
    register,
    set_home,
)

pytestmark = pytest.mark.database

CERTIFICATE_QUERY = """query { me { registrations { id municipality { code }
    certificate { serialNumber tier status validUntil token disclosures qrCode } } } }"""


async def my_certificates(api: Api, token: str) -> list[dict[str, Any]]:
    body = await api.run(CERTIFICATE_QUERY, token=token)
    assert "errors" not in body, body
    return [
        r["certificate"] | {"registration": r["id"]} for r in body["data"]["me"]["registrations"]
    ]


WITH_REASON = """query ($token: String!) { verifyCertificate(token: $token) {
    valid status reason tier serialNumber validUntil municipality { code } } }"""


async def verify(api: Api, token: str, *, reason: bool = False) -> dict[str, Any]:
    """VerifyCertificate as partners send it, or with the reason too."""
    partner = api.token("partner", "partner-1", partner="partner-1")
    variables = {"token": token}
    if reason:
        body = await api.run(WITH_REASON, variables, partner)
    else:
        body = await api.op("VerifyCertificate", variables, partner)
    assert "errors" not in body, body
    verification: dict[str, Any] = body["data"]["verifyCertificate"]
    return verification


def claims_of(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(b64decode(token.split("~")[0].split(".")[1]))
    return payload


async def test_a_basic_certificate_verifies_and_tells_nothing_of_its_holder(
    api: Api, clock: FixedClock
) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident(name="佐藤 花子")
    await register(api, hanako, HAKUBA)
    [shown] = await my_certificates(api, hanako)
    token = shown["token"]
    assert token.endswith("~")
    assert "花子" not in json.dumps(claims_of(token), ensure_ascii=False)
    assert shown["qrCode"].startswith("<svg")
    verification = await verify(api, token)
    assert verification == {
        "valid": True,
        "status": "VALID",
        "tier": "BASIC",
        "serialNumber": shown["serialNumber"],
        "validUntil": None,
        "municipality": {"code": HAKUBA, "name": "白馬村"},
    }
    # The holder may choose to show the name: the disclosure rides along, and still verifies.
    [disclosure] = shown["disclosures"]
    assert (await verify(api, token + disclosure + "~"))["valid"] is True


async def _shown(api: Api, person: str) -> tuple[str, list[str]]:
    """The token and disclosures of the person's one certificate, read both ways: the app's
    MyProfile (compiled, on PostgreSQL) shows the token its executed fields show."""
    [shown] = await my_certificates(api, person)
    body = await api.op("MyProfile", token=person)
    [held] = body["data"]["me"]["registrations"]
    assert held["certificate"]["token"] == shown["token"]
    return shown["token"], shown["disclosures"]


async def test_a_token_is_kept_until_its_name_or_its_end_calls_for_a_new_one(
    api: Api, clock: FixedClock
) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident(name="佐藤 花子")
    await register(api, hanako, HAKUBA)
    first = await _shown(api, hanako)
    clock.advance(timedelta(days=300))
    assert await _shown(api, hanako) == first
    body = await api.op("UpdateProfile", {"input": {"displayName": "佐藤 華子"}}, hanako)
    assert body["data"]["updateProfile"]["errors"] == []
    token, disclosures = await _shown(api, hanako)
    assert token != first[0]
    assert certificate.holder_name(disclosures) == "佐藤 華子"
    assert (await verify(api, token + disclosures[0] + "~"))["valid"] is True
    # The token shown before still proves its certificate: it never named the holder.
    assert (await verify(api, first[0]))["valid"] is True
    # A month before it ends, the token is made anew, for another year.
    ends = claims_of(token)["exp"]
    clock.advance(timedelta(seconds=ends - clock.now().timestamp()) - timedelta(days=31))
    assert await _shown(api, hanako) == (token, disclosures)
    clock.advance(timedelta(days=2))
    renewed, _ = await _shown(api, hanako)
    assert claims_of(renewed)["exp"] == int(clock.now().timestamp()) + 365 * 86_400


async def _kept(database: Database) -> int:
    async with database.read_engine.connect() as connection:
        return len((await connection.execute(select(tables.CertificateToken))).all())


async def test_no_token_is_kept_past_its_certificate_or_the_name_it_carries(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident(name="佐藤 花子")
    registration = await register(api, hanako, HAKUBA)
    await _shown(api, hanako)
    assert await _kept(database) == 1
    body = await api.op("UpdateProfile", {"input": {"displayName": "佐藤 華子"}}, hanako)
    assert body["data"]["updateProfile"]["errors"] == []
    assert await _kept(database) == 0
    await _shown(api, hanako)
    assert await _kept(database) == 1
    body = await api.op("Withdraw", {"registrationId": registration}, hanako)
    assert "errors" not in body
    assert await _kept(database) == 0


async def test_a_token_is_made_anew_by_the_key_that_signs_now(
    platform: Platform, clock: FixedClock, certificate_issuer: CertificateIssuer
) -> None:
    async with platform.api() as api:
        await join(api, HAKUBA, clock)
        hanako = api.resident(name="佐藤 花子")
        await register(api, hanako, HAKUBA)
        before, _ = await _shown(api, hanako)
    old, new = certificate_issuer.signing_key, SigningKey.generate()
    rotated = CertificateIssuer(PUBLIC_URL, new, {old.kid: old.public, new.kid: new.public})
    async with replace(platform, certificate_issuer=rotated).api() as api:
        after, _ = await _shown(api, hanako)
        assert json.loads(b64decode(after.split(".")[0]))["kid"] == new.kid
        assert claims_of(after)["serial_number"] == claims_of(before)["serial_number"]
        # What was shown before still verifies: the old key stays published.
        assert (await verify(api, before))["valid"] is True


async def test_withdrawal_revokes_and_premium_supersedes(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    await join(api, HIGASHIKAWA, clock)
    hanako = api.resident()
    await set_home(api, hanako, CHIYODA)
    hakuba = await register(api, hanako, HAKUBA)
    higashikawa = await register(api, hanako, HIGASHIKAWA)
    basic = {c["registration"]: c["token"] for c in await my_certificates(api, hanako)}

    granted = await become_premium(api, clock, hanako, hakuba)
    assert granted["token"] != basic[hakuba]
    superseded = await verify(api, basic[hakuba])
    assert (superseded["valid"], superseded["status"], superseded["tier"]) == (
        False,
        "SUPERSEDED",
        "BASIC",
    )
    upgraded = await verify(api, granted["token"])
    assert (upgraded["valid"], upgraded["tier"], upgraded["validUntil"]) == (
        True,
        "PREMIUM",
        "2028-02-01T03:00:00+00:00",
    )

    await api.op("Withdraw", {"registrationId": higashikawa}, hanako)
    revoked = await verify(api, basic[higashikawa])
    assert (revoked["valid"], revoked["status"]) == (False, "REVOKED")
    [withdrawn] = [
        c for c in await my_certificates(api, hanako) if c["registration"] == higashikawa
    ]
    assert (withdrawn["status"], withdrawn["token"], withdrawn["qrCode"]) == ("REVOKED", None, None)

    clock.advance(timedelta(days=366))
    expired = await verify(api, granted["token"])
    assert (expired["valid"], expired["status"]) == (False, "EXPIRED")


def _forge(token: str) -> str:
    header, payload, signature = token.split("~")[0].split(".")
    claims = json.loads(b64decode(payload))
    claims["tier"] = "PREMIUM"
    return f"{header}.{b64encode(compact_json(claims))}.{signature}~"


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_forge, "BAD_SIGNATURE"),
        (lambda t: t[:40], "MALFORMED"),
        (lambda t: "garbage", "MALFORMED"),
        (lambda t: "", "MALFORMED"),
        (lambda t: t.split("~")[0], "MALFORMED"),
        (lambda t: "a" * 10_000, "MALFORMED"),
        # Nesting deep enough to exhaust a JSON parser's stack, within the length allowed.
        (lambda t: b64encode(b"[" * 3000 + b"]" * 3000) + ".e30.AAAA~", "MALFORMED"),
        # Characters outside base64url, which a lenient decoder would skip.
        (lambda t: t.replace(".", ".!", 1), "MALFORMED"),
    ],
)
async def test_damaged_tokens_are_never_valid(
    api: Api, clock: FixedClock, damage: Any, reason: str
) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    await register(api, hanako, HAKUBA)
    [shown] = await my_certificates(api, hanako)
    verification = await verify(api, damage(shown["token"]), reason=True)
    assert (verification["valid"], verification["status"], verification["reason"]) == (
        False,
        "INVALID",
        reason,
    )
    assert verification["tier"] is None


async def test_a_token_of_another_issuer_is_not_ours(api: Api, clock: FixedClock) -> None:
    stranger_key = SigningKey(Ed25519PrivateKey.generate())
    claims = certificate.CertificateClaims(
        "FR-X", "PREMIUM", HAKUBA, 0, None, f"{PUBLIC_URL}/status-lists/1", 0, None
    )
    now = int(clock.now().timestamp())
    foreign = certificate.issue_token(claims, stranger_key, PUBLIC_URL, now).present()
    assert (await verify(api, foreign, reason=True))["reason"] == "UNKNOWN_KEY"


async def test_our_key_with_another_issuer_name_is_not_ours(
    api: Api, clock: FixedClock, certificate_issuer: CertificateIssuer
) -> None:
    claims = certificate.CertificateClaims(
        "FR-X", "PREMIUM", HAKUBA, 0, None, f"{PUBLIC_URL}/status-lists/1", 0, None
    )
    now = int(clock.now().timestamp())
    renamed = certificate.issue_token(
        claims, certificate_issuer.signing_key, "https://elsewhere.example", now
    ).present()
    assert (await verify(api, renamed, reason=True))["reason"] == "WRONG_ISSUER"


async def test_partners_verify_offline_with_the_published_keys_and_list(
    api: Api, clock: FixedClock, database: Database
) -> None:
    await join(api, HAKUBA, clock)
    await join(api, HIGASHIKAWA, clock)
    hanako = api.resident()
    kept = await register(api, hanako, HAKUBA)
    dropped = await register(api, hanako, HIGASHIKAWA)
    tokens = {c["registration"]: c["token"] for c in await my_certificates(api, hanako)}

    metadata = (await api.http.get("/.well-known/jwt-vc-issuer")).json()
    assert metadata["issuer"] == PUBLIC_URL
    keys = {jwk["kid"]: key_from_jwk(jwk) for jwk in metadata["jwks"]["keys"]}
    lists: dict[str, status_list.StatusList] = {}

    def status_of(uri: str, index: int) -> int:
        response = lists.get(uri)
        if response is None:
            raise certificate.StatusUnavailable(uri)
        return response.status(index)

    uri = claims_of(tokens[dropped])["status"]["status_list"]["uri"]
    before = await api.http.get(uri.removeprefix(PUBLIC_URL))
    await api.op("Withdraw", {"registrationId": dropped}, hanako)
    after = await api.http.get(uri.removeprefix(PUBLIC_URL))
    # The withdrawal shows in the list at once, not when the cached one ages out.
    assert before.text != after.text
    for token in tokens.values():
        uri = claims_of(token)["status"]["status_list"]["uri"]
        fetched = await api.http.get(uri.removeprefix(PUBLIC_URL))
        assert fetched.headers["content-type"].startswith("application/statuslist+jwt")
        assert "max-age" in fetched.headers["cache-control"]
        lists[uri] = status_list.verify(
            fetched.text, keys, uri=uri, now=int(clock.now().timestamp())
        )

    now = int(clock.now().timestamp())
    offline = {
        registration: certificate.verify_token(token, keys, PUBLIC_URL, status_of, now)
        for registration, token in tokens.items()
    }
    assert (offline[kept].valid, offline[kept].status) == (True, "VALID")
    assert (offline[dropped].valid, offline[dropped].status) == (False, "REVOKED")
    online = await verify(api, tokens[dropped])
    assert (online["valid"], online["status"]) == (
        offline[dropped].valid,
        offline[dropped].status.value,
    )
    for missing in ("999", "0", "99999999999999999999"):
        assert (await api.http.get(f"/status-lists/{missing}")).status_code == 404


async def test_only_partners_verify(api: Api, clock: FixedClock) -> None:
    await join(api, HAKUBA, clock)
    hanako = api.resident()
    await register(api, hanako, HAKUBA)
    [shown] = await my_certificates(api, hanako)
    for token in (hanako, api.staff(HAKUBA), api.operator()):
        body = await api.op("VerifyCertificate", {"token": shown["token"]}, token)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    body = await api.op("VerifyCertificate", {"token": shown["token"]})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    staff_view = await api.run(CERTIFICATE_QUERY.replace("me {", "me {"), token=api.staff(HAKUBA))
    assert staff_view["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def create_measure(api: Api, staff_token: str, **fields: Any) -> dict[str, Any]:
    measure = {
        "municipalityCode": HAKUBA,
        "title": "村営スキー場のリフト券 2割引",
        "description": "ふるさと住民登録証の提示で",
        "minimumTier": "BASIC",
        "validFrom": "2027-01-01",
        "validUntil": "2027-12-31",
        "partnerId": "partner-1",
        **fields,
    }
    body = await api.op("CreateSupportMeasure", {"input": measure}, staff_token)
    payload: dict[str, Any] = body["data"]["createSupportMeasure"]
    return payload


async def test_support_eligibility(api: Api, clock: FixedClock, database: Database) -> None:
    await join(api, HAKUBA, clock)
    await join(api, NAGANO, clock)
    await join(api, HIGASHIKAWA, clock)
    hanako = api.resident()
    await set_home(api, hanako, CHIYODA)
    hakuba = await register(api, hanako, HAKUBA)
    await register(api, hanako, HIGASHIKAWA)
    tokens = {c["registration"]: c["token"] for c in await my_certificates(api, hanako)}
    basic_hakuba = tokens[hakuba]
    other_place = next(t for r, t in tokens.items() if r != hakuba)

    created = await create_measure(api, api.staff(HAKUBA))
    assert created["errors"] == []
    assert created["supportMeasure"]["municipality"] == {"code": HAKUBA}
    everyone = created["supportMeasure"]["id"]
    premium_only = (await create_measure(api, api.staff(HAKUBA), minimumTier="PREMIUM"))[
        "supportMeasure"
    ]["id"]
    prefecture_wide = (await create_measure(api, api.staff(NAGANO), municipalityCode=NAGANO))[
        "supportMeasure"
    ]["id"]
    later = (await create_measure(api, api.staff(HAKUBA), validFrom="2027-06-01"))[
        "supportMeasure"
    ]["id"]
    someone_elses = (await create_measure(api, api.staff(HAKUBA), partnerId="partner-2"))[
        "supportMeasure"
    ]["id"]

    async def ask(token: str, measure: str) -> dict[str, Any]:
        body = await api.op(
            "SupportEligibility",
            {"token": token, "measureId": measure},
            api.token("partner", "partner-1", partner="partner-1"),
        )
        assert "errors" not in body, body
        answer: dict[str, Any] = body["data"]["supportEligibility"]
        return answer

    assert await ask(basic_hakuba, everyone) == {
        "eligible": True,
        "reason": None,
        "tier": "BASIC",
        "validUntil": None,
        "municipality": {"code": HAKUBA, "name": "白馬村"},
    }
    assert (await ask(basic_hakuba, premium_only))["reason"] == "TIER_TOO_LOW"
    assert (await ask(basic_hakuba, prefecture_wide))["eligible"] is True
    assert (await ask(other_place, everyone))["reason"] == "OTHER_MUNICIPALITY"
    assert (await ask(other_place, prefecture_wide))["reason"] == "OTHER_MUNICIPALITY"
    assert (await ask(basic_hakuba, later))["reason"] == "MEASURE_NOT_ACTIVE"
    assert (await ask(basic_hakuba, someone_elses))["reason"] == "MEASURE_NOT_FOUND"
    assert (await ask("garbage", everyone))["reason"] == "INVALID_CERTIFICATE"

    granted = await become_premium(api, clock, hanako, hakuba)
    assert (await ask(granted["token"], premium_only))["eligible"] is True
    assert (await ask(basic_hakuba, everyone))["reason"] == "NOT_IN_FORCE"

    before = await snapshot(database)
    refused = await create_measure(api, api.staff(HAKUBA), validUntil="2026-12-31", title=" ")
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("INVALID_TITLE", "title"),
        ("INVALID_DATES", "validUntil"),
    ]
    forbidden = await api.op(
        "CreateSupportMeasure",
        {
            "input": {
                "municipalityCode": HAKUBA,
                "title": "x",
                "validFrom": "2027-01-01",
                "validUntil": "2027-02-01",
            }
        },
        api.staff(HIGASHIKAWA),
    )
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await snapshot(database) == before


async def test_a_partner_is_held_to_its_rate(platform: Platform) -> None:
    async with platform.api(partner_requests_per_minute=2) as api:
        partner = api.token("partner", "p-1", partner="p-1")
        codes = []
        for _ in range(3):
            body = await api.op("VerifyCertificate", {"token": "x"}, partner)
            codes.append([e["extensions"]["code"] for e in body.get("errors", [])])
        assert codes == [[], [], ["RATE_LIMITED"]]
        other = await api.op(
            "VerifyCertificate", {"token": "x"}, api.token("partner", "p-2", partner="p-2")
        )
        assert "errors" not in other
