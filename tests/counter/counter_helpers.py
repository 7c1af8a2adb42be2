"""Helpers for driving counter apps against the real hub of `tests/conftest.py`."""

from __future__ import annotations

import asyncio
from typing import Any

from support.wait import WAIT, wait_for
from textual.pilot import Pilot

from counter.app import CounterApp
from counter.screens.login import LoginScreen
from counter.screens.main import MainScreen
from counter.widgets.figures import Figures, figure_values
from shared.client import HubClient

SIZE = (120, 36)


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
    await wait_for(lambda: isinstance(app.screen, LoginScreen), what="login screen", pilot=pilot)
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
    await wait_for(lambda: isinstance(app.screen, MainScreen), what="main screen", pilot=pilot)
    await wait_for(lambda: app.state.figures() is not None, what="figures", pilot=pilot)


def login_message(app: CounterApp) -> str:
    """The text under the login form."""
    return str(app.screen.query_one("#login-message").render())


async def figures_match_hub(pilot: Pilot[Any], sup: HubClient, timeout: float = WAIT) -> None:
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
