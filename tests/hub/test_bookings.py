"""预约 on a real hub: slots, the overbooking race, one per mobile, cancel, move, idempotency,
check-in at the kiosk inside and outside its window, no-shows, restart, the mobile's privacy.

The hub runs the demo hall (MZ-03 and GH-03 take bookings: 09:00-12:00 and 13:30-17:00 on
working days, 30-minute slots of 5, same-day booking, check-in 30 min before to 15 min
after) on a clock the test moves: Monday 2026-11-30, hall time.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sqlite3
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import raw
from support.wait import wait_for

from hub.bookings import Bookings
from hub.catalogue import load_demo

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 30)
MOBILE = "13800138000"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def at(hhmm: str, day: date = MONDAY) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)


def slot(hhmm: str, day: date = MONDAY) -> str:
    return at(hhmm, day).isoformat(timespec="microseconds")


@pytest.fixture
def clock() -> Clock:
    return Clock(at("08:00"))


HubFixture = Any  # tests/conftest.py's


@pytest.fixture
async def booking_hub(hub: HubFixture, clock: Clock) -> AsyncIterator[HubFixture]:
    """The `hub` fixture restarted on the test's clock, visitors hardly limited."""
    await hub.stop()
    await hub.start(clock=clock, visitor_limit=100_000)
    yield hub


async def visitor(hub: HubFixture, client: str | None = None) -> raw.Conn:
    fields: dict[str, Any] = {"role": "visitor"}
    if client:
        fields["client"] = client
    return await raw.hello(hub.url, **fields)


async def book(
    v: raw.Conn, start: str, mobile: str = MOBILE, service: str = "MZ-03", **kw: Any
) -> dict[str, Any]:
    return await v.request("book", service=service, start=start, name="王芳", mobile=mobile, **kw)


def mobile(n: int) -> str:
    return f"139{n:08d}"


async def test_slots_of_a_day(booking_hub: HubFixture) -> None:
    v = await visitor(booking_hub)
    assert v.state["bookable"] == ["MZ-03", "GH-03"]
    hall = v.welcome["hall"]
    mz03 = next(s for s in hall["services"] if s["code"] == "MZ-03")
    assert mz03["booking"]["capacity"] == 5 and mz03["booking"]["closes"] is None
    slots = (await v.ok("slots", service="MZ-03", day="2026-11-30"))["slots"]
    assert len(slots) == 13  # 6 in the morning, 7 in the afternoon
    assert slots[0] == {
        "start": slot("09:00"),
        "end": slot("09:30"),
        "capacity": 5,
        "left": 5,
    }
    assert slots[6]["start"] == slot("13:30") and slots[-1]["end"] == slot("17:00")
    # a Saturday, beyond the days ahead, a service without booking
    assert (await v.ok("slots", service="MZ-03", day="2026-12-05"))["slots"] == []
    assert (await v.ok("slots", service="MZ-03", day="2027-01-30"))["slots"] == []
    e = await v.error("slots", "not_found", service="MZ-01", day="2026-11-30")
    assert "预约" in e["message"]
    await v.error("slots", "bad_args", service="MZ-03", day="30/11/2026")
    await v.close()


async def test_two_hundred_concurrent_bookings_get_exactly_the_capacity(
    booking_hub: HubFixture,
) -> None:
    conns = await asyncio.gather(*(visitor(booking_hub) for _ in range(200)))
    replies = await asyncio.gather(
        *(book(c, slot("10:00"), mobile=mobile(i)) for i, c in enumerate(conns))
    )
    ok = [r for r in replies if r["type"] == "ok"]
    full = [r for r in replies if r["type"] == "error"]
    assert len(ok) == 5
    assert {r["code"] for r in full} == {"slot_full"} and len(full) == 195
    assert len({r["booking"]["code"] for r in ok}) == 5
    slots = (await conns[0].ok("slots", service="MZ-03", day="2026-11-30"))["slots"]
    assert next(s for s in slots if s["start"] == slot("10:00"))["left"] == 0
    await asyncio.gather(*(c.close() for c in conns))


async def test_one_booking_per_mobile_per_service_per_day(booking_hub: HubFixture) -> None:
    v = await visitor(booking_hub)
    first = (await book(v, slot("09:00")))["booking"]
    assert first["mobile"] == MOBILE[-4:] and first["state"] == "booked"
    assert len(first["code"]) == 8 and first["url"].endswith("/b/" + first["token"])
    again = await book(v, slot("14:00"), mobile="+86 138-0013-8000")
    assert again["code"] == "already_booked", again
    assert (await book(v, slot("09:00", date(2026, 12, 1))))["type"] == "ok"  # another day
    assert (await book(v, slot("09:00"), service="GH-03"))["type"] == "ok"  # another service
    await v.error("book", "bad_args", service="MZ-03", start=slot("09:30"), name="x", mobile="12")
    await v.error(
        "book", "not_found", service="MZ-03", start=slot("09:10"), name="x", mobile=MOBILE
    )
    await v.close()


