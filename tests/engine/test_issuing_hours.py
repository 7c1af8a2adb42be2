"""The engine's refusal of `issue` outside the hours or past the quota, and the staff override."""

from __future__ import annotations

from dataclasses import replace

from engine_helpers import KIOSK, SUPERVISOR, at, make_hall, new_desk

from hub.calendar import WeekHours
from hub.catalogue import Hall
from hub.engine import Actor, Engine

DAY = ((510, 720), (810, 1050))  # 08:30-12:00, 13:30-17:30 (2026-11-26 is a Thursday)
HOURS = WeekHours((DAY, DAY, DAY, DAY, DAY, (), ()))
DESK = Actor("desk", "d1")


def hall_with_hours(quota: int | None = None) -> Hall:
    hall = make_hall()
    services = tuple(replace(s, quota=quota) if s.code == "MZ-01" else s for s in hall.services)
    return replace(hall, hours=HOURS, services=services)


def test_refusal_changes_nothing_and_names_the_next_opening() -> None:
    desk = new_desk(hall_with_hours())
    e = desk.refuse(KIOSK, {"type": "issue", "service": "MZ-01"}, at("12:05:00"), "closed")
    assert e.extra == {"next_open": "2026-11-26T13:30:00.000000+08:00"}
    assert "13:30" in e.zh and "13:30" in e.en
    assert desk.run(KIOSK, {"type": "issue", "service": "MZ-01"}, at("13:30:00"))["ticket"]


def test_staff_override_issues_outside_hours_and_past_the_quota() -> None:
    desk = new_desk(hall_with_hours(quota=1))
    issue = {"type": "issue", "service": "MZ-01"}
    desk.refuse(KIOSK, {**issue, "override": True}, at("12:05:00"), "forbidden")
    assert desk.run(DESK, {**issue, "override": True}, at("12:05:00"))["ticket"]["number"] == "A001"
    # the overridden ticket counts toward the quota
    desk.refuse(KIOSK, issue, at("14:00:00"), "quota_full")
    assert desk.run(SUPERVISOR, {**issue, "override": True}, at("14:00:00"))["ticket"]


def test_the_count_is_rebuilt_by_replay() -> None:
    hall = hall_with_hours(quota=2)
    desk = new_desk(hall)
    for _ in range(2):
        desk.run(KIOSK, {"type": "issue", "service": "MZ-01"}, at("09:00:00"))
    again = Engine(hall, desk.engine.day)
    for ev in desk.events:
        again.apply(ev)  # type: ignore[arg-type]
    assert again.issued == {"MZ-01": 2}
