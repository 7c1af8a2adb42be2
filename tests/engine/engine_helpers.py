"""A small hall and a driver for the engine tests: commands in, events collected, state compared.

The hall (Asia/Shanghai, policy max_wait 45 min, priority_run 2)::

    department MZ 民政局   prefix A   services MZ-01 (10 min), MZ-02 (20 min)
    department GH 规划分局 prefix B   services GH-01 (15 min), GH-02 (30 min, own prefix C)
    window 1  MZ-01 MZ-02   clerk c1
    window 2  MZ-01 GH-01   clerk c2
    window 3  GH-01 GH-02   clerk c3
    window 4  GH-02         clerk c4 (stays closed in most tests)
    clerk c9 may use any window; s1 is the supervisor.

Times are hall-local: ``at("09:15:30")`` is 2026-11-26 09:15:30 +08:00.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub.catalogue import Department, Hall, Policy, Service, StaffConf, WindowConf
from hub.engine import Actor, Engine, EngineError

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 26)

KIOSK = Actor("kiosk", "K1")
SUPERVISOR = Actor("supervisor", "s1")


def make_hall(max_wait_minutes: int = 45, priority_run: int = 2) -> Hall:
    """The test hall, with the calling policy given."""
    return Hall(
        id="test",
        name="测试政务服务中心",
        name_en="Test Government Service Center",
        timezone="Asia/Shanghai",
        departments=(
            Department("MZ", "民政局", "Civil Affairs Bureau", "A"),
            Department("GH", "规划分局", "Planning Branch", "B"),
        ),
        services=(
            Service("MZ-01", "MZ", "社会团体审批", "Social organisation approval", "A", 10),
            Service(
                "MZ-02", "MZ", "民办非企业单位登记", "Private non-enterprise registration", "A", 20
            ),
            Service("GH-01", "GH", "建设工程规划许可", "Construction planning permit", "B", 15),
            Service(
                "GH-02", "GH", "乡村建设规划许可", "Rural construction planning permit", "C", 30
            ),
        ),
        windows=(
            WindowConf(1, "1号窗口", "Window 1", ("MZ-01", "MZ-02")),
            WindowConf(2, "2号窗口", "Window 2", ("MZ-01", "GH-01")),
            WindowConf(3, "3号窗口", "Window 3", ("GH-01", "GH-02")),
            WindowConf(4, "4号窗口", "Window 4", ("GH-02",)),
        ),
        staff=(
            StaffConf("c1", "张敏", (1,)),
            StaffConf("c2", "李强", (2,)),
            StaffConf("c3", "王芳", (3,)),
            StaffConf("c4", "赵磊", (4,)),
            StaffConf("c9", "陈静", (1, 2, 3, 4)),
            StaffConf("s1", "刘洋", (), supervisor=True),
        ),
        policy=Policy(max_wait_minutes=max_wait_minutes, priority_run=priority_run),
    )


def at(clock: str, day: date = DAY) -> datetime:
    """A hall-local instant: ``at("09:15:30")`` on 2026-11-26 (+08:00)."""
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(day.year, day.month, day.day, h, m, s, tzinfo=SHANGHAI)


def clerk(window: int, staff: str | None = None) -> Actor:
    """The counter actor of a window (its own clerk c<N> unless `staff` is given)."""
    return Actor("counter", staff or f"c{window}", window)


def citizen(ticket_id: str) -> Actor:
    """The citizen holding a ticket."""
    return Actor("citizen", ticket_id)


def state_of(engine: Engine, now: datetime) -> dict[str, Any]:
    """A deep copy of everything the engine holds, plus its metrics as of `now`."""
    skip = {"hall", "tz", "token_hash_of", "_line_up"}  # _line_up: a cache of the state
    out = {k: copy.deepcopy(v) for k, v in vars(engine).items() if k not in skip}
    out["metrics"] = engine.metrics(now)
    return out


def via_json(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as the store keeps them (JSON text) and reads them back."""
    return [json.loads(json.dumps(ev, ensure_ascii=False)) for ev in events]


