"""预约 in the engine: booked tickets in the calling order (``appointment``), check-in, no-shows.

The test hall's MZ-01 takes bookings here (09:00-12:00 on working days, 30-minute
slots of 5, check-in 30 min before to 15 min after); the day is Thursday 2026-11-26.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from engine_helpers import DAY, KIOSK, Desk, at, make_hall

from hub.bookings import digest
from hub.calendar import WeekHours
from hub.catalogue import BookingConf, Hall
from hub.engine import Actor, BookingKeys, Engine

VISITOR = Actor("visitor", "page-1")
MORNING = ((540, 720),)


def booking_hall(**policy: int) -> Hall:
    hall = make_hall(**policy)
    conf = BookingConf(capacity=5, hours=WeekHours((MORNING,) * 5 + ((), ())))
    services = tuple(replace(s, booking=conf) if s.code == "MZ-01" else s for s in hall.services)
    return replace(hall, services=services)


def code_of(booking_id: str) -> str:
    return f"CODE{booking_id.upper()}"


KEYS = BookingKeys(
    credentials=lambda bid, attempt: (digest(f"token-{bid}"), digest(code_of(bid))),
    mobile_hash=lambda digits: digest(f"salt/{digits}"),
)


@pytest.fixture
def desk() -> Desk:
    return Desk(Engine(booking_hall(), DAY, booking_keys=KEYS))


def book(desk: Desk, clock: str, n: int) -> dict[str, Any]:
    start = at(f"{clock}:00").isoformat(timespec="microseconds")
    cmd = {
        "type": "book",
        "service": "MZ-01",
        "start": start,
        "name": "王芳",
        "mobile": f"1390000000{n}",
    }
    return dict(desk.run(VISITOR, cmd, at("08:00:00"))["booking"])


def check_in(desk: Desk, b: dict[str, Any], clock: str) -> str:
    result = desk.run(KIOSK, {"type": "check_in", "code": code_of(b["id"])}, at(clock))
    return str(result["ticket"]["id"])


def call(desk: Desk, clock: str) -> tuple[str, str]:
    """call_next at window 1 and serve the ticket at once; (number, reason)."""
    tid, reason = desk.call_next(1, at(clock))
    desk.start(1, at(clock))
    desk.finish(1, at(clock))
    return desk.ticket(tid)["number"], reason


def test_calling_order_with_bookings_priority_and_overdue(desk: Desk) -> None:
    x = book(desk, "09:30", 1)
    y = book(desk, "10:00", 2)
    desk.open(1, at("08:30:00"))
    n0 = desk.issue("MZ-01", at("08:50:00"))  # A001: overdue from 09:35
    n1 = desk.issue("MZ-01", at("09:05:00"))  # A002
    bx = check_in(desk, x, "09:10:00")  # A003: early for 09:30
    p1 = desk.issue("MZ-01", at("09:12:00"), priority="priority")  # A004
    n2 = desk.issue("MZ-01", at("09:15:00"))  # A005
    n3 = desk.issue("MZ-01", at("09:20:00"))  # A006
    by = check_in(desk, y, "09:35:00")  # A007: early for 10:00
    numbers = {t: desk.ticket(t)["number"] for t in (n0, n1, bx, p1, n2, n3, by)}
    assert desk.ticket(bx)["booking"]["start"] == x["start"]
    order = [
        call(desk, "09:36:00"),  # the overdue rule wins over everything
        call(desk, "09:37:00"),  # X's slot has started: ahead of the walk-ins
        call(desk, "09:38:00"),  # the priority ticket
        call(desk, "09:39:00"),  # two in a row went ahead: the run cap calls a walk-in
        call(desk, "09:40:00"),  # Y checked in early: it waits like a walk-in
        call(desk, "10:01:00"),  # Y's slot has started: ahead of the older walk-in N3
        call(desk, "10:02:00"),
    ]
    assert order == [
        (numbers[n0], "overdue"),
        (numbers[bx], "appointment"),
        (numbers[p1], "priority"),
        (numbers[n1], "fifo"),
        (numbers[n2], "fifo"),
        (numbers[by], "appointment"),
        (numbers[n3], "fifo"),
    ]


def test_appointments_share_the_priority_run_cap(desk: Desk) -> None:
    bookings = [book(desk, "09:00", i) for i in range(4)]
    desk.open(1, at("08:30:00"))
    walk_in = desk.issue("MZ-01", at("08:40:00"))
    tickets = [check_in(desk, b, f"08:4{i + 1}:00") for i, b in enumerate(bookings)]
    reasons = [call(desk, f"09:0{i}:00") for i in range(5)]
    assert [r for _, r in reasons] == [
        "appointment",
        "appointment",
        "fifo",
        "appointment",
        "appointment",
    ]
    assert reasons[2][0] == desk.ticket(walk_in)["number"]
    assert {desk.ticket(t)["state"] for t in tickets} == {"done"}


def test_place_in_line_of_an_early_check_in(desk: Desk) -> None:
    x = book(desk, "10:00", 1)
    desk.open(1, at("08:30:00"))
    desk.issue("MZ-01", at("09:30:00"))
    bx = check_in(desk, x, "09:31:00")
    assert desk.engine.position(bx, at("09:32:00"))[0] == 1  # behind the walk-in
    w2 = desk.issue("MZ-01", at("09:33:00"))
    assert desk.engine.position(w2, at("09:40:00"))[0] == 2
    # once the slot starts the booked ticket goes first
    assert desk.engine.position(bx, at("10:00:00"))[0] == 0
    assert desk.engine.position(w2, at("10:00:00"))[0] == 2


def test_no_show_and_the_day_roll(desk: Desk) -> None:
    x = book(desk, "09:00", 1)
    y = book(desk, "11:00", 2)
    assert desk.engine.sweep(at("09:44:59")) == []
    gone = desk.engine.sweep(at("09:45:00"))
    assert [(e["type"], e["booking"]["id"]) for e in gone] == [("booking_no_show", x["id"])]
    assert desk.engine.metrics(at("09:46:00"))["hall"]["bookings"] == {
        "checked_in": 0,
        "no_show": 1,
    }
    rolled = desk.roll(at("00:00:01", DAY.replace(day=27)))
    types = [e["type"] for e in rolled]
    assert types[0] == "booking_no_show" and rolled[0]["booking"]["id"] == y["id"]
    assert types[-1] == "day_rolled"
    assert desk.engine.bookings.live == {}  # yesterday's are final and forgotten
    assert desk.engine.metrics(at("00:00:02", DAY.replace(day=27)))["hall"]["bookings"] == {
        "checked_in": 0,
        "no_show": 0,
    }


def test_the_reserved_share_of_the_quota() -> None:
    hall = booking_hall()
    conf = BookingConf(capacity=5, reserved_share=0.3, hours=WeekHours((MORNING,) * 5 + ((), ())))
    services = tuple(
        replace(s, quota=10, booking=conf) if s.code == "MZ-01" else s for s in hall.services
    )
    desk = Desk(Engine(replace(hall, services=services), DAY, booking_keys=KEYS))
    made = [book(desk, "09:00", i) for i in range(3)]  # 30% of 10 held for bookings
    start = at("10:00:00").isoformat(timespec="microseconds")
    cmd = {
        "type": "book",
        "service": "MZ-01",
        "start": start,
        "name": "王芳",
        "mobile": "13900000009",
    }
    desk.refuse(VISITOR, cmd, at("08:00:00"), "slot_full")
    slots = desk.engine.bookings.slots("MZ-01", DAY, at("08:00:00"))
    assert {s["left"] for s in slots} == {0}
    for i in range(7):  # walk-ins get the other 7
        desk.issue("MZ-01", at(f"08:1{i}:00"))
    desk.refuse(KIOSK, {"type": "issue", "service": "MZ-01"}, at("08:20:00"), "quota_full")
    # the booked citizens still get their tickets: their places were held
    assert all(check_in(desk, b, "08:45:00") for b in made)


def test_a_hub_down_for_days_closes_the_bookings_of_the_days_it_missed() -> None:
    desk = Desk(Engine(booking_hall(), DAY, booking_keys=KEYS))
    friday = at("09:00:00", DAY.replace(day=27)).isoformat(timespec="microseconds")
    cmd = {
        "type": "book",
        "service": "MZ-01",
        "start": friday,
        "name": "王芳",
        "mobile": "13900000001",
    }
    b = desk.run(VISITOR, cmd, at("08:00:00"))["booking"]
    rolled = desk.roll(at("08:00:00", DAY.replace(day=30)))  # back on Monday
    assert [(e["type"], e["booking"]["id"]) for e in rolled if "booking" in e] == [
        ("booking_no_show", b["id"])
    ]
    assert desk.engine.bookings.live == {}
