"""The `furusato` command line, on a fresh embedded database."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from edge.settings import Settings
from edge.tokens import actor_from_claims, load_or_create_key
from gateway import main


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FURUSATO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("FURUSATO_VAR_DIR", str(tmp_path / "var"))
    return Settings()


def test_an_unmigrated_database_is_refused_with_a_clear_message(fresh: Settings) -> None:
    for command in (["serve"], ["seed", "--demo"], ["join", "204854"]):
        with pytest.raises(SystemExit) as refused:
            main(command)
        assert "run `furusato migrate` first" in str(refused.value.code)


def test_migrate_seed_and_join(fresh: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert "1788 places" in capsys.readouterr().out
    assert main(["migrate"]) == 0, "migrating twice changes nothing"
    assert main(["seed", "--demo"]) == 0
    assert capsys.readouterr().out.strip().endswith("demo data added")
    assert main(["seed", "--demo"]) == 0
    assert capsys.readouterr().out.strip() == "demo data already present"
    assert main(["join", "011002", "--agreed-on", "2027-01-10", "--starts-on", "2027-04-01"]) == 0
    assert capsys.readouterr().out.strip() == (
        "011002 agreed on 2027-01-10, starts on 2027-04-01 (early adopter)"
    )
    assert main(["join", "011002", "--agreed-on", "2027-05-01", "--starts-on", "2027-04-01"]) == 1
    assert "INVALID_DATES" in capsys.readouterr().err
    assert main(["join", "011003"]) == 2
    assert "valid check digit" in capsys.readouterr().err


def test_token_prints_a_token_and_nothing_else(
    fresh: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["token", "--role", "staff", "--subject", "s-1", "--municipality", "204854"]
    assert main(arguments) == 0
    token = capsys.readouterr().out.strip()
    assert "\n" not in token
    key = load_or_create_key(fresh.local_issuer_key).public_key()
    claims = jwt.decode(token, key, algorithms=["EdDSA"], audience=fresh.token_audience)
    actor = actor_from_claims(claims)
    assert (actor.subject, actor.role.value, actor.municipality_code) == ("s-1", "staff", "204854")
    assert oct(fresh.local_issuer_key.stat().st_mode & 0o777) == "0o600"
