"""Same-day figures of a hall, pure: fed by the engine's events, no I/O, no clock of its own.

The engine hands every event it applies (live or replayed) to ``DayMetrics.apply``;
``report(now)`` gives the day's Metrics object so far and ``mean_service_s`` the
service times the estimated waits use (shared/calling.py ``line_up``). Every figure follows from the events alone, so a replayed day reports
exactly what the live day did. What each figure counts: docs/DESIGN.md, "Same-day
metrics" and "Place in line and estimated wait".

A visit of several services (a ticket with ``steps``) counts once in the hall's
issued, received and completed tickets, and each of its steps counts at the window
that receives it (``step_key``: the ticket id, "<id>-<n>" for its step n >= 2, as
its case). ``one_trip`` (一次办结) and ``windows_per_visit`` are per ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, cast
from zoneinfo import ZoneInfo

from hub.catalogue import Hall
from shared.calling import MIN_SAMPLES
from shared.protocol import (
    CANCELLED,
    DONE,
    NO_SHOW,
    PENDING,
    W_CLOSED,
    W_PAUSED,
    WAITING,
    DayRolledEvent,
    Event,
    HallMetrics,
    Metrics,
    Ticket,
    TicketEvent,
    Window,
    WindowEvent,
    WindowMetrics,
    is_ticket_event,
    is_window_event,
    step_key,
)


@dataclass
class WindowStats:
    """Same-day accumulators of one window."""

    received: set[str] = field(default_factory=set)  # step keys (a visit's steps each count)
    completed: int = 0
    pending: int = 0
    transferred_in: int = 0
    transferred_out: int = 0
    no_show: set[str] = field(default_factory=set)
    wait_sum: float = 0.0
    wait_n: int = 0
    service_sum: float = 0.0
    service_n: int = 0
    duty_s: float = 0.0
    duty_since: datetime | None = None
    paused_s: float = 0.0
    paused_since: datetime | None = None
    rating_sum: int = 0
    rating_n: int = 0


@dataclass
class DeskStats:
    """Same-day figures of one desk clerk (咨询台)."""

    conversations: int = 0  # consultations logged
    answered: int = 0  # answered on the spot
    guided: int = 0  # guided to a window
    tickets: int = 0  # tickets issued at the desk (assisted issue)
    referred: int = 0  # referred outside the hall
    minutes: int = 0  # minutes spent in consultations

    def to_wire(self, staff: str) -> dict[str, Any]:
        """The desk entry of Metrics."""
        return {
            "staff": staff,
            "conversations": self.conversations,
            "answered": self.answered,
            "guided": self.guided,
            "tickets": self.tickets,
            "referrals": self.referred,
            "minutes": self.minutes,
        }


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def _mean(total: float, n: int) -> float | None:
    return None if n == 0 else total / n


def _open_s(since: datetime | None, end: datetime) -> float:
    return max(0.0, (end - since).total_seconds()) if since else 0.0


class DayMetrics:
    """The day's figures of one hall, kept up to date by every event the engine applies."""

    def __init__(self, hall: Hall, day: date) -> None:
        self.hall = hall
        self.tz = ZoneInfo(hall.timezone)
        self.day = day
        self.takes_bookings = any(s.booking is not None for s in hall.services)
        # what the windows are doing, as their events tell it: (state, services)
        self.windows: dict[int, tuple[str, list[str]]] = {
            w.number: (W_CLOSED, list(w.services)) for w in hall.windows
        }
        self._reset()

    def _reset(self) -> None:
        self.stats: dict[int, WindowStats] = {n: WindowStats() for n in self.windows}
        self.tickets: dict[str, Ticket] = {}
        self.calls_wait: list[float] = []
        self.seg_start: dict[str, datetime] = {}  # ticket -> start of its service segment
        self.handoff_open: set[str] = set()  # handed off, next service not started yet
        self.service_time: dict[str, tuple[float, int]] = {}  # service -> (seconds, segments)
        self.desks: dict[str, DeskStats] = {}  # desk clerk -> the day's figures
        self.served_at: dict[str, set[int]] = {}  # ticket -> windows where its service started
        # 预约: bookings checked in and bookings that became no-shows this day
        self.bookings: dict[str, int] = {"checked_in": 0, "no_show": 0}

    # ------------------------------------------------------------------ input

    def __eq__(self, other: object) -> bool:
        """The same figures (a replayed day equals the live one)."""
        return isinstance(other, DayMetrics) and vars(self) == vars(other)

    def apply(self, ev: Event) -> None:
        """Count one event (the engine hands over each one it applies)."""
        at = datetime.fromisoformat(ev["at"])
        if is_ticket_event(ev):
            self._ticket_moved(ev, at)
        elif is_window_event(ev):
            self._window_changed(ev, at)
        elif ev["type"] == "day_rolled":
            self._day_rolled(cast(DayRolledEvent, ev))
        elif ev["type"] == "consulted":
            c = cast(dict[str, Any], ev)
            st = self.desks.setdefault(c["staff"], DeskStats())
            st.conversations += 1
            st.minutes += c["minutes"]
            if c["outcome"] in ("answered", "guided", "referred"):
                setattr(st, c["outcome"], getattr(st, c["outcome"]) + 1)
        elif ev["type"] == "booking_checked_in":
            self.bookings["checked_in"] += 1
        elif ev["type"] == "booking_no_show":
            self.bookings["no_show"] += 1

    def _ticket_moved(self, ev: TicketEvent, at: datetime) -> None:
        t = ev["ticket"]
        old = self.tickets.get(t["id"])
        fr = t.get("first_responsible")
        if ev["type"] == "ticket_issued" and fr and fr.get("desk"):
            self.desks.setdefault(fr["staff"], DeskStats()).tickets += 1
        self.tickets[t["id"]] = t
        if ev["type"] == "ticket_expired":
            self.seg_start.pop(t["id"], None)  # a segment cut by the midnight is not counted
            return
        count = _TICKET_COUNTS.get(ev["type"])
        st = self.stats.get(ev["window"]) if "window" in ev else None
        if count is not None and st is not None:
            count(self, ev, old, st, at)

    def change_catalogue(self, hall: Hall, windows: list[Window]) -> None:
        """A new catalogue (the `catalogue` event): its services' typical minutes, its windows
        (a removed window keeps its row of today's figures)."""
        self.hall = hall
        for w in windows:
            self.windows[w["number"]] = (w["state"], list(w["services"]))
            self.stats.setdefault(w["number"], WindowStats())

    def _day_rolled(self, ev: DayRolledEvent) -> None:
        self.day = date.fromisoformat(ev["day"])
        if ev["windows"]:  # the day starts with the windows it names (not those removed)
            self.windows = {}
        self._reset()
        start = self.day_start(self.day)
        for w in ev["windows"]:
            self.windows[w["number"]] = (w["state"], list(w["services"]))
            st = self.stats.setdefault(w["number"], WindowStats())
            if w["state"] != W_CLOSED:
                st.duty_since = start
            if w["state"] == W_PAUSED:
                st.paused_since = start

    def _window_changed(self, ev: WindowEvent, at: datetime) -> None:
        w = ev["window"]
        n = w["number"]
        st = self.stats.setdefault(n, WindowStats())
        was, now = self.windows.get(n, (W_CLOSED, []))[0], w["state"]
        if was == W_PAUSED and now != W_PAUSED and st.paused_since is not None:
            st.paused_s += (at - st.paused_since).total_seconds()
            st.paused_since = None
        if was != W_CLOSED and now == W_CLOSED and st.duty_since is not None:
            st.duty_s += (at - st.duty_since).total_seconds()
            st.duty_since = None
        if was == W_CLOSED and now != W_CLOSED:
            st.duty_since = at
        if now == W_PAUSED and was != W_PAUSED:
            st.paused_since = at
        self.windows[n] = (now, list(w["services"]))

    def _called(self, ev: TicketEvent, old: Ticket | None, st: WindowStats, at: datetime) -> None:
        wait = (at - datetime.fromisoformat(ev["ticket"]["queued_at"])).total_seconds()
        st.wait_sum += wait
        st.wait_n += 1
        self.calls_wait.append(wait)

    def _started(self, ev: TicketEvent, old: Ticket | None, st: WindowStats, at: datetime) -> None:
        tid = ev["ticket"]["id"]
        self.seg_start[tid] = at
        if ev["type"] == "ticket_started":
            st.received.add(step_key(ev["ticket"]))
            self.served_at.setdefault(tid, set()).add(ev["window"])
            if tid in self.handoff_open:
                self.handoff_open.discard(tid)
                st.transferred_in += 1

    def _left(self, ev: TicketEvent, old: Ticket | None, st: WindowStats, at: datetime) -> None:
        """The ticket's service segment at the window ends: finished, handed off or parked."""
        tid = ev["ticket"]["id"]
        seg = self.seg_start.pop(tid, None)
        if seg is not None and old is not None:
            dur = (at - seg).total_seconds()
            st.service_sum += dur
            st.service_n += 1
            total, n = self.service_time.get(old["service"], (0.0, 0))
            self.service_time[old["service"]] = (total + dur, n + 1)
        if ev["type"] == "ticket_finished":
            if ev["outcome"] == DONE:
                st.completed += 1
            else:
                st.pending += 1
        elif ev["type"] == "ticket_transferred":
            st.transferred_out += 1
            self.handoff_open.add(tid)

    def _no_show(self, ev: TicketEvent, old: Ticket | None, st: WindowStats, at: datetime) -> None:
        st.no_show.add(step_key(ev["ticket"]))

    def _rated(self, ev: TicketEvent, old: Ticket | None, st: WindowStats, at: datetime) -> None:
        st.rating_sum += ev["level"]
        st.rating_n += 1

    # ------------------------------------------------------------------ queries

    def day_start(self, day: date) -> datetime:
        """Local midnight starting the day."""
        return datetime.combine(day, time(0), tzinfo=self.tz)

    def mean_service_s(self, service: str) -> Fraction:
        """Today's mean service time of a service, else the catalogue's typical minutes.

        The mean counts once the service has `MIN_SAMPLES` measured segments (one
        quick or slow visit is not a trend). Exact (to the microsecond), so that a
        sum of them is not pushed up a minute by binary rounding.
        """
        total, n = self.service_time.get(service, (0.0, 0))
        if n >= MIN_SAMPLES:
            return Fraction(round(total * 1_000_000), 1_000_000 * n)
        svc = self.hall.service(service)
        return Fraction(60 * (svc.minutes if svc else 10))

    def report(self, now: datetime) -> Metrics:
        """The Metrics object of the day, as of `now` (at most the day's end)."""
        end = min(now.astimezone(self.tz), self.day_start(self.day + timedelta(days=1)))
        frw: dict[int, list[int]] = {}  # window -> [first served there, of which done]
        fr_total = fr_done = 0
        counts = {DONE: 0, PENDING: 0, NO_SHOW: 0, CANCELLED: 0, WAITING: 0}
        visits = one_trip = 0
        for t in self.tickets.values():
            if t["state"] in counts:
                counts[t["state"]] += 1
            steps = t.get("steps") or []
            visits += bool(steps)
            # 一次办结: done, with every step done (the fee paid) in this one trip
            if t["state"] == DONE and all(
                s["state"] == DONE and s.get("paid") is not False for s in steps
            ):
                one_trip += 1
            fr = t.get("first_responsible")
            if fr:
                # a ticket issued at the desk counts for the hall until a window starts it
                agg = frw.setdefault(fr["window"] or 0, [0, 0])
                agg[0] += 1
                fr_total += 1
                if t["state"] == DONE:
                    agg[1] += 1
                    fr_done += 1
        windows: list[WindowMetrics] = []
        received = set(self.served_at)
        service_sum = 0.0
        service_n = rating_sum = rating_n = 0
        for n in sorted(self.windows):
            st = self.stats.setdefault(n, WindowStats())
            service_sum += st.service_sum
            service_n += st.service_n
            rating_sum += st.rating_sum
            rating_n += st.rating_n
            fr_n, fr_d = frw.get(n, [0, 0])
            windows.append(
                {
                    "window": n,
                    "received": len(st.received),
                    "completed": st.completed,
                    "pending": st.pending,
                    "transferred_in": st.transferred_in,
                    "transferred_out": st.transferred_out,
                    "no_show": len(st.no_show),
                    "completion_rate": _rate(st.completed, len(st.received)),
                    "first_responsibility_closure_rate": _rate(fr_d, fr_n),
                    "avg_wait_s": _mean(st.wait_sum, st.wait_n),
                    "avg_service_s": _mean(st.service_sum, st.service_n),
                    "on_duty_s": st.duty_s + _open_s(st.duty_since, end),
                    "paused_s": st.paused_s + _open_s(st.paused_since, end),
                    "ratings": {"count": st.rating_n, "avg": _mean(st.rating_sum, st.rating_n)},
                }
            )
        hall: HallMetrics = {
            "issued": len(self.tickets),
            "waiting": counts[WAITING],
            "received": len(received),
            "completed": counts[DONE],
            "pending": counts[PENDING],
            "no_show": counts[NO_SHOW],
            "cancelled": counts[CANCELLED],
            "completion_rate": _rate(counts[DONE], len(received)),
            "first_responsibility_closure_rate": _rate(fr_done, fr_total),
            "avg_wait_s": _mean(sum(self.calls_wait), len(self.calls_wait)),
            "max_wait_s": max(self.calls_wait) if self.calls_wait else None,
            "avg_service_s": _mean(service_sum, service_n),
            "ratings": {"count": rating_n, "avg": _mean(rating_sum, rating_n)},
            "visits": visits,
            "one_trip": one_trip,
            "windows_per_visit": _mean(
                sum(len(w) for w in self.served_at.values()), len(self.served_at)
            ),
        }
        if self.takes_bookings:  # 预约: only in a hall where some service takes bookings
            hall["bookings"] = {
                "checked_in": self.bookings["checked_in"],
                "no_show": self.bookings["no_show"],
            }
        out: Metrics = {"day": self.day.isoformat(), "hall": hall, "windows": windows}
        if self.desks:  # only in a hall whose desk logged something today
            out["desks"] = [self.desks[s].to_wire(s) for s in sorted(self.desks)]
        return out


# What a ticket event at a window counts (the window's stats, after the ticket before it).
_TICKET_COUNTS: dict[
    str, Callable[[DayMetrics, TicketEvent, Ticket | None, WindowStats, datetime], None]
] = {
    "ticket_called": DayMetrics._called,
    "ticket_started": DayMetrics._started,
    "ticket_unparked": DayMetrics._started,
    "ticket_finished": DayMetrics._left,
    "ticket_transferred": DayMetrics._left,
    "ticket_parked": DayMetrics._left,
    "ticket_no_show": DayMetrics._no_show,
    "ticket_rated": DayMetrics._rated,
}
