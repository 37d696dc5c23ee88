"""A log line is written whatever a record carries: what orjson refuses (a lone surrogate
from a client's text, an integer beyond 64 bits) falls back to the standard library."""

from __future__ import annotations

import json
import logging

from edge.request_log import JsonFormatter


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
