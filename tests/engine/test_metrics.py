"""Same-day metrics (docs/DESIGN.md): one worked morning, every field checked against hand-computed values.

The morning of 2026-11-26 (hall-local times; waits and service times in seconds):

    08:55:00 window 1 opens (c1)      08:56:00 window 2 opens (c2)      08:58:00 window 3 opens (c3)
    09:00 T1 A001 MZ-01   09:01 T2 A002 MZ-02   09:02 T3 B001 GH-01   09:03 T4 A003 MZ-01 priority
    09:04 T5 C001 GH-02   09:05 T6 A004 MZ-01   09:06 T7 B002 GH-01   09:07 T8 A005 MZ-02
    09:08 T9 A006 MZ-01   09:09:00 T6 cancels

    09:10:00 W1 call_next T4 (priority)  wait 420      09:10:30 W1 start T4
    09:11:00 W2 call_next T1 (fifo)      wait 660      09:11:30 W2 start T1
    09:12:00 W3 call_next T3 (fifo)      wait 600      09:12:40 W3 start T3
    09:15:30 W1 finish T4 done           segment 300
    09:16:00 T4 rates W1 5
    09:16:30 W2 transfer T1 -> MZ-02 (a service)       segment 300
    09:16:50 T1 rates W2 2 (with a reason)
    09:17:00 W1 call_next T1 (transferred) wait 30     09:17:20 W1 start T1 (transferred_in at W1)
    09:20:40 W3 finish T3 done           segment 480
    09:21:00 W3 call_next T5 (fifo)      wait 1020     09:21:10 T3 rates W3 3
    09:21:30 W3 start T5
    09:22:20 W1 finish T1 done           segment 300
    09:23:00 W1 call_next T2 (fifo)      wait 1320     09:23:10 W1 start T2
    09:23:30 T1 rates W1 4
    09:25:10 W3 transfer T5 -> GH-01 at window 2       segment 220
    09:26:10 W1 park T2                  segment 180
    09:27:00 W2 call_next T5 (transferred) wait 110    09:27:30 W2 start T5 (transferred_in at W2)
    09:28:00 W1 call_next T8 (fifo)      wait 1260     09:29:00 W1 no_show T8
    09:29:30 W1 unpark T2 (a new segment, not a new received ticket)
    09:30:00 W3 call_next T7 (fifo)      wait 1440     09:31:00 W3 no_show T7
    09:33:30 W1 finish T2 pending        segment 240
    09:34:00 W3 requeue T7
    09:35:00 W3 call_next T7 (fifo)      wait 60       09:35:20 W3 start T7
    09:37:30 W2 finish T5 done           segment 600
    09:38:00 W1 pause                    09:38:00 T5 rates W2 4
    09:40:20 W3 finish T7 done           segment 300
    09:45:00 W1 resume (paused 420)
    09:46:00 W2 pause (still paused at 10:00)
    09:50:00 W1 logs out (on duty 08:55 -> 09:50 = 3300)
    metrics at 10:00:00; window 4 never opens.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
from engine_helpers import DAY, SUPERVISOR, Desk, at, clerk, make_hall, state_of, via_json

from hub.engine import Engine


def morning(desk_class: type[Desk] = Desk) -> tuple[Desk, dict[str, str]]:
    """The worked morning of the module docstring; tickets by name T1..T9."""
    d = desk_class(Engine(make_hall(), DAY))
    d.open(1, at("08:55:00"))
    d.open(2, at("08:56:00"))
    d.open(3, at("08:58:00"))
    t: dict[str, str] = {}
    for i, (service, prio) in enumerate(
        [
            ("MZ-01", "normal"),
            ("MZ-02", "normal"),
            ("GH-01", "normal"),
            ("MZ-01", "priority"),
            ("GH-02", "normal"),
            ("MZ-01", "normal"),
            ("GH-01", "normal"),
            ("MZ-02", "normal"),
            ("MZ-01", "normal"),
        ]
    ):
        t[f"T{i + 1}"] = d.issue(service, at(f"09:0{i}:00"), priority=prio)
    assert [d.ticket(t[f"T{i}"])["number"] for i in range(1, 10)] == [
        "A001",
        "A002",
        "B001",
        "A003",
        "C001",
        "A004",
        "B002",
        "A005",
        "A006",
    ]
    d.cancel(t["T6"], at("09:09:00"))

    def call_next(window: int, when: str, expected: str, reason: str) -> None:
        assert d.call_next(window, at(when)) == (t[expected], reason)

    call_next(1, "09:10:00", "T4", "priority")
    d.start(1, at("09:10:30"))
    call_next(2, "09:11:00", "T1", "fifo")
    d.start(2, at("09:11:30"))
    call_next(3, "09:12:00", "T3", "fifo")
    d.start(3, at("09:12:40"))
    d.finish(1, at("09:15:30"), "done")
    d.rate(t["T4"], 5, at("09:16:00"))
    d.transfer(2, at("09:16:30"), "MZ-02", reason="应办民办非企业登记")
    d.rate(t["T1"], 2, at("09:16:50"), reason="让我跑了两个窗口")
    call_next(1, "09:17:00", "T1", "transferred")
    d.start(1, at("09:17:20"))
    d.finish(3, at("09:20:40"), "done")
    call_next(3, "09:21:00", "T5", "fifo")
    d.rate(t["T3"], 3, at("09:21:10"))
    d.start(3, at("09:21:30"))
    d.finish(1, at("09:22:20"), "done")
    call_next(1, "09:23:00", "T2", "fifo")
    d.start(1, at("09:23:10"))
    d.rate(t["T1"], 4, at("09:23:30"))
    d.transfer(3, at("09:25:10"), "GH-01", to_window=2, reason="转2号窗口办理")
    d.park(1, at("09:26:10"), "回去取材料")
    call_next(2, "09:27:00", "T5", "transferred")
    d.start(2, at("09:27:30"))
    call_next(1, "09:28:00", "T8", "fifo")
    d.no_show(1, at("09:29:00"))
    d.unpark(1, t["T2"], at("09:29:30"))
    call_next(3, "09:30:00", "T7", "fifo")
    d.no_show(3, at("09:31:00"))
    d.finish(1, at("09:33:30"), "pending")
    d.requeue(3, t["T7"], at("09:34:00"))
    call_next(3, "09:35:00", "T7", "fifo")
    d.start(3, at("09:35:20"))
    d.finish(2, at("09:37:30"), "done")
    d.pause(1, at("09:38:00"), "交接班")
    d.rate(t["T5"], 4, at("09:38:00"))
    d.finish(3, at("09:40:20"), "done")
    d.resume(1, at("09:45:00"))
    d.pause(2, at("09:46:00"), "系统故障")
    d.logout(1, at("09:50:00"))
    return d, t


NOW = at("10:00:00")

# --- hand-computed -------------------------------------------------------------------------

W1_WAITS = [420, 30, 1320, 1260]  # T4, T1, T2, T8
W2_WAITS = [660, 110]  # T1, T5
W3_WAITS = [600, 1020, 1440, 60]  # T3, T5, T7, T7 again after its requeue
W1_SEGMENTS = [300, 300, 180, 240]  # T4, T1, T2 until parked, T2 after unpark
W2_SEGMENTS = [300, 600]  # T1 until handed off, T5
W3_SEGMENTS = [480, 220, 300]  # T3, T5 until handed off, T7

EXPECTED_WINDOWS: list[dict[str, Any]] = [
    {
        "window": 1,
        "received": 3,  # T4, T1, T2 (T2's unpark is no new ticket)
        "completed": 2,  # T4, T1
        "pending": 1,  # T2
        "transferred_in": 1,  # T1: the handoff named only a service
        "transferred_out": 0,
        "no_show": 1,  # T8
        "completion_rate": 2 / 3,
        "first_responsibility_closure_rate": 1 / 2,  # first responsible for T4 (done), T2 (pending)
        "avg_wait_s": 3030 / 4,
        "avg_service_s": 1020 / 4,
        "on_duty_s": 3300.0,  # 08:55 -> 09:50, pause included
        "paused_s": 420.0,  # 09:38 -> 09:45
        "ratings": {"count": 2, "avg": 4.5},  # T4 5, T1 4
    },
    {
        "window": 2,
        "received": 2,  # T1, T5
        "completed": 1,  # T5
        "pending": 0,
        "transferred_in": 1,  # T5: the handoff named window 2
        "transferred_out": 1,  # T1
        "no_show": 0,
        "completion_rate": 1 / 2,
        "first_responsibility_closure_rate": 1.0,  # T1, done at window 1
        "avg_wait_s": 770 / 2,
        "avg_service_s": 900 / 2,
        "on_duty_s": 3840.0,  # 08:56 -> now (10:00), still logged in
        "paused_s": 840.0,  # 09:46 -> now, still paused
        "ratings": {"count": 2, "avg": 3.0},  # T1 2, T5 4
    },
    {
        "window": 3,
        "received": 3,  # T3, T5, T7
        "completed": 2,  # T3, T7
        "pending": 0,
        "transferred_in": 0,
        "transferred_out": 1,  # T5
        "no_show": 1,  # T7 was marked no-show here (then requeued)
        "completion_rate": 2 / 3,
        "first_responsibility_closure_rate": 1.0,  # T3, T5 (done at window 2), T7
        "avg_wait_s": 3120 / 4,
        "avg_service_s": 1000 / 3,
        "on_duty_s": 3720.0,  # 08:58 -> now
        "paused_s": 0.0,
        "ratings": {"count": 1, "avg": 3.0},  # T3 3
    },
    {
        "window": 4,
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
        "on_duty_s": 0.0,
        "paused_s": 0.0,
        "ratings": {"count": 0, "avg": None},
    },
]

EXPECTED_HALL: dict[str, Any] = {
    "issued": 9,
    "waiting": 1,  # T9
    "received": 6,  # T1..T5 and T7; T1 and T5 were started at two windows but count once
    "completed": 5,  # T1, T3, T4, T5, T7
    "pending": 1,  # T2
    "no_show": 1,  # T8; T7 was requeued and is no longer a no-show
    "cancelled": 1,  # T6
    "completion_rate": 5 / 6,
    "first_responsibility_closure_rate": 5 / 6,  # T1, T3, T4, T5, T7 done of T1..T5, T7
    "avg_wait_s": 6920 / 10,
    "max_wait_s": 1440.0,
    "avg_service_s": 2920 / 9,
    "ratings": {"count": 5, "avg": 18 / 5},
    "visits": 0,  # no ticket of several services
    "one_trip": 5,  # the done ones: T1, T3, T4, T5, T7
    "windows_per_visit": 8 / 6,  # T1 and T5 at two windows, T2, T3, T4, T7 at one
}


def test_hand_computed_sums_agree_with_the_story() -> None:
    # guard the expected values themselves
    assert sum(W1_WAITS) == 3030 and sum(W2_WAITS) == 770 and sum(W3_WAITS) == 3120
    assert sum(W1_SEGMENTS) == 1020 and sum(W2_SEGMENTS) == 900 and sum(W3_SEGMENTS) == 1000
    assert max(W1_WAITS + W2_WAITS + W3_WAITS) == 1440


def test_the_worked_morning_states() -> None:
    d, t = morning()
    assert {name: d.state(tid) for name, tid in t.items()} == {
        "T1": "done",
        "T2": "pending",
        "T3": "done",
        "T4": "done",
        "T5": "done",
        "T6": "cancelled",
        "T7": "done",
        "T8": "no_show",
        "T9": "waiting",
    }
    assert d.ticket(t["T1"])["first_responsible"] == {"staff": "c2", "window": 2}
    assert d.ticket(t["T5"])["first_responsible"] == {"staff": "c3", "window": 3}
    assert [w["state"] for w in d.engine.windows.values()] == ["closed", "paused", "open", "closed"]


def test_every_window_metric() -> None:
    d, _ = morning()
    m = d.engine.metrics(NOW)
    assert m["day"] == "2026-11-26"
    assert m["windows"] == EXPECTED_WINDOWS


def test_every_hall_metric() -> None:
    d, _ = morning()
    assert d.engine.metrics(NOW)["hall"] == EXPECTED_HALL


@pytest.mark.parametrize("window", [1, 2, 3, 4])
def test_metrics_have_exactly_the_protocol_fields(window: int) -> None:
    d, _ = morning()
    m = d.engine.metrics(NOW)
    assert set(m) == {"day", "hall", "windows"}
    assert set(m["hall"]) == set(EXPECTED_HALL)
    assert set(m["windows"][window - 1]) == set(EXPECTED_WINDOWS[0])


def test_open_sessions_count_up_to_now() -> None:
    d, _ = morning()
    later = d.engine.metrics(at("10:30:00"))
    duty = {w["window"]: (w["on_duty_s"], w["paused_s"]) for w in later["windows"]}
    # window 1 logged out at 09:50: fixed; window 2 still paused; window 3 still open
    assert duty == {1: (3300.0, 420.0), 2: (5640.0, 2640.0), 3: (5520.0, 0.0), 4: (0.0, 0.0)}
    # resuming and logging out stop the counters
    d.resume(2, at("10:30:00"))
    d.logout(2, at("10:40:00"))
    w2 = d.engine.metrics(at("11:00:00"))["windows"][1]
    assert (w2["on_duty_s"], w2["paused_s"]) == (6240.0, 2640.0)


def test_logging_out_while_paused_ends_both_counters(desk: Desk) -> None:
    d = desk
    d.open(4, at("09:00:00"))
    d.pause(4, at("09:10:00"))
    d.logout(4, at("09:15:00"))
    w4 = d.engine.metrics(at("10:00:00"))["windows"][3]
    assert (w4["on_duty_s"], w4["paused_s"]) == (900.0, 300.0)


def test_a_session_reopened_adds_up(desk: Desk) -> None:
    d = desk
    d.open(4, at("09:00:00"))
    d.logout(4, at("09:10:00"))
    d.open(4, at("09:20:00"), staff="c9")
    d.run(clerk(4, "c9"), {"type": "pause", "reason": "培训"}, at("09:25:00"))
    w4 = d.engine.metrics(at("09:30:00"))["windows"][3]
    assert (w4["on_duty_s"], w4["paused_s"]) == (1200.0, 300.0)


def test_metrics_command_gives_the_same_and_changes_nothing() -> None:
    d, _ = morning()
    before = state_of(d.engine, NOW)
    result, events = d.engine.execute(SUPERVISOR, {"type": "metrics"}, NOW)
    assert events == []
    assert result == {
        "metrics": {"day": "2026-11-26", "hall": EXPECTED_HALL, "windows": EXPECTED_WINDOWS}
    }
    assert state_of(d.engine, NOW) == before


def test_completion_rate_is_null_for_a_window_that_received_nothing(desk: Desk) -> None:
    d = desk
    d.open(1, at("09:00:00"))
    tid = d.issue("MZ-01", at("09:01:00"))
    d.call_next(1, at("09:02:00"))
    d.no_show(1, at("09:03:00"))
    w1 = d.engine.metrics(at("09:04:00"))["windows"][0]
    assert (w1["received"], w1["completion_rate"], w1["first_responsibility_closure_rate"]) == (
        0,
        None,
        None,
    )
    assert (w1["no_show"], w1["avg_wait_s"], w1["avg_service_s"]) == (1, 60.0, None)
    hall = d.engine.metrics(at("09:04:00"))["hall"]
    assert (hall["received"], hall["completion_rate"], hall["no_show"]) == (0, None, 1)
    d.requeue(1, tid, at("09:05:00"))
    hall = d.engine.metrics(at("09:06:00"))["hall"]
    assert (hall["no_show"], hall["waiting"]) == (0, 1)
    assert d.engine.metrics(at("09:06:00"))["windows"][0]["no_show"] == 1


def test_a_pending_finish_is_received_but_not_completed(desk: Desk) -> None:
    d = desk
    d.open(1, at("09:00:00"))
    d.issue("MZ-01", at("09:00:00"))
    d.call_next(1, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.finish(1, at("09:12:00"), "pending")
    w1 = d.engine.metrics(at("09:13:00"))["windows"][0]
    assert (w1["received"], w1["completed"], w1["pending"], w1["completion_rate"]) == (1, 0, 1, 0.0)
    assert w1["first_responsibility_closure_rate"] == 0.0


def test_exact_seconds_with_microseconds(desk: Desk) -> None:
    d = desk
    d.open(1, at("09:00:00"))
    d.issue("MZ-01", at("09:00:00") + timedelta(microseconds=250000))
    d.call_next(1, at("09:01:00") + timedelta(microseconds=750000))
    d.start(1, at("09:02:00"))
    d.finish(1, at("09:03:00") + timedelta(microseconds=500000))
    m = d.engine.metrics(at("09:04:00"))
    assert m["hall"]["avg_wait_s"] == 60.5
    assert m["hall"]["avg_service_s"] == 60.5


# --- replay: restart recovery ---------------------------------------------------------------


def test_replaying_the_events_gives_the_same_engine() -> None:
    d, _ = morning()
    fresh = Engine(make_hall(), d.engine.day)
    for ev in via_json(d.events):
        fresh.apply(ev)
    assert fresh.tickets == d.engine.tickets
    assert fresh.windows == d.engine.windows
    assert fresh.metrics(NOW) == d.engine.metrics(NOW)
    assert state_of(fresh, NOW) == state_of(d.engine, NOW)


class TracingDesk(Desk):
    """A desk that keeps a deep copy of the engine state after every command."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.trace: list[tuple[int, dict[str, Any]]] = []

        self.emitted: list[dict[str, Any]] = []

    def run(self, actor: Any, cmd: dict[str, Any], now: datetime) -> dict[str, Any]:
        result = super().run(actor, cmd, now)
        self.trace.append((len(self.events), state_of(self.engine, NOW)))
        self.emitted.extend(copy.deepcopy(self.last))
        return result


