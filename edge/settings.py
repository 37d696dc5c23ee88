"""Settings from FURUSATO_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FURUSATO_")

    env: Literal["development", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str = "sqlite+aiosqlite:///var/furusato.db"
    # Connections each worker keeps open (PostgreSQL); a burst may open half as many again.
    # A request holds up to three at once (its loaders read side by side): a pool smaller than
    # the concurrent load closes and reopens connections all the time (at 10, with 8 callers, a
    # new connection every 6 requests).
    database_pool_size: int = 20
    # A real identity provider: tokens are verified with its published keys.
    jwks_url: str | None = None
    token_issuer: str = "furusato-local"  # noqa: S105  (a name, not a secret)
    token_audience: str = "furusato"  # noqa: S105
    # Where the platform is reached from outside: the certificates' issuer and status lists.
    public_url: str = "http://127.0.0.1:8000"
    status_list_ttl_seconds: int = 300
    # The clients' hottest persisted operations answered by their compiled plans, one SQL
    # statement each (resolvers/compiled.py), on PostgreSQL; off, every operation executes
    # field by field.
    compiled_operations: bool = True
    # Partner calls (certificate checks) allowed per partner and minute, per worker.
    partner_requests_per_minute: int = 600
    # Changes (mutations) allowed per caller and minute, per worker.
    mutations_per_minute: int = 60
    # The largest request body accepted, in bytes: the longest notice is far below it.
    max_body_bytes: int = 64 * 1024
    # The largest list file an integration may upload (GraphQL multipart); larger lists go
    # through `furusato import`.
    max_upload_bytes: int = 64 * 1024 * 1024
    # The garbage collector's thresholds in each worker. A worker holding thousands of
    # subscriptions keeps millions of long-lived objects; with CPython's defaults (700, 10, 10)
    # its full collections stopped every subscriber for seconds (bench/realtime.py, 10,000
    # subscribers: p99 3.7 s with the defaults, 0.19-0.25 s with these). A larger young
    # generation lets the garbage of each delivery die there, not be promoted.
    collector_thresholds: tuple[int, int, int] = (100_000, 50, 100)
    # How long a stopping worker lets requests in flight finish.
    shutdown_grace_seconds: int = 20
    # How often the server turns premium that ran out into basic.
    lapse_interval_seconds: float = 3600.0
    # How often the server publishes the figures all but a place's own staff see.
    publish_interval_seconds: float = 300.0
    # Publish in a process of its own, so that the worker's event loop keeps serving and what
    # the publication allocates goes with that process (bench/REPORT-soak.md).
    publish_apart: bool = True

    @property
    def local_issuer_key(self) -> Path:
        return self.var_dir / "issuer-ed25519.pem"

    @property
    def certificate_keys(self) -> Path:
        return self.var_dir / "certificate-keys"
