"""Relay: the Node interface and connections."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

N = TypeVar("N")


@strawberry.interface(description="An object with a global ID, refetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type(description="A page of a list; `first` is at most 100.")
class Connection(Generic[N]):
    total_count: int
    edges: list[Edge[N]]
    page_info: PageInfo


def connection(
    nodes: list[tuple[str, N]], total: int, has_next: bool, after: str | None
) -> Connection[N]:
    edges = [Edge(cursor=cursor, node=node) for cursor, node in nodes]
    return Connection(
        total_count=total,
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
