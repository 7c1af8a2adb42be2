"""Visits of several services on one ticket (一门受理, 并联审批, 一口收费): steps, the next_step
move, parallel queues, the fee step, transfers inside a visit, and their metrics by hand."""

from __future__ import annotations

import heapq
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from engine_helpers import (
    KIOSK,
    SUPERVISOR,
    Desk,
    at,
    citizen,
    clerk,
    make_hall,
    new_desk,
    state_of,
    via_json,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.catalogue import Bundle, Hall, Service, WindowConf
from hub.engine import Engine, EngineError
from shared.calling import line_up, may_call

# The test hall plus a fee service SF-01 (prefix F) at window 4, a fee on GH-02, and:
#   bundle B1 = MZ-02 and GH-02 in parallel (then the fee step SF-01)
#   bundle B2 = MZ-01, then GH-01 (no fee)
# Window 1: MZ-01 MZ-02, window 2: MZ-01 GH-01, window 3: GH-01 GH-02, window 4: GH-02 SF-01.


def visit_hall() -> Hall:
    base = make_hall()
    services = tuple(
        replace(s, fee_amount=80.0) if s.code == "GH-02" else s for s in base.services
    ) + (Service("SF-01", "MZ", "统一收费", "Fee payment", "F", 3, approval=False),)
    windows = tuple(
        replace(w, services=(*w.services, "SF-01")) if w.number == 4 else w for w in base.windows
    )
    bundles = (
        Bundle("B1", "开店", "Open a shop", (("MZ-02", "GH-02"),)),
        Bundle("B2", "两项", "Two in order", (("MZ-01",), ("GH-01",))),
    )
    return replace(base, services=services, windows=windows, bundles=bundles, fee_service="SF-01")


@pytest.fixture
def d() -> Desk:
    desk = new_desk(visit_hall())
    for n in (1, 3, 4):
        desk.open(n, at("08:30:00"))
    return desk


def issue(d: Desk, now: str, **args: Any) -> dict[str, Any]:
    return d.run(KIOSK, {"type": "issue", **args}, at(now))


def steps(d: Desk, tid: str) -> list[tuple[int, str, str, int | None]]:
    """(n, service, state, window) of each step."""
    return [(s["n"], s["service"], s["state"], s["window"]) for s in d.ticket(tid)["steps"]]


def ticket_events(d: Desk) -> list[dict[str, Any]]:
    """The last command's ticket events (without the cases' events)."""
    return [e for e in d.last if e["type"].startswith("ticket_")]


def started_steps(d: Desk, tid: str) -> list[tuple[int, int]]:
    """(step, window) of every ticket_started of the ticket."""
    return [
        (e["ticket"]["step"], e["window"])
        for e in d.events
        if e["type"] == "ticket_started" and e["ticket"]["id"] == tid
    ]


def test_a_bundle_of_two_parallel_steps_and_a_fee_step_served_by_three_windows(d: Desk) -> None:
    r = issue(d, "09:00:00", bundle="B1")
    t = r["ticket"]
    tid = t["id"]
    assert (t["number"], t["service"], t["step"], t["bundle"]) == ("A001", "MZ-02", 1, "B1")
    assert steps(d, tid) == [
        (1, "MZ-02", "waiting", None),
        (2, "GH-02", "waiting", None),
        (3, "SF-01", "next", None),
    ]
    fee = t["steps"][2]
    assert fee["fee"] and fee["fees"] == [{"service": "GH-02", "amount": 80.0}]
    assert (fee["total"], fee["paid"]) == (80.0, None)
    # it waits in both parallel queues at once, and counts in each
    assert d.last[0]["waiting"] == {"MZ-02": 1, "GH-02": 1}
    plain_gh = issue(d, "09:01:00", service="GH-02")["ticket"]["id"]  # C001
    plain_mz = issue(d, "09:01:30", service="MZ-02")["ticket"]["id"]  # A002
    assert d.engine.waiting_counts(["MZ-02", "GH-02", "SF-01"]) == {
        "MZ-02": 2,
        "GH-02": 2,
        "SF-01": 0,
    }
    # place in line: the visit is called first at window 1 (free first, lower number), so
    # A002 has it ahead; C001 is called at window 3 at once (the visit is no longer there)
    assert d.engine.position(tid, at("09:01:30")) == (0, 0)
    assert d.engine.position(plain_mz, at("09:01:30")) == (1, 20)
    assert d.engine.position(plain_gh, at("09:01:30")) == (0, 0)

    # window 3 is free first: it calls the visit for its GH-02 step
    assert d.call_next(3, at("09:02:00")) == (tid, "fifo")
    t = d.ticket(tid)
    assert (t["service"], t["department"], t["step"], t["window"]) == ("GH-02", "GH", 2, 3)
    assert steps(d, tid) == [
        (1, "MZ-02", "next", None),
        (2, "GH-02", "called", 3),
        (3, "SF-01", "next", None),
    ]
    # while called it has left the MZ-02 queue: window 1 calls A002
    assert d.last[0]["waiting"] == {"GH-02": 1, "MZ-02": 1}
    assert d.call_next(1, at("09:02:10")) == (plain_mz, "fifo")
    d.start(1, at("09:02:20"))
    d.start(3, at("09:03:00"))
    assert d.ticket(tid)["first_responsible"] == {"staff": "c3", "window": 3}
    d.finish(1, at("09:04:00"))  # A002 done: window 1 is free again
    plain_mz2 = issue(d, "09:05:00", service="MZ-02")["ticket"]["id"]  # A003, after the visit

    # finishing the GH-02 step: finished at window 3, then on to the MZ-02 step by itself
    r = d.run(
        clerk(3), {"type": "finish", "outcome": "done", "note": "规划意见已出"}, at("09:10:00")
    )
    finished, requeued = ticket_events(d)
    assert finished["type"] == "ticket_finished" and finished["window"] == 3
    assert (finished["outcome"], finished["step"]) == ("done", 2)
    assert finished["ticket"]["state"] == "done"  # an old client sees a finished service
    assert requeued["type"] == "ticket_requeued"
    assert (requeued["reason"], requeued["step"], requeued["from_window"]) == ("next_step", 1, 3)
    assert "window" not in requeued
    t = d.ticket(tid)
    assert r["ticket"] == t and r["previous"] == finished["ticket"]
    assert (t["state"], t["number"], t["service"], t["step"]) == ("waiting", "A001", "MZ-02", 1)
    assert (t["window"], t["staff"], t["called_at"], t["started_at"]) == (None, None, None, None)
    assert t["queued_at"] == "2026-11-26T09:10:00.000000+08:00"  # waits in this queue from now
    assert t["line_at"] == "2026-11-26T09:00:00.000000+08:00"  # but stands in line by its issue
    assert steps(d, tid) == [
        (1, "MZ-02", "waiting", None),
        (2, "GH-02", "done", 3),
        (3, "SF-01", "next", None),
    ]
    assert t["steps"][1]["note"] == "规划意见已出" and t["steps"][1]["staff"] == "c3"
    assert requeued["waiting"] == {"MZ-02": 2, "GH-02": 1}
    # placed by its issue: before A003 issued at 09:05
    assert d.call_next(1, at("09:11:00")) == (tid, "fifo")
    d.start(1, at("09:12:00"))
    assert d.ticket(tid)["first_responsible"] == {"staff": "c3", "window": 3}  # stays
    d.run(clerk(1), {"type": "finish", "outcome": "pending", "note": "缺件"}, at("09:20:00"))
    assert [e["type"] for e in ticket_events(d)] == ["ticket_finished", "ticket_requeued"]
    assert steps(d, tid) == [
        (1, "MZ-02", "pending", 1),
        (2, "GH-02", "done", 3),
        (3, "SF-01", "waiting", None),
    ]
    assert d.ticket(tid)["service"] == "SF-01" and d.ticket(tid)["step"] == 3

    # the fee window collects
    assert d.call_next(4, at("09:21:00")) == (tid, "fifo")
    d.start(4, at("09:21:30"))
    d.run(clerk(4), {"type": "finish", "outcome": "done", "paid": True}, at("09:23:00"))
    assert [e["type"] for e in ticket_events(d)] == ["ticket_finished"]  # the visit ends
    t = d.ticket(tid)
    assert (t["state"], t["number"], t["service"]) == ("done", "A001", "SF-01")
    assert steps(d, tid) == [
        (1, "MZ-02", "pending", 1),
        (2, "GH-02", "done", 3),
        (3, "SF-01", "done", 4),
    ]
    assert t["steps"][2]["paid"] is True
    # each step served exactly once, each at its own window
    assert started_steps(d, tid) == [(2, 3), (1, 1), (3, 4)]
    # one case per step (办件): the ticket id for step 1, "<id>-<n>" for step n >= 2
    opened = [e["case"]["id"] for e in d.events if e["type"] == "case_opened"]
    assert [c for c in opened if c.startswith(tid)] == [f"{tid}-2", tid, f"{tid}-3"]
    assert d.engine.waiting_counts(["MZ-02", "GH-02", "SF-01"]) == {
        "MZ-02": 1,  # A003
        "GH-02": 1,  # C001
        "SF-01": 0,
    }
    assert d.call_next(1, at("09:24:00")) == (plain_mz2, "fifo")

    # metrics by hand: each step at its window, the visit once in the hall
    m = d.engine.metrics(at("09:30:00"))
    w = {x["window"]: x for x in m["windows"]}
    assert (w[1]["received"], w[1]["completed"], w[1]["pending"]) == (2, 1, 1)  # A002; step 1
    assert (w[3]["received"], w[3]["completed"], w[3]["pending"]) == (1, 1, 0)  # step 2
    assert (w[4]["received"], w[4]["completed"], w[4]["pending"]) == (1, 1, 0)  # the fee step
    # first responsible for the visit; it is complete when its last step is done
    assert w[3]["first_responsibility_closure_rate"] == 1.0
    # waits: step 2 at window 3 from 09:00 (120 s), step 1 at window 1 from 09:10 (60 s),
    # the fee step from 09:20 (60 s); A002 from 09:01:30 (40 s), A003 from 09:05 (19 min)
    assert w[1]["avg_wait_s"] == (40 + 60 + 1140) / 3
    assert w[3]["avg_wait_s"] == 120.0 and w[4]["avg_wait_s"] == 60.0
    h = m["hall"]
    assert (h["issued"], h["received"], h["completed"], h["pending"]) == (4, 2, 2, 0)
    assert h["waiting"] == 1  # C001 (A003 is called)
    assert (h["visits"], h["one_trip"], h["windows_per_visit"]) == (1, 1, (3 + 1) / 2)
    # (the visit is done, but its MZ-02 step was pending: not completed in one trip;
    # A002 was: one_trip 1)


def test_one_trip_counts_a_visit_with_every_step_done_and_paid(d: Desk) -> None:
    tid = issue(d, "09:00:00", bundle="B1")["ticket"]["id"]
    for n, clock in ((1, "09:01"), (3, "09:02"), (4, "09:03")):
        assert d.call_next(n, at(f"{clock}:00"))[0] == tid
        d.start(n, at(f"{clock}:10"))
        d.finish(n, at(f"{clock}:20"))
    assert started_steps(d, tid) == [(1, 1), (2, 3), (3, 4)]
    assert d.ticket(tid)["steps"][2]["paid"] is True  # done without `paid`: paid
    h = d.engine.metrics(at("09:30:00"))["hall"]
    assert (h["issued"], h["received"], h["completed"], h["one_trip"]) == (1, 1, 1, 1)
    assert h["windows_per_visit"] == 3.0


def test_an_unpaid_fee_step_is_not_one_trip(d: Desk) -> None:
    tid = issue(d, "09:00:00", bundle="B1")["ticket"]["id"]
    for n in (1, 3, 4):
        d.call_next(n, at("09:01:00"))
        d.start(n, at("09:02:00"))
        cmd: dict[str, Any] = {"type": "finish", "outcome": "done"}
        if n == 4:
            cmd["paid"] = False
        d.run(clerk(n), cmd, at("09:03:00"))
    assert d.ticket(tid)["steps"][2]["paid"] is False
    assert d.engine.metrics(at("09:30:00"))["hall"]["one_trip"] == 0


def test_paid_only_on_a_fee_step(d: Desk) -> None:
    tid = issue(d, "09:00:00", bundle="B1")["ticket"]["id"]
    d.call_next(1, at("09:01:00"))
    d.start(1, at("09:02:00"))
    cmd = {"type": "finish", "outcome": "done", "paid": True}
    d.refuse(clerk(1), cmd, at("09:03:00"), "bad_args")
    plain = issue(d, "09:04:00", service="GH-01")["ticket"]["id"]
    d.call(3, plain, at("09:05:00"))
    d.start(3, at("09:06:00"))
    d.refuse(clerk(3), cmd, at("09:07:00"), "bad_args")
    assert d.state(tid) == "serving"


def test_a_no_show_leaves_and_a_requeue_returns_to_every_parallel_queue(d: Desk) -> None:
    tid = issue(d, "09:00:00", bundle="B1")["ticket"]["id"]
    d.call_next(3, at("09:01:00"))
    d.no_show(3, at("09:03:00"))
    assert steps(d, tid) == [
        (1, "MZ-02", "next", None),
        (2, "GH-02", "no_show", 3),
        (3, "SF-01", "next", None),
    ]
    assert d.engine.waiting_counts(["MZ-02", "GH-02"]) == {"MZ-02": 0, "GH-02": 0}
    d.requeue(3, tid, at("09:10:00"))
    assert [s[2] for s in steps(d, tid)] == ["waiting", "waiting", "next"]
    assert d.last[0]["waiting"] == {"GH-02": 1, "MZ-02": 1}
    # the other parallel window may take it now
    assert d.call_next(1, at("09:11:00")) == (tid, "fifo")
    assert d.ticket(tid)["step"] == 1


def test_cancel_ends_every_unfinished_step(d: Desk) -> None:
    tid = issue(d, "09:00:00", bundle="B1")["ticket"]["id"]
    d.run(citizen(tid), {"type": "cancel"}, at("09:01:00"))
    assert [s[2] for s in steps(d, tid)] == ["cancelled"] * 3
    assert d.engine.waiting_counts(["MZ-02", "GH-02"]) == {"MZ-02": 0, "GH-02": 0}


def test_services_chosen_at_the_kiosk_are_served_in_order(d: Desk) -> None:
    d.open(2, at("08:30:00"))
    r = issue(d, "09:00:00", services=["GH-01", "MZ-01"])
    tid = r["ticket"]["id"]
    assert r["ticket"]["number"] == "B001"  # the first service's prefix
    assert steps(d, tid) == [(1, "GH-01", "waiting", None), (2, "MZ-01", "next", None)]
    assert r["ticket"]["bundle"] is None
    # no fee: no fee step; window 1 (MZ-01 only) may not call it yet
    d.refuse(clerk(1), {"type": "call_next"}, at("09:01:00"), "queue_empty")
    assert d.call_next(2, at("09:01:00")) == (tid, "fifo")
    d.start(2, at("09:02:00"))
    d.finish(2, at("09:03:00"))
    assert d.call_next(1, at("09:04:00")) == (tid, "fifo")
    assert d.ticket(tid)["service"] == "MZ-01"


def test_a_transfer_inside_a_visit_keeps_the_chain(d: Desk) -> None:
    d.open(2, at("08:30:00"))
    tid = issue(d, "09:00:00", bundle="B2")["ticket"]["id"]  # MZ-01 then GH-01
    d.call_next(1, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.transfer(1, at("09:05:00"), "MZ-02", to_window=1, reason="应为民办非企业")
    t = d.ticket(tid)
    assert (t["state"], t["service"], t["step"], t["target_window"]) == ("waiting", "MZ-02", 1, 1)
    assert steps(d, tid) == [(1, "MZ-02", "waiting", None), (2, "GH-01", "next", None)]
    assert d.call_next(1, at("09:06:00")) == (tid, "transferred")
    d.start(1, at("09:07:00"))
    d.finish(1, at("09:08:00"))
    # the chain goes on to GH-01; first responsibility stays with the first step's window
    assert d.ticket(tid)["service"] == "GH-01" and d.state(tid) == "waiting"
    assert d.call_next(3, at("09:09:00")) == (tid, "fifo")
    d.start(3, at("09:10:00"))
    d.finish(3, at("09:11:00"))
    t = d.ticket(tid)
    assert t["state"] == "done" and t["first_responsible"] == {"staff": "c1", "window": 1}
    assert steps(d, tid) == [(1, "MZ-02", "done", 1), (2, "GH-01", "done", 3)]
    assert len(t["handoffs"]) == 1 and t["handoffs"][0]["to_service"] == "MZ-02"
    w1 = next(x for x in d.engine.metrics(at("09:30:00"))["windows"] if x["window"] == 1)
    assert (w1["received"], w1["completed"], w1["transferred_out"]) == (1, 1, 1)


def test_the_expiry_at_midnight_ends_the_open_steps(d: Desk) -> None:
    tid = issue(d, "09:00:00", bundle="B1")["ticket"]["id"]
    d.call_next(1, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.finish(1, at("09:03:00"))
    d.roll(at("00:00:01", d.engine.day.replace(day=27)))
    expired = next(e for e in d.events if e["type"] == "ticket_expired")
    assert [s["state"] for s in expired["ticket"]["steps"]] == ["done", "expired", "expired"]
    assert tid not in d.engine.tickets  # a new day


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"services": ["MZ-01", "MZ-02", "GH-01", "GH-02", "MZ-01"]}, "bad_args"),  # twice
        ({"services": ["SF-01"]}, "bad_args"),  # the fee step is added by the hub
        ({"services": ["MZ-01", "XX-01"]}, "not_found"),
        ({"bundle": "B9"}, "not_found"),
    ],
)
def test_bad_visits_are_refused(d: Desk, args: dict[str, Any], code: str) -> None:
    d.refuse(KIOSK, {"type": "issue", **args}, at("09:00:00"), code)


