"""Helpers for the kiosk tests: waiting on the app, reading the hub through the protocol."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import DepartmentScreen, GuideScreen, PriorityScreen
from shared.client import HubClient

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


async def wait_for(
    pilot: Pilot[Any], cond: Callable[[], object], timeout: float = 10.0, what: str = ""
) -> None:
    """Let the app run until `cond()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or cond}")
        await pilot.pause(0.02)


async def wait_online(pilot: Pilot[Any], app: KioskApp, timeout: float = 10.0) -> None:
    """Wait until the kiosk has its welcome."""
    await wait_for(pilot, lambda: app.online and app.state.hall, timeout, "kiosk online")
    await pilot.pause()


async def to_guide(pilot: Pilot[Any], app: KioskApp, enter: bool = False) -> None:
    """Keys 1, 1 (first department, first service), each once its screen is up: a key typed
    ahead of a screen still being pushed lands on the one before. `enter`: on to priority."""
    for key, screen in (("1", DepartmentScreen), ("1", GuideScreen), ("enter", PriorityScreen)):
        if key == "enter" and not enter:
            return
        await pilot.press(key)
        await wait_for(pilot, lambda s=screen: isinstance(app.screen, s), what=screen.__name__)


def text_of(app: KioskApp, selector: str) -> str:
    """The plain text a Static on the current screen shows."""
    return str(app.screen.query_one(selector, Static).render())


class Observer:
    """A second client of the hub (a supervisor) to see what the hub holds."""

    def __init__(self, hub: Any) -> None:
        staff, pin = hub.supervisor
        self.client = HubClient(hub.url, {"role": "supervisor", "staff": staff, "pin": pin})
        self.events: list[dict[str, Any]] = []
        self.client.on_event = self.events.append
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Observer:
        self._task = asyncio.create_task(self.client.run())
        assert await self.client.wait_online(10.0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.close()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=5)

    async def tickets(self) -> list[dict[str, Any]]:
        """The open tickets of the day, from a fresh welcome of a new connection."""
        fresh = HubClient(self.client.url, {"role": "display"})  # no PIN check: fast
        task = asyncio.create_task(fresh.run())
        try:
            assert await fresh.wait_online(10.0)
            assert fresh.welcome is not None
            return list(fresh.welcome["state"]["tickets"])
        finally:
            await fresh.close()
            await asyncio.wait([task], timeout=5)
