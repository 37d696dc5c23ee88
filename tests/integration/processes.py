"""Servers and Node.js programs the integration tests run beside themselves."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import pytest
import uvicorn
from starlette.types import ASGIApp

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_CLIENT = ROOT / "clients" / "js"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serving(
    app: ASGIApp, *, lifespan: Literal["auto", "on", "off"] = "auto"
) -> AsyncIterator[int]:
    """An app served by uvicorn in this process, on a free port (yielded)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan)
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
        await asyncio.sleep(0.01)
    try:
        yield running.servers[0].sockets[0].getsockname()[1]
    finally:
        running.should_exit = True
        await task


def node(installed: Path) -> str:
    """Node.js, with the packages of `installed` (make js); CI requires both."""
    found = shutil.which("node")
    if found is None or not (installed / "node_modules").exists():
        if os.environ.get("FURUSATO_REQUIRE_NODE") == "1":
            pytest.fail(f"Node.js and {installed.name}/node_modules (make js) are required here")
        pytest.skip(f"no Node.js, or {installed.name} not installed (make js)")
    return found


async def reference_subscription(url: str, token: str, code: str, count: int) -> Any:
    """The dashboards' graphql-ws client following a place's events, once it has subscribed."""
    process = await asyncio.create_subprocess_exec(
        node(REFERENCE_CLIENT),
        str(REFERENCE_CLIENT / "subscribe.mjs"),
        url,
        token,
        code,
        str(count),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    assert (await asyncio.wait_for(process.stderr.readline(), 10)).strip() == b"subscribed"
    return process


async def events_received(process: Any) -> list[dict[str, Any]]:
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines()]


class Outage:
    """A TCP relay to a server that can be cut: every connection through it dropped and new
    ones refused, as when the server stops, until it is restored on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )
        self._writers -= {writer, upstream_writer}

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
