"""What every resolver of one request shares: who is asking, the database, the clock, loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from domain.audit import Who
from domain.clock import Clock
from domain.roles import Actor
from edge.certificate_issuer import CertificateIssuer
from edge.rate_limit import RateLimiter
from persistence.audit import Audit
from persistence.certificate_tokens import KeptToken
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork
from resolvers.audited_reads import AuditedReadWriter
from resolvers.directory import MunicipalityDirectory
from resolvers.event_hub import EventHub
from resolvers.kept_tokens import CertificateTokenKeeper
from resolvers.loaders import Loaders


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    actor: Actor | None
    database: Database
    directory: MunicipalityDirectory
    clock: Clock
    issuer: CertificateIssuer
    partner_limits: RateLimiter
    mutation_limits: RateLimiter
    events: EventHub
    # What a WebSocket client sent with connection_init (its bearer token).
    connection_params: dict[str, object] | None = None
    # "mutation Register": what the audit log says was done (schema/auditing.py).
    operation: str = "graphql"
    loaders: Loaders = field(init=False)
    _audited_reads: AuditedReadWriter | None = field(default=None, init=False)
    _token_keeper: CertificateTokenKeeper | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.database, self.directory, self.clock)

    def audit(self) -> Audit:
        return Audit(Who.acting(self.actor), self.operation, self.clock)

    async def record_read(self, place: str | None, records: list[str]) -> None:
        """Writes a read of personal data to the audit log, with the request's others."""
        if self._audited_reads is None:
            # Made on first use: the operation is named once execution starts.
            self._audited_reads = AuditedReadWriter(self.database, self.audit())
        await self._audited_reads.load((place, tuple(records)))

    async def keep_token(self, token: KeptToken) -> None:
        """Keeps a certificate token made now, with the request's others."""
        if self._token_keeper is None:
            self._token_keeper = CertificateTokenKeeper(self.database)
        await self._token_keeper.load(token)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database, self.audit())

    def signed_in(self) -> Actor:
        """The caller, where a permission class has already required one."""
        if self.actor is None:
            raise RuntimeError("a field that needs a caller was declared without a permission")
        return self.actor
