"""The `furusato` command line, on a fresh embedded database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import jwt
import pytest

from credentials.jose import b64decode
from edge.settings import Settings
from edge.tokens import actor_from_claims, load_or_create_key
from gateway import create_app, main
from persistence.database import connect


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


async def test_verify_offline_and_rotate_the_certificate_key(
    fresh: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The commands run event loops of their own: off this test's loop.
    assert await asyncio.to_thread(main, ["migrate"]) == 0
    assert await asyncio.to_thread(main, ["seed", "--demo"]) == 0
    database = connect(fresh.database_url)
    transport = httpx.ASGITransport(app=create_app(fresh, database=database))
    capsys.readouterr()
    assert main(["token", "--role", "resident", "--subject", "demo-resident-hanako"]) == 0
    bearer = capsys.readouterr().out.strip()
    async with httpx.AsyncClient(transport=transport, base_url=fresh.public_url) as http:
        body = (
            await http.post(
                "/graphql",
                json={"query": "{ me { registrations { certificate { tier token } } } }"},
                headers={"Authorization": f"Bearer {bearer}"},
            )
        ).json()
        assert "errors" not in body, body
        token = next(
            r["certificate"]["token"]
            for r in body["data"]["me"]["registrations"]
            if r["certificate"]["tier"] == "PREMIUM"
        )
        uri = json.loads(b64decode(token.split(".")[1]))["status"]["status_list"]["uri"]
        metadata = tmp_path / "issuer.json"
        metadata.write_text((await http.get("/.well-known/jwt-vc-issuer")).text)
        status = tmp_path / "status.jwt"
        status.write_text((await http.get(uri.removeprefix(fresh.public_url))).text)
    await database.dispose()

    capsys.readouterr()
    assert (
        main(["verify", token, "--issuer-keys", str(metadata), "--status-list", str(status)]) == 0
    )
    answer = json.loads(capsys.readouterr().out)
    assert (answer["valid"], answer["status"], answer["tier"]) == (True, "VALID", "PREMIUM")
    assert answer["municipality"] == {"code": "204854", "name": "白馬村"}

    assert main(["verify", token, "--issuer-keys", str(metadata)]) == 1
    assert json.loads(capsys.readouterr().out)["reason"] == "STATUS_UNAVAILABLE"
    assert main(["verify", token[:-10] + "~", "--status-list", str(status)]) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False

    assert main(["rotate-certificate-key"]) == 0
    capsys.readouterr()
    # Without --issuer-keys: this machine's keys, the rotated one included, still verify it.
    assert main(["verify", token, "--status-list", str(status)]) == 0
    assert len(list(fresh.certificate_keys.glob("*.pem"))) == 2


def test_verify_explains_what_it_cannot_use(
    fresh: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "issuer.json"
    broken.write_text("<html>not the metadata</html>")
    assert main(["verify", "x", "--issuer-keys", str(broken)]) == 2
    assert "cannot verify" in capsys.readouterr().err
    # No keys on this machine, and verifying does not make one.
    assert main(["verify", "x"]) == 2
    assert not fresh.certificate_keys.exists() or not list(fresh.certificate_keys.glob("*.pem"))


def test_export_stats_as_open_data(fresh: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed", "--demo"]) == 0
    capsys.readouterr()
    assert main(["export", "stats", "--scope", "204854", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "scope,figure,key,value,suppressed"
    # The demo village has a handful of registrants: too few to show anyone but its staff.
    assert "204854,registrants,,,True" in lines
    assert next(line for line in lines if ",as_of," in line) != "204854,as_of,,,False"
    assert main(["publish", "figures"]) == 0
    assert "figures published for" in capsys.readouterr().out


def test_the_audit_log_is_exported_for_inspectors(
    fresh: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["seed", "--demo"]) == 0
    capsys.readouterr()
    assert main(["audit", "export", "--municipality", "204854"]) == 0
    out = capsys.readouterr()
    entries = [json.loads(line) for line in out.out.splitlines()]
    assert entries
    assert {entry["municipality_code"] for entry in entries} == {"204854"}
    assert {entry["operation"] for entry in entries} == {"system:seed"}
    assert f"{len(entries)} audit entries" in out.err
    assert main(["audit", "export", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["audit", "export", "--municipality", "204855"]) == 2
    assert main(["export", "stats", "--scope", "nation"]) == 0
    assert "nation,unique_residents,,,True" in capsys.readouterr().out.splitlines()
    assert main(["export", "stats", "--scope", "204855"]) == 2
    assert "valid check digit" in capsys.readouterr().err
    assert main(["export", "stats", "--scope", "999997"]) == 2
    assert "no place has the code 999997" in capsys.readouterr().err


def test_a_list_is_imported_from_the_command_line_with_its_row_report(
    fresh: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["join", "204854", "--agreed-on", "2026-01-01", "--starts-on", "2026-01-01"]) == 0
    listed = tmp_path / "名簿.csv"
    listed.write_bytes(
        "外部ID,氏名,関係,登録日\r\nH-1,山田,出身地,2026/04/01\r\nH-2,佐藤,温泉,2026/04/01\r\n".encode(
            "cp932"
        )
    )
    report = tmp_path / "report.csv"
    capsys.readouterr()
    importing = ["import", "registrations", str(listed), "--municipality", "204854"]
    assert main([*importing, "--report", str(report)]) == 1, "a row was rejected"
    out = capsys.readouterr()
    assert "1 accepted, 0 updated, 0 unchanged, 1 rejected" in out.out
    assert "line 3: UNKNOWN_VALUE (relationship)" in out.err
    assert report.read_text(encoding="utf-8").splitlines() == [
        "line,external_id,outcome,codes,reasons",
        "2,H-1,ACCEPTED,,",
        "3,H-2,REJECTED,UNKNOWN_VALUE,relationship: '温泉' is not a value of this column",
    ]
    assert main(importing) == 1
    assert "0 accepted, 0 updated, 1 unchanged, 1 rejected" in capsys.readouterr().out
    assert (
        main(["import", "activities", str(tmp_path / "none.csv"), "--municipality", "204854"]) == 2
    )
    assert main(["import", "registrations", str(listed), "--municipality", "204855"]) == 2
    assert main(["import", "registrations", str(listed), "--municipality", "011002"]) == 1
    assert "MUNICIPALITY_NOT_PARTICIPATING" in capsys.readouterr().err
