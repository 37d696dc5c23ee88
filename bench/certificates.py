"""Certificate verification: offline per core, and VerifyCertificate over HTTP.

    .venv/bin/python bench/certificates.py [--seconds 5] [--http-seconds 10] [--concurrency 16]

Writes bench/REPORT-certificates.md. Offline figures are one process on one core, side by side
with a bare PyJWT verification of an ES256 JWT of the same size with the same key in the same
run (the floor any verifier pays); then the signing algorithms compared; the HTTP figures come
from a real `furusato serve` on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from credentials import certificate, status_list  # noqa: E402
from credentials.jose import SigningKey, public_jwk  # noqa: E402
from credentials.offline import OfflineVerifier  # noqa: E402

ISSUER = "https://furusato.example"
GOAL_PER_SECOND = 5000


def rate(work: Callable[[], object], seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(200):
            work()
        done += 200
    return done / elapsed


def _measure(name: str, key: SigningKey, seconds: float, now: int) -> dict[str, float]:
    uri = f"{ISSUER}/status-lists/1"
    claims = certificate.CertificateClaims(
        "FR-ABCD-EFGH-JKMN",
        "PREMIUM",
        "204854",
        now - 60,
        now + 86_400 * 300,
        uri,
        4242,
        "佐藤 花子",
    )
    token = certificate.issue_token(claims, key, ISSUER, now).present()
    lst = status_list.encode({1: 1, 7: 3}, status_list.MINIMUM_SIZE)
    signed_list = status_list.sign(uri, lst, key, issued_at=now, ttl=3600)
    verifier = OfflineVerifier(
        {"issuer": ISSUER, "jwks": {"keys": [{**_jwk(key), "kid": key.kid}]}}, [signed_list]
    )
    # The status list is checked once and kept, as a partner caching it for its ttl would.
    parsed = status_list.verify(signed_list, verifier.keys, uri=uri, now=now)

    def with_cached_list() -> bool:
        return certificate.verify_token(
            token, verifier.keys, ISSUER, lambda u, i: parsed.status(i), now
        ).valid

    assert with_cached_list()
    # A JWT as long as the certificate's signed part, verified by PyJWT with the same key.
    plain = jwt.encode(
        {"x": "y" * (len(token) * 3 // 4 - 60)}, key.private, algorithm=key.algorithm
    )
    return {
        f"verify_{name}": rate(with_cached_list, seconds),
        f"verify_checking_list_{name}": rate(lambda: verifier.verify(token, now), seconds),
        f"issue_{name}": rate(lambda: certificate.issue_token(claims, key, ISSUER, now), seconds),
        f"pyjwt_{name}": rate(
            lambda: jwt.decode(plain, key.public, algorithms=[key.algorithm]), seconds
        ),
    }


def offline(seconds: float) -> dict[str, float]:
    now = int(time.time())
    return {
        **_measure("ES256", SigningKey.generate(), seconds, now),
        **_measure("EdDSA", SigningKey(Ed25519PrivateKey.generate()), seconds, now),
    }


def _jwk(key: SigningKey) -> dict[str, str]:
    return public_jwk(key.public)


def _run(furusato: str, *args: str, env: dict[str, str]) -> str:
    return subprocess.run(
        [furusato, *args], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


async def _drive(
    url: str, bearer: str, token: str, seconds: float, concurrency: int
) -> list[float]:
    latencies: list[float] = []
    body = {
        "query": "query ($t: String!) { verifyCertificate(token: $t) { valid status tier } }",
        "variables": {"t": token},
    }
    headers = {"Authorization": f"Bearer {bearer}"}
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=headers)
                response.raise_for_status()
                latencies.append(time.perf_counter() - start)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def over_http(seconds: float, concurrency: int) -> dict[str, float]:
    furusato = str(ROOT / ".venv" / "bin" / "furusato")
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "FURUSATO_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/bench.db",
            "FURUSATO_VAR_DIR": folder,
            "FURUSATO_PARTNER_REQUESTS_PER_MINUTE": "100000000",
        }
        _run(furusato, "migrate", env=env)
        _run(furusato, "seed", "--demo", env=env)
        resident = _run(
            furusato, "token", "--role", "resident", "--subject", "demo-resident-hanako", env=env
        )
        partner = _run(
            furusato, "token", "--role", "partner", "--subject", "p", "--partner", "p", env=env
        )
        port = "8765"
        server = subprocess.Popen(
            [furusato, "serve", "--port", port],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{url}/.well-known/jwks.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            profile = httpx.post(
                f"{url}/graphql",
                json={"query": "{ me { registrations { certificate { token } } } }"},
                headers={"Authorization": f"Bearer {resident}"},
            ).json()
            token = next(
                r["certificate"]["token"]
                for r in profile["data"]["me"]["registrations"]
                if r["certificate"]["token"]
            )
            asyncio.run(_drive(url, partner, token, 1.0, concurrency))  # warm up
            latencies = asyncio.run(_drive(url, partner, token, seconds, concurrency))
        finally:
            server.terminate()
            server.wait(timeout=10)
    latencies.sort()
    return {
        "requests_per_second": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--http-seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    local = offline(args.seconds)
    remote = over_http(args.http_seconds, args.concurrency)
    rows = "\n".join(
        f"| {name} | {local[f'verify_{name}']:,.0f} | {local[f'pyjwt_{name}']:,.0f} "
        f"| {local[f'verify_{name}'] / local[f'pyjwt_{name}']:.2f} "
        f"| {local[f'verify_checking_list_{name}']:,.0f} | {local[f'issue_{name}']:,.0f} |"
        for name in ("ES256", "EdDSA")
    )
    verified = local["verify_ES256"]
    report = f"""# Certificate verification benchmark

Measured {time.strftime("%Y-%m-%d %H:%M %Z")} on {platform.machine()}, {os.cpu_count()} cores,
Python {platform.python_version()}; `bench/certificates.py --seconds {args.seconds:g}
--http-seconds {args.http_seconds:g} --concurrency {args.concurrency}`.

## Offline, one process on one core (per second)

Certificate tokens (SD-JWT VC) verified with the status from a cached list, side by side with
PyJWT verifying a plain JWT of the same size with the same key (the floor), in the same run.

| algorithm | verify certificate | PyJWT floor | ratio | verify, checking the signed list each time | issue |
| --- | ---: | ---: | ---: | ---: | ---: |
{rows}

The platform signs with ES256. Goal: at least {GOAL_PER_SECOND:,} offline verifications per
second per core: **{"met" if verified >= GOAL_PER_SECOND else "not met"}**
({verified / GOAL_PER_SECOND:.2f}x the goal).

## VerifyCertificate over HTTP

One `furusato serve` worker on SQLite, {args.concurrency} concurrent clients on loopback (the
load generator shares the 2 cores with the server), for {args.http_seconds:g} s:

| requests/s | p50 | p99 |
| ---: | ---: | ---: |
| {remote["requests_per_second"]:,.0f} | {remote["p50_ms"]:.1f} ms | {remote["p99_ms"]:.1f} ms |
"""
    (ROOT / "bench" / "REPORT-certificates.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
