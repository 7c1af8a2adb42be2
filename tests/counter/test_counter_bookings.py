"""预约 at the counter (window 13 serves MZ-03, which takes bookings), against a real hub on a
fixed clock: the next bookings of the window's services are shown, a booking made or
cancelled while the clerk works shows up at once, a booked ticket is marked with its slot
and called with the reason 预约 once its slot has started."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from counter_helpers import SIZE, logged_in
from support import raw
from support.wait import wait_for

from counter.app import CounterApp
from counter.widgets.tables import TicketTable

TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, 30, h, m, tzinfo=TZ)


async def test_next_bookings_and_the_appointment_reason(hub: Any) -> None:
    clock = Clock(at("08:00"))
    await hub.stop()
    await hub.start(clock=clock)
    v = await raw.hello(hub.url, role="visitor")
    args = {"service": "MZ-03", "name": "王芳"}
    first = await v.ok("book", start=at("10:00").isoformat(), mobile="13800138000", **args)
    other = await v.ok("book", start=at("09:30").isoformat(), mobile="13900139000", **args)
    await v.ok(
        "book", start=at("10:00").isoformat(), service="GH-03", name="李强", mobile="13700137000"
    )

    staff, _ = hub.clerk(13)
    app = CounterApp(13, staff=staff, hub_url=hub.url, now=clock)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot)
        queue = app.screen.query_one("#queue", TicketTable)
        # GH-03 is not this window's: two bookings, by slot
        await wait_for(
            lambda: str(queue.border_subtitle).startswith("今日预约：09:30 王芳(尾号9000)"),
            pilot=pilot,
        )
        assert "10:00 王芳(尾号8000)" in str(queue.border_subtitle)
        assert "李强" not in str(queue.border_subtitle)
        # cancelled on the phone: gone from the counter at once
        await v.ok("cancel_booking", token=other["booking"]["token"])
        await wait_for(lambda: "9000" not in str(queue.border_subtitle), pilot=pilot)

        # checked in early, then a walk-in: in turn until 10:00, then ahead with 预约
        clock.at = at("09:40")
        k = await raw.kiosk(hub)
        booked = (await k.ok("check_in", code=first["booking"]["code"]))["ticket"]
        walk_in = (await k.ok("issue", service="MZ-03"))["ticket"]
        await wait_for(lambda: len(app.state.queue(clock.at)) == 2, pilot=pilot)
        assert [(x["number"], r) for x, r in app.state.queue(clock.at)] == [
            (booked["number"], "fifo"),
            (walk_in["number"], "fifo"),
        ]
        assert "✓" in str(queue.border_subtitle)  # checked in
        clock.at = at("10:00")
        assert [r for _, r in app.state.queue(clock.at)] == ["appointment", "fifo"]
        assert app.screen._marks(booked) == "约10:00"  # type: ignore[attr-defined]
        reply = await app.link.request("call_next")
        assert (reply["ticket"]["number"], reply["reason"]) == (booked["number"], "appointment")
        await k.close()
    await v.close()
