"""What every resolver of one request shares: who is asking, the database, the clock, loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from domain.clock import Clock
from domain.roles import Actor
from edge.certificate_issuer import CertificateIssuer
from edge.rate_limit import RateLimiter
from persistence.database import Database
from persistence.unit_of_work import SqlUnitOfWork
from resolvers.directory import MunicipalityDirectory
from resolvers.event_hub import EventHub
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
    events: EventHub
    # What a WebSocket client sent with connection_init (its bearer token).
    connection_params: dict[str, object] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.database, self.directory, self.clock)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database)

    def signed_in(self) -> Actor:
        """The caller, where a permission class has already required one."""
        if self.actor is None:
            raise RuntimeError("a field that needs a caller was declared without a permission")
        return self.actor