def test_at_most_five_services() -> None:
    base = visit_hall()
    extra = tuple(Service(f"X-0{i}", "MZ", "x", "x", "X", 5) for i in range(1, 5))
    hall = replace(
        base,
        services=base.services + extra,
        windows=(*base.windows, WindowConf(5, "5", "5", tuple(s.code for s in extra))),
    )
    d = new_desk(hall)
    six = ["MZ-01", "MZ-02", "X-01", "X-02", "X-03", "X-04"]
    err = d.refuse(KIOSK, {"type": "issue", "services": six}, at("09:00:00"), "bad_args")
    assert "5" in err.zh and "5" in err.en
    r = d.run(KIOSK, {"type": "issue", "services": six[:5]}, at("09:00:00"))
    assert len(r["ticket"]["steps"]) == 5


def test_a_replayed_day_of_visits_is_the_same(d: Desk) -> None:
    tid = issue(d, "09:00:00", bundle="B1")["ticket"]["id"]
    issue(d, "09:00:30", services=["MZ-01", "GH-02"])
    d.call_next(3, at("09:01:00"))
    d.start(3, at("09:02:00"))
    d.finish(3, at("09:03:00"))
    d.call_next(1, at("09:04:00"))
    assert d.ticket(tid)["state"] == "called"
    replayed = Engine(visit_hall(), d.engine.day)
    for ev in via_json(d.events):
        replayed.apply(ev)
    assert state_of(replayed, at("09:30:00")) == state_of(d.engine, at("09:30:00"))


