"""A prepared day in a small hall, as `welcome` frames: no network (snapshot and unit tests)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 10, 30, 0, tzinfo=TZ)


def at(hh: int, mm: int, ss: int = 0) -> str:
    return datetime(2026, 11, 26, hh, mm, ss, tzinfo=TZ).isoformat(timespec="microseconds")


HALL: dict[str, Any] = {
    "id": "test",
    "name": "万柏林区政务服务中心",
    "name_en": "Wanbailin District Government Service Center",
    "timezone": "Asia/Shanghai",
    "departments": [
        {"code": "MZ", "name": "民政局", "name_en": "Civil Affairs", "prefix": "A"},
        {"code": "GA", "name": "公安局", "name_en": "Public Security", "prefix": "G"},
        {"code": "RS", "name": "人社局", "name_en": "Human Resources", "prefix": "R"},
        {"code": "SC", "name": "市场监管局", "name_en": "Market Regulation", "prefix": "K"},
    ],
    "services": [
        {
            "code": "MZ-01",
            "department": "MZ",
            "name": "社会团体审批",
            "name_en": "Social groups",
            "prefix": "A",
            "minutes": 15,
            "guide": {},
        },
        {
            "code": "MZ-02",
            "department": "MZ",
            "name": "婚姻登记",
            "name_en": "Marriage registration",
            "prefix": "A",
            "minutes": 10,
            "guide": {},
        },
        {
            "code": "GA-01",
            "department": "GA",
            "name": "户籍办理",
            "name_en": "Household registration",
            "prefix": "G",
            "minutes": 10,
            "guide": {},
        },
        {
            "code": "RS-01",
            "department": "RS",
            "name": "社保卡办理",
            "name_en": "Social security card",
            "prefix": "R",
            "minutes": 8,
            "guide": {},
        },
        {
            "code": "SC-01",
            "department": "SC",
            "name": "营业执照",
            "name_en": "Business licence",
            "prefix": "K",
            "minutes": 20,
            "guide": {},
        },
    ],
    "windows": [
        {"number": 1, "name": "1号窗口", "name_en": "Window 1", "services": ["MZ-01", "MZ-02"]},
        {"number": 2, "name": "2号窗口", "name_en": "Window 2", "services": ["MZ-02"]},
        {"number": 3, "name": "3号窗口", "name_en": "Window 3", "services": ["GA-01"]},
        {"number": 4, "name": "4号窗口", "name_en": "Window 4", "services": ["GA-01"]},
        {"number": 5, "name": "5号窗口", "name_en": "Window 5", "services": ["RS-01"]},
        {"number": 6, "name": "6号窗口", "name_en": "Window 6", "services": ["SC-01"]},
        {"number": 7, "name": "7号窗口", "name_en": "Window 7", "services": ["SC-01"]},
        {"number": 8, "name": "8号窗口", "name_en": "Window 8", "services": ["MZ-01", "GA-01"]},
    ],
    "policy": {"max_wait_minutes": 45, "priority_run": 2},
}


def ticket(
    number: str,
    service: str,
    state: str,
    *,
    window: int | None = None,
    queued: str,
    called: str | None = None,
    started: str | None = None,
    ended: str | None = None,
    recalls: int = 0,
    staff: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    dept = service.split("-")[0]
    t: dict[str, Any] = {
        "id": f"20261126-{number}",
        "number": number,
        "service": service,
        "department": dept,
        "priority": "normal",
        "state": state,
        "issued_at": queued,
        "queued_at": queued,
        "called_at": called,
        "started_at": started,
        "ended_at": ended,
        "window": window,
        "target_window": None,
        "recalls": recalls,
        "first_responsible": None,
        "handoffs": [],
    }
    if staff is not None:  # fields only staff see
        t["staff"] = staff
        t["note"] = note
        if started:
            t["first_responsible"] = {"staff": staff, "window": window}
    return t


def _tickets(private: bool) -> list[dict[str, Any]]:
    s = (lambda x: x) if private else (lambda x: None)  # noqa: E731
    return [
        ticket(
            "A001",
            "MZ-01",
            "done",
            window=1,
            queued=at(9, 0),
            called=at(9, 5),
            started=at(9, 6),
            ended=at(9, 20),
            staff=s("c001"),
            note=s("材料齐全 SECRET-NOTE"),
        ),
        ticket(
            "A002",
            "MZ-02",
            "serving",
            window=2,
            queued=at(9, 10),
            called=at(10, 12),
            started=at(10, 13),
            staff=s("c002"),
        ),
        ticket("G001", "GA-01", "no_show", window=3, queued=at(9, 20), called=at(10, 1)),
        ticket(
            "G002",
            "GA-01",
            "serving",
            window=3,
            queued=at(9, 25),
            called=at(10, 20),
            started=at(10, 21),
            staff=s("c003"),
        ),
        ticket("R007", "RS-01", "called", window=5, queued=at(9, 30), called=at(10, 28), recalls=1),
        ticket("K012", "SC-01", "called", window=6, queued=at(9, 40), called=at(10, 29, 30)),
        ticket("A003", "MZ-01", "waiting", queued=at(9, 35)),  # waited 55 min: overdue
        ticket("A004", "MZ-02", "waiting", queued=at(10, 15)),
        ticket("G003", "GA-01", "waiting", queued=at(10, 22)),
        ticket("M001", "SC-01", "waiting", queued=at(10, 25)),
    ]


def _windows(private: bool) -> list[dict[str, Any]]:
    def w(
        n: int, state: str, current: str | None = None, staff: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        conf = next(c for c in HALL["windows"] if c["number"] == n)
        out = {**conf, "state": state, "current": current, "pause_reason": None, **extra}
        if private:
            out["staff"] = staff
        return out

    return [
        w(1, "open", None, "c001", opened_at=at(8, 55)),
        w(2, "open", "20261126-A002", "c002", opened_at=at(8, 58)),
        w(3, "open", "20261126-G002", "c003", opened_at=at(9, 0)),
        w(
            4,
            "paused",
            None,
            "c004",
            pause_reason="系统维护",
            paused_at=at(10, 5),
            opened_at=at(9, 0),
        ),
        w(5, "open", "20261126-R007", "c005", opened_at=at(9, 0)),
        w(6, "open", "20261126-K012", "c006", opened_at=at(9, 0)),
        w(7, "closed"),
        w(8, "closed"),
    ]


RECENT = [
    {
        "ticket": "20261126-K012",
        "number": "K012",
        "window": 6,
        "at": at(10, 29, 30),
        "reason": "fifo",
    },
    {"ticket": "20261126-R007", "number": "R007", "window": 5, "at": at(10, 28), "reason": "fifo"},
    {"ticket": "20261126-G002", "number": "G002", "window": 3, "at": at(10, 20), "reason": "fifo"},
    {
        "ticket": "20261126-A002",
        "number": "A002",
        "window": 2,
        "at": at(10, 12),
        "reason": "priority",
    },
    {"ticket": "20261126-G001", "number": "G001", "window": 3, "at": at(10, 1), "reason": "fifo"},
    {"ticket": "20261126-A001", "number": "A001", "window": 1, "at": at(9, 5), "reason": "fifo"},
]

WAITING = {"MZ-01": 1, "MZ-02": 1, "GA-01": 1, "RS-01": 0, "SC-01": 1}
NOTICE = {"text": "今日 12:00-13:00 午休期间 3 号窗口暂停服务", "until": at(12, 0)}


def _metrics() -> dict[str, Any]:
    def wm(n: int, **kw: Any) -> dict[str, Any]:
        base = {
            "window": n,
            "received": 0,
            "completed": 0,
            "pending": 0,
            "transferred_in": 0,
            "transferred_out": 0,
            "no_show": 0,
            "completion_rate": None,
            "first_responsibility_closure_rate": None,
            "avg_wait_s": None,
            "avg_service_s": None,
            "on_duty_s": 0,
            "paused_s": 0,
            "ratings": {"count": 0, "avg": None},
        }
        return {**base, **kw}

    return {
        "day": "2026-11-26",
        "hall": {
            "issued": 10,
            "waiting": 4,
            "received": 3,
            "completed": 1,
            "pending": 0,
            "no_show": 1,
            "cancelled": 0,
            "completion_rate": 1 / 3,
            "first_responsibility_closure_rate": 1 / 3,
            "avg_wait_s": 1850.0,
            "max_wait_s": 3660.0,
            "avg_service_s": 840.0,
            "ratings": {"count": 2, "avg": 3.0},
        },
        "windows": [
            wm(
                1,
                received=1,
                completed=1,
                completion_rate=1.0,
                first_responsibility_closure_rate=1.0,
                avg_wait_s=300.0,
                avg_service_s=840.0,
                on_duty_s=5700,
                ratings={"count": 1, "avg": 5.0},
            ),
            wm(2, received=1, avg_wait_s=3720.0, on_duty_s=5520, transferred_in=1),
            wm(
                3,
                received=1,
                no_show=1,
                avg_wait_s=2820.0,
                on_duty_s=5400,
                transferred_out=1,
                ratings={"count": 1, "avg": 1.0},
            ),
            wm(4, on_duty_s=5400, paused_s=1500),
            wm(5, avg_wait_s=3480.0, on_duty_s=5400),
            wm(6, avg_wait_s=2970.0, on_duty_s=5400),
            wm(7),
            wm(8),
        ],
    }


def display_welcome() -> dict[str, Any]:
    """What a public display receives."""
    return copy.deepcopy(
        {
            "type": "welcome",
            "v": 1,
            "role": "display",
            "seq": 40,
            "day": "2026-11-26",
            "hall": HALL,
            "state": {
                "tickets": _tickets(False),
                "windows": _windows(False),
                "waiting": WAITING,
                "notice": NOTICE,
                "recent_calls": RECENT,
            },
        }
    )


def supervisor_welcome() -> dict[str, Any]:
    """What a supervisor receives: everything, with staff, notes, metrics, complaints, ratings."""
    return copy.deepcopy(
        {
            "type": "welcome",
            "v": 1,
            "role": "supervisor",
            "seq": 40,
            "day": "2026-11-26",
            "hall": HALL,
            "state": {
                "tickets": _tickets(True),
                "windows": _windows(True),
                "waiting": WAITING,
                "notice": NOTICE,
                "recent_calls": RECENT,
                "metrics": _metrics(),
                "complaints": [
                    {
                        "id": 1,
                        "ticket": "20261126-G001",
                        "number": "G001",
                        "text": "叫号太快没听见",
                        "at": at(10, 10),
                    }
                ],
                "ratings": [
                    {
                        "ticket": "20261126-A001",
                        "number": "A001",
                        "window": 1,
                        "level": 5,
                        "reason": None,
                        "at": at(9, 21),
                    },
                    {
                        "ticket": "20261126-G002",
                        "number": "G002",
                        "window": 3,
                        "level": 1,
                        "reason": "态度差 BAD-RATING",
                        "at": at(10, 25),
                    },
                ],
                "printer_faults": [
                    {"kiosk": "K1", "kind": "paper_out", "message": "缺纸", "at": at(10, 26)}
                ],
            },
        }
    )


def leaky_display_welcome() -> dict[str, Any]:
    """A display welcome carrying private fields a public board must still never show."""
    w = supervisor_welcome()
    w["role"] = "display"
    return w
