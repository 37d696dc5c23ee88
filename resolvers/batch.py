"""A typed face for aiodataloader, so each loader says what its keys and values are."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BatchLoader(ABC, Generic[K, V]):
    """Collects the keys asked for in one tick of the event loop and fetches them at once."""

    def __init__(self) -> None:
        self._loader: Any = DataLoader(batch_load_fn=self._batch)

    async def _batch(self, keys: Sequence[K]) -> list[V]:
        return await self.fetch(list(keys))

    @abstractmethod
    async def fetch(self, keys: list[K]) -> list[V]:
        """Values in the order of the keys."""

    async def load(self, key: K) -> V:
        value: V = await self._loader.load(key)
        return value

    def prime(self, key: K, value: V) -> None:
        self._loader.prime(key, value)