def test_a_supervisor_closing_a_window_mid_step_puts_the_visit_back_first_for_that_step(
    d: Desk,
) -> None:
    tid = issue(d, "09:00:00", bundle="B1")["ticket"]["id"]
    other = issue(d, "09:00:30", service="GH-02")["ticket"]["id"]
    d.call_next(3, at("09:01:00"))
    d.start(3, at("09:02:00"))
    d.run(SUPERVISOR, {"type": "close_window", "window": 3}, at("09:05:00"))
    # back first in line for its GH-02 step only (a handoff), the MZ-02 step waits its turn
    assert steps(d, tid) == [
        (1, "MZ-02", "next", None),
        (2, "GH-02", "waiting", None),
        (3, "SF-01", "next", None),
    ]
    assert d.call_next(4, at("09:06:00")) == (tid, "transferred")
    d.start(4, at("09:06:30"))
    d.finish(4, at("09:07:00"))
    assert steps(d, tid)[1] == (2, "GH-02", "done", 4)
    assert steps(d, tid)[0] == (1, "MZ-02", "waiting", None)
    assert d.call_next(4, at("09:08:00")) == (other, "fifo")


# --- the place in line of visits waiting in several queues (a property) ----------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    open_windows=st.sets(st.sampled_from([1, 2, 3, 4]), min_size=1),
    tickets=st.lists(
        st.tuples(
            st.sampled_from(["MZ-01", "MZ-02", "GH-01", "GH-02", "B1", "B1"]),
            st.sampled_from(["normal", "normal", "priority"]),
            st.integers(0, 90),
        ),
        min_size=1,
        max_size=20,
    ),
)
def test_a_visit_in_two_queues_is_called_after_exactly_ahead_others(
    open_windows: set[int], tickets: list[tuple[str, str, int]]
) -> None:
    """With no new arrivals (a called ticket is let go, so no visit moves on), the window free
    first calls next; every ticket, visits waiting in two queues included, is called after
    exactly `ahead` others at the windows that may call it, and once."""
    d = new_desk(visit_hall())
    start = at("08:00:00")
    for n in sorted(open_windows):
        d.open(n, start)
    for what, priority, minute in sorted(tickets, key=lambda t: t[2]):
        args = {"bundle": what} if what == "B1" else {"service": what}
        d.run(
            KIOSK,
            {"type": "issue", "priority": priority, **args},
            start + timedelta(minutes=minute),
        )
    now = start + timedelta(minutes=91)
    waiting = {t["id"]: t for t in d.engine.tickets.values() if t["state"] == "waiting"}
    told = {tid: d.engine.position(tid, now)[0] for tid in waiting}
    fresh = line_up(
        waiting.values(), d.engine.windows.values(), d.engine.policy, now, d.engine.service_s
    )
    assert told == {tid: place[0] for tid, place in fresh.places.items()}
    free = [(0.0, n) for n in open_windows]
    heapq.heapify(free)
    calls: list[tuple[str, int]] = []
    while free:
        clock, n = heapq.heappop(free)
        try:
            tid = d.call_next(n, now)[0]
        except EngineError as e:
            assert e.code == "queue_empty"
            continue
        calls.append((tid, n))
        service = d.ticket(tid)["service"]
        d.no_show(n, now)  # let it go: nothing queues again
        heapq.heappush(free, (clock + d.engine.service_s(service), n))
    assert len({tid for tid, _ in calls}) == len(calls)  # each called once
    for i, (tid, _) in enumerate(calls):
        t = waiting[tid]
        callers = {n for n in open_windows if may_call(t, n, d.engine.windows[n]["services"])}
        assert sum(1 for _, n in calls[:i] if n in callers) == told[tid], tid
    for tid, t in waiting.items():
        if any(may_call(t, n, d.engine.windows[n]["services"]) for n in open_windows):
            assert tid in {c for c, _ in calls}
