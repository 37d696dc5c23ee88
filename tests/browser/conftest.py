"""The pages driven in headless Chromium (Debian's, through Playwright) against a real
`furusato serve` on the embedded database. Without Chromium they skip, except where
FURUSATO_REQUIRE_BROWSER=1 (CI) makes that a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from edge.settings import Settings
from edge.tokens import LocalIssuer, load_or_create_key
from tests.contract import served
from tests.integration.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
FURUSATO = Path(sys.executable).parent / "furusato"
CHROMIUM = "/usr/bin/chromium"
# The artifacts the tests leave for people to look at.
SCREENSHOTS = ROOT / "var" / "screenshots"
# Where the scenarios take place: a village, its prefecture, and another town of it.
HAKUBA, NAGANO, KARUIZAWA = "204854", "200000", "203211"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class Platform(NamedTuple):
    url: str
    issuer: LocalIssuer

    def token(self, role: str, subject: str, **claims: Any) -> str:
        return self.issuer.mint({"sub": subject, "role": role, **claims}, 3600)

    def call(self, name: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": served(name), "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    var = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "FURUSATO_DATABASE_URL": f"sqlite+aiosqlite:///{var / 'furusato.db'}",
        "FURUSATO_VAR_DIR": str(var),
        # The nation's figures are the last publication: published often here, to be seen.
        "FURUSATO_PUBLISH_INTERVAL_SECONDS": "2",
    }
    _run([str(FURUSATO), "migrate"], env)
    for code in (HAKUBA, NAGANO, KARUIZAWA):
        _run([str(FURUSATO), "join", code], env)
    port = free_port()
    log = (var / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [str(FURUSATO), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        settings = Settings(var_dir=var)
        issuer = LocalIssuer(
            load_or_create_key(settings.local_issuer_key),
            settings.token_issuer,
            settings.token_audience,
        )
        yield Platform(url, issuer)
    finally:
        server.terminate()
        server.wait(20)
        log.close()


# Module-scoped: Playwright's synchronous API runs an event loop of its own in this thread,
# which must be gone before the asynchronous tests' loop runs again.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("FURUSATO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required here (.ci/run installs Debian's chromium)")
        pytest.skip(f"no {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    yield launched
    launched.close()


class Pages:
    """Each person's own browser (their own storage), closed after the test."""

    def __init__(self, browser: Browser, url: str) -> None:
        self._browser = browser
        self._url = url
        self._contexts: list[BrowserContext] = []
        self.console_errors: list[str] = []

    def open(self, path: str, token: str, viewport: dict[str, int]) -> Page:
        context = self._browser.new_context(viewport=viewport, locale="ja-JP")  # type: ignore[arg-type]
        self._contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.goto(f"{self._url}{path}")
        page.fill("#token", token)
        page.get_by_role("button", name="サインイン").click()
        return page

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser, platform: Platform) -> Iterator[Pages]:
    opened = Pages(browser, platform.url)
    yield opened
    opened.close()
    # A page that throws or logs an error has a defect, even if what the test looked at worked.
    assert opened.console_errors == []


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
