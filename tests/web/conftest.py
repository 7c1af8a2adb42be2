"""Fixtures for the browser tests: Debian chromium through Playwright, and protocol clients.

The hub is the real one from ``tests/conftest.py``; the protocol clients are
the raw ones of ``support.raw`` (hello, request/reply, a queue of pushed frames).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from support import raw

CHROMIUM = os.environ.get("HALL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
TV = {"width": 1920, "height": 1080}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip browser tests with a clear reason where Debian's chromium is missing (never in CI)."""
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the browser tests: {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
async def proto(hub: Any) -> AsyncIterator[Callable[..., Awaitable[raw.Conn]]]:
    """A factory of raw protocol clients on the test hub: ``await proto(role="display")``."""
    opened: list[raw.Conn] = []

    async def make(**hello: Any) -> raw.Conn:
        conn = await raw.hello(hub.url, **hello)
        opened.append(conn)
        return conn

    yield make
    for conn in opened:
        with contextlib.suppress(Exception):
            await conn.close()


@pytest.fixture
async def counter(
    hub: Any, proto: Callable[..., Awaitable[raw.Conn]]
) -> Callable[[int], Awaitable[raw.Conn]]:
    """A factory of logged-in counter clients: ``await counter(5)``."""

    async def make(window: int) -> raw.Conn:
        return await proto(**raw.hello_fields(hub, "counter", window=window))

    return make


@pytest.fixture
async def kiosk(hub: Any, proto: Callable[..., Awaitable[raw.Conn]]) -> raw.Conn:
    """A kiosk client with the fixture's device token."""
    return await proto(**raw.hello_fields(hub, "kiosk"))


@pytest.fixture
async def supervisor_client(hub: Any, proto: Callable[..., Awaitable[raw.Conn]]) -> raw.Conn:
    """A supervisor client (s001)."""
    return await proto(**raw.hello_fields(hub, "supervisor"))


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's chromium, headless, through Playwright's async API (the hub runs in this loop)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()


class Recorder:
    """Every request a page makes (page.on("request")), and console errors."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []

    def outside(self, allowed_prefixes: tuple[str, ...]) -> list[str]:
        """Requests that went anywhere but the hub."""
        return [
            u for u in self.urls if not u.startswith(allowed_prefixes) and not u.startswith("data:")
        ]


@pytest.fixture
async def open_page(browser: Any) -> AsyncIterator[Callable[..., Awaitable[tuple[Any, Recorder]]]]:
    """Open a URL in a fresh context: ``page, rec = await open_page(url, viewport=PHONE)``."""
    contexts: list[Any] = []

    async def make(
        url: str, viewport: dict[str, int] | None = None, init_script: str | None = None
    ) -> tuple[Any, Recorder]:
        ctx = await browser.new_context(viewport=viewport or TV, locale="zh-CN")
        contexts.append(ctx)
        rec = Recorder()
        ctx.on("request", lambda r: rec.urls.append(r.url))
        if init_script:
            await ctx.add_init_script(init_script)
        page = await ctx.new_page()
        page.on("websocket", lambda ws: rec.urls.append(ws.url))
        page.on("console", lambda m: rec.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: rec.errors.append(str(e)))
        await page.goto(url)
        return page, rec

    yield make
    for c in contexts:
        try:
            await c.close()
        except Exception:
            pass
