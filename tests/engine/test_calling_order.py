"""The calling order of docs/DESIGN.md: transferred, overdue, priority (with its run cap), fifo, chosen."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from engine_helpers import Desk, at, clerk, make_hall, new_desk, with_policy

from shared.calling import calling_order


def called(d: Desk) -> tuple[str, str, int]:
    """(ticket id, reason, window) of the last ticket_called event."""
    ev = d.last[-1]
    assert ev["type"] == "ticket_called"
    return ev["ticket"]["id"], ev["reason"], ev["window"]


def serve_next(d: Desk, window: int, now_s: str) -> tuple[str, str]:
    """call_next, start and finish at the window within the same minute; (ticket, reason)."""
    tid, reason = d.call_next(window, at(now_s))
    assert called(d) == (tid, reason, window)  # the reason is in the event too
    assert d.engine.recent_calls[0]["reason"] == reason
    d.start(window, at(now_s))
    d.finish(window, at(now_s))
    return tid, reason


def handed_off(
    d: Desk,
    service_from: str,
    service_to: str,
    window_from: int,
    when: str,
    to_window: int | None = None,
) -> str:
    """Issue a ticket for `service_from`, serve it at `window_from`, hand it off at `when`."""
    tid = d.issue(service_from, at(when) - timedelta(minutes=1))
    d.call(window_from, tid, at(when) - timedelta(seconds=30))
    d.start(window_from, at(when) - timedelta(seconds=20))
    d.transfer(window_from, at(when), service_to, to_window=to_window)
    return tid


# --- fifo ---------------------------------------------------------------------------


def test_fifo_by_queued_at(hall_open: Desk) -> None:
    d = hall_open
    a = d.issue("MZ-02", at("09:00:00"))
    b = d.issue("MZ-01", at("09:01:00"))
    c = d.issue("MZ-02", at("09:02:00"))
    assert [serve_next(d, 1, "09:10:00") for _ in range(3)] == [
        (a, "fifo"),
        (b, "fifo"),
        (c, "fifo"),
    ]


def test_fifo_ties_by_acknowledgement_not_number(hall_open: Desk) -> None:
    d = hall_open
    now = at("09:00:00")
    # two kiosks at the same instant: the same queued_at; B001 was acknowledged first
    gh = d.issue("GH-01", now)  # B001
    mz2 = d.issue("MZ-01", now)  # A001
    mz1 = d.issue("MZ-01", at("08:59:59"))  # A002, but queued a second earlier
    assert (d.ticket(gh)["number"], d.ticket(mz2)["number"], d.ticket(mz1)["number"]) == (
        "B001",
        "A001",
        "A002",
    )
    assert [serve_next(d, 2, "09:05:00")[0] for _ in range(3)] == [mz1, gh, mz2]


def test_a_requeued_ticket_waits_from_its_requeue(hall_open: Desk) -> None:
    d = hall_open
    late = d.issue("MZ-01", at("09:00:00"))
    other = d.issue("MZ-01", at("09:01:00"))
    d.call(1, late, at("09:02:00"))
    d.no_show(1, at("09:03:00"))
    d.requeue(1, late, at("09:04:00"))
    newer = d.issue("MZ-01", at("09:05:00"))
    assert [serve_next(d, 1, "09:06:00")[0] for _ in range(3)] == [other, late, newer]


def test_only_tickets_of_the_windows_services(hall_open: Desk) -> None:
    d = hall_open
    gh2 = d.issue("GH-02", at("09:00:00"))
    mz2 = d.issue("MZ-02", at("09:01:00"))
    gh1 = d.issue("GH-01", at("09:02:00"))
    assert serve_next(d, 2, "09:10:00") == (gh1, "fifo")  # window 2: MZ-01, GH-01
    d.refuse(clerk(2), {"type": "call_next"}, at("09:11:00"), "queue_empty")
    assert serve_next(d, 1, "09:12:00") == (mz2, "fifo")
    assert serve_next(d, 3, "09:13:00") == (gh2, "fifo")


# --- transferred --------------------------------------------------------------------


def test_transferred_first_oldest_handoff_first(hall_open: Desk) -> None:
    d = hall_open
    waiting = d.issue("MZ-01", at("08:59:00"))
    prio = d.issue("MZ-01", at("09:00:00"), priority="priority")
    # handed off to MZ-01 (a service, no window named) from window 3
    first = handed_off(d, "GH-02", "MZ-01", 3, "09:10:00")
    second = handed_off(d, "GH-01", "MZ-01", 3, "09:20:00")
    assert serve_next(d, 2, "09:21:00") == (first, "transferred")
    assert serve_next(d, 2, "09:22:00") == (second, "transferred")
    assert serve_next(d, 2, "09:23:00") == (prio, "priority")
    assert serve_next(d, 2, "09:24:00") == (waiting, "fifo")


def test_oldest_handoff_even_when_issued_later(hall_open: Desk) -> None:
    d = hall_open
    early_issue = d.issue("GH-01", at("09:00:00"))
    late_issue = d.issue("GH-02", at("09:05:00"))
    d.call(3, late_issue, at("09:06:00"))
    d.start(3, at("09:07:00"))
    d.transfer(3, at("09:08:00"), "MZ-01")  # handed off at 09:08
    d.call(2, early_issue, at("09:09:00"))
    d.start(2, at("09:10:00"))
    d.transfer(2, at("09:11:00"), "MZ-01")  # handed off at 09:11
    assert serve_next(d, 1, "09:12:00") == (late_issue, "transferred")
    assert serve_next(d, 1, "09:13:00") == (early_issue, "transferred")


def test_transferred_beats_overdue(hall_open: Desk) -> None:
    d = hall_open
    old = d.issue("MZ-01", at("08:00:00"))
    moved = handed_off(d, "GH-01", "MZ-01", 3, "09:00:00")
    assert serve_next(d, 1, "09:30:00") == (moved, "transferred")
    assert serve_next(d, 1, "09:31:00") == (old, "overdue")


def test_handoff_to_a_window_is_callable_only_there(hall_open: Desk) -> None:
    d = hall_open
    normal = d.issue("MZ-01", at("08:50:00"))
    named = handed_off(d, "GH-01", "MZ-01", 3, "09:00:00", to_window=2)
    assert d.ticket(named)["target_window"] == 2
    # window 1 serves MZ-01 too, but the handoff named window 2
    assert serve_next(d, 1, "09:01:00") == (normal, "fifo")
    d.refuse(clerk(1), {"type": "call_next"}, at("09:02:00"), "queue_empty")
    d.refuse(clerk(1), {"type": "call", "ticket": named}, at("09:02:00"), "invalid_state")
    assert d.engine.waiting_counts(["MZ-01"]) == {"MZ-01": 1}
    assert serve_next(d, 2, "09:03:00") == (named, "transferred")


def test_handoff_to_a_window_beats_its_other_queues(hall_open: Desk) -> None:
    d = hall_open
    gh = d.issue("GH-01", at("08:50:00"))
    named = handed_off(d, "MZ-01", "GH-01", 1, "09:00:00", to_window=3)
    by_service = handed_off(d, "MZ-02", "GH-01", 1, "09:05:00")
    assert serve_next(d, 3, "09:10:00") == (named, "transferred")
    assert serve_next(d, 3, "09:11:00") == (by_service, "transferred")
    assert serve_next(d, 3, "09:12:00") == (gh, "fifo")


def test_a_requeued_handoff_is_no_longer_transferred(hall_open: Desk) -> None:
    d = hall_open
    normal = d.issue("MZ-01", at("09:00:00"))
    moved = handed_off(d, "GH-01", "MZ-01", 3, "09:05:00")
    assert d.call_next(1, at("09:06:00")) == (moved, "transferred")
    d.no_show(1, at("09:07:00"))
    d.requeue(1, moved, at("09:08:00"))
    assert serve_next(d, 1, "09:09:00") == (normal, "fifo")
    assert serve_next(d, 1, "09:10:00") == (moved, "fifo")


# --- overdue ------------------------------------------------------------------------


def test_overdue_beats_priority_oldest_first(hall_open: Desk) -> None:
    d = hall_open
    older = d.issue("MZ-02", at("09:00:00"))
    old = d.issue("MZ-01", at("09:05:00"))
    prio = d.issue("MZ-01", at("09:20:00"), priority="priority")
    fresh = d.issue("MZ-01", at("09:21:00"))
    # at 09:50:01 both waited longer than 45 minutes
    assert serve_next(d, 1, "09:50:01") == (older, "overdue")
    assert serve_next(d, 1, "09:50:02") == (old, "overdue")
    assert serve_next(d, 1, "09:50:03") == (prio, "priority")
    assert serve_next(d, 1, "09:50:04") == (fresh, "fifo")


def test_overdue_means_longer_than_max_wait(hall_open: Desk) -> None:
    d = hall_open
    d.issue("MZ-01", at("09:00:00"))
    prio = d.issue("MZ-01", at("09:01:00"), priority="priority")
    # exactly 45 minutes is not longer than 45 minutes
    assert d.call_next(1, at("09:45:00")) == (prio, "priority")


def test_overdue_uses_the_policy() -> None:
    d = new_desk(with_policy(make_hall(), max_wait_minutes=10))
    d.open(1, at("08:30:00"))
    normal = d.issue("MZ-01", at("09:00:00"))
    d.issue("MZ-01", at("09:05:00"), priority="priority")
    assert d.call_next(1, at("09:10:01")) == (normal, "overdue")


# --- priority and its run cap ----------------------------------------------------------


def test_priority_run_cap(hall_open: Desk) -> None:
    d = hall_open
    n1 = d.issue("MZ-01", at("09:00:00"))
    p1 = d.issue("MZ-01", at("09:01:00"), priority="priority")
    p2 = d.issue("MZ-01", at("09:02:00"), priority="priority")
    p3 = d.issue("MZ-01", at("09:03:00"), priority="priority")
    p4 = d.issue("MZ-01", at("09:04:00"), priority="priority")
    n2 = d.issue("MZ-01", at("09:05:00"))
    got = [serve_next(d, 1, "09:10:00") for _ in range(6)]
    assert got == [
        (p1, "priority"),
        (p2, "priority"),
        (n1, "fifo"),  # after 2 priority calls a waiting normal ticket goes
        (p3, "priority"),
        (p4, "priority"),
        (n2, "fifo"),
    ]


def test_priority_continues_when_no_normal_ticket_waits(hall_open: Desk) -> None:
    d = hall_open
    ps = [d.issue("MZ-01", at(f"09:0{i}:00"), priority="priority") for i in range(4)]
    assert [serve_next(d, 1, "09:10:00") for _ in range(4)] == [(p, "priority") for p in ps]
    assert d.engine.windows[1]["priority_streak"] == 4
    n = d.issue("MZ-01", at("09:11:00"))
    p = d.issue("MZ-01", at("09:11:30"), priority="priority")
    assert serve_next(d, 1, "09:12:00") == (n, "fifo")
    assert d.engine.windows[1]["priority_streak"] == 0
    assert serve_next(d, 1, "09:13:00") == (p, "priority")


def test_priority_streak_is_per_window(hall_open: Desk) -> None:
    d = hall_open
    n = d.issue("MZ-01", at("09:00:00"))
    ps = [d.issue("MZ-01", at(f"09:0{i + 1}:00"), priority="priority") for i in range(3)]
    assert serve_next(d, 1, "09:10:00") == (ps[0], "priority")
    assert serve_next(d, 1, "09:11:00") == (ps[1], "priority")
    # window 2 made no priority call: the priority ticket goes first there
    assert serve_next(d, 2, "09:12:00") == (ps[2], "priority")
    assert serve_next(d, 1, "09:13:00") == (n, "fifo")


def test_chosen_and_other_calls_count_in_the_streak(hall_open: Desk) -> None:
    d = hall_open
    n = d.issue("MZ-01", at("09:00:00"))
    p1 = d.issue("MZ-01", at("09:01:00"), priority="priority")
    p2 = d.issue("MZ-01", at("09:02:00"), priority="priority")
    p3 = d.issue("MZ-01", at("09:03:00"), priority="priority")
    d.call(1, p2, at("09:10:00"))
    d.start(1, at("09:10:00"))
    d.finish(1, at("09:10:00"))
    assert serve_next(d, 1, "09:11:00") == (p1, "priority")
    assert serve_next(d, 1, "09:12:00") == (n, "fifo")
    assert serve_next(d, 1, "09:13:00") == (p3, "priority")


@pytest.mark.parametrize("run", [1, 3])
def test_priority_run_uses_the_policy(run: int) -> None:
    d = new_desk(with_policy(make_hall(), priority_run=run))
    d.open(1, at("08:30:00"))
    n = d.issue("MZ-01", at("09:00:00"))
    ps = [d.issue("MZ-01", at(f"09:0{i + 1}:00"), priority="priority") for i in range(4)]
    got = [serve_next(d, 1, "09:10:00") for _ in range(run + 1)]
    assert got == [*((p, "priority") for p in ps[:run]), (n, "fifo")]


# --- chosen --------------------------------------------------------------------------


def test_call_a_chosen_ticket(hall_open: Desk) -> None:
    d = hall_open
    d.issue("MZ-01", at("09:00:00"))
    d.issue("MZ-01", at("09:01:00"), priority="priority")
    chosen = d.issue("MZ-02", at("09:02:00"))
    result = d.call(1, chosen, at("09:03:00"))
    assert result["reason"] == "chosen"
    assert result["ticket"]["id"] == chosen and result["ticket"]["state"] == "called"
    assert called(d) == (chosen, "chosen", 1)
    assert d.engine.recent_calls[0] == {
        "ticket": chosen,
        "number": "A003",
        "window": 1,
        "at": "2026-11-26T09:03:00.000000+08:00",
        "reason": "chosen",
    }


def test_reason_in_result_and_event(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    result = d.run(clerk(1), {"type": "call_next"}, at("09:01:00"))
    assert result == {"ticket": d.ticket(tid), "reason": "fifo", "case": None}
    ev = d.last[0]
    assert {k: ev[k] for k in ("type", "window", "reason")} == {
        "type": "ticket_called",
        "window": 1,
        "reason": "fifo",
    }
    assert ev["ticket"] == d.ticket(tid)
    assert ev["waiting"] == {"MZ-01": 0}


# --- shared/calling.calling_order equals what call_next does ---------------------------


def mixed_queue(d: Desk) -> None:
    """Handoffs (named and by service), overdue, priority and normal tickets for window 2."""
    d.issue("MZ-01", at("08:40:00"))  # overdue at 09:30
    d.issue("GH-01", at("08:41:00"))  # overdue at 09:30
    handed_off(d, "GH-02", "MZ-01", 3, "09:10:00", to_window=2)
    handed_off(d, "GH-02", "MZ-01", 3, "09:15:00", to_window=1)  # not for window 2
    handed_off(d, "MZ-02", "GH-01", 1, "09:20:00")
    for i, prio in enumerate(["priority", "normal", "priority", "priority", "normal", "priority"]):
        d.issue("MZ-01" if i % 2 else "GH-01", at(f"09:2{i}:00"), priority=prio)
    d.issue("GH-02", at("09:20:30"))  # not for window 2
    d.issue("MZ-01", at("09:26:00"))
    d.issue("GH-01", at("09:26:00"))  # same instant: by number (A before B)


@pytest.mark.parametrize("streak", [0, 1, 2])
def test_calling_order_is_call_next_order(streak: int) -> None:
    d = new_desk()
    for n in (1, 2, 3):
        d.open(n, at("08:30:00"))
    mixed_queue(d)
    # give window 2 a priority streak to start from
    for i in range(streak):
        p = d.issue("MZ-01", at(f"09:27:0{i}"), priority="priority")
        d.call(2, p, at("09:27:00"))
        d.start(2, at("09:27:00"))
        d.finish(2, at("09:27:00"))
    assert d.engine.windows[2]["priority_streak"] == streak
    now = at("09:30:00")
    window = dict(d.engine.windows[2])
    policy = d.engine.hall.policy.to_wire()
    predicted = [
        (t["id"], reason)
        for t, reason in calling_order(d.engine.tickets.values(), window, policy, now)
    ]
    assert len(predicted) == 12
    assert {r for _, r in predicted} == {"transferred", "overdue", "priority", "fifo"}
    actual = []
    while True:
        waiting = [t for t in d.engine.tickets.values() if t["state"] == "waiting"]
        if not any(
            t["service"] in ("MZ-01", "GH-01") and t["target_window"] in (None, 2) for t in waiting
        ):
            break
        tid, reason = d.call_next(2, now)
        d.start(2, now)
        d.finish(2, now)
        actual.append((tid, reason))
    assert actual == predicted


def test_calling_order_from_wire_objects() -> None:
    # The counter computes the order from what it received: JSON tickets and windows.
    d = new_desk()
    for n in (1, 2, 3):
        d.open(n, at("08:30:00"))
    mixed_queue(d)
    now = at("09:30:00")
    tickets = json.loads(json.dumps(list(d.engine.tickets.values())))
    window = json.loads(json.dumps(d.engine.windows[2]))
    policy = json.loads(json.dumps(d.engine.policy))
    predicted = [(t["id"], r) for t, r in calling_order(tickets, window, policy, now)]
    actual = []
    for _ in predicted:
        actual.append(d.call_next(2, now))
        d.start(2, now)
        d.finish(2, now)
    assert actual == predicted
    d.refuse(clerk(2), {"type": "call_next"}, now, "queue_empty")
