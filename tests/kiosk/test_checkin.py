"""预约签到 at the kiosk against a real hub: a code checks in inside its window (a booked
ticket, shown and printed like any other); a late citizen is told so and offered an
ordinary ticket of the service; a wrong code says only that it is wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk_helpers import SIZE, kiosk_config, text_of, wait_online
from support import raw
from support.wait import wait_for
from textual.widgets import Input

from kiosk.app import KioskApp
from kiosk.screens import CheckInScreen, GuideScreen, HomeScreen, TicketScreen
from kiosk.ticket_layout import Text, build_layout

TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, 30, h, m, tzinfo=TZ)


async def type_code(pilot: Any, app: KioskApp, code: str, tail: str = "") -> None:
    screen = app.screen
    screen.query_one("#checkin-code", Input).value = code
    screen.query_one("#checkin-tail", Input).value = tail
    await pilot.click("#checkin-ok")


async def test_check_in_late_and_on_time(hub: Any) -> None:
    clock = Clock(at("08:00"))
    await hub.stop()
    await hub.start(clock=clock)
    v = await raw.hello(hub.url, role="visitor")
    book = {"service": "MZ-03", "name": "王芳"}
    late = await v.ok("book", start=at("09:00").isoformat(), mobile="13800138000", **book)
    ontime = await v.ok("book", start=at("10:00").isoformat(), mobile="13900139000", **book)
    await v.close()
    clock.at = at("09:50")  # 09:00's check-in closed at 09:45; 10:00's opened at 09:30

    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        assert not app.screen.query_one("#checkin-row").has_class("-none")
        await pilot.click("#checkin")
        await wait_for(lambda: isinstance(app.screen, CheckInScreen), pilot=pilot)

        await type_code(pilot, app, "WRONG123")
        await wait_for(lambda: "预约码无效" in text_of(app, "#checkin-status"), pilot=pilot)
        assert not app.screen.query_one("#checkin-ordinary").display

        await type_code(pilot, app, late["booking"]["code"])
        await wait_for(lambda: "已超过签到时间" in text_of(app, "#checkin-status"), pilot=pilot)
        assert app.screen.query_one("#checkin-ordinary").display
        await pilot.click("#checkin-ordinary")
        await wait_for(lambda: isinstance(app.screen, GuideScreen), pilot=pilot)
        assert app.screen.service == "MZ-03"  # type: ignore[attr-defined]

        app.go_home()
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        await pilot.click("#checkin")
        await wait_for(lambda: isinstance(app.screen, CheckInScreen), pilot=pilot)
        await type_code(pilot, app, ontime["booking"]["code"].lower(), "9000")
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
        shown = app.screen.ticket  # type: ignore[attr-defined]
        assert shown.ticket["booking"]["start"] == ontime["booking"]["start"]
        assert "预约" in text_of(app, "#your-number")
        assert "10:00-10:30" in text_of(app, "#ticket-issued")
        # printed like any ticket, marked with its slot
        lines = [b.text for b in build_layout(app.ticket_print(shown)) if isinstance(b, Text)]
        assert "预约 10:00-10:30 / Booked 10:00-10:30" in lines

    async with raw.connected(hub, "supervisor") as sup:
        states = {b["id"]: b["state"] for b in sup.state["bookings"]}
        assert states == {late["booking"]["id"]: "no_show", ontime["booking"]["id"]: "checked_in"}
        (ticket,) = [t for t in sup.state["tickets"] if t.get("booking")]
        assert ticket["service"] == "MZ-03" and ticket["number"] == shown.number