async def test_cancel_frees_the_place(booking_hub: HubFixture) -> None:
    v = await visitor(booking_hub)
    made = [(await book(v, slot("11:00"), mobile=mobile(i)))["booking"] for i in range(5)]
    assert (await book(v, slot("11:00"), mobile=mobile(9)))["code"] == "slot_full"
    cancelled = (await v.ok("cancel_booking", token=made[2]["token"]))["booking"]
    assert cancelled["state"] == "cancelled"
    await v.error("cancel_booking", "invalid_state", token=made[2]["token"])
    await v.error("cancel_booking", "not_found", token="x" * 43)
    # the place is back, and the cancelled mobile may book again
    assert (await book(v, slot("11:00"), mobile=mobile(9)))["type"] == "ok"
    assert (await book(v, slot("11:30"), mobile=mobile(2)))["type"] == "ok"
    await v.close()


async def test_move_until_the_slot_starts(booking_hub: HubFixture, clock: Clock) -> None:
    v = await visitor(booking_hub)
    b = (await book(v, slot("09:00")))["booking"]
    moved = (await v.ok("move_booking", token=b["token"], start=slot("15:00")))["booking"]
    assert moved["start"] == slot("15:00") and moved["code"] == b["code"] and moved["moves"] == 1
    slots = {
        s["start"]: s["left"]
        for s in (await v.ok("slots", service="MZ-03", day="2026-11-30"))["slots"]
    }
    assert slots[slot("09:00")] == 5 and slots[slot("15:00")] == 4
    # to a full slot: refused, nothing changes
    for i in range(5):
        await book(v, slot("16:00"), mobile=mobile(i))
    await v.error("move_booking", "slot_full", token=b["token"], start=slot("16:00"))
    seen = (await v.ok("booking", token=b["token"]))["booking"]
    assert seen["start"] == slot("15:00") and seen["code"] == b["code"]
    clock.at = at("15:00")
    await v.error("move_booking", "invalid_state", token=b["token"], start=slot("16:30"))
    await v.close()


async def test_a_resent_booking_books_once(booking_hub: HubFixture) -> None:
    client = secrets.token_urlsafe(16)
    v = await visitor(booking_hub, client)
    first = await v.ok(
        "book", "req-1", service="MZ-03", start=slot("09:00"), name="王芳", mobile=MOBILE
    )
    await v.close()
    v2 = await visitor(booking_hub, client)  # the page reconnected and sent it again
    again = await v2.ok(
        "book", "req-1", service="MZ-03", start=slot("09:00"), name="王芳", mobile=MOBILE
    )
    assert again["booking"] == first["booking"]
    slots = (await v2.ok("slots", service="MZ-03", day="2026-11-30"))["slots"]
    assert slots[0]["left"] == 4
    await v2.close()


async def test_check_in_inside_and_outside_its_window(
    booking_hub: HubFixture, clock: Clock
) -> None:
    v = await visitor(booking_hub)
    b = (await book(v, slot("10:00")))["booking"]
    late = (await book(v, slot("09:00"), mobile=mobile(1)))["booking"]
    k = await raw.kiosk(booking_hub)
    clock.at = at("09:20")  # 40 minutes before 10:00: too early
    e = await k.error("check_in", "check_in_closed", code=b["code"])
    assert e["late"] is False and e["opens"] == slot("09:30")
    # a wrong code and a right code with wrong digits: the same words
    e1 = await k.error("check_in", "not_found", code="AAAAAAAA")
    e2 = await k.error("check_in", "not_found", code=b["code"], mobile_tail="0000")
    assert e1["message"] == e2["message"]
    clock.at = at("09:46")  # 09:00-09:30 + 15 min is over: late
    e = await k.error("check_in", "check_in_closed", code=late["code"].lower())
    assert e["late"] is True and e["service"] == "MZ-03"
    ok = await k.ok("check_in", code=b["code"].lower(), mobile_tail=MOBILE[-4:])
    t = ok["ticket"]
    assert t["service"] == "MZ-03" and t["booking"]["start"] == slot("10:00")
    assert ok["booking"]["state"] == "checked_in" and ok["booking"]["ticket"] == t["id"]
    assert ok["url"].endswith("/t/" + ok["token"])
    await k.error("check_in", "invalid_state", code=b["code"])
    # the booking page now leads to the ticket page
    seen = (await v.ok("booking", token=b["token"]))["booking"]
    assert seen["state"] == "checked_in" and seen["ticket_url"] == ok["url"]
    await v.error("cancel_booking", "invalid_state", token=b["token"])
    await k.close()
    await v.close()


