"""Period reports count what outlives the queue: complaints and their answers, bookings
checked in and missed, and the consultation desk's conversations (pure: the real engine's
events through hub/reports.py, figures checked by hand)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))
from engine_helpers import DAY, KIOSK, Desk, at, citizen, make_hall  # noqa: E402

from hub.bookings import digest  # noqa: E402
from hub.calendar import WeekHours  # noqa: E402
from hub.catalogue import BookingConf, Hall  # noqa: E402
from hub.engine import Actor, BookingKeys, Engine  # noqa: E402
from hub.reports import build_report, rollup_day  # noqa: E402

SUP = Actor("supervisor", "s001")
DESK = Actor("desk", "d001")
VISITOR = Actor("visitor", "page-1")
KEYS = BookingKeys(
    credentials=lambda bid, attempt: (digest(f"token-{bid}"), digest(f"CODE{bid.upper()}")),
    mobile_hash=lambda digits: digest(f"salt/{digits}"),
)


def hall() -> Hall:
    base = make_hall()
    conf = BookingConf(capacity=5, hours=WeekHours((((540, 720),),) * 5 + ((), ())))
    services = tuple(replace(s, booking=conf) if s.code == "MZ-01" else s for s in base.services)
    return replace(base, services=services)


def book(desk: Desk, clock: str, n: int) -> dict[str, Any]:
    cmd = {
        "type": "book",
        "service": "MZ-01",
        "start": at(f"{clock}:00").isoformat(timespec="microseconds"),
        "name": "王芳",
        "mobile": f"1390000000{n}",
    }
    return dict(desk.run(VISITOR, cmd, at("08:00:00"))["booking"])


def test_complaints_bookings_and_the_desk_in_the_period_report() -> None:
    h = hall()
    desk = Desk(Engine(h, DAY, booking_keys=KEYS))
    desk.open(1, at("08:30:00"))  # window 1 serves MZ-01 (the test hall)
    kept = book(desk, "09:30", 1)
    book(desk, "10:00", 2)  # never checks in: a no-show once its check-in closes
    desk.run(KIOSK, {"type": "check_in", "code": f"CODE{kept['id'].upper()}"}, at("09:10:00"))
    a = desk.issue("MZ-01", at("09:00:00"))
    b = desk.issue("MZ-01", at("09:01:00"))
    # two complaints from ticket pages: one answered after 2 h, one rejected
    c1 = desk.run(citizen(a), {"type": "complain", "text": "太慢"}, at("09:20:00"))["complaint"]
    c2 = desk.run(citizen(b), {"type": "complain", "text": "无关"}, at("09:21:00"))["complaint"]
    desk.run(SUP, {"type": "accept_complaint", "complaint": c1}, at("10:00:00"))
    desk.run(SUP, {"type": "answer_complaint", "complaint": c1, "text": "已整改"}, at("11:20:00"))
    desk.run(SUP, {"type": "reject_complaint", "complaint": c2, "reason": "无关"}, at("11:30:00"))
    # the desk: three conversations
    for outcome, minutes in (("answered", 3), ("guided", 2), ("referred", 5)):
        cmd = {"type": "consult", "topic": "MZ-01", "outcome": outcome, "minutes": minutes}
        desk.run(DESK, cmd, at("10:30:00"))
    # the hub's sweep after 10:45: the 10:00 booking's check-in closed, a no-show
    desk.events.extend(desk.engine.sweep(at("11:40:00")))
    events = desk.events
    assert any(e["type"] == "booking_no_show" for e in events)

    report = build_report(h, DAY, DAY, [rollup_day(h, DAY, events)], [])
    total = report["hall"]
    assert total["complaints"] == 2
    assert total["complaints_answered"] == 1 and total["complaints_rejected"] == 1
    assert total["avg_answer_s"] == 2 * 3600  # 09:20 received, 11:20 answered
    assert total["bookings_checked_in"] == 1 and total["bookings_no_show"] == 1
    assert total["consultations"] == 3 and total["consult_minutes"] == 10
    assert (total["consult_answered"], total["consult_guided"], total["consult_referred"]) == (
        1,
        1,
        1,
    )
    (service,) = [r for r in report["services"] if r["service"] == "MZ-01"]
    assert service["bookings_checked_in"] == 1 and service["bookings_no_show"] == 1
    (clerk,) = [r for r in report["clerks"] if r["clerk"] == "d001"]
    assert clerk["consultations"] == 3


def test_a_checked_in_booking_whose_ticket_is_not_served_ends_missed() -> None:
    """Checked in, then its ticket a no-show at the window or still waiting at midnight: the
    day's roll gives the booking its final state `missed` (booking_missed); a no-show
    requeued and served, or a ticket served, leaves it checked in. Reports count them."""
    h = hall()
    desk = Desk(Engine(h, DAY, booking_keys=KEYS))
    desk.open(1, at("08:30:00"))
    bookings = [book(desk, "09:30", n) for n in (1, 2, 3, 4)]
    tickets = []
    for b in bookings:  # all four check in, in this order
        cmd = {"type": "check_in", "code": f"CODE{b['id'].upper()}"}
        tickets.append(desk.run(KIOSK, cmd, at("09:10:00"))["ticket"]["id"])
    served, gone, back, waiting = tickets
    assert desk.call_next(1, at("09:30:00"))[0] == served
    desk.start(1, at("09:31:00"))
    desk.finish(1, at("09:40:00"))
    assert desk.call_next(1, at("09:41:00"))[0] == gone
    desk.no_show(1, at("09:45:00"))  # never comes back
    assert desk.call_next(1, at("09:46:00"))[0] == back
    desk.no_show(1, at("09:50:00"))
    desk.requeue(1, back, at("10:10:00"))  # came back: served after all
    desk.call(1, back, at("10:11:00"))  # called by its number, before `waiting`
    desk.start(1, at("10:12:00"))
    desk.finish(1, at("10:20:00"))
    # `waiting` is never called: it expires at midnight
    live = desk.engine.bookings.live
    assert all(live[b["id"]]["state"] == "checked_in" for b in bookings)  # until the day ends

    rolled = desk.roll(at("00:00:05", DAY + timedelta(days=1)))
    missed = [e for e in rolled if e["type"] == "booking_missed"]
    assert [e["booking"]["id"] for e in missed] == [bookings[1]["id"], bookings[3]["id"]]
    assert all(e["booking"]["state"] == "missed" for e in missed)
    assert [e["booking"]["ticket"] for e in missed] == [gone, waiting]
    # before the day_rolled (so in the day that ends), after the ticket's expiry
    kinds = [e["type"] for e in rolled]
    assert kinds.index("booking_missed") < kinds.index("day_rolled")
    assert max(i for i, k in enumerate(kinds) if k == "ticket_expired") < kinds.index(
        "booking_missed"
    )

    day_events = [e for e in desk.events if e["type"] != "day_rolled"]
    report = build_report(h, DAY, DAY, [rollup_day(h, DAY, day_events)], [])
    total = report["hall"]
    assert total["bookings_checked_in"] == 4 and total["bookings_missed"] == 2
    assert total["bookings_no_show"] == 0
    (service,) = [r for r in report["services"] if r["service"] == "MZ-01"]
    assert service["bookings_missed"] == 2