def test_replay_after_every_command() -> None:
    # a restart may come after any acknowledged command
    d, _ = morning(TracingDesk)
    assert isinstance(d, TracingDesk)
    events = via_json(d.events)
    for n, live in d.trace:
        replayed = Engine(make_hall(), DAY)
        for ev in events[:n]:
            replayed.apply(ev)
        assert state_of(replayed, NOW) == live, f"after event {n}"


def test_events_are_not_changed_after_they_are_emitted() -> None:
    # The hub stores and sends events after the batch: the engine must not keep
    # writing into the objects it handed out.
    d, _ = morning(TracingDesk)
    assert isinstance(d, TracingDesk)
    assert d.emitted == d.events
    assert via_json(d.events) == d.events  # and they are plain JSON


def test_replay_keeps_ticket_tokens() -> None:
    def token_hash_of(tid: str) -> str:
        return f"hash-of-{tid}"

    live = Desk(Engine(make_hall(), DAY, token_hash_of))
    a = live.issue("MZ-01", at("09:00:00"))
    b = live.issue("GH-01", at("09:01:00"))
    assert live.events[0]["_token_hash"] == f"hash-of-{a}"
    replayed = Engine(make_hall(), DAY)
    for ev in via_json(live.events):
        replayed.apply(ev)
    assert replayed.tokens == live.engine.tokens == {f"hash-of-{a}": a, f"hash-of-{b}": b}


def test_replay_then_go_on() -> None:
    # the recovered engine goes on exactly like the one that never stopped
    d, t = morning()
    fresh = Desk(Engine(make_hall(), d.engine.day))
    for ev in via_json(d.events):
        fresh.engine.apply(ev)
    for x in (d, fresh):
        x.open(1, at("10:05:00"), staff="c9")
    for x in (d, fresh):
        assert (
            x.run(clerk(1, "c9"), {"type": "call_next"}, at("10:06:00"))["ticket"]["id"] == t["T9"]
        )
        x.issue("MZ-01", at("10:07:00"))
    assert via_json(d.events[-3:]) == via_json(fresh.events[-3:])
    assert state_of(fresh.engine, at("10:10:00")) == state_of(d.engine, at("10:10:00"))
