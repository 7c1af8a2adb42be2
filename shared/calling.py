"""The calling order and the place in line (docs/DESIGN.md "Calling order", "Place in line"), pure.

A window takes, among the waiting tickets it may call:
1. tickets handed off to it or its services (``transferred``): first those a supervisor's
   ``close_window`` put back at the front of their queue, then the oldest handoff;
2. tickets waiting longer than ``max_wait_minutes``, oldest first (``overdue``);
3. booked tickets (预约, checked in at the kiosk) whose slot has started, earliest slot
   first (``appointment``), then priority tickets (``priority``), unless the window's last
   ``priority_run`` calls were all such and a walk-in waits: the run cap is one for both, so
   walk-ins are never starved;
4. everything else in queue order (``fifo``); a booked ticket checked in before its slot
   starts waits here like a walk-in until then.

"Oldest" and "queue order" are one key, `queue_key`: when the ticket started
waiting, then the `seq` of the event that queued it (the order in which the hub
acknowledged it). Never the number: ``F1000`` is acknowledged after ``F999``.

A visit of several services (a ticket with ``steps``) waits in the queue of every
step whose state is ``waiting`` (parallel steps 并联: several at once); a window that
serves any of them may call it, and the pass places it once, at the first window
that calls it. A visit moved to its next step stands in line by its issue
(``line_at``), not at the back.

`line_up` runs this order forward over the whole queue at the open windows,
the window free first calling next (see its docstring), and gives every waiting ticket its place in
line and estimated wait. The engine, the counter's queue view and the tests
share these functions.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

# A Ticket: the hub's (shared.protocol.Ticket) or as an app got it from the wire.
Ticket = TypeVar("Ticket", bound=Mapping[str, Any])

MIN_SAMPLES = 3  # measured service segments of a service before its mean replaces the catalogue's

# What every surface says instead of minutes when no open window serves the ticket (eta null).
NO_WINDOW = (
    "暂无窗口受理，开窗后按顺序叫号",
    "No window is serving this now; you will be called in order when one opens",
)


def queue_key(t: Mapping[str, Any]) -> tuple[str, int]:
    """The queue order of waiting tickets: when it started waiting, then the hub's acknowledgement.

    `queued_at` is written by the hub in the hall's time zone with microseconds,
    so comparing the strings compares the instants; `queued_seq` (the `seq` of the
    issue, transfer or requeue that queued it) breaks ties between tickets of one
    group commit, which share `queued_at`. Total: no two tickets share a `queued_seq`.
    A visit's `line_at`/`line_seq` (its issue, kept when it moves to its next step)
    stand instead when present.
    """
    if "line_at" in t:
        return (t.get("line_at") or "", t.get("line_seq") or 0)
    return (t.get("queued_at") or "", t.get("queued_seq") or 0)


def waiting_services(t: Mapping[str, Any]) -> list[str]:
    """The services in whose queues the ticket waits: a visit's waiting steps, else its service."""
    steps = [s["service"] for s in t.get("steps") or () if s.get("state") == "waiting"]
    return steps or [t["service"]]


def served_service(t: Mapping[str, Any], services: Iterable[str]) -> str:
    """The service a window serving `services` calls this ticket for (its first waiting step)."""
    svc = set(services)
    for code in waiting_services(t):
        if code in svc:
            return code
    return str(t["service"])


_NUMBER = re.compile(r"^(\D*)(\d+)$")


def number_key(number: str) -> tuple[str, int, str]:
    """Order of ticket numbers for lists and reports: prefix, then the digits as an integer."""
    m = _NUMBER.match(number)
    return (m.group(1), int(m.group(2)), "") if m else (number, -1, number)


def appointment_due(t: Mapping[str, Any], now: datetime) -> bool:
    """Whether a booked ticket's slot has started at `now` (it may then go ahead)."""
    b = t.get("booking")
    return b is not None and datetime.fromisoformat(b["start"]) <= now


def jumps(t: Mapping[str, Any], reason: str | None) -> bool:
    """Whether a call counts toward the run cap: a priority ticket, or an appointment."""
    return t.get("priority") == "priority" or reason == "appointment"


def _appointment_key(t: Mapping[str, Any]) -> tuple[str, str, int]:
    return (t["booking"]["start"], *queue_key(t))


def may_call(ticket: Mapping[str, Any], window: int, services: Iterable[str]) -> bool:
    """Whether this window may call this waiting ticket."""
    target = ticket.get("target_window")
    if target is not None:
        return bool(target == window)
    svc = set(services)
    return any(code in svc for code in waiting_services(ticket))


