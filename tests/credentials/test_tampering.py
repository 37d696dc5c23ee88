"""Property: no change to a genuine certificate token makes a different valid certificate, and
no input at all makes the verifier raise."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import certificate, sd_jwt
from credentials.jose import MalformedToken, SigningKey, b64decode, json_object

ISSUER = "https://furusato.example"
NOW = 1_800_000_000
KEY = SigningKey.generate()
KEYS = {KEY.kid: KEY.public}
CLAIMS = certificate.CertificateClaims(
    serial_number="FR-ABCD-EFGH-JKMN",
    tier="BASIC",
    municipality_code="204854",
    valid_from=NOW - 86_400,
    valid_until=None,
    status_list_uri=f"{ISSUER}/status-lists/1",
    status_index=4242,
    display_name="佐藤 花子",
)
GENUINE = certificate.issue_token(CLAIMS, KEY, ISSUER, NOW)
TOKEN = GENUINE.present()


def all_valid(_uri: str, _index: int) -> int:
    return 0


def verdict(token: str) -> certificate.Verdict:
    return certificate.verify_token(token, KEYS, ISSUER, all_valid, NOW)


def test_the_genuine_token_is_valid() -> None:
    assert verdict(TOKEN).valid
    assert verdict(GENUINE.present(["display_name"])).valid


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_mutated_token_is_never_valid(data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(TOKEN) - 1))
    kind = data.draw(st.sampled_from(["replace", "delete", "insert", "truncate", "swap"]))
    character = data.draw(st.characters(codec="utf-8"))
    if kind == "replace":
        mutated = TOKEN[:position] + character + TOKEN[position + 1 :]
    elif kind == "delete":
        mutated = TOKEN[:position] + TOKEN[position + 1 :]
    elif kind == "insert":
        mutated = TOKEN[:position] + character + TOKEN[position:]
    elif kind == "truncate":
        mutated = TOKEN[:position]
    else:
        other = data.draw(st.integers(0, len(TOKEN) - 1))
        chars = list(TOKEN)
        chars[position], chars[other] = chars[other], chars[position]
        mutated = "".join(chars)
    result = verdict(mutated)
    if mutated != TOKEN and not _same_signed_content(mutated):
        assert not result.valid, mutated
        assert result.reason is not None


def _same_signed_content(mutated: str) -> bool:
    """base64url has spare bits in its last character: a few edits decode to the same bytes,
    which is the same token, not a forgery."""
    try:
        return [b64decode(p) for p in mutated.split("~")[0].split(".")] == [
            b64decode(p) for p in TOKEN.split("~")[0].split(".")
        ] and mutated.split("~")[1:] == TOKEN.split("~")[1:]
    except MalformedToken:
        return False


@settings(max_examples=1000)
@given(st.text(max_size=600))
def test_any_text_gets_a_verdict_not_an_exception(text: str) -> None:
    assert not verdict(text).valid


def test_a_token_carries_its_holders_name_in_its_disclosure_only() -> None:
    assert certificate.holder_name(GENUINE.disclosures) == "佐藤 花子"
    assert certificate.holder_name([]) is None
    unnamed = certificate.issue_token(replace(CLAIMS, display_name=None), KEY, ISSUER, NOW)
    assert certificate.holder_name(unnamed.disclosures) is None
    other = sd_jwt.make_disclosure("nickname", "はなこ")
    assert certificate.holder_name(["not a disclosure", other]) is None


def test_a_kept_token_is_made_anew_a_month_before_it_ends() -> None:
    """An open-ended certificate's token runs a year; one that ends runs as long as it."""
    exp = json_object(b64decode(TOKEN.split(".")[1]))["exp"]
    assert certificate.renew_after(CLAIMS, NOW) == exp - 30 * 86_400
    ending = replace(CLAIMS, tier="PREMIUM", valid_until=NOW + 86_400)
    premium = certificate.issue_token(ending, KEY, ISSUER, NOW).jwt
    assert certificate.renew_after(ending, NOW) == NOW + 86_400
    assert json_object(b64decode(premium.split(".")[1]))["exp"] == NOW + 86_400