async def test_no_show_and_what_staff_see(booking_hub: HubFixture, clock: Clock) -> None:
    sup = await raw.supervisor(booking_hub)
    v = await visitor(booking_hub)
    b = (await book(v, slot("09:00")))["booking"]
    made = await sup.next("booking_made")
    assert made["booking"]["mobile"] == MOBILE[-4:]
    assert not any(k.startswith("_") for k in made)
    d = await raw.display(booking_hub)
    clock.at = at("09:45")  # check-in closed at 09:45
    gone = await sup.next("booking_no_show")
    assert gone["booking"]["id"] == b["id"] and gone["booking"]["state"] == "no_show"
    c = await raw.counter(booking_hub, 13)
    windows = c.state["windows"]
    mine = next(w for w in windows if w["number"] == 13)["services"]
    assert all(x["service"] in mine for x in c.state["bookings"])
    sup2 = await raw.supervisor(booking_hub)
    assert [x["state"] for x in sup2.state["bookings"]] == ["no_show"]
    await d.settle()
    assert not [f for f in d.frames if str(f.get("type", "")).startswith("booking_")]
    for conn in (sup, sup2, v, c, d):
        await conn.close()


async def test_a_checked_in_booking_never_served_ends_missed(
    booking_hub: HubFixture, clock: Clock
) -> None:
    """Checked in, its ticket never called: at midnight (here noticed at the next start)
    the ticket expires and the booking ends `missed`, in the log and in the table."""
    v = await visitor(booking_hub)
    b = (await book(v, slot("10:00")))["booking"]
    k = await raw.kiosk(booking_hub)
    clock.at = at("09:40")
    await k.ok("check_in", code=b["code"])
    await k.close()
    await v.close()
    await booking_hub.stop()
    clock.at = at("08:00", date(2026, 12, 1))
    await booking_hub.start(clock=clock, visitor_limit=100_000)
    v = await visitor(booking_hub)
    assert (await v.ok("booking", token=b["token"]))["booking"]["state"] == "missed"
    await v.close()
    db = sqlite3.connect(booking_hub.db)
    kinds = [r[0] for r in db.execute("SELECT type FROM events ORDER BY seq")]
    (state,) = db.execute("SELECT state FROM bookings WHERE id = ?", (b["id"],)).fetchone()
    db.close()
    assert state == "missed"
    assert kinds.index("ticket_expired") < kinds.index("booking_missed") < kinds.index("day_rolled")


async def test_bookings_survive_a_restart_and_the_table_matches_the_events(
    booking_hub: HubFixture, clock: Clock
) -> None:
    v = await visitor(booking_hub)
    a = (await book(v, slot("09:00")))["booking"]
    b = (await book(v, slot("09:00", date(2026, 12, 2)), mobile=mobile(1)))["booking"]
    c = (await book(v, slot("10:00"), mobile=mobile(2)))["booking"]
    await v.ok("move_booking", token=b["token"], start=slot("10:30", date(2026, 12, 3)))
    await v.ok("cancel_booking", token=c["token"])
    await v.close()
    await booking_hub.stop()
    clock.at = at("08:00", date(2026, 12, 1))  # the next morning: a new day
    await booking_hub.start(clock=clock, visitor_limit=100_000)
    v = await visitor(booking_hub)
    assert (await v.ok("booking", token=a["token"]))["booking"]["state"] == "no_show"
    moved = (await v.ok("booking", token=b["token"]))["booking"]
    assert moved["start"] == slot("10:30", date(2026, 12, 3)) and moved["code"] == b["code"]
    # a past day's booking is still shown (from its table), but no longer live
    assert (await v.ok("booking", token=c["token"]))["booking"]["state"] == "cancelled"
    await v.error("cancel_booking", "not_found", token=a["token"])
    await v.close()
    # the table is what the raw events say
    db = sqlite3.connect(booking_hub.db)
    rows = {r[0]: json.loads(r[1]) for r in db.execute("SELECT id, data FROM bookings")}
    events = [json.loads(r[0]) for r in db.execute("SELECT payload FROM events ORDER BY seq")]
    dump = "\n".join(db.iterdump())
    db.close()
    recount = Bookings(load_demo(), TZ)
    for ev in events:
        if ev["type"].startswith("booking_"):
            recount.apply(ev)
    assert rows == recount.live
    assert MOBILE not in dump and mobile(1) not in dump  # never the whole number


async def test_visitors_are_rate_limited_per_address(hub: HubFixture, clock: Clock) -> None:
    await hub.stop()
    await hub.start(clock=clock, visitor_limit=5, visitor_window=600)
    v = await visitor(hub)  # 1
    for _ in range(4):  # 2..5
        await v.ok("slots", service="MZ-03", day="2026-11-30")
    await v.error("slots", "rate_limited", service="MZ-03", day="2026-11-30")
    with pytest.raises(raw.Refused) as refused:
        await visitor(hub)
    assert refused.value.code == "rate_limited"
    await v.close()


async def test_wait_until_booking_event(booking_hub: HubFixture) -> None:
    """A booking reaches the clerk of a window that serves the service, as it is made."""
    c = await raw.counter(booking_hub, 13)
    v = await visitor(booking_hub)
    await book(v, slot("09:00"))
    await wait_for(lambda: any(f.get("type") == "booking_made" for f in c.frames))
    await v.close()
    await c.close()
