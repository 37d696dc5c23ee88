"""Limits on what one request may ask: the clients' operations fit, abuse is refused."""

from __future__ import annotations

from graphql import OperationDefinitionNode, print_ast

from schema.root import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, schema
from tests.contract import operations

LIMIT_WORDS = ("depth", "aliases", "tokens", "cost")


async def _limit_errors(query: str) -> list[str]:
    # Without a caller, anything that passes the limits stops at the first permission check.
    result = await schema.execute(query)
    return [
        error.message
        for error in result.errors or []
        if any(word in error.message for word in LIMIT_WORDS)
    ]


async def test_every_client_operation_fits_the_limits() -> None:
    for name, operation in operations().items():
        assert isinstance(operation, OperationDefinitionNode)
        assert await _limit_errors(print_ast(operation)) == [], name


async def test_a_deep_query_is_refused() -> None:
    nested = "municipality { prefecture { " * MAX_DEPTH + "code" + " } }" * MAX_DEPTH
    query = "query { me { registrations { " + nested + " } } }"
    assert any("depth" in message for message in await _limit_errors(query))


async def test_too_many_aliases_are_refused() -> None:
    fields = " ".join(f"a{n}: __typename" for n in range(MAX_ALIASES + 1))
    assert await _limit_errors("query { " + fields + " }")


async def test_a_huge_document_is_refused_before_it_is_read() -> None:
    fields = " ".join(["__typename"] * MAX_TOKENS)
    refused = await _limit_errors("query { " + fields + " }")
    assert any("tokens" in message for message in refused)


async def test_pages_of_pages_cost_too_much() -> None:
    # Every municipality of a prefecture with a full page of its registrants, each with more.
    query = """query { municipalities(first: 100) { edges { node {
        registrations(first: 100) { edges { node { id tier status registeredAt } } } } } } }"""
    assert any("cost" in message for message in await _limit_errors(query))
    # The same with variables is judged by the largest page they could ask for.
    paged = """query($n: Int) { municipalities(first: $n) { edges { node {
        registrations(first: $n) { totalCount } } } } }"""
    assert any("cost" in message for message in await _limit_errors(paged))
    small = """query { municipalities(first: 5) { edges { node {
        registrations(first: 5) { totalCount } } } } }"""
    assert await _limit_errors(small) == []
