"""What the counter knows of the hall, kept from `welcome` + events (pure: no Textual, no I/O).

The hub is the only writer: this state is rebuilt from every welcome and
moved forward by every event, so after a reconnect it is exactly the hub's.
What the screens show (the queue in calling order, the enabled actions) is
derived here, so it can be tested without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.cells import cell_len

from shared.calling import calling_order
from shared.protocol import CALLED, NO_SHOW, PARKED, SERVING, W_OPEN, W_PAUSED, parse_iso

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


@dataclass
class CounterState:
    """The hall as one window's clerk sees it."""

    window_no: int
    staff: str = ""
    staff_name: str = ""
    hall: dict[str, Any] = field(default_factory=dict)
    day: str = ""
    seq: int = 0
    tickets: dict[str, Ticket] = field(default_factory=dict)
    windows: dict[int, dict[str, Any]] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, Any] | None = None
    call_reasons: dict[str, str] = field(default_factory=dict)
    welcomed: bool = False

    # ------------------------------------------------------------ feeding

    def apply_welcome(self, welcome: dict[str, Any]) -> None:
        """Replace everything with the snapshot of a (re)connect."""
        state = welcome.get("state") or {}
        self.hall = welcome.get("hall") or {}
        self.day = str(welcome.get("day") or "")
        self.seq = int(welcome.get("seq") or 0)
        self.tickets = {t["id"]: t for t in state.get("tickets") or ()}
        self.windows = {int(w["number"]): w for w in state.get("windows") or ()}
        self.waiting = dict(state.get("waiting") or {})
        me = state.get("me") or {}
        if me.get("staff") == self.staff and me.get("name"):
            self.staff_name = str(me["name"])
        if state.get("metrics"):
            self.metrics = state["metrics"]
        # newest first: keep the newest reason of each ticket
        for call in reversed(state.get("recent_calls") or ()):
            if call.get("reason"):
                self.call_reasons[call["ticket"]] = call["reason"]
        self.welcomed = True

    def apply_event(self, event: dict[str, Any]) -> None:
        """Move the state forward by one pushed frame (event or `metrics`)."""
        kind = event.get("type", "")
        if isinstance(event.get("seq"), int):
            self.seq = event["seq"]
        if kind == "metrics":
            self.metrics = event.get("metrics")
            return
        ticket = event.get("ticket")
        if kind.startswith("ticket_") and isinstance(ticket, dict):
            self.tickets[ticket["id"]] = ticket
            self.waiting.update(event.get("waiting") or {})
            if kind == "ticket_called":
                if event.get("reason"):
                    self.call_reasons[ticket["id"]] = event["reason"]
                self._count_priority_call(ticket, event.get("window"))
            return
        window = event.get("window")
        if kind.startswith("window_") and isinstance(window, dict):
            self.windows[int(window["number"])] = window
            return
        if kind == "day_rolled":
            self.day = str(event.get("day") or self.day)
            self.tickets = {k: v for k, v in self.tickets.items() if self._is_today(v)}

    def apply_metrics(self, metrics: dict[str, Any] | None) -> None:
        """Take the figures of a `metrics` reply."""
        if metrics:
            self.metrics = metrics

    def _count_priority_call(self, ticket: Ticket, window_no: Any) -> None:
        # The hub keeps Window.priority_streak; events carry no Window, so follow it
        # here between welcomes (the next welcome corrects any drift).
        w = self.windows.get(int(window_no)) if isinstance(window_no, int) else None
        if w is None:
            return
        streak = int(w.get("priority_streak") or 0)
        w["priority_streak"] = streak + 1 if ticket.get("priority") == "priority" else 0

    def _is_today(self, ticket: Ticket) -> bool:
        return str(ticket.get("id", "")).startswith(self.day.replace("-", ""))

    # ------------------------------------------------------------ catalogue look-ups

    def window(self, number: int | None = None) -> dict[str, Any]:
        """A Window object (live when known, else the catalogue's)."""
        no = self.window_no if number is None else number
        if no in self.windows:
            return self.windows[no]
        for w in self.hall.get("windows") or ():
            if int(w["number"]) == no:
                return {**w, "state": "closed", "staff": None, "current": None}
        return {"number": no, "name": f"{no}", "services": [], "state": "closed"}

    def service(self, code: str) -> dict[str, Any]:
        """The catalogue entry of a service (a stub for an unknown code)."""
        for s in self.hall.get("services") or ():
            if s["code"] == code:
                return s
        return {"code": code, "name": code, "department": ""}

    def departments(self) -> list[dict[str, Any]]:
        """The hall's departments, catalogue order."""
        return list(self.hall.get("departments") or ())

    def department_services(self, department: str) -> list[dict[str, Any]]:
        """The services of a department, catalogue order."""
        return [s for s in self.hall.get("services") or () if s.get("department") == department]

    def all_windows(self) -> list[dict[str, Any]]:
        """Every configured window (live state where known), by number."""
        numbers = {int(w["number"]) for w in self.hall.get("windows") or ()} | set(self.windows)
        return [self.window(n) for n in sorted(numbers)]

    def windows_serving(self, service: str) -> list[dict[str, Any]]:
        """The windows that serve a service, by number."""
        return [w for w in self.all_windows() if service in (w.get("services") or ())]

    # ------------------------------------------------------------ this window

    @property
    def window_state(self) -> str:
        return str(self.window().get("state") or "closed")

    @property
    def policy(self) -> dict[str, Any]:
        return dict(self.hall.get("policy") or {})

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
        return calling_order(list(self.tickets.values()), self.window(), self.policy, now)

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
        if not online or busy or not self.welcomed:
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
