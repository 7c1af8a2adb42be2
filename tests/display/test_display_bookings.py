"""The Textual supervisor board's 今日预约: today's bookings per slot and service, from a real
hub's supervisor welcome and the booking events that follow it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from support import raw

from display.state import BoardState

TZ = ZoneInfo("Asia/Shanghai")


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, 30, h, m, tzinfo=TZ)


async def test_bookings_per_slot_from_the_welcome_and_the_events(hub: Any) -> None:
    now = [at("08:00")]
    await hub.stop()
    await hub.start(clock=lambda: now[0])
    v = await raw.hello(hub.url, role="visitor")
    nine, ten = at("09:00").isoformat(), at("10:00").isoformat()
    a = await v.ok("book", service="MZ-03", start=nine, name="王芳", mobile="13800000001")
    sup = await raw.supervisor(hub)
    state = BoardState()
    state.load_welcome(sup.welcome)
    assert [(r["start"][11:16], r["booked"]) for r in state.booking_slots()] == [("09:00", 1)]

    await v.ok("book", service="MZ-03", start=ten, name="李强", mobile="13800000002")
    now[0] = at("09:10")
    k = await raw.kiosk(hub)
    await k.ok("check_in", code=a["booking"]["code"])
    for kind in ("booking_made", "booking_checked_in"):
        state.apply(await sup.next(kind))
    assert [
        (r["start"][11:16], r["service"], r["booked"], r["checked_in"], r["no_show"])
        for r in state.booking_slots()
    ] == [("09:00", "MZ-03", 1, 1, 0), ("10:00", "MZ-03", 1, 0, 0)]
    for conn in (k, sup, v):
        await conn.close()
