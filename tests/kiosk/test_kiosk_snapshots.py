"""Snapshots of every kiosk screen in 中文 and English (no hub: a prepared welcome, a frozen clock)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from kiosk_helpers import SIZE
from support.scenes import KIOSK_NOW, kiosk_issue_reply, kiosk_visit_reply, kiosk_welcome
from textual.pilot import Pilot
from textual.widgets import Input

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import BundleScreen
from kiosk.state import IssuedTicket

Step = Callable[[Pilot[Any]], Awaitable[None]]


def make_app(lang: str) -> KioskApp:
    return KioskApp(
        KioskConfig(lang=lang, idle=3600), welcome=kiosk_welcome(), now=lambda: KIOSK_NOW
    )


async def home(pilot: Pilot[Any]) -> None:
    await pilot.pause()


async def department(pilot: Pilot[Any]) -> None:
    await pilot.press("1")
    await pilot.pause()


async def guide(pilot: Pilot[Any]) -> None:
    await pilot.press("1", "1")
    await pilot.pause()


async def priority(pilot: Pilot[Any]) -> None:
    await pilot.press("1", "1", "enter")
    await pilot.pause()


async def bundle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, KioskApp)
    await app.push_screen(BundleScreen(app.view, "KB-01"))
    await pilot.pause()


async def add_another(pilot: Pilot[Any]) -> None:
    await pilot.press("1", "1", "2", "2", "1")  # MZ-01, 再办一项, then TJ-01's guide
    await pilot.pause()


def ticket_step(status: str, priority: bool = False, visit: bool = False) -> Step:
    async def step(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, KioskApp)
        reply = kiosk_visit_reply() if visit else kiosk_issue_reply()
        if priority:
            reply["ticket"]["priority"] = "priority"
        ticket = IssuedTicket.from_reply(reply, app.state)
        app.show_ticket(ticket)
        await pilot.pause()
        app.screen.print_status = status  # type: ignore[attr-defined]
        await pilot.pause()

    return step


async def offline(pilot: Pilot[Any]) -> None:
    await pilot.press("1", "1")
    app = pilot.app
    assert isinstance(app, KioskApp)
    app.online = False
    await pilot.pause()


async def staff_pin(pilot: Pilot[Any]) -> None:
    await pilot.press("ctrl+x")
    await pilot.pause()
    pilot.app.screen.query_one(Input).cursor_blink = False
    await pilot.press(*"12")
    await pilot.pause()


async def checkin(pilot: Pilot[Any]) -> None:
    await pilot.click("#checkin")
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.press(*"K7QP3M2A")
    await pilot.pause()


async def ticket_booked(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, KioskApp)
    reply = kiosk_issue_reply()
    day = reply["ticket"]["issued_at"][:10]
    reply["ticket"]["booking"] = {
        "id": "b7",
        "start": f"{day}T10:00:00.000000+08:00",
        "end": f"{day}T10:30:00.000000+08:00",
    }
    app.show_ticket(IssuedTicket.from_reply(reply, app.state))
    await pilot.pause()
    app.screen.print_status = "printed"  # type: ignore[attr-defined]
    await pilot.pause()


SCREENS: dict[str, Step] = {
    "home": home,
    "department": department,
    "guide": guide,
    "priority": priority,
    "ticket": ticket_step("printed"),
    "ticket_priority_no_printer": ticket_step("none", priority=True),
    "ticket_printer_fault": ticket_step("fault"),
    "offline": offline,
    "staff_pin": staff_pin,
    "bundle": bundle,
    "add_another": add_another,
    "ticket_visit": ticket_step("printed", visit=True),
    "checkin": checkin,  # 预约签到
    "ticket_booked": ticket_booked,
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare: Any, screen: str, lang: str) -> None:
    assert snap_compare(make_app(lang), terminal_size=SIZE, run_before=SCREENS[screen])
