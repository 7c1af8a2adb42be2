"""The case book (hub/cases.py) driven by the engine: one case per ticket across a handoff,
a started ticket that expires stays open as promised, replays rebuild the same book, and
refused case commands change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from engine_helpers import DAY, Desk, at, clerk, make_hall, new_desk, state_of, via_json

from hub.cases import case_id_for, urgency
from hub.catalogue import Hall
from hub.engine import Engine


def promised_hall() -> Hall:
    """The test hall with MZ-01 promised in 3 working days."""
    hall = make_hall()
    services = tuple(
        replace(s, time_limit_days=3) if s.code == "MZ-01" else s for s in hall.services
    )
    return replace(hall, services=services)


def opened(d: Desk) -> list[str]:
    return [e["case"]["id"] for e in d.events if e["type"] == "case_opened"]


def test_a_handoff_keeps_one_case() -> None:
    d = new_desk()
    for w in (1, 3):
        d.open(w, at("08:55:00"))
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call_next(1, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.transfer(1, at("09:05:00"), "GH-01", 3)
    d.call_next(3, at("09:06:00"))
    started = d.start(3, at("09:07:00"))
    assert started["case"] == tid and opened(d) == [tid]
    d.finish(3, at("09:20:00"))
    done = d.last[-1]
    assert done["type"] == "case_completed"
    c = done["case"]
    # received at window 1 by c1 (MZ), completed at window 3 by c3
    assert (c["window"], c["clerk"], c["service"], c["department"]) == (1, "c1", "MZ-01", "MZ")
    assert (c["completed_window"], c["completed_by"], c["kind"]) == (3, "c3", "instant")
    assert d.engine.cases.open == {}


def test_a_promised_service_is_due_in_working_days_and_expiry_leaves_it_open() -> None:
    d = new_desk(promised_hall())
    d.open(1, at("08:55:00"))
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call_next(1, at("09:01:00"))
    d.start(1, at("09:02:00"))
    c = d.engine.cases.open[tid]
    # Thursday 26 Nov 2026 + 3 working days: Tue 1 Dec (the weekend does not count)
    assert (c["kind"], c["due"], c["due_soon_from"]) == ("promised", "2026-12-01", "2026-11-27")
    d.park(1, at("09:10:00"))
    events = d.roll(at("00:00:00", date(2026, 11, 27)))
    assert [e["type"] for e in events] == ["ticket_expired", "day_rolled"]  # already promised
    assert d.engine.cases.open[tid]["state"] == "open"
    hall = d.engine.hall
    assert urgency(c, date(2026, 11, 30), hall) == "due_soon"
    assert urgency(c, date(2026, 12, 2), hall) == "overdue"
    assert urgency(c, date(2026, 11, 26), hall) is None


def test_replaying_the_events_rebuilds_the_book_and_refusals_change_nothing() -> None:
    d = new_desk()
    d.open(1, at("08:55:00"))
    d.open(3, at("08:55:00"))
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call_next(1, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.finish(1, at("09:10:00"), "pending")
    assert d.last[-1]["type"] == "case_changed"  # an instant service left pending: promised
    assert d.engine.cases.open[tid]["due"] == DAY.isoformat()
    replayed = Engine(d.engine.hall, DAY)
    for ev in via_json(d.events):
        replayed.apply(ev)
    assert replayed.cases == d.engine.cases
    now = at("10:00:00")
    d.refuse(clerk(3), {"type": "complete_case", "case": tid}, now, "not_your_department")
    d.refuse(clerk(1), {"type": "complete_case", "case": "nope"}, now, "unknown_case")
    d.refuse(clerk(1), {"type": "return_case", "case": tid, "reason": " "}, now, "bad_args")
    before = state_of(d.engine, now)
    d.run(clerk(1), {"type": "return_case", "case": tid, "reason": "材料不齐"}, now)
    assert state_of(d.engine, now) != before
    d.refuse(clerk(1), {"type": "complete_case", "case": tid}, now, "case_closed")


def test_step_cases_of_a_multi_step_visit() -> None:
    t = {"id": "20261126-A001", "service": "B", "steps": [{"service": "A"}, {"service": "B"}]}
    assert case_id_for(t) == "20261126-A001-2"
    assert case_id_for({"id": "20261126-A001", "service": "A", "case": None}) == "20261126-A001"
