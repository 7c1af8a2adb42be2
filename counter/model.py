"""What the counter knows of the hall: the shared `HallState` plus what only a clerk needs.

Pure (no Textual, no I/O). The hub is the only writer: this state is rebuilt
from every welcome and moved forward by every event, so after a reconnect it
is exactly the hub's. `HallState` keeps the shared parts (catalogue look-ups,
windows, waiting counts, tickets, day, seq); this class adds the clerk's own:
who is logged in, today's figures, why each ticket was called, the priority
run of the window, and what the screens show (the queue in calling order,
the parked and no-show lists, the enabled actions), so it can be tested
without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.cells import cell_len

from shared.calling import calling_order, jumps
from shared.hallstate import HallState, Obj
from shared.protocol import (
    BOOKED,
    BOOKING_CHECKED_IN,
    CALLED,
    NO_SHOW,
    PARKED,
    SERVING,
    W_CLOSED,
    W_OPEN,
    W_PAUSED,
    parse_iso,
)

Ticket = dict[str, Any]

# Every action the clerk has, in function-key order (F1 … F10).
ACTIONS: tuple[str, ...] = (
    "call_next",
    "recall",
    "start",
    "finish_done",
    "finish_pending",
    "transfer",
    "no_show",
    "park",
    "pause_resume",
    "logout",
)
# Actions on a ticket chosen in one of the lists.
LIST_ACTIONS: tuple[str, ...] = ("call", "unpark", "requeue")


@dataclass(kw_only=True)
class CounterState(HallState):
    """The hall as one window's clerk sees it."""

    window_no: int
    staff: str = ""
    staff_name: str = ""
    metrics: Obj | None = None
    call_reasons: dict[str, str] = field(default_factory=dict)
    # 预约: today's bookings of this window's services (the welcome's, then booking_* events)
    bookings: dict[str, Obj] = field(default_factory=dict)

    # ------------------------------------------------------------ feeding

    def load_welcome(self, welcome: Obj) -> None:
        """Replace the hall with the snapshot of a (re)connect; keep reasons already known."""
        super().load_welcome(welcome)
        state = welcome.get("state") or {}
        me = state.get("me") or {}
        if me.get("staff") == self.staff and me.get("name"):
            self.staff_name = str(me["name"])
        if state.get("metrics"):
            self.metrics = state["metrics"]
        self.bookings = {b["id"]: b for b in state.get("bookings") or () if isinstance(b, dict)}
        # newest first: keep the newest reason of each ticket
        for call in reversed(state.get("recent_calls") or ()):
            if call.get("reason"):
                self.call_reasons[call["ticket"]] = call["reason"]

    def apply_event(self, event: Obj) -> bool:
        """Move the state forward by one pushed frame (an event or `metrics`)."""
        if event.get("type") == "metrics":
            self.metrics = event.get("metrics")
            return True
        changed = super().apply_event(event)
        ticket = event.get("ticket")
        if event.get("type") == "ticket_called" and isinstance(ticket, dict):
            if event.get("reason"):
                self.call_reasons[ticket["id"]] = event["reason"]
            self._count_priority_call(ticket, event.get("window"), event.get("reason"))
        booking = event.get("booking")
        if str(event.get("type", "")).startswith("booking_") and isinstance(booking, dict):
            mine = booking.get("service") in self.window().get("services", ())
            if mine and booking.get("day") == self.day:
                self.bookings[booking["id"]] = booking
            else:
                self.bookings.pop(booking["id"], None)  # moved to another day
            changed = True
        return changed

    def next_bookings(self, now: datetime, limit: int = 4) -> list[Obj]:
        """This window's services' bookings still to come today (booked or checked in), by slot."""
        ahead = [
            b
            for b in self.bookings.values()
            if b.get("state") in (BOOKED, BOOKING_CHECKED_IN)
            and b.get("service") in self.window().get("services", ())
            and (parse_iso(b.get("end")) or now) > now
        ]
        return sorted(ahead, key=lambda b: (str(b.get("start")), str(b.get("id"))))[:limit]

    def apply_metrics(self, metrics: Obj | None) -> None:
        """Take the figures of a `metrics` reply."""
        if metrics:
            self.metrics = metrics

    def _count_priority_call(self, ticket: Ticket, window_no: Any, reason: Any = None) -> None:
        # The hub keeps Window.priority_streak; events carry no Window, so follow it
        # here between welcomes (the next welcome corrects any drift).
        w = self.windows.get(window_no) if isinstance(window_no, int) else None
        if w is None:
            return
        streak = int(w.get("priority_streak") or 0)
        w["priority_streak"] = streak + 1 if jumps(ticket, reason) else 0

    def _is_today(self, ticket: Ticket) -> bool:
        return str(ticket.get("id", "")).startswith(self.day.replace("-", ""))

    # ------------------------------------------------------------ look-ups that never miss

    def case_departments(self) -> set[str]:
        """The departments of the services this window serves now (whose cases it sees)."""
        out = set()
        for code in self.window().get("services") or ():
            s = self.service(code)
            if s and s.get("department"):
                out.add(str(s["department"]))
        return out

    def window(self, number: int | None = None) -> Obj:
        """A window (this one by default); a closed stub for a number the hall does not know."""
        no = self.window_no if number is None else number
        return super().window(no) or {
            "number": no,
            "name": f"{no}",
            "services": [],
            "state": W_CLOSED,
        }

    def service(self, code: str | None) -> Obj:
        """A service of the catalogue; a stub named by its code for an unknown code."""
        return super().service(code) or {"code": code, "name": code or "", "department": ""}

    # ------------------------------------------------------------ this window

    @property
    def window_state(self) -> str:
        """This window's state (W_OPEN, W_PAUSED or W_CLOSED)."""
        return str(self.window().get("state") or W_CLOSED)

    def current(self) -> Ticket | None:
        """The ticket called or being served at this window, if any."""
        mine = [
            t
            for t in self.tickets.values()
            if t.get("window") == self.window_no and t.get("state") in (CALLED, SERVING)
        ]
        if not mine:
            return None
        return max(mine, key=lambda t: t.get("called_at") or "")

    def queue(self, now: datetime) -> list[tuple[Ticket, str]]:
        """The waiting tickets this window may call, in calling order, with the reason."""
        policy = dict(self.hall.get("policy") or {})
        return calling_order(list(self.tickets.values()), self.window(), policy, now)

    def parked(self) -> list[Ticket]:
        """Tickets parked at this window, oldest first."""
        return sorted(
            (
                t
                for t in self.tickets.values()
                if t.get("state") == PARKED and t.get("window") == self.window_no
            ),
            key=lambda t: t.get("ended_at") or t.get("called_at") or "",
        )

    def no_shows(self) -> list[Ticket]:
        """Today's no-show tickets of this window, newest first."""
        return sorted(
            (
                t
                for t in self.tickets.values()
                if t.get("state") == NO_SHOW
                and t.get("window") == self.window_no
                and self._is_today(t)
            ),
            key=lambda t: t.get("ended_at") or t.get("called_at") or "",
            reverse=True,
        )

    def figures(self) -> dict[str, Any] | None:
        """This window's entry of today's metrics, if known."""
        if not self.metrics:
            return None
        for w in self.metrics.get("windows") or ():
            if int(w.get("window", -1)) == self.window_no:
                return dict(w)
        return None

    def call_reason(self, ticket: Ticket) -> str | None:
        """Why a ticket was called (as the hub said), if known."""
        return self.call_reasons.get(ticket["id"])

    def enabled(self, *, online: bool, busy: bool, now: datetime) -> set[str]:
        """The actions that fit the current state (all off while offline or sending)."""
        if not online or busy or not self.loaded:
            return set()
        state = self.window_state
        if state not in (W_OPEN, W_PAUSED):
            return set()
        current = self.current()
        out = {"requeue"}
        if current is None:
            out |= {"pause_resume", "logout"}
            if state == W_OPEN:
                out.add("unpark")
                if self.queue(now):
                    out |= {"call_next", "call"}
        elif current["state"] == CALLED:
            out |= {"recall", "start", "no_show"}
        elif current["state"] == SERVING:
            out |= {"finish_done", "finish_pending", "transfer", "park"}
        if state == W_PAUSED:
            out.add("pause_resume")
        return out


def seconds_between(start: str | None, end: datetime | str | None) -> float | None:
    """Seconds from an ISO time to another (or to a datetime); None when unknown."""
    a = parse_iso(start)
    b = parse_iso(end) if isinstance(end, str) or end is None else end
    if a is None or b is None:
        return None
    return max(0.0, (b - a).total_seconds())


def fmt_duration(seconds: float | None) -> str:
    """A duration as m:ss (h:mm:ss from an hour on); '—' when unknown."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def fmt_clock(at: str | None) -> str:
    """The HH:MM of a protocol time, as the hall's clock showed it."""
    dt = parse_iso(at)
    return dt.strftime("%H:%M") if dt else "—"


def fmt_rate(rate: float | None) -> str:
    """A rate in [0, 1] as a percentage; '—' when undefined."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def clip(text: str, width: int) -> str:
    """Cut a text to `width` terminal cells (CJK counts two), with an ellipsis."""
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out + "…"
