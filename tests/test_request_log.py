"""A log line is written whatever a record carries: what orjson refuses (a lone surrogate
from a client's text, an integer beyond 64 bits) falls back to the standard library."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from edge.request_log import (
    JsonFormatter,
    RequestLog,
    access_lines,
    graphql_outcome,
    log_as_json,
)


def _record(carried: dict[str, object]) -> logging.LogRecord:
    record = logging.LogRecord("furusato.access", logging.INFO, __file__, 1, "request", None, None)
    record.request = carried
    return record


def test_a_line_is_one_json_object_with_what_the_record_carries() -> None:
    line = json.loads(JsonFormatter().format(_record({"path": "/graphql", "status": 200})))
    assert (line["path"], line["status"], line["message"]) == ("/graphql", 200, "request")


def test_what_orjson_refuses_is_still_written() -> None:
    for odd in ("\udc80", 2**70):
        line = JsonFormatter().format(_record({"operation": odd}))
        assert "\n" not in line
        assert json.loads(line)["operation"] == odd


@pytest.fixture
def logging_as_in_production() -> Iterator[io.StringIO]:
    """The process set up as a worker is (log_as_json), onto a stream of the test's; undone
    afterwards."""
    root, uvicorn_access = logging.getLogger(), logging.getLogger("uvicorn.access")
    kept = (root.handlers[:], root.level, uvicorn_access.disabled, logging._srcfile)
    stream = io.StringIO()
    log_as_json(stream=stream)
    yield stream
    root.handlers[:], root.level, uvicorn_access.disabled, logging._srcfile = kept
    access_lines.handler = None


async def _answered(status: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    async def app(_scope: Scope, _receive: Receive, send: Send) -> None:
        graphql_outcome.get()["outcome"] = "ok"  # type: ignore[index]
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    observed: list[dict[str, Any]] = []
    started: dict[str, Any] = {}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            started.update(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}
    await RequestLog(app, observe=observed.append)(scope, receive, send)
    return observed, started


async def test_a_workers_access_line_is_written_as_the_formatter_writes_lines(
    logging_as_in_production: io.StringIO,
) -> None:
    observed, started = await _answered(201)
    written = logging_as_in_production.getvalue()
    assert written.endswith("\n")
    assert written.count("\n") == 1
    line = json.loads(written)
    rid = dict(started["headers"])[b"x-request-id"].decode()
    assert observed == [
        {k: line[k] for k in ("request_id", "method", "path", "status", "duration_ms", "outcome")}
    ]
    assert (line["request_id"], line["status"], line["outcome"]) == (rid, 201, "ok")
    # The same line as a record of the access logger carrying these fields gives.
    record = _record(observed[0])
    record.created = datetime.fromisoformat(line["time"]).timestamp()
    assert json.loads(JsonFormatter().format(record)) == line


async def test_a_workers_access_lines_follow_the_access_loggers_level(
    logging_as_in_production: io.StringIO,
) -> None:
    logging.getLogger("furusato.access").setLevel(logging.WARNING)
    try:
        observed, _started = await _answered(200)
    finally:
        logging.getLogger("furusato.access").setLevel(logging.NOTSET)
    assert logging_as_in_production.getvalue() == ""
    assert len(observed) == 1