def is_handed_off(ticket: Mapping[str, Any]) -> bool:
    """Whether the ticket waits because of a handoff (its last queueing was a transfer)."""
    handoffs = ticket.get("handoffs") or []
    return bool(handoffs) and handoffs[-1]["at"] == ticket["queued_at"]


def _handoff_key(t: Mapping[str, Any]) -> tuple[bool, str, int]:
    """Handed-off tickets: those put back at the front (a force-closed window's) first, then
    in queue order (a handed-off ticket was queued by its last handoff)."""
    return (not t["handoffs"][-1].get("front", False), *queue_key(t))


def next_ticket(
    waiting: Iterable[Ticket],
    window: int,
    services: Iterable[str],
    policy: Mapping[str, Any],
    priority_streak: int,
    now: datetime,
) -> tuple[Ticket, str] | None:
    """The ticket `call_next` takes at this window, with its reason, or None."""
    svc = set(services)
    mine = [t for t in waiting if t["state"] == "waiting" and may_call(t, window, svc)]
    if not mine:
        return None
    handed = [t for t in mine if is_handed_off(t)]
    if handed:
        return min(handed, key=_handoff_key), "transferred"
    limit = overdue_limit(policy, now)
    overdue = [t for t in mine if datetime.fromisoformat(t["queued_at"]) < limit]
    if overdue:
        return min(overdue, key=queue_key), "overdue"
    appt = [t for t in mine if appointment_due(t, now)]
    prio = [t for t in mine if t.get("priority") == "priority" and not appointment_due(t, now)]
    normal = [t for t in mine if t.get("priority") != "priority" and not appointment_due(t, now)]
    run = int(policy.get("priority_run", 2))
    if (appt or prio) and not (priority_streak >= run and normal):
        if appt:
            return min(appt, key=_appointment_key), "appointment"
        return min(prio, key=queue_key), "priority"
    return min(normal or prio or appt, key=queue_key), "fifo"


def overdue_limit(policy: Mapping[str, Any], now: datetime) -> datetime:
    """Tickets queued before this instant are overdue."""
    return now - timedelta(minutes=int(policy.get("max_wait_minutes", 45)))


def calling_order(
    tickets: Iterable[Ticket],
    window: Mapping[str, Any],
    policy: Mapping[str, Any],
    now: datetime,
) -> list[tuple[Ticket, str]]:
    """Every waiting ticket this window may call, in the order `call_next` would take them."""
    w = _Turns(window, policy, now)
    pools = _pools(sorted((t for t in tickets if t["state"] == "waiting"), key=queue_key), now)
    order: list[tuple[Ticket, str]] = []
    while (picked := w.pick(pools)) is not None:
        order.append(picked)
    return order


# ---------------------------------------------------------------------- the forward pass

Pool = tuple[str, object]  # ("w", window number) for a handoff to one window, ("s", service)


def _pools_of(t: Mapping[str, Any]) -> list[Pool]:
    """The pools a waiting ticket is in: one, or one per waiting step of a visit."""
    target = t.get("target_window")
    if target is not None:
        return [("w", target)]
    return [("s", code) for code in waiting_services(t)]


@dataclass
class _Queues:
    """One pool's waiting tickets in queue order, by class: handed off, appointments whose
    slot has started (by slot), priority, normal.

    `taken` (shared by every pool of a pass) holds the tickets already called: a
    visit waiting in several pools is called once, and skipped at the other pools.
    """

    taken: set[str]
    handed: deque[Any] = field(default_factory=deque)
    appt: deque[Any] = field(default_factory=deque)
    prio: deque[Any] = field(default_factory=deque)
    normal: deque[Any] = field(default_factory=deque)

    def drop_taken(self) -> None:
        """Remove called tickets from the heads of the queues."""
        for q in (self.handed, self.appt, self.prio, self.normal):
            while q and q[0]["id"] in self.taken:
                q.popleft()


def _pools(ordered: Iterable[Ticket], now: datetime | None = None) -> dict[Pool, _Queues]:
    pools: dict[Pool, _Queues] = {}
    taken: set[str] = set()
    for t in ordered:
        for pool in _pools_of(t):
            q = pools.setdefault(pool, _Queues(taken))
            if is_handed_off(t):
                q.handed.append(t)
            elif now is not None and appointment_due(t, now):
                q.appt.append(t)
            elif t.get("priority") == "priority":
                q.prio.append(t)
            else:
                q.normal.append(t)
    for q in pools.values():
        if any(t["handoffs"][-1].get("front") for t in q.handed):
            q.handed = deque(sorted(q.handed, key=_handoff_key))
        if len(q.appt) > 1:
            q.appt = deque(sorted(q.appt, key=_appointment_key))
    return pools


