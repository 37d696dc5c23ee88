"""Property: no change to a genuine certificate token makes a different valid certificate, and
no input at all makes the verifier raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import certificate
from credentials.jose import MalformedToken, SigningKey, b64decode, json_object

ISSUER = "https://furusato.example"
NOW = 1_800_000_000
KEY = SigningKey.generate()
KEYS = {KEY.kid: KEY.public}
GENUINE = certificate.issue_token(
    certificate.CertificateClaims(
        serial_number="FR-ABCD-EFGH-JKMN",
        tier="BASIC",
        municipality_code="204854",
        valid_from=NOW - 86_400,
        valid_until=None,
        status_list_uri=f"{ISSUER}/status-lists/1",
        status_index=4242,
        display_name="佐藤 花子",
    ),
    KEY,
    ISSUER,
    NOW,
)
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


def _parts(token: str) -> tuple[dict[str, object], dict[str, object], list[str]]:
    jws, *disclosures = token.split("~")
    header, payload, _signature = jws.split(".")
    return (
        json_object(b64decode(header)),
        json_object(b64decode(payload)),
        disclosures,
    )


def test_the_shown_token_is_the_presented_token_without_disclosures_made() -> None:
    claims = certificate.CertificateClaims(
        serial_number="FR-ABCD-EFGH-JKMN",
        tier="PREMIUM",
        municipality_code="204854",
        valid_from=NOW - 86_400,
        valid_until=NOW + 86_400,
        status_list_uri=f"{ISSUER}/status-lists/1",
        status_index=4242,
        display_name="佐藤 花子",
    )
    shown = certificate.shown_token(claims, KEY, ISSUER, NOW)
    presented = certificate.issue_token(claims, KEY, ISSUER, NOW).present()
    shown_header, shown_payload, shown_disclosures = _parts(shown)
    header, payload, disclosures = _parts(presented)
    assert shown_header == header
    # Two digests either way, each 32 bytes: none tells a named holder from one without.
    assert len(shown_payload["_sd"]) == len(payload["_sd"]) == 2  # type: ignore[arg-type]
    assert {len(b64decode(d)) for d in shown_payload["_sd"]} == {32}  # type: ignore[attr-defined]
    assert shown_payload["_sd"] != payload["_sd"]
    assert shown_disclosures == disclosures == [""]
    assert {**shown_payload, "_sd": None} == {**payload, "_sd": None}
    found = verdict(shown)
    assert (found.valid, found.serial_number, found.tier) == (True, "FR-ABCD-EFGH-JKMN", "PREMIUM")
