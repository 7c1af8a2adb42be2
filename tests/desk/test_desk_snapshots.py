"""Snapshots of the desk's screens in 中文 and English: the login, and the desk at 10:30 of
window 13's morning (the real engine's welcome for a desk session; no hub, frozen clock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support.scenes import COUNTER_NOW as NOW
from support.scenes import at, counter_day, wire
from textual.pilot import Pilot
from textual.widgets import Input

from desk.app import DeskApp
from hub import views
from hub.engine import Actor
from hub.session import Session

SIZE = (130, 40)


def desk_welcome() -> dict[str, Any]:
    d = counter_day()
    session = Session("desk", "staff:d001", "zh", Actor("desk", "d001"), "d001", "咨询台小王")
    return wire(views.welcome(d.engine, d.hall.to_wire(), session, at("10:30")))


def steady(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Press keys, then stop every cursor from blinking."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_login(snap_compare: Any, lang: str) -> None:
    app = DeskApp(staff="d001", lang=lang, hub_url="ws://127.0.0.1:9/ws", now=lambda: NOW)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_desk(snap_compare: Any, lang: str) -> None:
    app = DeskApp(lang=lang, welcome=desk_welcome(), now=lambda: NOW)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady())


def test_look_up(snap_compare: Any) -> None:
    """F7 with a waiting ticket's number: its state and the people ahead."""
    app = DeskApp(lang="zh", welcome=desk_welcome(), now=lambda: NOW)
    keys = ("tab", "tab", "tab", "a", "0", "0", "5", "f7")
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(*keys))


def test_visit_of_two_services(snap_compare: Any) -> None:
    """F8 twice: the visit's services listed under the form (English), ready for F4."""
    app = DeskApp(lang="en", welcome=desk_welcome(), now=lambda: NOW)
    keys = ("m", "z", "-", "0", "1", "f8", "g", "h", "-", "0", "1", "f8")
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(*keys))


def test_bundles(snap_compare: Any) -> None:
    """F12: the catalogue's bundles with their steps (并联 marked, the fee step last)."""
    app = DeskApp(lang="zh", welcome=desk_welcome(), now=lambda: NOW)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady("f12"))


async def test_look_up_finds_an_open_case_of_an_earlier_day() -> None:
    """A number that is not today's: the desk finds the open case (办件) and its due day."""
    welcome = desk_welcome()
    cases = welcome["state"]["cases"]
    assert cases, "the desk sees every department's open cases"
    case = cases[0]
    welcome["state"]["tickets"] = []  # as on a later day: the ticket is gone, the case is open
    app = DeskApp(lang="zh", welcome=welcome, now=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", *case["id"].split("-")[-1].lower(), "f7")
        await pilot.pause()
        shown = str(app.screen.query_one("#result").render())
        assert case["id"] in shown and "办理中" in shown
