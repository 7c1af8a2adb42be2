"""A prepared welcome for window 5 (no hub): the snapshots and the pure tests start from it."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 10, 30, 0, tzinfo=TZ)


def at(minutes_ago: float) -> str:
    """A protocol time `minutes_ago` before NOW."""
    return (NOW - timedelta(minutes=minutes_ago)).isoformat(timespec="microseconds")


HALL: dict[str, Any] = {
    "id": "test",
    "name": "万柏林区政务服务中心",
    "name_en": "Wanbailin District Government Service Center",
    "timezone": "Asia/Shanghai",
    "departments": [
        {"code": "MZ", "name": "民政局", "name_en": "Civil Affairs Bureau", "prefix": "A"},
        {"code": "GH", "name": "规划分局", "name_en": "Urban Planning Sub-bureau", "prefix": "D"},
        {"code": "SW", "name": "商务局", "name_en": "Commerce Bureau", "prefix": "H"},
    ],
    "services": [
        {
            "code": "MZ-01",
            "department": "MZ",
            "name": "社会团体成立登记",
            "name_en": "Social organisation registration",
            "prefix": "A",
            "minutes": 15,
        },
        {
            "code": "MZ-02",
            "department": "MZ",
            "name": "民办非企业单位登记",
            "name_en": "Private non-enterprise registration",
            "prefix": "A",
            "minutes": 15,
        },
        {
            "code": "GH-01",
            "department": "GH",
            "name": "建设工程规划许可",
            "name_en": "Construction planning permit",
            "prefix": "D",
            "minutes": 20,
        },
        {
            "code": "GH-02",
            "department": "GH",
            "name": "规划咨询",
            "name_en": "Planning enquiries",
            "prefix": "D",
            "minutes": 10,
        },
        {
            "code": "SW-01",
            "department": "SW",
            "name": "酒类零售许可",
            "name_en": "Liquor retail licence",
            "prefix": "H",
            "minutes": 10,
        },
    ],
    "windows": [
        {"number": 5, "name": "5号窗口", "name_en": "Window 5", "services": ["MZ-01", "MZ-02"]},
        {"number": 6, "name": "6号窗口", "name_en": "Window 6", "services": ["MZ-01"]},
        {"number": 9, "name": "9号窗口", "name_en": "Window 9", "services": ["GH-01", "GH-02"]},
        {"number": 12, "name": "12号窗口", "name_en": "Window 12", "services": ["SW-01"]},
    ],
    "policy": {"max_wait_minutes": 45, "priority_run": 2},
}


def ticket(number: str, service: str, state: str, queued: float, **kw: Any) -> dict[str, Any]:
    """A Ticket object of the test day."""
    t: dict[str, Any] = {
        "id": f"20261126-{number}",
        "number": number,
        "service": service,
        "department": service[:2],
        "priority": "normal",
        "state": state,
        "issued_at": at(queued),
        "queued_at": at(queued),
        "called_at": None,
        "started_at": None,
        "ended_at": None,
        "window": None,
        "staff": None,
        "target_window": None,
        "recalls": 0,
        "first_responsible": None,
        "handoffs": [],
        "note": None,
        "lang": "zh",
    }
    t.update(kw)
    return t


HANDOFF = {
    "from_window": 9,
    "from_staff": "c009",
    "to_service": "MZ-01",
    "to_window": None,
    "reason": "需民政局先行登记",
    "at": at(4),
}


def window(number: int, state: str, staff: str | None, **kw: Any) -> dict[str, Any]:
    """A Window object."""
    conf = next(w for w in HALL["windows"] if w["number"] == number)
    w = {
        **conf,
        "state": state,
        "staff": staff,
        "current": None,
        "pause_reason": None,
        "paused_at": None,
        "opened_at": at(90) if staff else None,
        "priority_streak": 0,
    }
    w.update(kw)
    return w


METRICS_5 = {
    "window": 5,
    "received": 6,
    "completed": 4,
    "pending": 1,
    "transferred_in": 1,
    "transferred_out": 1,
    "no_show": 1,
    "completion_rate": 4 / 6,
    "first_responsibility_closure_rate": 0.8,
    "avg_wait_s": 412.0,
    "avg_service_s": 655.5,
    "on_duty_s": 5400.0,
    "paused_s": 600.0,
    "ratings": {"count": 3, "avg": 4.67},
}


def welcome(current: str | None = None) -> dict[str, Any]:
    """Window 5 open for c001; `current` is None (idle), "called" or "serving"."""
    tickets = [
        ticket(
            "A008",
            "MZ-01",
            "done",
            80,
            called_at=at(70),
            started_at=at(69),
            ended_at=at(60),
            window=5,
            staff="c001",
            first_responsible={"staff": "c001", "window": 5},
        ),
        ticket(
            "A009",
            "MZ-02",
            "parked",
            60,
            called_at=at(50),
            started_at=at(49),
            ended_at=None,
            window=5,
            staff="c001",
            first_responsible={"staff": "c001", "window": 5},
        ),
        ticket(
            "A010",
            "MZ-01",
            "no_show",
            55,
            called_at=at(40),
            ended_at=at(38),
            window=5,
            staff="c001",
        ),
        ticket("A013", "MZ-01", "waiting", 18),
        ticket("A014", "MZ-02", "waiting", 9, priority="priority"),
        ticket("A015", "MZ-01", "waiting", 3),
        ticket(
            "D004",
            "MZ-01",
            "waiting",
            4,
            department="MZ",
            issued_at=at(30),
            handoffs=[HANDOFF],
            first_responsible={"staff": "c009", "window": 9},
        ),
        ticket("A011", "MZ-01", "waiting", 50),  # overdue? no: 50 min > 45 → overdue
        ticket("D005", "GH-01", "waiting", 7),
    ]
    windows = [
        window(5, "open", "c001"),
        window(6, "paused", "c006", pause_reason="午休"),
        window(9, "open", "c009"),
        window(12, "closed", None),
    ]
    recent_calls: list[dict[str, Any]] = []
    if current:
        cur = ticket(
            "A012", "MZ-01", "called", 20, called_at=at(1.5), window=5, staff="c001", recalls=1
        )
        if current == "serving":
            cur = ticket(
                "D003",
                "MZ-01",
                "serving",
                25,
                department="MZ",
                issued_at=at(40),
                called_at=at(12),
                started_at=at(10),
                window=5,
                staff="c001",
                priority="priority",
                handoffs=[{**HANDOFF, "at": at(25)}],
                first_responsible={"staff": "c009", "window": 9},
            )
        tickets.append(cur)
        windows[0]["current"] = cur["id"]
        recent_calls.append(
            {
                "ticket": cur["id"],
                "number": cur["number"],
                "window": 5,
                "at": cur["called_at"],
                "reason": "transferred" if current == "serving" else "fifo",
            }
        )
    waiting: dict[str, int] = {}
    for t in tickets:
        if t["state"] == "waiting":
            waiting[t["service"]] = waiting.get(t["service"], 0) + 1
    return copy.deepcopy(
        {
            "type": "welcome",
            "v": 1,
            "role": "counter",
            "seq": 120,
            "day": "2026-11-26",
            "hall": HALL,
            "state": {
                "tickets": tickets,
                "windows": windows,
                "waiting": waiting,
                "notice": None,
                "recent_calls": recent_calls,
                "metrics": {"day": "2026-11-26", "hall": {}, "windows": [METRICS_5]},
            },
        }
    )
