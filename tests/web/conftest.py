"""Fixtures for the browser tests: Debian chromium through Playwright, and protocol clients.

The hub is the real one from ``tests/conftest.py``; the protocol clients here
are plain websockets clients (hello, request/reply, a queue of pushed frames).
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

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


class HubError(Exception):
    """An error reply: code and message."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Proto:
    """One protocol client: hello, welcome, requests with replies, pushed frames in a queue."""

    def __init__(self, ws: ClientConnection, welcome: dict[str, Any]) -> None:
        self.ws = ws
        self.welcome = welcome
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, hello: dict[str, Any]) -> Proto:
        """Connect, send the hello, wait for the welcome (HubError on a refused hello)."""
        ws = await connect(url, proxy=None, max_size=16 * 1024 * 1024)
        await ws.send(json.dumps({"type": "hello", "v": 1, **hello}))
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if first.get("type") != "welcome":
            await ws.close()
            raise HubError(first.get("code", "?"), first.get("message", ""))
        return cls(ws, first)

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                f = json.loads(raw)
                fut = (
                    self.waiters.pop(f.get("re") or "", None)
                    if f.get("type") in ("ok", "error")
                    else None
                )
                if fut is not None and not fut.done():
                    fut.set_result(f)
                else:
                    await self.frames.put(f)
        except Exception:  # connection closed: waiters fail below
            pass
        for fut in self.waiters.values():
            if not fut.done():
                fut.set_exception(ConnectionError("closed"))

    async def request(self, type_: str, **args: Any) -> dict[str, Any]:
        """Send a command and return its ok reply (HubError on an error reply)."""
        rid = uuid.uuid4().hex
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters[rid] = fut
        await self.ws.send(json.dumps({"type": type_, "id": rid, **args}))
        reply = await asyncio.wait_for(fut, 10)
        if reply["type"] == "error":
            raise HubError(reply.get("code", "?"), reply.get("message", ""))
        return reply

    async def next_frame(self, type_: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next pushed frame of this type (earlier frames of other types are dropped)."""
        async with asyncio.timeout(timeout):
            while True:
                f = await self.frames.get()
                if f.get("type") == type_:
                    return f

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


@pytest.fixture
async def proto(hub: Any) -> AsyncIterator[Callable[..., Awaitable[Proto]]]:
    """A factory of protocol clients on the test hub: ``await proto(role="display")``."""
    opened: list[Proto] = []

    async def make(**hello: Any) -> Proto:
        p = await Proto.open(hub.url, hello)
        opened.append(p)
        return p

    yield make
    for p in opened:
        try:
            await p.close()
        except Exception:
            pass


@pytest.fixture
async def counter(
    hub: Any, proto: Callable[..., Awaitable[Proto]]
) -> Callable[[int], Awaitable[Proto]]:
    """A factory of logged-in counter clients: ``await counter(5)``."""

    async def make(window: int) -> Proto:
        staff, pin = hub.clerk(window)
        return await proto(role="counter", staff=staff, pin=pin, window=window)

    return make


@pytest.fixture
async def kiosk(hub: Any, proto: Callable[..., Awaitable[Proto]]) -> Proto:
    """A kiosk client with the fixture's device token."""
    return await proto(role="kiosk", token=hub.kiosk_token)


@pytest.fixture
async def supervisor_client(hub: Any, proto: Callable[..., Awaitable[Proto]]) -> Proto:
    """A supervisor client (s001)."""
    staff, pin = hub.supervisor
    return await proto(role="supervisor", staff=staff, pin=pin)


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
