"""Today's hours for boards and ticket pages, and the supervisor's closing-time forecast:
how many tickets are still waiting at closing time and when the last one is expected done."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.calendar import WeekHours
from hub.catalogue import load_demo
from hub.engine import Actor, Engine

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)  # a Tuesday
WEEK = WeekHours((((510, 720), (810, 1050)),) * 5 + ((), ()))


def engine(cutoff: int = 30) -> Engine:
    return Engine(replace(load_demo(), hours=WEEK, cutoff_minutes=cutoff), DAY)


def at(hh: int, mm: int) -> datetime:
    return datetime(2026, 12, 1, hh, mm, tzinfo=TZ)


def test_today_hours() -> None:
    e = engine()
    assert e.today_hours() == {
        "day": "2026-12-01",
        "hours": ["08:30-12:00", "13:30-17:30"],
        "issuing_until": "17:00",
        "closes_at": "17:30",
    }
    assert Engine(load_demo(), DAY).today_hours() is None  # always open
    sat = Engine(replace(load_demo(), hours=WEEK), date(2026, 12, 5))
    assert sat.today_hours() == {
        "day": "2026-12-05",
        "hours": [],
        "issuing_until": None,
        "closes_at": None,
    }
    assert sat.closing(datetime(2026, 12, 5, 10, 0, tzinfo=TZ)) is None


def test_waiting_at_closing_and_the_expected_finish() -> None:
    e = engine(cutoff=0)
    kiosk = Actor("kiosk", "K1")
    clerk = next(s for s in e.hall.staff if 13 in s.windows and not s.supervisor)
    e.execute(Actor("counter", clerk.id, 13), {"type": "open_window"}, at(16, 0))
    svc = e.hall.service("MZ-01")
    assert svc is not None
    # 12 tickets of MZ-01 at one window at 17:00: one every `minutes` from now
    for i in range(12):
        e.execute(kiosk, {"type": "issue", "service": "MZ-01"}, at(17, 0) + timedelta(seconds=i))
    now = at(17, 1)
    c = e.closing(now)
    assert c is not None
    assert c["closes_at"] == "2026-12-01T17:30:00.000000+08:00"
    waits = sorted(e.position(t, now)[0] for t in e.tickets)
    assert waits == list(range(12))
    per = e.service_s("MZ-01")
    called = [now + timedelta(seconds=per * i) for i in range(12)]
    assert c["waiting_at_close"] == sum(1 for x in called if x >= at(17, 30))
    assert c["waiting_at_close"] > 0 and c["unserved"] == 0
    finish = datetime.fromisoformat(c["finish_at"])
    assert abs((finish - (called[-1] + timedelta(seconds=per))).total_seconds()) < 1
    # a service no open window serves: counted, and no finish time can be told
    e.execute(kiosk, {"type": "issue", "service": "GH-01"}, at(17, 2))
    c = e.closing(at(17, 2))
    assert c is not None and c["unserved"] == 1 and c["finish_at"] is None
