"""The board's picture of the hall: a welcome snapshot plus the events after it.

Pure and synchronous (no Textual, no network, no clock of its own): the app
feeds `load_welcome()` and `apply()` and asks for what to draw, passing `now`
where time matters. The shared parts (catalogue look-ups, windows, waiting
counts, tickets, notice, day) are `shared.hallstate.HallState`'s; the board
adds the recent calls, and for the supervisor board the fields only
supervisors receive (metrics, complaints, ratings, printer faults) and the
alerts drawn from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.alerts import (
    CASE_OVERDUE,
    case_alerts,
    cases_by_department,
    max_wait_minutes,
    raise_alerts,
)
from shared.hallstate import HallState
from shared.i18n import name_of
from shared.protocol import (
    BOOKING_CANCELLED,
    BOOKING_CHECKED_IN,
    BOOKING_NO_SHOW,
    CALLED,
    COMPLAINT_FINAL_STATES,
    COMPLAINT_STEPS,
    W_OPEN,
    W_PAUSED,
    parse_iso,
)

from .strings import t

RECENT_KEPT = 20
RECENT_SHOWN = 8

CALL_EVENTS = frozenset({"ticket_called", "ticket_recalled"})


@dataclass(frozen=True)
class Call:
    """One call (or recall) of a ticket to a window, as the board lists it."""

    ticket: str
    number: str
    window: int
    at: str | None
    reason: str | None = None
    recalls: int = 0


@dataclass(frozen=True)
class Alert:
    """Something a supervisor should look at; `key` identifies it across refreshes."""

    kind: str  # unattended | overdue | unserved | paused | rating | printer | complaint
    key: str
    text: str
    severity: str = "warning"  # warning | error
    new: bool = False


@dataclass
class Change:
    """What one applied event changed, for the app to react to (announce, refresh parts)."""

    kind: str
    call: Call | None = None  # set for ticket_called / ticket_recalled
    ticket: str | None = None  # the ticket the event is about, if any
    metrics: bool = False


def _minutes(seconds: float) -> int:
    return int(seconds // 60)


@dataclass
class BoardState(HallState):
    """What the board knows of the hall (see the module docstring)."""

    recent: list[Call] = field(default_factory=list)  # newest first
    # supervisors only
    metrics: dict[str, Any] | None = None
    metrics_at: datetime | None = None  # when `metrics` arrived (to run on-duty clocks on)
    closing: dict[str, Any] | None = None  # supervisors, a hall with hours: waiting at closing
    complaints: list[dict[str, Any]] = field(default_factory=list)
    # every open complaint (of any day), id -> Complaint with the hub's `urgency` (hub/complaints.py)
    open_complaints: dict[str, dict[str, Any]] = field(default_factory=dict)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    printer_faults: list[dict[str, Any]] = field(default_factory=list)
    bookings: dict[str, dict[str, Any]] = field(default_factory=dict)  # 预约 of today, by id
    new_keys: set[str] = field(default_factory=set)  # alert keys that arrived live
    # staff locked out after wrong PINs ({id, name, locked_until}): the hub's `locked_staff`
    locked: list[dict[str, Any]] = field(default_factory=list)

    # ------------------------------------------------------------------ input

    def load_welcome(self, welcome: dict[str, Any], now: datetime | None = None) -> None:
        """Replace everything with a welcome's snapshot (`now`: when it arrived)."""
        super().load_welcome(welcome)
        state = welcome.get("state") or {}
        self.recent = []
        for c in state.get("recent_calls") or []:
            ticket = self.tickets.get(c.get("ticket"), {})
            self.recent.append(
                Call(
                    ticket=str(c.get("ticket")),
                    number=str(c.get("number") or ticket.get("number") or "?"),
                    window=int(c.get("window") or 0),
                    at=c.get("at"),
                    reason=c.get("reason"),
                    recalls=int(ticket.get("recalls") or 0),
                )
            )
        self._dedupe_recent()
        if not self.recent:
            self._recent_from_tickets()
        self.metrics = state.get("metrics") if isinstance(state.get("metrics"), dict) else None
        self.closing = state.get("closing") if isinstance(state.get("closing"), dict) else None
        self.metrics_at = now if self.metrics is not None else None
        self.complaints = [c for c in state.get("complaints") or [] if isinstance(c, dict)]
        self.open_complaints = {
            str(c.get("id")): c for c in state.get("open_complaints") or [] if isinstance(c, dict)
        }
        self.ratings = [r for r in state.get("ratings") or [] if isinstance(r, dict)]
        self.printer_faults = [p for p in state.get("printer_faults") or [] if isinstance(p, dict)]
        self.bookings = {b["id"]: b for b in state.get("bookings") or [] if isinstance(b, dict)}
        self.new_keys = set()

    def apply(self, frame: dict[str, Any], now: datetime | None = None) -> Change:
        """Apply one pushed frame (an event, or a `metrics` frame) and say what changed."""
        self.apply_event(frame)  # the shared parts
        kind = str(frame.get("type"))
        change = Change(kind)
        ticket = frame.get("ticket")
        if kind.startswith("ticket_") and isinstance(ticket, dict) and "id" in ticket:
            tid = ticket["id"]
            change.ticket = tid
            window = frame.get("window")
            if not isinstance(window, int):
                window = ticket.get("window")
            if kind in CALL_EVENTS and isinstance(window, int):
                call = Call(
                    ticket=tid,
                    number=str(ticket.get("number") or "?"),
                    window=window,
                    at=frame.get("at") or ticket.get("called_at"),
                    reason=frame.get("reason"),
                    recalls=int(ticket.get("recalls") or 0),
                )
                self.recent.insert(0, call)
                self._dedupe_recent()
                change.call = call
            if kind == "ticket_rated":
                rating = {
                    "ticket": tid,
                    "number": ticket.get("number"),
                    "window": frame.get("window"),
                    "level": frame.get("level"),
                    "reason": frame.get("reason"),
                    "at": frame.get("at"),
                }
                self.ratings.append(rating)
                self.new_keys.add(self._rating_key(rating))
        elif kind == "metrics" and isinstance(frame.get("metrics"), dict):
            self.metrics = frame["metrics"]
            self.metrics_at = now
            closing = frame.get("closing")
            self.closing = closing if isinstance(closing, dict) else None
            change.metrics = True
        elif kind == "complaint":
            c = {k: frame.get(k) for k in ("id", "ticket", "number", "text", "at")}
            self.complaints.append(c)
            self.new_keys.add(self._complaint_key(c))
            self._put_complaint(frame.get("record"))
        elif kind in COMPLAINT_STEPS:
            self._put_complaint(frame.get("record"))
        elif kind == "printer_fault":
            p = {k: frame.get(k) for k in ("kiosk", "kind", "message", "at")}
            self.printer_faults.append(p)
            self.new_keys.add(self._printer_key(p))
        elif kind.startswith("booking_") and isinstance(frame.get("booking"), dict):
            b = frame["booking"]
            if b.get("day") == self.day:
                self.bookings[b["id"]] = b
            else:
                self.bookings.pop(b.get("id"), None)  # moved to another day
        elif kind == "locked_staff":  # no seq: the whole list, after the welcome and on change
            staff = frame.get("staff")
            self.locked = (
                [p for p in staff if isinstance(p, dict)] if isinstance(staff, list) else []
            )
        elif kind == "day_rolled":
            self.bookings = {k: b for k, b in self.bookings.items() if b.get("day") == self.day}
            self.recent.clear()
            self.complaints.clear()
            self.ratings.clear()
            self.printer_faults.clear()
            self.new_keys.clear()
        return change

    def booking_slots(self) -> list[dict[str, Any]]:
        """Today's bookings per slot and service: booked (not cancelled), checked in, no-show."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for b in self.bookings.values():
            if b.get("state") == BOOKING_CANCELLED:
                continue
            key = (str(b.get("start")), str(b.get("service")))
            row = rows.setdefault(
                key,
                {
                    "start": key[0],
                    "end": str(b.get("end")),
                    "service": key[1],
                    "booked": 0,
                    "checked_in": 0,
                    "no_show": 0,
                },
            )
            row["booked"] += 1
            if b.get("state") in (BOOKING_CHECKED_IN, BOOKING_NO_SHOW):
                row[str(b["state"])] += 1
        return [rows[k] for k in sorted(rows)]

    def _dedupe_recent(self) -> None:
        """Keep one line per ticket (its newest call), newest first, at most RECENT_KEPT."""
        seen: set[str] = set()
        out: list[Call] = []
        for c in self.recent:
            if c.ticket in seen:
                continue
            seen.add(c.ticket)
            out.append(c)
        self.recent = out[:RECENT_KEPT]

    def _recent_from_tickets(self) -> None:
        """Without `recent_calls` in the welcome, rebuild the list from the tickets' called_at."""
        called = [t for t in self.tickets.values() if t.get("called_at") and t.get("window")]
        called.sort(key=lambda t: str(t["called_at"]), reverse=True)
        self.recent = [
            Call(
                t["id"],
                str(t.get("number")),
                int(t["window"]),
                t["called_at"],
                None,
                int(t.get("recalls") or 0),
            )
            for t in called[:RECENT_KEPT]
        ]

    # ------------------------------------------------------------------ lookups

    def window_name(self, number: int | None, lang: str) -> str:
        w = self.windows.get(number) if isinstance(number, int) else None
        if w and (w.get("name") or w.get("name_en")):
            return name_of(w, lang)
        return t("window_no", lang, n=number) if lang == "en" else f"{number}号窗口"

    def hall_name(self, lang: str) -> str:
        return name_of(self.hall, lang) if self.hall else ""

    # ------------------------------------------------------------------ what the boards draw

    def latest_call(self) -> Call | None:
        return self.recent[0] if self.recent else None

    def recent_calls(self, n: int = RECENT_SHOWN) -> list[Call]:
        return self.recent[:n]

    def ticket_state(self, ticket_id: str) -> str | None:
        t_ = self.tickets.get(ticket_id)
        return t_.get("state") if t_ else None

    def window_current_number(self, number: int) -> str | None:
        """The number of the ticket called to or served at a window, if any."""
        w = self.windows.get(number) or {}
        cur = w.get("current")
        if not cur:
            return None
        ticket = self.tickets.get(cur)
        if ticket is None:
            return str(cur).rsplit("-", 1)[-1]  # an id is YYYYMMDD-NUMBER
        return str(ticket.get("number"))

    def window_current_state(self, number: int) -> str | None:
        w = self.windows.get(number) or {}
        cur = w.get("current")
        return self.ticket_state(cur) if cur else None

    def waiting_by_department(self) -> list[tuple[dict[str, Any], int]]:
        """Each department with its number of waiting tickets, in catalogue order."""
        return [(d, self.waiting_in(str(d.get("code")))) for d in self.departments]

    def notice_text(self, now: datetime) -> str | None:
        """The supervisor's notice if one is up and not expired."""
        if not self.notice or not self.notice.get("text"):
            return None
        until = self.notice.get("until")
        if until:
            try:
                end = parse_iso(until)
            except ValueError:
                end = None
            if end is not None and now >= end:
                return None
        return str(self.notice["text"])

    def call_is_current(self, ticket_id: str, window: int, recalls: int) -> bool:
        """Whether a call is still worth announcing: the ticket still waits at that window, called."""
        t_ = self.tickets.get(ticket_id)
        if t_ is None:
            return False
        return (
            t_.get("state") == CALLED
            and t_.get("window") == window
            and int(t_.get("recalls") or 0) <= recalls
        )

    # ------------------------------------------------------------------ supervisor figures

    def window_metrics(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Per-window figures; on-duty and paused clocks run on from when the figures came."""
        if not self.metrics:
            return []
        rows = [dict(r) for r in self.metrics.get("windows") or [] if isinstance(r, dict)]
        if now is not None and self.metrics_at is not None:
            elapsed = max(0.0, (now - self.metrics_at).total_seconds())
            for r in rows:
                n = r.get("window")
                state = (self.windows.get(n) or {}).get("state") if isinstance(n, int) else None
                if state in (W_OPEN, W_PAUSED) and isinstance(r.get("on_duty_s"), int | float):
                    r["on_duty_s"] += elapsed
                if state == W_PAUSED and isinstance(r.get("paused_s"), int | float):
                    r["paused_s"] += elapsed
        return rows

    def hall_metrics(self) -> dict[str, Any]:
        return dict((self.metrics or {}).get("hall") or {})

    @staticmethod
    def _rating_key(r: Mapping[str, Any]) -> str:
        return f"rating:{r.get('ticket')}:{r.get('window')}:{r.get('at')}"

    def _put_complaint(self, record: object) -> None:
        """An open complaint as its latest event left it (closed or rejected: gone)."""
        if not isinstance(record, dict):
            return
        cid = str(record.get("id"))
        if record.get("state") in COMPLAINT_FINAL_STATES:
            self.open_complaints.pop(cid, None)
            return
        held = self.open_complaints.get(cid) or {}
        self.open_complaints[cid] = {**record, "urgency": held.get("urgency")}

    def complaints_by_due(self) -> list[dict[str, Any]]:
        """The open complaints, the earliest deadline first (the supervisor's list)."""
        return sorted(
            self.open_complaints.values(), key=lambda c: (str(c.get("due")), c.get("seq") or 0)
        )

    @staticmethod
    def _complaint_key(c: Mapping[str, Any]) -> str:
        return f"complaint:{c.get('id') or c.get('ticket')}:{c.get('at')}"

    @staticmethod
    def _printer_key(p: Mapping[str, Any]) -> str:
        return f"printer:{p.get('kiosk')}:{p.get('kind')}:{p.get('at')}"

    def alerts(self, now: datetime, lang: str) -> list[Alert]:
        """Everything a supervisor should look at now, most urgent kinds first (shared.alerts)."""
        svc_name = lambda code: name_of(self.service(code) or {}, lang) or str(code)  # noqa: E731
        out: list[Alert] = []
        for a in raise_alerts(
            tickets=self.tickets.values(),
            windows=self.windows.values(),
            waiting=self.waiting,
            policy=self.hall.get("policy"),
            ratings=self.ratings,
            printer_faults=self.printer_faults,
            complaints=self.complaints,
            open_complaints=self.open_complaints.values(),
            now=now,
        ):
            item = a.item
            if a.kind == "unattended":
                number = self.window_current_number(int(a.subject))
                text = t(
                    "a_unattended",
                    lang,
                    window=self.window_name(int(a.subject), lang),
                    minutes=_minutes(a.seconds),
                    ticket=t("a_unattended_ticket", lang, number=number) if a.urgent else "",
                )
                severity = "error" if a.urgent else "warning"
                out.append(Alert(a.kind, f"unattended:{a.subject}", text, severity))
            elif a.kind == "overdue":
                text = t(
                    "a_overdue",
                    lang,
                    number=item.get("number"),
                    minutes=_minutes(a.seconds),
                    limit=max_wait_minutes(self.hall.get("policy")),
                    service=svc_name(item.get("service")),
                )
                out.append(Alert(a.kind, f"overdue:{a.subject}", text, "error"))
            elif a.kind == "unserved":
                text = t("a_unserved", lang, service=svc_name(a.subject), n=item["waiting"])
                out.append(Alert(a.kind, f"unserved:{a.subject}", text, "error"))
            elif a.kind == "paused":
                text = t(
                    "a_paused",
                    lang,
                    window=self.window_name(int(a.subject), lang),
                    minutes=_minutes(a.seconds),
                    reason=item.get("pause_reason") or "—",
                )
                out.append(Alert(a.kind, f"paused:{a.subject}", text))
            elif a.kind == "rating":
                key = self._rating_key(item)
                num = item.get("number") or (self.tickets.get(a.subject) or {}).get("number")
                text = t(
                    "a_rating",
                    lang,
                    level=item.get("level"),
                    number=num or a.subject,
                    window=self.window_name(item.get("window"), lang),
                    reason=item.get("reason") or "—",
                )
                severity = "error" if item.get("level") == 1 else "warning"
                out.append(Alert(a.kind, key, text, severity, key in self.new_keys))
            elif a.kind == "printer":
                key = self._printer_key(item)
                text = t(
                    "a_printer",
                    lang,
                    kiosk=item.get("kiosk") or "?",
                    message=item.get("message") or item.get("kind") or "?",
                )
                out.append(Alert(a.kind, key, text, "error", key in self.new_keys))
            elif a.kind == "complaint" and a.subject.startswith("due-"):
                key = f"complaint:{a.subject}:{item.get('due')}"
                text = t(
                    "a_complaint_overdue" if a.urgent else "a_complaint_due",
                    lang,
                    id=item.get("id"),
                    due=item.get("due"),
                )
                out.append(Alert(a.kind, key, text, "error" if a.urgent else "warning"))
            elif a.kind == "complaint":
                key = self._complaint_key(item)
                ticket = self.tickets.get(str(item.get("ticket"))) or {}
                num = item.get("number") or ticket.get("number")
                text = t("a_complaint", lang, number=num or "—", text=item.get("text") or "")
                out.append(Alert(a.kind, key, text, "warning", key in self.new_keys))
        # open cases (办件) overdue (超期) or due within 2 working days, on the hall's day
        for a in case_alerts(self.cases.values(), self.day):
            overdue = a.kind == CASE_OVERDUE
            text = t(
                "a_case_overdue" if overdue else "a_case_due_soon",
                lang,
                case=a.subject,
                service=svc_name(a.item.get("service")),
                due=a.item.get("due"),
            )
            out.append(
                Alert(a.kind, f"{a.kind}:{a.subject}", text, "error" if overdue else "warning")
            )
        return out

    def case_counts(self) -> list[tuple[dict[str, Any], dict[str, int]]]:
        """Each department with open cases: (department, its open / due soon / overdue counts)."""
        counts = cases_by_department(self.cases.values(), self.day)
        return [(self.department(code) or {"code": code}, n) for code, n in counts.items()]
