"""Helpers for the kiosk tests: a config for the test hub, walking the screens, what the hub holds."""

from __future__ import annotations

from typing import Any

from support import raw
from support.raw import Frame
from support.wait import wait_for
from textual.pilot import Pilot
from textual.widgets import Static

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import DepartmentScreen, GuideScreen, PriorityScreen

SIZE = (120, 40)


def kiosk_config(hub: Any, **overrides: Any) -> KioskConfig:
    """A kiosk config for the test hub (fast reconnects)."""
    values: dict[str, Any] = {
        "hub": hub.url,
        "token": hub.kiosk_token,
        "idle": 60.0,
        "max_backoff": 0.3,
    }
    values.update(overrides)
    return KioskConfig(**values)


async def wait_online(pilot: Pilot[Any], app: KioskApp) -> None:
    """Wait until the kiosk has its welcome."""
    await wait_for(lambda: app.online and app.state.hall, what="kiosk online", pilot=pilot)
    await pilot.pause()


async def to_guide(pilot: Pilot[Any], app: KioskApp, enter: bool = False) -> None:
    """Keys 1, 1 (first department, first service), each once its screen is up: a key typed
    ahead of a screen still being pushed lands on the one before. `enter`: on to priority."""
    for key, screen in (("1", DepartmentScreen), ("1", GuideScreen), ("enter", PriorityScreen)):
        if key == "enter" and not enter:
            return
        await pilot.press(key)
        await wait_for(
            lambda s=screen: isinstance(app.screen, s), what=screen.__name__, pilot=pilot
        )


def text_of(app: KioskApp, selector: str) -> str:
    """The plain text a Static on the current screen shows."""
    return str(app.screen.query_one(selector, Static).render())


async def open_tickets(hub: Any) -> list[Frame]:
    """Today's open tickets as the hub holds them: the welcome of a fresh display."""
    async with raw.connected(hub, "display") as board:
        return list(board.state["tickets"])