class _Turns:
    """One window calling from pools of queues: `next_ticket` in O(its services) per call.

    Every call takes the head of one pool's class queue, so picking is comparing heads.
    """

    def __init__(self, window: Mapping[str, Any], policy: Mapping[str, Any], now: datetime):
        self.number = int(window["number"])
        self.pools: list[Pool] = [("w", self.number)]
        self.pools += [("s", s) for s in dict.fromkeys(window.get("services") or ())]
        self.streak = int(window.get("priority_streak") or 0)
        self.run = int(policy.get("priority_run", 2))
        self.limit = overdue_limit(policy, now)

    def pick(self, pools: Mapping[Pool, _Queues]) -> tuple[Any, str] | None:
        """Take the ticket `call_next` would take here (removing it), with its reason."""
        mine = [pools[p] for p in self.pools if p in pools]
        for m in mine:
            m.drop_taken()
        q = _head((q.handed for q in mine), _handoff_key)
        reason = "transferred"
        if q is None:
            appt = _head((q.appt for q in mine), _appointment_key)
            prio = _head(q.prio for q in mine)
            normal = _head(q.normal for q in mine)
            heads = [h for h in (appt, prio, normal) if h is not None]
            if not heads:
                return None
            first = min(heads, key=lambda h: queue_key(h[0]))
            jump = appt or prio
            if datetime.fromisoformat(first[0]["queued_at"]) < self.limit:
                reason, q = "overdue", first
            elif jump is not None and not (self.streak >= self.run and normal is not None):
                reason, q = ("appointment", appt) if appt is not None else ("priority", prio)
            else:
                reason, q = "fifo", normal or prio or appt
        assert q is not None
        t = q.popleft()
        mine[0].taken.add(t["id"])
        self.streak = self.streak + 1 if jumps(t, reason) else 0
        return t, reason


def _head(
    queues: Iterable[deque[Any]], key: Callable[[Any], tuple[Any, ...]] = queue_key
) -> deque[Any] | None:
    best: deque[Any] | None = None
    for q in queues:
        if q and (best is None or key(q[0]) < key(best[0])):
            best = q
    return best


@dataclass
class _Phase:
    """The windows of one pass and where each stood when it ran out of tickets."""

    windows: dict[int, frozenset[str]]  # number -> services
    starts: dict[int, list[float]]  # per window, when (in seconds from now) each of its calls is
    clock: dict[int, float]  # seconds until each window is free again after its calls
    priority: set[int]  # windows that call a priority ticket in the pass
    _callers: dict[Pool, list[int]] = field(default_factory=dict)

    def callers(self, t: Mapping[str, Any]) -> list[int]:
        """The windows of this phase that may call the ticket."""
        pools = _pools_of(t)
        if len(pools) > 1:  # a visit in several queues: any window of any of them
            return sorted({n for p in pools for n in self._pool_callers(p)})
        return self._pool_callers(pools[0])

    def _pool_callers(self, pool: Pool) -> list[int]:
        found = self._callers.get(pool)
        if found is None:
            kind, key = pool
            if kind == "w":
                found = [n for n in self.windows if n == key]
            else:
                found = [n for n, s in self.windows.items() if key in s]
            self._callers[pool] = found
        return found

    def turn(self, callers: Iterable[int]) -> tuple[float, int]:
        """The first turn at which one of these windows has nothing else to call."""
        return min((self.clock[n], n) for n in callers)

    def calls_before(self, callers: Iterable[int], turn: tuple[float, int]) -> int:
        """How many tickets these windows call before the turn (clock, window)."""
        at, w = turn
        return sum(
            bisect_right(self.starts[n], at) if n <= w else bisect_left(self.starts[n], at)
            for n in callers
        )


Place = tuple[int, float | None]  # (ahead, estimated wait in seconds or None: no open window)


@dataclass
class LineUp:
    """Every waiting ticket's place in line and estimated wait, as the forward pass found them."""

    places: dict[str, Place]
    open: _Phase  # the open windows
    closed: _Phase  # the others (paused or closed): the order once they open
    last: tuple[str, int]  # the largest queue key of the pass
    overdue_at: datetime | None  # when a ticket of the pass becomes overdue (the pass is stale)

    def append(self, t: Mapping[str, Any], service_s: Callable[[str], float]) -> bool:
        """Add a normal ticket queued after every other: its place, without a new pass.

        A ticket queued last is called at each window only once the window has
        nothing else, so adding it moves nobody else, unless a window that may
        call it calls priority tickets in the pass (the run cap could then call
        it earlier). False when that (or anything else) needs a new pass.
        """
        if (
            t.get("priority") == "priority"
            or t.get("booking")
            or is_handed_off(t)
            or queue_key(t) <= self.last
        ):
            return False
        if len(_pools_of(t)) > 1:
            return False  # a visit waiting in several queues: a new pass places it
        place = self.tail(t)
        if place is None:
            return False
        phase = self.open if self.open.callers(t) else self.closed
        at, w = phase.turn(phase.callers(t))
        phase.starts[w].append(at)
        phase.clock[w] = at + service_s(t["service"])
        self.places[t["id"]] = place
        self.last = queue_key(t)
        return True

    def tail(self, t: Mapping[str, Any]) -> Place | None:
        """The place a normal ticket queued after every other would get; None: run a new pass."""
        phase = self.open if self.open.callers(t) else self.closed
        callers = phase.callers(t)
        if not callers or phase.priority.intersection(callers):
            return None
        turn = phase.turn(callers)
        return phase.calls_before(callers, turn), (turn[0] if phase is self.open else None)


