"""The certificate tokens one request makes, kept together: a resident opening the app with
five new certificates is one statement, not five."""

from __future__ import annotations

from aiodataloader import DataLoader

from persistence import certificate_tokens
from persistence.certificate_tokens import KeptToken
from persistence.database import Database


class CertificateTokenKeeper(DataLoader[KeptToken, None]):
    """`load(token)` returns once the token is kept."""

    def __init__(self, database: Database) -> None:
        super().__init__(cache=False)
        self._database = database

    async def batch_load_fn(self, tokens: list[KeptToken]) -> list[None]:
        await certificate_tokens.keep(self._database, tokens)
        return [None] * len(tokens)
