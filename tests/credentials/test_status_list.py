"""Token Status Lists against the examples of draft-ietf-oauth-status-list."""

from __future__ import annotations

import pytest

from credentials import status_list
from credentials.jose import SigningKey


@pytest.mark.parametrize(
    ("lst", "bits", "statuses"),
    [
        # The draft's one-bit example: sixteen statuses in two bytes, 0xB9 0xA3.
        ("eNrbuRgAAhcBXQ", 1, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]),
        # Its two-bit example: twelve statuses in three bytes, 0xC9 0x44 0xF9.
        ("eNo76fITAAPfAgc", 2, [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]),
    ],
)
def test_the_drafts_examples_decode(lst: str, bits: int, statuses: list[int]) -> None:
    decoded = status_list.StatusList.decode(lst, bits)
    assert [decoded.status(i) for i in range(len(statuses))] == statuses


def test_our_encoding_round_trips_at_full_size() -> None:
    statuses = {0: 1, 1: 3, 5: 2, status_list.MINIMUM_SIZE - 1: 1}
    decoded = status_list.StatusList.decode(
        status_list.encode(statuses, status_list.MINIMUM_SIZE), status_list.BITS
    )
    assert decoded.size == status_list.MINIMUM_SIZE
    assert {i: decoded.status(i) for i in statuses} == statuses
    assert decoded.status(2) == status_list.VALID
    with pytest.raises(status_list.InvalidStatusList):
        decoded.status(status_list.MINIMUM_SIZE)


def test_a_signed_list_is_checked_for_issuer_subject_and_age() -> None:
    key = SigningKey.generate()
    keys = {key.kid: key.public}
    uri = "https://furusato.example/status-lists/1"
    token = status_list.sign(uri, status_list.encode({3: 1}, 131072), key, issued_at=1000, ttl=300)
    assert status_list.verify(token, keys, uri=uri, now=1100).status(3) == status_list.INVALID
    for refused, kwargs in (
        ("WRONG_LIST", {"uri": uri + "0", "now": 1100}),
        ("STALE", {"uri": uri, "now": 1000 + 600}),
    ):
        with pytest.raises(status_list.InvalidStatusList) as error:
            status_list.verify(token, keys, **kwargs)  # type: ignore[arg-type]
        assert error.value.reason == refused
    other = SigningKey.generate()
    with pytest.raises(status_list.InvalidStatusList) as forged:
        status_list.verify(token, {key.kid: other.public}, uri=uri, now=1100)
    assert forged.value.reason == "BAD_SIGNATURE"