class Desk:
    """Drives one engine like the hub does: every command's events are kept in order."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.events: list[dict[str, Any]] = []
        self.last: list[dict[str, Any]] = []

    # --- generic

    def run(self, actor: Actor, cmd: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Execute one command; its events are appended to `events` and kept in `last`."""
        result, events = self.engine.execute(actor, cmd, now)
        self.last = events
        self.events.extend(events)
        return result

    def refuse(self, actor: Actor, cmd: dict[str, Any], now: datetime, code: str) -> EngineError:
        """Assert the command is refused with `code` and that nothing at all changed."""
        before = state_of(self.engine, now)
        with pytest.raises(EngineError) as info:
            self.engine.execute(actor, cmd, now)
        assert info.value.code == code, (
            f"{cmd}: {info.value.code} ({info.value.en}), expected {code}"
        )
        assert info.value.zh and info.value.en
        assert state_of(self.engine, now) == before, f"{cmd} was refused but changed the state"
        return info.value

    def roll(self, now: datetime) -> list[dict[str, Any]]:
        """The day roll the hub runs before every batch."""
        events = self.engine.roll_day(now)
        self.last = events
        self.events.extend(events)
        return events

    def ticket(self, tid: str) -> dict[str, Any]:
        """The engine's current Ticket object."""
        return self.engine.tickets[tid]

    def state(self, tid: str) -> str:
        """The ticket's state."""
        return str(self.engine.tickets[tid]["state"])

    # --- kiosk and citizen

    def issue(self, service: str, now: datetime, priority: str = "normal") -> str:
        """Issue a ticket; its id."""
        result = self.run(KIOSK, {"type": "issue", "service": service, "priority": priority}, now)
        return str(result["ticket"]["id"])

    def cancel(self, tid: str, now: datetime) -> dict[str, Any]:
        return self.run(citizen(tid), {"type": "cancel"}, now)

    def rate(
        self, tid: str, level: int, now: datetime, reason: str | None = None
    ) -> dict[str, Any]:
        cmd: dict[str, Any] = {"type": "rate", "level": level}
        if reason is not None:
            cmd["reason"] = reason
        return self.run(citizen(tid), cmd, now)

    # --- counter

    def open(self, window: int, now: datetime, staff: str | None = None) -> dict[str, Any]:
        return self.run(clerk(window, staff), {"type": "open_window"}, now)

    def call_next(self, window: int, now: datetime) -> tuple[str, str]:
        """call_next at the window; (ticket id, reason)."""
        result = self.run(clerk(window), {"type": "call_next"}, now)
        return str(result["ticket"]["id"]), str(result["reason"])

    def call(self, window: int, tid: str, now: datetime) -> dict[str, Any]:
        return self.run(clerk(window), {"type": "call", "ticket": tid}, now)

    def recall(self, window: int, now: datetime) -> dict[str, Any]:
        return self.run(clerk(window), {"type": "recall"}, now)

    def start(self, window: int, now: datetime) -> dict[str, Any]:
        return self.run(clerk(window), {"type": "start"}, now)

    def finish(self, window: int, now: datetime, outcome: str = "done") -> dict[str, Any]:
        return self.run(clerk(window), {"type": "finish", "outcome": outcome}, now)

    def transfer(
        self,
        window: int,
        now: datetime,
        service: str,
        to_window: int | None = None,
        reason: str = "非本窗口事项",
    ) -> dict[str, Any]:
        cmd: dict[str, Any] = {"type": "transfer", "service": service, "reason": reason}
        if to_window is not None:
            cmd["window"] = to_window
        return self.run(clerk(window), cmd, now)

    def park(self, window: int, now: datetime, reason: str = "回去取材料") -> dict[str, Any]:
        return self.run(clerk(window), {"type": "park", "reason": reason}, now)

    def unpark(self, window: int, tid: str, now: datetime) -> dict[str, Any]:
        return self.run(clerk(window), {"type": "unpark", "ticket": tid}, now)

    def no_show(self, window: int, now: datetime) -> dict[str, Any]:
        return self.run(clerk(window), {"type": "no_show"}, now)

    def requeue(self, window: int, tid: str, now: datetime) -> dict[str, Any]:
        return self.run(clerk(window), {"type": "requeue", "ticket": tid}, now)

    def pause(self, window: int, now: datetime, reason: str = "临时离开") -> dict[str, Any]:
        return self.run(clerk(window), {"type": "pause", "reason": reason}, now)

    def resume(self, window: int, now: datetime) -> dict[str, Any]:
        return self.run(clerk(window), {"type": "resume"}, now)

    def logout(self, window: int, now: datetime) -> dict[str, Any]:
        return self.run(clerk(window), {"type": "logout"}, now)

    def serve(
        self, window: int, tid: str, called: datetime, started: datetime, ended: datetime
    ) -> None:
        """Call a chosen ticket, start and finish it (done) at the window."""
        self.call(window, tid, called)
        self.start(window, started)
        self.finish(window, ended)


def new_desk(hall: Hall | None = None, day: date = DAY) -> Desk:
    """A desk on a fresh engine for the hall (the test hall by default) and day."""
    return Desk(Engine(hall or make_hall(), day))


def seconds(a: str, b: str) -> float:
    """Seconds from clock `a` to clock `b` on the test day (for hand-computed values)."""
    return (at(b) - at(a)).total_seconds()


def with_policy(hall: Hall, **policy: int) -> Hall:
    """The hall with other calling-policy values."""
    return replace(hall, policy=replace(hall.policy, **policy))