def line_up(
    tickets: Iterable[Mapping[str, Any]],
    windows: Iterable[Mapping[str, Any]],
    policy: Mapping[str, Any],
    now: datetime,
    service_s: Callable[[str], float],
    busy_s: Mapping[int, float] | None = None,
) -> LineUp:
    """Run the calling order forward over a copy of the queue, with no new arrivals.

    Each open window is free after what is left of its current ticket (`busy_s`,
    seconds); the next call is made by the window free first (the lower number on a
    tie), which calls the ticket `next_ticket` gives it (keeping its own priority
    run) and is then busy for `service_s(service)` of that ticket; a window with
    nothing left to call drops out. A ticket's `ahead` is the number of tickets
    called before it at the windows that may call it, its wait the time of its call.
    Tickets no open window may call are placed by a second pass at the paused and
    closed windows (as if they opened now), with no estimated wait. O(waiting
    tickets x (services of a window + log windows)).
    """
    ordered = sorted((t for t in tickets if t["state"] == "waiting"), key=queue_key)
    places: dict[str, Place] = {}
    pools = _pools(ordered, now)
    wins = list(windows)
    opened = [w for w in wins if w.get("state") == "open"]
    others = [w for w in wins if w.get("state") != "open"]
    first = _run(pools, opened, policy, now, service_s, busy_s or {}, places, timed=True)
    second = _run(pools, others, policy, now, service_s, {}, places, timed=False)
    # tickets no window at all may call: in queue order among themselves
    for n, t in enumerate(t for t in ordered if t["id"] not in places):
        places[t["id"]] = (n, None)
    limit = overdue_limit(policy, now)
    later = [t for t in ordered if datetime.fromisoformat(t["queued_at"]) >= limit]
    overdue_at = datetime.fromisoformat(later[0]["queued_at"]) + (now - limit) if later else None
    # a booked ticket's slot starting changes the order too: the pass is stale then
    starts = [
        datetime.fromisoformat(t["booking"]["start"])
        for t in ordered
        if t.get("booking") and not appointment_due(t, now)
    ]
    if starts:
        overdue_at = min([min(starts), *([overdue_at] if overdue_at else [])])
    last = queue_key(ordered[-1]) if ordered else ("", 0)
    return LineUp(places, first, second, last, overdue_at)


def _run(
    pools: dict[Pool, _Queues],
    windows: list[Mapping[str, Any]],
    policy: Mapping[str, Any],
    now: datetime,
    service_s: Callable[[str], float],
    busy: Mapping[int, float],
    places: dict[str, Place],
    timed: bool,
) -> _Phase:
    turns = {int(w["number"]): _Turns(w, policy, now) for w in windows}
    phase = _Phase(
        windows={int(w["number"]): frozenset(w.get("services") or ()) for w in windows},
        starts={n: [] for n in turns},
        clock={n: busy.get(n, 0.0) for n in turns},
        priority=set(),
    )
    free = [(phase.clock[n], n) for n in turns]
    heapq.heapify(free)
    while free:
        at, n = heapq.heappop(free)
        picked = turns[n].pick(pools)
        if picked is None:
            continue  # nothing left for this window: it drops out
        t = picked[0]
        ahead = sum(len(phase.starts[c]) for c in phase.callers(t))
        places[t["id"]] = (ahead, at if timed else None)
        phase.starts[n].append(at)
        phase.clock[n] = at + service_s(served_service(t, phase.windows[n]))
        if jumps(t, picked[1]):
            phase.priority.add(n)
        heapq.heappush(free, (phase.clock[n], n))
    return phase


def eta_minutes(wait_s: float | None) -> int | None:
    """An estimated wait in whole minutes (rounded up), None when no open window serves it."""
    return None if wait_s is None else math.ceil(round(wait_s, 6) / 60)
