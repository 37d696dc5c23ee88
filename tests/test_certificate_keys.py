"""The issuer's certificate keys: made once, published all, signing once partners can have them."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

import pytest

from edge import certificate_issuer
from edge.certificate_issuer import KEYS_MAX_AGE, CertificateIssuer, NoCertificateKey


def _load(folder: str) -> str:
    return CertificateIssuer.load(Path(folder), "https://furusato.example").signing_key.kid


def test_workers_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    with get_context("spawn").Pool(4) as pool:
        kids = pool.map(_load, [str(tmp_path)] * 4)
    assert len(set(kids)) == 1
    assert len(list(tmp_path.glob("*.pem"))) == 1
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in tmp_path.glob("*.pem"))


def test_a_rotated_key_is_published_at_once_and_signs_after_the_keys_cache_age(
    tmp_path: Path,
) -> None:
    first = CertificateIssuer.load(tmp_path, "https://furusato.example")
    old = next(tmp_path.glob("*.pem"))
    made_long_ago = datetime.now(UTC) - KEYS_MAX_AGE - timedelta(minutes=1)
    os.rename(
        old, tmp_path / f"{made_long_ago.strftime('%Y%m%dT%H%M%S%fZ')}-{first.signing_key.kid}.pem"
    )
    new = certificate_issuer.rotate(tmp_path)
    after = CertificateIssuer.load(tmp_path, "https://furusato.example")
    assert set(after.published) == {first.signing_key.kid, new.kid}
    assert after.signing_key.kid == first.signing_key.kid


def test_verifying_never_makes_a_key(tmp_path: Path) -> None:
    with pytest.raises(NoCertificateKey):
        CertificateIssuer.load(tmp_path / "none", "https://furusato.example", create=False)
    assert not list((tmp_path / "none").glob("*.pem"))


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("https://furusato.example/status-lists/7", 7),
        ("https://furusato.example/status-lists/0", None),
        ("https://furusato.example/status-lists/99999999999", None),
        ("https://elsewhere.example/status-lists/7", None),
        ("https://furusato.example/status-lists/7/", None),
    ],
)
def test_only_our_status_list_uris_name_a_list(
    tmp_path: Path, uri: str, expected: int | None
) -> None:
    assert (
        CertificateIssuer.load(tmp_path, "https://furusato.example/").status_list_id(uri)
        == expected
    )
