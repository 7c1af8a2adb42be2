"""Properties of the queue order and the place in line (issues 19 and 11), with hypothesis.

1. Tickets acknowledged together (one instant, one group commit) are called, and told
   their place, in the order the hub acknowledged them, across 999 -> 1000 and 9999 -> 10000.
2. With no new arrivals, calling next at the open windows (the window free first calls,
   the lower number on a tie; a window with nothing to call drops out) calls every
   ticket after exactly `ahead` others at the windows that may call it, as the forward
   pass said.
"""

from __future__ import annotations

import heapq
import os
from datetime import timedelta
from typing import Any

from engine_helpers import KIOSK, Desk, at, new_desk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.engine import Engine, EngineError
from shared.calling import calling_order, eta_minutes, line_up, may_call
from shared.protocol import CALLED, SERVING, WAITING

SETTINGS = settings(
    max_examples=int(os.environ.get("HALL_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
T0 = at("09:00:00")


def _window_of(engine: Engine, n: int) -> dict[str, Any]:
    return dict(engine.windows[n])


@SETTINGS
@given(
    start=st.sampled_from([0, 985, 9985]),
    batches=st.lists(
        st.lists(st.sampled_from(["MZ-01", "MZ-02", "GH-02"]), min_size=1, max_size=40),
        min_size=1,
        max_size=6,
    ),
)
def test_acknowledgement_order_across_999_and_9999(start: int, batches: list[list[str]]) -> None:
    d = new_desk()
    d.engine.numbers.update({"A": start, "C": start})
    d.open(1, T0)  # MZ-01 and MZ-02 (numbers A...)
    d.open(4, T0)  # GH-02 (numbers C...)
    issued: dict[int, list[str]] = {1: [], 4: []}
    for b, batch in enumerate(batches):
        now = T0 + timedelta(seconds=b)  # one group commit: one instant for the batch
        for service in batch:
            r = d.run(KIOSK, {"type": "issue", "service": service}, now)
            line = issued[4 if service == "GH-02" else 1]
            assert r["ahead"] == len(line), r["ticket"]["number"]
            line.append(r["ticket"]["id"])
    last = T0 + timedelta(seconds=len(batches))
    for n, line in issued.items():
        assert [d.engine.position(tid)[0] for tid in line] == list(range(len(line)))
        order = calling_order(
            d.engine.tickets.values(), _window_of(d.engine, n), d.engine.policy, last
        )
        assert [t["id"] for t, _ in order] == line
    for n, line in issued.items():
        called = []
        for _ in line:
            _free(d, n, last)
            called.append(d.call_next(n, last)[0])
        assert called == line


def _free(d: Desk, n: int, now: Any) -> None:
    """Finish whatever window n has called or in service."""
    cur = d.engine.windows[n]["current"]
    if cur and d.state(cur) == CALLED:
        d.start(n, now)
    if cur and d.state(cur) in (CALLED, SERVING):
        d.finish(n, now)


Ticket = tuple[str, str, int]  # service, priority, minutes after 08:00


@SETTINGS
@given(
    open_windows=st.sets(st.sampled_from([1, 2, 3, 4]), min_size=1),
    tickets=st.lists(
        st.tuples(
            st.sampled_from(["MZ-01", "MZ-02", "GH-01", "GH-02"]),
            st.sampled_from(["normal", "normal", "priority"]),
            st.integers(0, 90),
        ),
        min_size=1,
        max_size=25,
    ),
    transfers=st.lists(
        st.tuples(
            st.integers(0, 24),
            st.sampled_from(["MZ-01", "MZ-02", "GH-01", "GH-02"]),
            st.sampled_from([None, 1, 2, 3, 4]),
        ),
        max_size=4,
    ),
    busy=st.lists(st.sampled_from([1, 2, 3, 4]), max_size=3),
)
def test_calls_follow_ahead(
    open_windows: set[int],
    tickets: list[Ticket],
    transfers: list[tuple[int, str, int | None]],
    busy: list[int],
) -> None:
    d = new_desk()
    start = at("08:00:00")
    for n in sorted(open_windows):
        d.open(n, start)
    ids = []
    for service, priority, minute in sorted(tickets, key=lambda t: t[2]):
        ids.append(d.issue(service, start + timedelta(minutes=minute), priority))
    now = start + timedelta(minutes=91)
    for i, service, target in transfers:  # handoffs, some to one window (maybe closed)
        tid = ids[i % len(ids)]
        callers = [
            n
            for n in sorted(open_windows)
            if may_call(d.ticket(tid), n, d.engine.windows[n]["services"])
        ]
        if d.state(tid) != WAITING or not callers:
            continue
        if target is not None and service not in d.engine.windows[target]["services"]:
            target = None
        _free(d, callers[0], now)
        d.call(callers[0], tid, now)
        d.start(callers[0], now)
        d.transfer(callers[0], now, service, target)
    for n in busy:  # windows left with a called ticket
        if n in open_windows:
            _free(d, n, now)
            try:
                d.call_next(n, now)
            except EngineError:
                pass
    waiting = [t for t in d.engine.tickets.values() if t["state"] == WAITING]
    told = {t["id"]: d.engine.position(t["id"], now)[0] for t in waiting}
    # the kept line-up (tickets added without a pass) equals a fresh pass
    fresh = line_up(
        waiting,
        d.engine.windows.values(),
        d.engine.policy,
        now,
        d.engine.service_s,
        d.engine.busy_s(now),
    )
    assert told == {tid: place[0] for tid, place in fresh.places.items()}
    # no new arrivals: the window free first (then the lower number) calls next, and is
    # busy for its service's mean time (as the pass saw them: finishing here adds samples)
    mean = {s: d.engine.service_s(s) for s in ("MZ-01", "MZ-02", "GH-01", "GH-02")}
    busy = d.engine.busy_s(now)
    free = [(busy.get(n, 0.0), n) for n in open_windows]
    heapq.heapify(free)
    calls: list[tuple[str, int]] = []
    while free:
        clock, n = heapq.heappop(free)
        _free(d, n, now)
        try:
            tid = d.call_next(n, now)[0]
        except EngineError as e:
            assert e.code == "queue_empty"
            continue
        calls.append((tid, n))
        heapq.heappush(free, (clock + mean[d.ticket(tid)["service"]], n))
    for i, (tid, _) in enumerate(calls):
        if tid not in told:
            continue
        t = next(t for t in waiting if t["id"] == tid)
        callers = {n for n in open_windows if may_call(t, n, d.engine.windows[n]["services"])}
        assert sum(1 for _, n in calls[:i] if n in callers) == told[tid], tid
    # every waiting ticket an open window may call was called
    called = {tid for tid, _ in calls}
    for t in waiting:
        if any(may_call(t, n, d.engine.windows[n]["services"]) for n in open_windows):
            assert t["id"] in called


@SETTINGS
@given(
    open_windows=st.sets(st.sampled_from([1, 2, 3, 4])),
    tickets=st.lists(
        st.tuples(
            st.sampled_from(["MZ-01", "MZ-02", "GH-01", "GH-02"]),
            st.sampled_from(["normal", "normal", "normal", "priority"]),
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_the_kept_line_up_equals_a_fresh_pass(
    open_windows: set[int], tickets: list[tuple[str, str]]
) -> None:
    d = new_desk()
    for n in sorted(open_windows):
        d.open(n, T0)
    for i, (service, priority) in enumerate(tickets):
        now = T0 + timedelta(seconds=i // 3)  # three to a group commit
        r = d.run(KIOSK, {"type": "issue", "service": service, "priority": priority}, now)
        waiting = [t for t in d.engine.tickets.values() if t["state"] == WAITING]
        fresh = line_up(
            waiting, d.engine.windows.values(), d.engine.policy, now, d.engine.service_s
        )
        assert (r["ahead"], r["eta_min"]) == (
            fresh.places[r["ticket"]["id"]][0],
            eta_minutes(fresh.places[r["ticket"]["id"]][1]),
        )
        assert {t["id"]: d.engine.position(t["id"], now) for t in waiting} == {
            tid: (a, eta_minutes(w)) for tid, (a, w) in fresh.places.items()
        }
        # the kiosk's guide for the next ticket: what it will be told
        guide = d.engine.estimates(now)
        nxt = d.run(KIOSK, {"type": "issue", "service": service}, now)
        assert guide[service] == (nxt["ahead"], nxt["eta_min"])
        d.cancel(nxt["ticket"]["id"], now)
