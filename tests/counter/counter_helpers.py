"""Helpers for driving counter apps against the real hub of `tests/conftest.py`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from textual.pilot import Pilot
from websockets.asyncio.client import connect

from counter.app import CounterApp
from counter.screens.login import LoginScreen
from counter.screens.main import MainScreen
from counter.widgets.figures import Figures, figure_values
from shared.client import HubClient
from shared.protocol import VERSION, dumps

SIZE = (120, 36)


async def until(
    pilot: Pilot[Any], cond: Callable[[], object], timeout: float = 8.0, what: str = ""
) -> None:
    """Let the app run until `cond()` holds (or fail after `timeout` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not cond():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or cond}")
        await pilot.pause(0.02)


@asynccontextmanager
async def hub_client(hub: Any, hello: dict[str, Any]) -> AsyncIterator[HubClient]:
    """A plain HubClient (kiosk, supervisor, another clerk), welcomed, closed afterwards."""
    client = HubClient(hub.url, hello)
    task = asyncio.create_task(client.run())
    try:
        assert await client.wait_online(5), f"no welcome for {hello.get('role')}"
        yield client
    finally:
        await client.close()
        task.cancel()


def kiosk(hub: Any) -> Any:
    return hub_client(hub, {"role": "kiosk", "token": hub.kiosk_token})


def supervisor(hub: Any) -> Any:
    staff, pin = hub.supervisor
    return hub_client(hub, {"role": "supervisor", "staff": staff, "pin": pin})


async def issue(client: HubClient, service: str, priority: str = "normal") -> dict[str, Any]:
    """Issue a ticket at a kiosk; the Ticket."""
    reply = await client.request("issue", service=service, priority=priority)
    return reply["ticket"]


def counter_app(hub: Any, window: int, lang: str = "zh") -> CounterApp:
    staff, _ = hub.clerk(window)
    return CounterApp(window, staff=staff, hub_url=hub.url, lang=lang)


async def log_in(pilot: Pilot[Any], pin: str, staff: str | None = None) -> None:
    """Type the PIN (and staff id) on the login screen and press Enter."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, LoginScreen), what="login screen")
    if staff is not None:
        await pilot.click("#staff")
        app.screen.query_one("#staff").value = ""  # type: ignore[attr-defined]
        await pilot.press(*staff)
    await pilot.click("#pin")
    await pilot.press(*pin, "enter")


async def logged_in(pilot: Pilot[Any], pin: str = "1234") -> None:
    """Log in and wait for the main screen."""
    app: CounterApp = pilot.app  # type: ignore[assignment]
    await log_in(pilot, pin)
    await until(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
    await until(pilot, lambda: app.state.figures() is not None, what="figures")


async def hub_refusal(hub: Any, hello: dict[str, Any]) -> str:
    """The hub's own words for refusing this hello: what the counter must show."""
    async with connect(hub.url) as ws:
        await ws.send(dumps({**hello, "type": "hello", "v": VERSION}))
        frame = json.loads(await ws.recv())
    assert frame["type"] == "error", frame
    return str(frame["message"])


def login_message(app: CounterApp) -> str:
    """The text under the login form."""
    return str(app.screen.query_one("#login-message").render())


async def figures_match_hub(pilot: Pilot[Any], sup: HubClient, timeout: float = 5.0) -> None:
    """The figures panel shows exactly the hub's metrics of the app's window (pushed frames keep up)."""
    app: CounterApp = pilot.app  # type: ignore[assignment]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        reply = await sup.request("metrics")
        entry = next(w for w in reply["metrics"]["windows"] if w["window"] == app.window_no)
        expected = figure_values(entry, app.lang)
        shown = app.screen.query_one(Figures).values if isinstance(app.screen, MainScreen) else None
        if shown == expected:
            return
        if loop.time() > deadline:
            raise AssertionError(f"figures {shown} != hub {expected}")
        await pilot.pause(0.05)
