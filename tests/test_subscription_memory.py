"""A subscription open for a long time holds no more after many events than after a few."""

from __future__ import annotations

import gc
from collections.abc import AsyncGenerator
from inspect import isawaitable
from typing import Any

from graphql import (
    ExecutionResult,
    Executor,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    parse,
    subscribe,
)
from graphql.execution.collect_fields import CollectedFields

from schema.execution import PerEventMemoExecutor
from schema.root import schema as platform_schema

EVENTS = 200

_PART = GraphQLObjectType("Part", {"key": GraphQLField(GraphQLString)})
_EVENT = GraphQLObjectType(
    "Event",
    {"seq": GraphQLField(GraphQLInt), "parts": GraphQLField(GraphQLList(_PART))},
)


async def _events(*_args: object, **_kwargs: object) -> AsyncGenerator[dict[str, object], None]:
    for seq in range(EVENTS):
        yield {"seq": seq, "parts": [{"key": "a"}, {"key": "b"}]}


_SCHEMA = GraphQLSchema(
    query=GraphQLObjectType("Query", {"seq": GraphQLField(GraphQLInt)}),
    subscription=GraphQLObjectType(
        "Subscription",
        {"events": GraphQLField(_EVENT, subscribe=_events, resolve=lambda event, _info: event)},
    ),
)


def _collected_fields_alive() -> int:
    gc.collect()
    return sum(isinstance(o, CollectedFields) for o in gc.get_objects())


async def _held_after(executor: type[Executor[Any]], events: int) -> int:
    """CollectedFields alive after `events` events, the subscription still open."""
    stream = subscribe(
        _SCHEMA, parse("subscription { events { seq parts { key } } }"), executor_class=executor
    )
    if isawaitable(stream):
        stream = await stream
    assert isinstance(stream, AsyncGenerator)
    delivered = 0
    async for result in stream:
        assert isinstance(result, ExecutionResult)
        assert result.errors is None
        delivered += 1
        if delivered == events:
            break
    held = _collected_fields_alive()
    await stream.aclose()
    return held


async def test_graphql_cores_own_executor_keeps_something_for_every_event() -> None:
    """Why the platform's executor exists: if this fails, the library no longer keeps them,
    and schema/execution.py can go."""
    assert await _held_after(Executor, 150) - await _held_after(Executor, 10) >= 140


async def test_the_platforms_executor_keeps_nothing_per_event() -> None:
    assert await _held_after(PerEventMemoExecutor, 150) == await _held_after(
        PerEventMemoExecutor, 10
    )


def test_the_schema_executes_with_it() -> None:
    assert platform_schema.execution_context_class is PerEventMemoExecutor
