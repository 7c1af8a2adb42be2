"""The queue engine: pure, no I/O, no clock of its own.

Theory of operation
-------------------
A command comes in with the actor who sends it and ``now``. ``execute`` runs
its handler ``_do_<type>``, which checks it against the current state and
either raises ``EngineError`` (nothing changed) or returns a result and the
events it caused. Every change of state happens in ``apply(event)``, and only
there: recovery after a restart replays the stored events of the day through
the same ``apply``, so the state after a restart is exactly the state before
it. ``apply`` finds what an event changes in ``APPLY`` (by event type) and
hands every event on to the day's figures (``hub/metrics.py``).

The lifecycle table ``TRANSITIONS`` is the only place that decides a ticket's
new state, and the event type that records it: every handler that moves a
ticket, and the midnight expiry, goes through ``_transition``, which refuses
anything not in the table with ``invalid_state``. ``CHANGES`` says which other
Ticket fields each command may set. A new action is a row (and its CHANGES
entry) plus a handler; a new event type also needs its applier in ``APPLY``.

Visits (一门受理, docs/protocol.md "Visits"): a ticket issued for several services
carries ``steps``; its ``service`` is always its current step's. ``_move`` keeps the
steps' states in line with the ticket's (``_restep``): the steps of the first
unfinished group (parallel steps share a group) wait at once while the ticket
waits, the one a window called is called/serving/parked, the others are ``next``.
Finishing a step that is not the last is two events of one command: the step's
``ticket_finished`` (counted at its window as any finish) and ``ticket_requeued``
with reason ``next_step`` (row ``next_step`` below), which queues the ticket for
its next step(s), standing in line by its issue (``line_at``). The fee step (一口收费)
is added at issue when a service of the visit has a ``fee_amount``.

Events carry the whole Ticket (or Window) after the change, plus what the
metrics need (window, reason, outcome). The fields in ``PRIVATE_EVENT_FIELDS``
are for the hub and its store only and are never sent to clients: the hash of
the citizen's ticket token, the kiosk that issued it, the window as a ticket
event left it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partialmethod
from typing import Any, NamedTuple, TypedDict, cast
from zoneinfo import ZoneInfo

from hub.bookings import (
    BOOKED,
    CHECKED_IN,
    Booking,
    BookingRefused,
    Bookings,
    Emit,
)
from hub.bookings import (
    CANCELLED as B_CANCELLED,
)
from hub.bookings import EVENT_TYPES as BOOKING_EVENTS
from hub.bookings import (
    NO_SHOW as B_NO_SHOW,
)
from hub.cases import CASE_EVENTS, COMPLETED, RETURNED, Case, CaseBook, CaseError, case_id_for
from hub.catalogue import MAX_VISIT_SERVICES, Hall, Service, parse_catalogue
from hub.complaints import EVENT_TYPES as COMPLAINT_EVENTS
from hub.complaints import ComplaintBook, ComplaintError, new_record
from hub.metrics import DayMetrics
from hub.reports import LiveDay
from shared.calling import (
    LineUp,
    Place,
    eta_minutes,
    is_handed_off,
    jumps,
    line_up,
    may_call,
    next_ticket,
    queue_key,
    served_service,
    waiting_services,
)
from shared.protocol import (
    CALLED,
    CANCELLED,
    DONE,
    EXPIRED,
    ISSUING_OPEN,
    NEXT_STEP,
    NO_SHOW,
    PARKED,
    PENDING,
    SERVING,
    STEP_FINISHED,
    STEP_NEXT,
    W_CLOSED,
    W_OPEN,
    W_PAUSED,
    WAITING,
    Complaint,
    ComplaintEvent,
    DayRolledEvent,
    Event,
    FeeItem,
    Handoff,
    Metrics,
    Notice,
    NoticeEvent,
    PrinterFault,
    PrinterFaultEvent,
    Rating,
    RecentCall,
    Ticket,
    TicketEvent,
    VisitStep,
    Window,
    WindowEvent,
    is_ticket_event,
    iso,
    new_ticket,
)

Command = dict[str, Any]  # a request frame, its arguments checked by hub/validate.py


class Step(NamedTuple):
    """Where a row of the lifecycle table leads."""

    state: str  # the ticket's new state
    event: str  # the event type that records the move


EXPIRE = "expire"  # the midnight's command: what is still open at the end of its day expires

# (state, command) -> (new state, event type): the ticket lifecycle (docs/DESIGN.md). Nothing
# else moves a ticket.
TRANSITIONS: dict[tuple[str, str], Step] = {
    (WAITING, "call"): Step(CALLED, "ticket_called"),
    (WAITING, "cancel"): Step(CANCELLED, "ticket_cancelled"),
    (CALLED, "recall"): Step(CALLED, "ticket_recalled"),
    (CALLED, "start"): Step(SERVING, "ticket_started"),
    (CALLED, "no_show"): Step(NO_SHOW, "ticket_no_show"),
    (SERVING, "finish_done"): Step(DONE, "ticket_finished"),
    (SERVING, "finish_pending"): Step(PENDING, "ticket_finished"),
    (SERVING, "transfer"): Step(WAITING, "ticket_transferred"),
    (SERVING, "park"): Step(PARKED, "ticket_parked"),
    (PARKED, "unpark"): Step(SERVING, "ticket_unparked"),
    (NO_SHOW, "requeue"): Step(WAITING, "ticket_requeued"),
    # a visit's step finished with more steps left: it queues for the next (reason next_step)
    (DONE, NEXT_STEP): Step(WAITING, "ticket_requeued"),
    (PENDING, NEXT_STEP): Step(WAITING, "ticket_requeued"),
    # a supervisor closes a window with a ticket at it (close_window's ticket_outcome)
    (CALLED, "close_requeue"): Step(WAITING, "ticket_transferred"),
    (SERVING, "close_requeue"): Step(WAITING, "ticket_transferred"),
    (SERVING, "close_done"): Step(DONE, "ticket_finished"),
    (CALLED, "close_no_show"): Step(NO_SHOW, "ticket_no_show"),
    (WAITING, EXPIRE): Step(EXPIRED, "ticket_expired"),
    (CALLED, EXPIRE): Step(EXPIRED, "ticket_expired"),
    (SERVING, EXPIRE): Step(EXPIRED, "ticket_expired"),
    (PARKED, EXPIRE): Step(EXPIRED, "ticket_expired"),
}

# What each command may change on the Ticket besides its state; everything else stays.
CHANGES: dict[str, frozenset[str]] = {
    # a visit's call: the step the window serves becomes the current one
    "call": frozenset({"called_at", "window", "staff", "recalls", "service", "department", "step"}),
    "cancel": frozenset({"ended_at"}),
    "recall": frozenset({"recalls"}),
    "start": frozenset({"started_at", "staff", "first_responsible", "case"}),
    "no_show": frozenset({"ended_at"}),
    "finish_done": frozenset({"ended_at", "note", "steps"}),
    "finish_pending": frozenset({"ended_at", "note", "steps"}),
    NEXT_STEP: frozenset(
        {
            "service",
            "department",
            "step",
            "queued_at",
            "queued_seq",
            "called_at",
            "started_at",
            "ended_at",
            "window",
            "staff",
            "target_window",
            "recalls",
        }
    ),
    "transfer": frozenset(
        {
            "steps",
            "service",
            "department",
            "queued_at",
            "queued_seq",
            "called_at",
            "window",
            "staff",
            "target_window",
            "recalls",
            "handoffs",
        }
    ),
    "park": frozenset(),
    "unpark": frozenset({"staff"}),
    "requeue": frozenset({"queued_at", "queued_seq", "called_at", "ended_at", "window", "staff"}),
    "close_requeue": frozenset(
        {
            "queued_at",
            "queued_seq",
            "called_at",
            "window",
            "staff",
            "target_window",
            "recalls",
            "handoffs",
        }
    ),
    "close_done": frozenset({"ended_at", "steps"}),
    "close_no_show": frozenset({"ended_at"}),
    EXPIRE: frozenset({"ended_at"}),
}

# A counter command refused because the window has no ticket in the state the command starts from.
_NO_CURRENT = {
    CALLED: ("本窗口没有已叫号的票", "This window has no called ticket"),
    SERVING: ("本窗口没有正在办理的票", "This window has no ticket in service"),
}

# close_window's ticket_outcome refused for the state of the window's ticket
_NO_OUTCOME = {
    "close_done": (
        "{number} 尚未开始办理，不能标记为办结",
        "{number} has not started service: it cannot be marked done",
    ),
    "close_no_show": (
        "{number} 已在办理中，不能标记为过号",
        "{number} is in service: it cannot be marked a no-show",
    ),
}
# the handoff reason of a ticket put back in line by a supervisor's close_window
CLOSED_BY_SUPERVISOR = "窗口被主管关闭 / window closed by supervisor"

RECENT_CALLS = 20

# Events that change neither the queue's order nor its estimated waits (the line-up stays).
_KEEPS_LINE_UP = frozenset(
    {
        "ticket_recalled",
        "ticket_rated",
        "notice",
        "printer_fault",
        "consulted",
        *COMPLAINT_EVENTS,
        *CASE_EVENTS,
        *BOOKING_EVENTS,
    }
)
# a consultation's outcome at the desk (docs/protocol.md, "The desk")
CONSULT_OUTCOMES = ("answered", "guided", "ticket", "referred")
DESK_ISSUE = "咨询台代取号 / issued at the desk"
# Events that queue a ticket (set its queued_at and queued_seq).
_QUEUEING = frozenset({"ticket_issued", "ticket_transferred", "ticket_requeued"})


class Result(TypedDict, total=False):
    """What a command adds to its `ok` reply."""

    ticket: Ticket
    reason: str  # call_next / call: why this ticket
    previous: Ticket  # finish of a visit's step: the ticket as the step's finish left it
    ahead: int  # issue: the place in line
    eta_min: int | None  # None: no open window serves the service
    window: Window
    metrics: Metrics
    id: str  # complain: the complaint's id (as before `complaint`)
    complaint: str  # complain and the supervisor's complaint commands: the complaint's id
    record: dict[str, Any]  # the supervisor's complaint commands: the Complaint after the step
    case: Case | str | None  # complete_case / return_case: the Case; ticket replies: its id
    booking: Booking  # book, move_booking, cancel_booking, check_in


class EngineError(Exception):
    """A refused command: `code` is the protocol error code; nothing changed."""

    def __init__(self, code: str, zh: str, en: str, **extra: Any) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en
        self.extra = extra  # more fields of the error frame (`next_open` of a refused issue)

    def message(self, lang: str = "zh") -> str:
        """The message in the client's language."""
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Actor:
    """Who sends a command: role plus identity (staff id, device name, ticket id)."""

    role: str
    identity: str
    window: int | None = None


@dataclass(frozen=True)
class BookingKeys:
    """What the hub derives from its secret for bookings (the engine holds no secret)."""

    # (booking id, attempt) -> (token hash, code hash); attempt > 0: another code (a repeat)
    credentials: Callable[[str, int], tuple[str, str]]
    mobile_hash: Callable[[str], str]  # 11 digits -> salted hash


class Engine:
    """The day's queue state of one hall, changed only by events."""

    def __init__(
        self,
        hall: Hall,
        day: date,
        token_hash_of: Callable[[str], str] | None = None,
        booking_keys: BookingKeys | None = None,
    ) -> None:
        self.hall = hall
        self.booking_keys = booking_keys
        # ticket id -> the stored hash of its citizen token (pure); None where no
        # ticket is issued (replays for reports, tests)
        self.token_hash_of = token_hash_of
        self.tz = ZoneInfo(hall.timezone)
        self.policy = hall.policy.to_wire()
        self.catalogue_version = 1  # of `hall`; the store sets it (`catalogue` events change it)
        self.seq = 0
        self.day = day
        self.windows: dict[int, Window] = {
            w.number: {
                "number": w.number,
                "name": w.name,
                "name_en": w.name_en,
                "services": list(w.services),
                "state": W_CLOSED,
                "staff": None,
                "current": None,
                "pause_reason": None,
                "paused_at": None,
                "opened_at": None,
                "priority_streak": 0,
            }
            for w in hall.windows
        }
        self.notice: Notice | None = None
        self.day_metrics = DayMetrics(hall, day)
        # the day's report rollup kept as events apply (the hub's; None: not kept)
        self.live_rollup: LiveDay | None = None
        # the open cases (办件): lasting state, not reset by day_rolled (hub/cases.py)
        self.cases = CaseBook(hall)
        self._last_at: datetime | None = None
        self._line_up: LineUp | None = None  # the forward pass, None when something changed
        # complaints outlive the day: not reset by day_rolled (hub/complaints.py)
        self.complaint_book = ComplaintBook(hall.calendar, hall.policy.complaint_days)
        # 预约: outlives the day (not reset by day_rolled); see hub/bookings.py
        self.bookings = Bookings(hall, self.tz)
        self._reset_day()

    # ------------------------------------------------------------------ day state

    def _reset_day(self) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.waiting_by_service: dict[str, set[str]] = {}
        self.numbers: dict[str, int] = {}
        self.issued: dict[str, int] = {}  # service -> tickets issued today (for its quota)
        self.tokens: dict[str, str] = {}  # token hash -> ticket id
        self.rated: set[tuple[str, int]] = set()  # (ticket, visit index)
        self.visits: dict[str, list[int]] = {}  # ticket -> windows where service started
        self.recent_calls: deque[RecentCall] = deque(maxlen=RECENT_CALLS)
        self.complaints: list[Complaint] = []
        self.ratings: list[Rating] = []
        self.printer_faults: list[PrinterFault] = []

    def local_day(self, now: datetime) -> date:
        """The hall-local day of an instant."""
        return now.astimezone(self.tz).date()

    def day_start(self, day: date | None = None) -> datetime:
        """Local midnight starting the day."""
        return datetime.combine(day or self.day, time(0), tzinfo=self.tz)

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(self.tz)

    # ------------------------------------------------------------------ commands

    def execute(self, actor: Actor, cmd: Command, now: datetime) -> tuple[Result, list[Event]]:
        """Run one validated command; return (result fields, events) or raise EngineError."""
        now = self._local(now)
        kind = cmd["type"]
        handler = getattr(self, f"_do_{kind}", None)
        if handler is None:
            raise EngineError(
                "unknown_type", f"未知的请求类型：{kind}", f"Unknown request type: {kind}"
            )
        events: list[Event] = []
        result: Result = handler(actor, cmd, now, events)
        if "ticket" in result and "case" not in result:
            result["case"] = result["ticket"].get("case")  # every ticket reply names its case
        return result, events

    def roll_day(self, now: datetime) -> list[Event]:
        """At the hall-local midnight: expire what is unfinished and restart numbering."""
        now = self._local(now)
        new_day = self.local_day(now)
        if new_day <= self.day:
            return []
        # what was unfinished expired at the midnight that ended its day, even if the
        # hub only notices later (it was down overnight)
        at = min(now, self.day_start(self.day + timedelta(days=1)))
        if self._last_at is not None and self._last_at > at:
            at = self._last_at  # never before an event already stored
        events: list[Event] = []
        self._booking_no_shows(events, at, before=new_day)
        for t in sorted(self.tickets.values(), key=lambda t: t["id"]):
            if (t["state"], EXPIRE) in TRANSITIONS:
                self._move(events, at, t, EXPIRE, {"ended_at": iso(at)})
        self._bookings_missed(events, at, new_day)
        windows = [
            {**w, "current": None, "priority_streak": 0}
            for w in self.windows.values()
            # a window the catalogue removed while it was open is gone once the day is over
            if self.hall.window(w["number"]) is not None or w["state"] != W_CLOSED
        ]
        self._emit(
            events, "day_rolled", at, day=new_day.isoformat(), windows=windows, notice=self.notice
        )
        return events

    def hall_wire(self) -> dict[str, Any]:
        """The catalogue as the welcome and the `catalogue` event carry it, with its version."""
        return {**self.hall.to_wire(), "version": self.catalogue_version}

    def change_catalogue(
        self, hall: Hall, text: str, version: int, now: datetime, by: str | None = None
    ) -> list[Event]:
        """A new catalogue (`hall catalogue apply`) for the running day: the event `catalogue`,
        or nothing when `version` is the one in use.

        Windows of the new catalogue take its name and services (a supervisor's change
        for the day is replaced); a new window starts closed; a removed window goes
        when it is closed, else it stays until its clerk logs out and the day ends.
        Tickets keep their number, service and state: a window that loses a service
        still has the ticket it called, and tickets of a removed service stay in line
        for any window that still serves it (or are called by number, handed off).
        """
        if version == self.catalogue_version:
            return []
        now = self._local(now)
        if self._last_at is not None and self._last_at > now:
            now = self._last_at
        windows: list[Window] = []
        for conf in hall.windows:
            old = self.windows.get(conf.number)
            w: Window = (
                old
                if old is not None
                else {
                    "number": conf.number,
                    "name": conf.name,
                    "name_en": conf.name_en,
                    "services": [],
                    "state": W_CLOSED,
                    "staff": None,
                    "current": None,
                    "pause_reason": None,
                    "paused_at": None,
                    "opened_at": None,
                    "priority_streak": 0,
                }
            )
            windows.append(
                {**w, "name": conf.name, "name_en": conf.name_en, "services": list(conf.services)}
            )
        kept = {conf.number for conf in hall.windows}
        windows += [w for n, w in self.windows.items() if n not in kept and w["state"] != W_CLOSED]
        wire = {**hall.to_wire(), "version": version}
        events: list[Event] = []
        self._emit(
            events,
            "catalogue",
            now,
            version=version,
            hall=wire,
            windows=sorted(windows, key=lambda w: w["number"]),
            today=day_hours(hall, self.day),
            staff=by,
            _catalogue=text,
        )
        return events

    def sweep(self, now: datetime) -> list[Event]:
        """Bookings whose check-in closed without a check-in become no-shows (booking_no_show)."""
        events: list[Event] = []
        now = self._local(now)
        if self._last_at is not None and self._last_at > now:
            now = self._last_at
        self._booking_no_shows(events, now)
        return events

    def _bookings_missed(self, events: list[Event], now: datetime, new_day: date) -> None:
        """At the roll: checked-in bookings of the ending day whose ticket was never served
        (a no-show not requeued, or expired just now) end `missed` (booking_missed)."""
        live = self.bookings.live.values()
        for b in sorted(live, key=lambda b: (b["start"], int(b["id"][1:]))):
            t = self.tickets.get(b["ticket"] or "")
            if b["state"] != CHECKED_IN or b["day"] >= new_day.isoformat() or t is None:
                continue
            served = t["started_at"] is not None or any(
                s["state"] in STEP_FINISHED for s in t.get("steps") or ()
            )
            if t["state"] in (NO_SHOW, EXPIRED) and not served:
                self._booking_events(events, now, self.bookings.missed(b))

    def _booking_no_shows(
        self, events: list[Event], now: datetime, before: date | None = None
    ) -> None:
        for kind, fields in self.bookings.no_shows(now, before):
            self._emit(events, kind, now, **fields)

    def _emit(self, events: list[Event], kind: str, now: datetime, /, **fields: Any) -> None:
        ev = cast(Event, {"type": kind, "seq": self.seq + 1, "at": iso(now), **fields})
        if is_ticket_event(ev):
            ev["waiting"] = self._waiting_after(ev["ticket"])
            ev["case"] = ev["ticket"].get("case")
        self.apply(ev)
        if is_ticket_event(ev) and "window" in ev:
            # for the store: the window's row as this event left it (its `current`)
            ev["_window_after"] = self.windows[ev["window"]]
        events.append(ev)
        if is_ticket_event(ev):
            # the case (办件) this ticket event opens, settles or completes
            for case_kind, case in self.cases.follow(ev):
                self._emit(events, case_kind, now, case=case)

    def _waiting_after(self, ticket: Ticket) -> dict[str, int]:
        # computed before apply: adjust for the change this event makes
        now_in = set(waiting_services(ticket)) if ticket["state"] == WAITING else set()
        services = {ticket["service"], *now_in}
        old = self.tickets.get(ticket["id"])
        if old is not None:
            services |= {old["service"], *waiting_services(old)}
        out = {}
        for s in sorted(services, key=lambda c: (c != ticket["service"], c)):
            ids = self.waiting_by_service.get(s, set())
            n = len(ids) - (1 if ticket["id"] in ids else 0)
            if s in now_in:
                n += 1
            out[s] = n
        return out

    # --- the lifecycle gate

    def _transition(self, t: Ticket, command: str, refusal: tuple[str, str] | None = None) -> Step:
        """The row of TRANSITIONS for the ticket's state and `command`; anything else is refused.

        The refusal is ``invalid_state``, in `refusal`'s words when given.
        """
        step = TRANSITIONS.get((t["state"], command))
        if step is None:
            zh, en = refusal or (
                f"{t['number']} 当前状态为 {t['state']}，不能执行 {command}",
                f"Ticket {t['number']} is {t['state']}: {command} is not allowed",
            )
            raise EngineError("invalid_state", zh, en)
        return step

    def _move(
        self,
        events: list[Event],
        now: datetime,
        t: Ticket,
        command: str,
        changes: Mapping[str, object],
        /,
        **fields: Any,
    ) -> Ticket:
        """Move the ticket by `command`'s row: emit its event with the ticket after the move.

        `changes` are the other Ticket fields the command sets (only those CHANGES
        allows); `fields` are the event's own (window, reason, ...).
        """
        step = self._transition(t, command)
        assert changes.keys() <= CHANGES[command], f"{command} may not change {set(changes)}"
        moved = cast(Ticket, {**t, **changes, "state": step.state})
        if "steps" in moved:
            if "queued_at" in changes and command != NEXT_STEP:
                # handed off or requeued: it stands in line from now, as any ticket
                moved["line_at"], moved["line_seq"] = moved["queued_at"], moved["queued_seq"]
            moved["steps"] = _restep(moved)
        self._emit(events, step.event, now, ticket=moved, **fields)
        return self.tickets[t["id"]]

    def _current(self, actor: Actor, command: str) -> tuple[Window, Ticket]:
        """The actor's window and its current ticket, when the table lets `command` move it."""
        w = self._my_window(actor)
        (source,) = {s for s, c in TRANSITIONS if c == command}  # a counter command's one state
        refusal = _NO_CURRENT[source]
        t = self.tickets.get(w["current"]) if w["current"] else None
        if t is None:
            raise EngineError("invalid_state", *refusal)
        self._transition(t, command, refusal)
        return w, t

    # --- helpers for handlers

    def _ticket(self, tid: Any) -> Ticket:
        if not isinstance(tid, str) or tid not in self.tickets:
            raise EngineError("not_found", f"没有这张票：{tid}", f"No such ticket: {tid}")
        return self.tickets[tid]

    def _window(self, number: Any) -> Window:
        if not isinstance(number, int) or number not in self.windows:
            raise EngineError("not_found", f"没有 {number} 号窗口", f"No window {number}")
        return self.windows[number]

    def _my_window(self, actor: Actor) -> Window:
        assert actor.window is not None
        w = self._window(actor.window)
        if w["state"] == W_CLOSED or w["staff"] != actor.identity:
            raise EngineError("invalid_state", "窗口未登录", "The window is not open")
        return w

    def _service(self, code: Any) -> Service:
        s = self.hall.service(code) if isinstance(code, str) else None
        if s is None:
            raise EngineError("not_found", f"没有这个事项：{code}", f"No such service: {code}")
        return s

    def _free(self, w: Window) -> None:
        if w["state"] == W_PAUSED:
            raise EngineError(
                "window_paused", "窗口暂停中，请先恢复", "The window is paused: resume first"
            )
        cur = self.tickets.get(w["current"]) if w["current"] else None
        if cur is not None and cur["state"] in (CALLED, SERVING):
            raise EngineError(
                "window_busy",
                f"窗口正在处理 {cur['number']}，请先办结或转办",
                f"The window is busy with {cur['number']}: finish or hand it off first",
            )

    # --- kiosk

    def _do_issue(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        groups, bundle = self._visit_groups(cmd)
        services = [self._service(code) for group in groups for code in group]
        svc = services[0]
        if not cmd.get("override"):
            for one in services:
                self._check_open(one, now)
        elif actor.role == "kiosk":
            raise EngineError(
                "forbidden",
                "自助取号机不能越过取号时间和限号",
                "A kiosk cannot override hours or quota",
            )
        visit = (groups, bundle) if "service" not in cmd else None
        return self._issue(
            actor, svc, cmd.get("priority", "normal"), cmd.get("lang"), now, events, visit=visit
        )

    def _issue(
        self,
        actor: Actor,
        svc: Service,
        priority: str,
        lang: str | None,
        now: datetime,
        events: list[Event],
        booking: Booking | None = None,
        visit: tuple[list[list[str]], str | None] | None = None,
    ) -> Result:
        """Issue one ticket of `svc` (the first step's service of a `visit`: its step groups
        and bundle), or of a checked-in `booking`."""
        number = f"{svc.prefix}{self.numbers.get(svc.prefix, 0) + 1:03d}"
        t = new_ticket(
            self.day,
            number,
            svc.code,
            svc.department,
            priority,
            lang or "zh",
            iso(now),
            self.seq + 1,
        )
        if actor.role == "desk":
            # 首问责任制: the desk clerk is the first responsible; the chain starts at the desk
            t["first_responsible"] = {"staff": actor.identity, "window": None, "desk": True}
        if visit is not None:  # a visit: one ticket, a step per service
            groups, bundle = visit
            t["steps"] = self._visit_steps(groups)
            t["step"] = 1
            t["bundle"] = bundle
            t["line_at"], t["line_seq"] = t["queued_at"], t["queued_seq"]
            t["steps"] = _restep(t)
        if booking is not None:
            t["booking"] = {"id": booking["id"], "start": booking["start"], "end": booking["end"]}
        private = {"_kiosk": actor.identity}
        if self.token_hash_of is not None:
            private["_token_hash"] = self.token_hash_of(t["id"])
        self._emit(events, "ticket_issued", now, ticket=t, **private)
        ahead, eta = self.position(t["id"], now)
        return {"ticket": self.tickets[t["id"]], "ahead": ahead, "eta_min": eta}

    def _visit_groups(self, cmd: Command) -> tuple[list[list[str]], str | None]:
        """The services of an issue in groups served in order (parallel within one), and
        the bundle's code; a plain `service` is one group of one."""
        if "bundle" in cmd:
            code = cmd["bundle"]
            b = self.hall.bundle(code) if isinstance(code, str) else None
            if b is None:
                raise EngineError("not_found", f"没有这个套餐：{code}", f"No such bundle: {code}")
            return [list(step) for step in b.steps], b.code
        if "services" not in cmd:
            return [[self._service(cmd.get("service")).code]], None
        codes = cmd["services"]
        for code in codes:
            self._service(code)
            if code == self.hall.fee_service:
                raise EngineError(
                    "bad_args",
                    "收费环节由系统自动加在最后，无需单独选择",
                    "The fee step is added at the end by itself: do not choose it",
                )
        if len(set(codes)) != len(codes):
            raise EngineError("bad_args", "同一事项选了两次", "A service is chosen twice")
        if not 1 <= len(codes) <= MAX_VISIT_SERVICES:
            raise EngineError(
                "bad_args",
                f"一次最多办理 {MAX_VISIT_SERVICES} 个事项",
                f"At most {MAX_VISIT_SERVICES} services in one visit",
            )
        return [[code] for code in codes], None  # chosen at the kiosk: in the order chosen

    def _visit_steps(self, groups: list[list[str]]) -> list[VisitStep]:
        """A visit's steps: one per service, and the fee step when any service has a fee."""
        steps: list[VisitStep] = []
        for g, group in enumerate(groups, start=1):
            for code in group:
                steps.append(_new_step(len(steps) + 1, code, g))
        fees: list[FeeItem] = []
        for s in steps:
            svc = self.hall.service(s["service"])
            if svc is not None and svc.fee_amount:
                fees.append({"service": svc.code, "amount": svc.fee_amount})
        if fees and self.hall.fee_service is not None:
            fee = _new_step(len(steps) + 1, self.hall.fee_service, len(groups) + 1, fee=True)
            fee["fees"] = fees
            fee["total"] = sum(f["amount"] for f in fees)
            fee["paid"] = None
            steps.append(fee)
        return steps

    def _check_open(self, svc: Service, now: datetime) -> None:
        """Refuse issuing outside the service's hours, past its cut-off or quota."""
        refusal = self.hall.issuing_refusal(svc, self.issued.get(svc.code, 0), now)
        if refusal is None:
            return
        code, next_open = refusal
        at = None
        if next_open is not None:
            at = next_open.strftime("%H:%M" if next_open.date() == now.date() else "%m-%d %H:%M")
        if code == "quota_full":
            zh, en = f"{svc.name}今日号已取完", f"{svc.name_en}: today's tickets are all taken"
        else:
            zh, en = f"{svc.name}暂停取号", f"{svc.name_en}: not issuing tickets now"
        if at:
            zh, en = f"{zh}，{at} 起可取号", f"{en}; issuing opens {at}"
        raise EngineError(code, zh, en, next_open=iso(next_open))

    # --- 预约 appointments (hub/bookings.py decides, the engine emits)

    def _booking_events(self, events: list[Event], now: datetime, emit: Emit) -> Booking:
        kind, fields = emit
        self._emit(events, kind, now, **fields)
        return self.bookings.live[fields["booking"]["id"]]

    def _do_book(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        if self.booking_keys is None:
            raise EngineError("unavailable", "暂不能预约", "Booking is not available")
        keys = self.booking_keys
        with _refusals():
            emit = self.bookings.book(
                cmd.get("service"),
                cmd.get("start"),
                cmd["name"],
                cmd["mobile"],
                now,
                f"b{self.seq + 1}",
                keys.mobile_hash,
                keys.credentials,
            )
        return {"booking": self._booking_events(events, now, emit)}

    def _do_cancel_booking(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        with _refusals():
            emit = self.bookings.cancel(cmd.get("token"), now)
        return {"booking": self._booking_events(events, now, emit)}

    def _do_move_booking(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        with _refusals():
            emit = self.bookings.move(cmd.get("token"), cmd.get("start"), now)
        return {"booking": self._booking_events(events, now, emit)}

    def _do_check_in(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        """A booked citizen at the kiosk: a ticket of the booking's service, marked booked.

        Open from `check_in_before` minutes before the slot to `check_in_after` minutes
        after its end; a late citizen is refused (check_in_closed, ``late``) and may take
        an ordinary ticket. The ticket bypasses the walk-in quota (its place was reserved)."""
        with _refusals():
            b = self.bookings.find_for_check_in(cmd.get("code"), cmd.get("mobile_tail"))
        svc = self._service(b["service"])
        if b["state"] == CHECKED_IN:
            number = self.tickets[b["ticket"]]["number"] if b["ticket"] in self.tickets else ""
            raise EngineError(
                "invalid_state",
                f"该预约已签到（排队号 {number}）",
                f"This booking is already checked in (ticket {number})",
            )
        if b["state"] == B_CANCELLED:
            raise EngineError("invalid_state", "该预约已取消", "This booking was cancelled")
        opens, closes = self.bookings.check_in_window(b)
        slot = datetime.fromisoformat(b["start"]).strftime("%m-%d %H:%M")
        if b["state"] == B_NO_SHOW or now >= closes:
            raise EngineError(
                "check_in_closed",
                f"已超过签到时间（预约 {slot}），请取普通号排队",
                f"Check-in for the {slot} booking has closed: please take an ordinary ticket",
                late=True,
                service=svc.code,
            )
        if now < opens:
            at = opens.strftime("%H:%M" if opens.date() == now.date() else "%m-%d %H:%M")
            raise EngineError(
                "check_in_closed",
                f"预约 {slot}，{at} 起可签到",
                f"Booking at {slot}: check-in opens at {at}",
                late=False,
                opens=iso(opens),
            )
        assert b["state"] == BOOKED
        result = self._issue(actor, svc, "normal", cmd.get("lang"), now, events, booking=b)
        ticket = result["ticket"]
        done = self._booking_events(events, now, self.bookings.check_in(b, ticket["id"], now))
        return {**result, "booking": done}

    def _do_printer_status(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        if not cmd.get("ok", False):
            self._emit(
                events,
                "printer_fault",
                now,
                kiosk=actor.identity,
                kind=str(cmd.get("kind") or "error"),
                message=str(cmd.get("message") or ""),
            )
        return {}

    # --- counter

    def _do_open_window(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        w = self._window(actor.window)
        held = [
            o["number"]
            for o in self.windows.values()
            if o["number"] != w["number"]
            and o["state"] != W_CLOSED
            and o["staff"] == actor.identity
        ]
        if held:
            raise EngineError(
                "forbidden",
                f"您已在 {held[0]} 号窗口登录：请先在该窗口退出，或请值班主管关闭该窗口",
                f"You are logged in at window {held[0]}: log out there first, "
                "or ask a supervisor to close it",
            )
        if w["state"] != W_CLOSED:
            if w["staff"] == actor.identity:
                return {}  # a reconnect or a restarted terminal: the session goes on
            raise EngineError(
                "window_taken",
                "该窗口已由其他工作人员登录",
                "Another staff member holds this window",
            )
        nw: Window = {
            **w,
            "state": W_OPEN,
            "staff": actor.identity,
            "opened_at": iso(now),
            "pause_reason": None,
            "paused_at": None,
        }
        self._emit(events, "window_opened", now, window=nw)
        return {}

    def _do_call_next(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        w = self._my_window(actor)
        self._free(w)
        waiting = self._all_waiting()
        picked = next_ticket(
            waiting, w["number"], w["services"], self.policy, w["priority_streak"], now
        )
        if picked is None:
            raise EngineError("queue_empty", "没有等候的群众", "Nobody is waiting for this window")
        t, reason = picked
        return self._call(actor, w, t, reason, now, events)

    def _do_call(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w = self._my_window(actor)
        t = self._ticket(cmd.get("ticket"))
        self._transition(t, "call")
        if not may_call(t, w["number"], w["services"]):
            raise EngineError(
                "invalid_state",
                f"{t['number']} 不属于本窗口的事项",
                f"Ticket {t['number']} is not for this window",
            )
        self._free(w)
        return self._call(actor, w, t, "chosen", now, events)

    def _call(
        self, actor: Actor, w: Window, t: Ticket, reason: str, now: datetime, events: list[Event]
    ) -> Result:
        changes: dict[str, Any] = {
            "called_at": iso(now),
            "window": w["number"],
            "staff": actor.identity,
            "recalls": 0,
        }
        if "steps" in t and t["target_window"] is None:
            # a visit waiting in several queues: called for the step this window serves
            code = served_service(t, w["services"])
            n = next(s["n"] for s in t["steps"] if s["service"] == code and s["state"] == WAITING)
            changes |= {"service": code, "department": self._service(code).department, "step": n}
        moved = self._move(events, now, t, "call", changes, window=w["number"], reason=reason)
        return {"ticket": moved, "reason": reason}

    def _do_recall(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w, t = self._current(actor, "recall")
        changes = {"recalls": t["recalls"] + 1}
        return {"ticket": self._move(events, now, t, "recall", changes, window=w["number"])}

    def _do_start(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w, t = self._current(actor, "start")
        changes = {
            "started_at": iso(now),
            "staff": actor.identity,
            "first_responsible": t["first_responsible"]
            or {"staff": actor.identity, "window": w["number"]},
            "case": case_id_for(t),
        }
        return {"ticket": self._move(events, now, t, "start", changes, window=w["number"])}

    def _do_finish(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        outcome = cmd["outcome"]
        command = f"finish_{outcome}"
        w, t = self._current(actor, command)
        changes: dict[str, Any] = {"ended_at": iso(now), "note": cmd.get("note") or t.get("note")}
        extra: dict[str, Any] = {}
        if "steps" in t:
            changes["steps"] = self._step_finished(t, actor, w, outcome, cmd, now)
            extra = {"step": t["step"]}
        elif "paid" in cmd:
            raise EngineError(
                "bad_args", "只有收费环节记录是否缴费", "Only a fee step records paid or unpaid"
            )
        moved = self._move(
            events, now, t, command, changes, window=w["number"], outcome=outcome, **extra
        )
        following = _first_open_step(moved)
        if following is None:
            return {"ticket": moved}
        # more steps: the ticket queues for the next one by itself, standing in line by its issue
        svc = self._service(following["service"])
        nxt = {
            "service": svc.code,
            "department": svc.department,
            "step": following["n"],
            "queued_at": iso(now),
            "queued_seq": self.seq + 1,
            "called_at": None,
            "started_at": None,
            "ended_at": None,
            "window": None,
            "staff": None,
            "target_window": None,
            "recalls": 0,
        }
        requeued = self._move(
            events,
            now,
            moved,
            NEXT_STEP,
            nxt,
            reason=NEXT_STEP,
            step=following["n"],
            from_window=w["number"],
        )
        return {"ticket": requeued, "previous": moved}

    def _step_finished(
        self, t: Ticket, actor: Actor, w: Window, outcome: str, cmd: Command, now: datetime
    ) -> list[VisitStep]:
        """The visit's steps with its current one finished (and paid or not: the fee step)."""
        out: list[VisitStep] = []
        for s in t["steps"]:
            if s["n"] == t["step"]:
                s = {
                    **s,
                    "state": outcome,
                    "window": w["number"],
                    "staff": actor.identity,
                    "note": cmd.get("note") or None,
                    "ended_at": iso(now),
                }
                if s["fee"]:
                    s["paid"] = bool(cmd.get("paid", outcome == DONE))
                elif "paid" in cmd:
                    raise EngineError(
                        "bad_args",
                        "只有收费环节记录是否缴费",
                        "Only a fee step records paid or unpaid",
                    )
            out.append(s)
        return out

    def _do_transfer(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        w, t = self._current(actor, "transfer")
        svc = self._service(cmd.get("service"))
        to_window = cmd.get("window")
        if to_window is not None:
            tw = self._window(to_window)
            if svc.code not in tw["services"]:
                raise EngineError(
                    "bad_args",
                    f"{to_window} 号窗口不办理该事项",
                    f"Window {to_window} does not serve {svc.code}",
                )
        handoff: Handoff = {
            "from_window": w["number"],
            "from_staff": actor.identity,
            "to_service": svc.code,
            "to_window": to_window,
            "reason": cmd["reason"],
            "at": iso(now),
        }
        changes: dict[str, Any] = {
            "service": svc.code,
            "department": svc.department,
            "queued_at": iso(now),
            "queued_seq": self.seq + 1,
            "called_at": None,
            "window": None,
            "staff": None,
            "target_window": to_window,
            "recalls": 0,
            "handoffs": [*t["handoffs"], handoff],
        }
        if "steps" in t:  # inside a visit: the current step goes on at the other service
            changes["steps"] = [
                {**s, "service": svc.code} if s["n"] == t["step"] else s for s in t["steps"]
            ]
        moved = self._move(events, now, t, "transfer", changes, window=w["number"], handoff=handoff)
        return {"ticket": moved}

    def _do_park(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w, t = self._current(actor, "park")
        moved = self._move(events, now, t, "park", {}, window=w["number"], reason=cmd["reason"])
        return {"ticket": moved}

    def _do_unpark(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w = self._my_window(actor)
        t = self._ticket(cmd.get("ticket"))
        self._transition(t, "unpark")
        if t["window"] != w["number"]:
            raise EngineError(
                "invalid_state",
                f"{t['number']} 挂起在 {t['window']} 号窗口，只能在该窗口恢复",
                f"Ticket {t['number']} is parked at window {t['window']}: resume it there",
            )
        self._free(w)
        changes = {"staff": actor.identity}
        return {"ticket": self._move(events, now, t, "unpark", changes, window=w["number"])}

    def _do_no_show(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w, t = self._current(actor, "no_show")
        changes = {"ended_at": iso(now)}
        return {"ticket": self._move(events, now, t, "no_show", changes, window=w["number"])}

    def _do_requeue(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w = self._my_window(actor)
        t = self._ticket(cmd.get("ticket"))
        self._transition(t, "requeue")
        if t["service"] not in w["services"] and t["window"] != w["number"]:
            raise EngineError(
                "invalid_state",
                f"{t['number']} 不属于本窗口的事项",
                f"Ticket {t['number']} is not for this window",
            )
        changes = {
            "queued_at": iso(now),
            "queued_seq": self.seq + 1,
            "called_at": None,
            "ended_at": None,
            "window": None,
            "staff": None,
        }
        return {"ticket": self._move(events, now, t, "requeue", changes, window=w["number"])}

    def _do_pause(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w = self._my_window(actor)
        if w["state"] == W_PAUSED:
            raise EngineError("invalid_state", "窗口已暂停", "The window is already paused")
        cur = self.tickets.get(w["current"]) if w["current"] else None
        if cur is not None and cur["state"] in (CALLED, SERVING):
            raise EngineError(
                "window_busy",
                f"请先处理完 {cur['number']} 再暂停",
                f"Finish or hand off {cur['number']} before pausing",
            )
        nw: Window = {**w, "state": W_PAUSED, "pause_reason": cmd["reason"], "paused_at": iso(now)}
        self._emit(events, "window_paused", now, window=nw)
        return {"window": nw}

    def _do_resume(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w = self._my_window(actor)
        if w["state"] != W_PAUSED:
            raise EngineError("invalid_state", "窗口没有暂停", "The window is not paused")
        nw: Window = {**w, "state": W_OPEN, "pause_reason": None, "paused_at": None}
        self._emit(events, "window_resumed", now, window=nw)
        return {"window": nw}

    def _do_logout(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        w = self._my_window(actor)
        return self._close(w, now, events)

    def _close(self, w: Window, now: datetime, events: list[Event], /, **fields: Any) -> Result:
        cur = self.tickets.get(w["current"]) if w["current"] else None
        if cur is not None and cur["state"] in (CALLED, SERVING):
            raise EngineError(
                "window_busy",
                f"窗口还有 {cur['number']} 未处理完，请先办结、转办或标记过号",
                f"Window still has {cur['number']}: finish, hand off or mark it no-show first",
            )
        nw: Window = {
            **w,
            "state": W_CLOSED,
            "staff": None,
            "current": None,
            "pause_reason": None,
            "paused_at": None,
            "opened_at": None,
        }
        self._emit(events, "window_closed", now, window=nw, **fields)
        return {"window": nw}

    # --- cases (办件): any day, a clerk of the case's department (hub/cases.py)

    def _case_command(self, actor: Actor, cid: Any) -> Case:
        assert actor.window is not None
        w = self._window(actor.window)
        try:
            return self.cases.check(cid, self.cases.departments_of_window(w["services"]))
        except CaseError as e:
            raise EngineError(e.code, e.zh, e.en) from None

    def _do_complete_case(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        c = self._case_command(actor, cmd.get("case"))
        note = (cmd.get("note") or "").strip() or None
        done = self.cases.closing(c, COMPLETED, iso(now), actor.identity, actor.window, note=note)
        self._emit(events, "case_completed", now, case=done)
        return {"case": done}

    def _do_return_case(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        c = self._case_command(actor, cmd.get("case"))
        reason = (cmd.get("reason") or "").strip()
        if not reason:
            raise EngineError("bad_args", "退件请写明原因", "A returned case needs a reason")
        back = self.cases.closing(
            c, RETURNED, iso(now), actor.identity, actor.window, reason=reason
        )
        self._emit(events, "case_returned", now, case=back)
        return {"case": back}

    # --- supervisor

    def _do_metrics(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        return {"metrics": self.metrics(now)}

    def _do_notice(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        minutes = cmd.get("minutes")
        until = iso(now + timedelta(minutes=minutes)) if minutes else None
        self._emit(events, "notice", now, text=cmd["text"], until=until, staff=actor.identity)
        return {}

    def _do_set_window(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        w = self._window(cmd.get("window"))
        services = cmd["services"]
        for code in services:
            self._service(code)
        nw: Window = {**w, "services": list(dict.fromkeys(services))}
        self._emit(events, "window_changed", now, window=nw, staff=actor.identity)
        return {"window": nw}

    def _do_close_window(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        """Close any window, busy or not: its called or serving ticket goes back to the front
        of its queue (or is done / a no-show, `ticket_outcome`); a parked ticket stays parked
        for the window. The clerk's session ends (hub/server.py)."""
        w = self._window(cmd.get("window"))
        if w["state"] == W_CLOSED:
            raise EngineError("invalid_state", "窗口已关闭", "The window is already closed")
        cur = self.tickets.get(w["current"]) if w["current"] else None
        if cur is None or cur["state"] not in (CALLED, SERVING):
            return self._close(w, now, events, staff=actor.identity)
        moved = self._settle(actor, w, cur, cmd.get("ticket_outcome") or "requeue", now, events)
        return {**self._close(w, now, events, staff=actor.identity), "ticket": moved}

    def _settle(
        self, actor: Actor, w: Window, t: Ticket, outcome: str, now: datetime, events: list[Event]
    ) -> Ticket:
        """The ticket at a window a supervisor closes: back in line first, done or a no-show."""
        command = f"close_{outcome}"
        zh, en = _NO_OUTCOME.get(command, ("", ""))
        self._transition(t, command, (zh.format(number=t["number"]), en.format(number=t["number"])))
        n = w["number"]
        if outcome == "done":
            changes: dict[str, Any] = {"ended_at": iso(now)}
            if "steps" in t:  # the visit's current step done; what is left stays undone
                changes["steps"] = [
                    {**s, "state": DONE, "window": n, "ended_at": iso(now)}
                    if s["n"] == t["step"]
                    else s
                    for s in t["steps"]
                ]
            return self._move(events, now, t, command, changes, window=n, outcome=DONE)
        if outcome == "no_show":
            return self._move(events, now, t, command, {"ended_at": iso(now)}, window=n)
        handoff: Handoff = {
            "from_window": n,
            "from_staff": actor.identity,
            "to_service": t["service"],
            "to_window": None,
            "reason": CLOSED_BY_SUPERVISOR,
            "at": iso(now),
            "front": True,
        }
        changes = {
            "queued_at": iso(now),
            "queued_seq": self.seq + 1,
            "called_at": None,
            "window": None,
            "staff": None,
            "target_window": None,
            "recalls": 0,
            "handoffs": [*t["handoffs"], handoff],
        }
        return self._move(events, now, t, command, changes, window=n, handoff=handoff)

    # --- citizen

    def _do_cancel(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        t = self._ticket(actor.identity)
        return {"ticket": self._move(events, now, t, "cancel", {"ended_at": iso(now)})}

    def _do_rate(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        t = self._ticket(actor.identity)
        level = cmd["level"]
        reason = (cmd.get("reason") or "").strip()
        if level <= 2 and not reason:
            raise EngineError(
                "bad_args",
                "“不满意”或“非常不满意”的评价请写明原因",
                "A rating of 1 or 2 needs a reason",
            )
        window = self.rate_window(t["id"])
        if window is None:
            raise EngineError(
                "invalid_state",
                "现在没有可评价的办理（每次窗口办理只能评价一次）",
                "Nothing to rate now (one rating per visit at a window)",
            )
        self._emit(
            events, "ticket_rated", now, ticket=t, window=window, level=level, reason=reason or None
        )
        if level <= 2:  # 差评: a follow-up complaint, about the window and clerk rated
            staff = self._staff_at_visit(t, window)
            self._open_complaint(
                events, now, "rating", reason, t, window=window, staff=staff, level=level
            )
        return {}

    def _staff_at_visit(self, t: Ticket, window: int) -> str | None:
        """Who served this ticket at this window last (the ticket's staff, else the window's)."""
        if t.get("staff"):
            return t["staff"]
        fr = t.get("first_responsible")
        if fr and fr.get("window") == window:
            return str(fr["staff"])
        return self.windows[window].get("staff") if window in self.windows else None

    def _do_complain(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event]
    ) -> Result:
        """A complaint from the ticket page (citizen) or typed in at the desk (with a contact)."""
        if actor.role == "citizen":
            t: Ticket | None = self._ticket(actor.identity)
            source, contact = "page", None
            window, staff = (t["window"], t["staff"]) if t else (None, None)
            case = cast(dict[str, Any], t).get("case")
        else:
            source = "desk"
            contact = (cmd.get("contact") or "").strip()
            if not contact:
                raise EngineError(
                    "bad_args",
                    "咨询台登记投诉须填写群众的联系方式",
                    "A complaint taken at the desk needs the citizen's contact",
                )
            t = self._find_ticket(cmd["ticket"]) if cmd.get("ticket") else None
            if cmd.get("window") is not None:
                self._window(cmd["window"])
            known: dict[str, Any] = dict(t) if t else {}
            window = cmd["window"] if cmd.get("window") is not None else known.get("window")
            staff = cmd.get("staff") or known.get("staff")
            case = cmd.get("case") or known.get("case")
        cid = self._open_complaint(
            events,
            now,
            source,
            cmd["text"],
            t,
            contact=contact,
            window=window,
            staff=staff,
            case=case,
            received_by=actor.identity if actor.role == "desk" else None,
        )
        return {"id": cid, "complaint": cid}

    def _open_complaint(
        self,
        events: list[Event],
        now: datetime,
        source: str,
        text: str,
        t: Ticket | None,
        **named: Any,
    ) -> str:
        """Emit a `complaint` (received): its deadline from the catalogue, on the calendar."""
        seq = self.seq + 1
        day = self.local_day(now)
        record = new_record(
            seq,
            iso(now),
            day,
            self.complaint_book.due(day),
            source,
            text,
            ticket=t["id"] if t else None,
            number=t["number"] if t else None,
            **named,
        )
        self._emit(
            events,
            "complaint",
            now,
            id=record["id"],
            complaint=record["id"],
            ticket=record["ticket"],
            number=record["number"],
            text=text,
            source=source,
            record=record,
        )
        return str(record["id"])

    def _find_ticket(self, ref: str) -> Ticket:
        """Today's ticket by id or by number (A012)."""
        if ref in self.tickets:
            return self.tickets[ref]
        for t in self.tickets.values():
            if t["number"] == ref.upper():
                return t
        raise EngineError("not_found", f"没有这张票：{ref}", f"No such ticket: {ref}")

    # --- supervisor: complaints

    def _complaint_step(
        self, actor: Actor, cmd: Command, now: datetime, events: list[Event], command: str
    ) -> Result:
        try:
            text = cmd.get("text") or cmd.get("reason")
            step = self.complaint_book.step(
                cmd.get("complaint"), command, self.seq + 1, iso(now), actor.identity, text
            )
        except ComplaintError as e:
            raise EngineError(e.code, e.zh, e.en) from None
        # a district supervisor's step (hub/ship.py) names the district's command
        via = {"district_command": cmd["district_command"]} if "district_command" in cmd else {}
        self._emit(
            events,
            step.event,
            now,
            complaint=step.record["id"],
            ticket=step.record["ticket"],
            staff=actor.identity,
            record=step.record,
            **via,
        )
        return {"complaint": step.record["id"], "record": step.record}

    # one handler per step of the complaint lifecycle (hub/complaints.py TRANSITIONS)
    _do_accept_complaint = partialmethod(_complaint_step, command="accept")
    _do_note_complaint = partialmethod(_complaint_step, command="note")
    _do_answer_complaint = partialmethod(_complaint_step, command="answer")
    _do_close_complaint = partialmethod(_complaint_step, command="close")
    _do_reject_complaint = partialmethod(_complaint_step, command="reject")

    # --- desk

    def _do_consult(self, actor: Actor, cmd: Command, now: datetime, events: list[Event]) -> Result:
        """A conversation at the desk: its topic (a service code or free text), outcome, minutes."""
        topic = cmd["topic"]
        svc = self.hall.service(topic)
        self._emit(
            events,
            "consulted",
            now,
            staff=actor.identity,
            topic=topic,
            service=svc.code if svc else None,
            outcome=cmd["outcome"],
            minutes=cmd["minutes"],
            window=cmd.get("window"),
            ticket=cmd.get("ticket"),
        )
        return {}

    # ------------------------------------------------------------------ apply

    def apply(self, ev: Event) -> None:
        """Change the state by one event (live or replayed)."""
        self.seq = ev["seq"]
        self._last_at = datetime.fromisoformat(ev["at"])
        if is_ticket_event(ev):
            t = ev["ticket"]
            if "queued_seq" not in t:  # stored before tickets carried it
                old = self.tickets.get(t["id"])
                queued = ev["type"] in _QUEUEING or old is None
                t["queued_seq"] = ev["seq"] if queued else old["queued_seq"]
            self._put_ticket(t)
        APPLY[ev["type"]](self, ev)
        self.day_metrics.apply(ev)
        if self.live_rollup is not None:
            self.live_rollup.apply(ev)
        if is_ticket_event(ev) and ev["type"] == "ticket_issued" and self._line_up is not None:
            if not self._line_up.append(ev["ticket"], self.service_s):
                self._line_up = None
        elif ev["type"] not in _KEEPS_LINE_UP:
            self._line_up = None

    def _put_ticket(self, t: Ticket) -> None:
        """Every ticket event: the ticket after the change, in its service's waiting list or not."""
        old = self.tickets.get(t["id"])
        self.tickets[t["id"]] = t
        if old is not None:
            for code in {old["service"], *waiting_services(old)}:
                self.waiting_by_service.get(code, set()).discard(t["id"])
        if t["state"] == WAITING:
            for code in waiting_services(t):  # a visit: each queue it waits in
                self.waiting_by_service.setdefault(code, set()).add(t["id"])

    def _set_current(self, number: int, tid: str | None, only_if: str | None = None) -> None:
        """Set a window's current ticket (when it holds `only_if`, if given).

        Windows are replaced, never changed in place: events hand them out.
        """
        w = self.windows.get(number)
        if w is not None and (only_if is None or w["current"] == only_if):
            self.windows[number] = {**w, "current": tid}

    def _on_issued(self, ev: TicketEvent) -> None:
        t = ev["ticket"]
        prefix, n = t["number"][0], int(t["number"][1:])
        self.numbers[prefix] = max(self.numbers.get(prefix, 0), n)
        for code in [s["service"] for s in t.get("steps") or ()] or [t["service"]]:
            self.issued[code] = self.issued.get(code, 0) + 1
        if "_token_hash" in ev:
            self.tokens[ev["_token_hash"]] = t["id"]

    def _on_called(self, ev: TicketEvent) -> None:
        t, n = ev["ticket"], ev["window"]
        w = self.windows.get(n)
        if w is None:
            return
        streak = w.get("priority_streak", 0) + 1 if jumps(t, ev.get("reason")) else 0
        self.windows[n] = {**w, "current": t["id"], "priority_streak": streak}
        self.recent_calls.appendleft(
            {
                "ticket": t["id"],
                "number": t["number"],
                "window": n,
                "at": ev["at"],
                "reason": ev.get("reason"),
            }
        )

    def _on_at_window(self, ev: TicketEvent) -> None:
        """Recalled or unparked: the window has the ticket."""
        self._set_current(ev["window"], ev["ticket"]["id"])

    def _on_started(self, ev: TicketEvent) -> None:
        self._set_current(ev["window"], ev["ticket"]["id"])
        self.visits.setdefault(ev["ticket"]["id"], []).append(ev["window"])

    def _on_left_window(self, ev: TicketEvent) -> None:
        """Finished, handed off, parked or a no-show: the window no longer has it."""
        self._set_current(ev["window"], None, only_if=ev["ticket"]["id"])

    def _on_ticket_only(self, ev: TicketEvent) -> None:
        """Requeued or cancelled: nothing but the ticket changes."""

    def _on_rated(self, ev: TicketEvent) -> None:
        t = ev["ticket"]
        self.rated.add((t["id"], len(self.visits.get(t["id"], [])) - 1))
        self.ratings.append(
            {
                "ticket": t["id"],
                "number": t["number"],
                "window": ev["window"],
                "level": ev["level"],
                "reason": ev.get("reason"),
                "at": ev["at"],
            }
        )

    def _on_expired(self, ev: TicketEvent) -> None:
        for n in self.windows:
            self._set_current(n, None, only_if=ev["ticket"]["id"])

    def _on_window(self, ev: WindowEvent) -> None:
        self.windows[ev["window"]["number"]] = ev["window"]

    def _on_notice(self, ev: NoticeEvent) -> None:
        self.notice = (
            {"text": ev["text"], "until": ev["until"], "at": ev["at"]} if ev["text"] else None
        )

    def _on_complaint(self, ev: ComplaintEvent) -> None:
        self.complaints.append(
            {
                "id": ev["id"],
                "ticket": ev["ticket"],
                "number": ev["number"],
                "text": ev["text"],
                "at": ev["at"],
            }
        )
        self.complaint_book.apply(cast(dict[str, Any], ev))

    def _on_complaint_step(self, ev: dict[str, Any]) -> None:
        self.complaint_book.apply(ev)

    def _on_consulted(self, ev: dict[str, Any]) -> None:
        """Counted by the day's metrics only."""

    def _on_printer_fault(self, ev: PrinterFaultEvent) -> None:
        self.printer_faults.append(
            {"kiosk": ev["kiosk"], "kind": ev["kind"], "message": ev["message"], "at": ev["at"]}
        )

    def _on_case(self, ev: Any) -> None:
        self.cases.apply(ev)

    def _on_catalogue(self, ev: Any) -> None:
        hall = parse_catalogue(ev["_catalogue"], f"<catalogue version {ev['version']}>")
        self.hall = hall
        self.policy = hall.policy.to_wire()
        self.catalogue_version = ev["version"]
        self.cases.hall = hall  # new time limits and calendar count for cases opened from now
        self.windows = {w["number"]: w for w in ev["windows"]}
        self.day_metrics.change_catalogue(hall, ev["windows"])
        if self.live_rollup is not None:
            self.live_rollup.set_hall(hall)
        self.bookings.hall = hall  # slots from the new catalogue's booking tables

    def _on_booking(self, ev: dict[str, Any]) -> None:
        self.bookings.apply(ev)

    def _on_day_rolled(self, ev: DayRolledEvent) -> None:
        self.day = date.fromisoformat(ev["day"])
        self._reset_day()
        self.cases.forget_closed()  # stored by now: the store's lookup finds them
        self.bookings.forget_before(self.day)
        for w in ev["windows"]:
            self.windows[w["number"]] = w
        self.notice = ev.get("notice")

    # ------------------------------------------------------------------ queries

    def waiting_counts(self, services: Iterable[str] | None = None) -> dict[str, int]:
        """Waiting tickets per service code (every service of the catalogue by default)."""
        codes = list(services) if services is not None else [s.code for s in self.hall.services]
        return {c: len(self.waiting_by_service.get(c, ())) for c in codes}

    def _all_waiting(self) -> list[Ticket]:
        """Every waiting ticket once (a visit may wait in several services' queues)."""
        ids = {i for ids in self.waiting_by_service.values() for i in ids}
        return [self.tickets[i] for i in ids]

    def _waiting(self, service: str) -> list[Ticket]:
        return [self.tickets[i] for i in self.waiting_by_service.get(service, ())]

    def queue_of(self, service: str) -> list[Ticket]:
        """The waiting tickets of a service in queue order (shared.calling.queue_key)."""
        return sorted(self._waiting(service), key=queue_key)

    def line_up(self, now: datetime | None = None) -> LineUp:
        """The forward pass over today's queue (docs/DESIGN.md "Place in line") at `now`.

        `now` defaults to the last event's time. The pass is kept until something
        that changes the order or the waits happens, or a ticket becomes overdue;
        a normal ticket issued at the end of the queue is added without a new pass.
        """
        now = self._now(now)
        lu = self._line_up
        if lu is None or (lu.overdue_at is not None and now >= lu.overdue_at):
            waiting = self._all_waiting()
            lu = line_up(
                waiting, self.windows.values(), self.policy, now, self.service_s, self.busy_s(now)
            )
            self._line_up = lu
        return lu

    def _now(self, now: datetime | None) -> datetime:
        last = self._last_at or self.day_start()
        return last if now is None else max(self._local(now), last)

    def position(self, tid: str, now: datetime | None = None) -> tuple[int, int | None]:
        """(ahead, eta_min) of a ticket; (0, 0) when it is not waiting; eta None: no open window."""
        t = self.tickets.get(tid)
        if t is None or t["state"] != WAITING:
            return 0, 0
        ahead, wait = self.line_up(now).places[tid]
        return ahead, eta_minutes(wait)

    def estimates(self, now: datetime | None = None) -> dict[str, tuple[int, int | None]]:
        """Per service, (ahead, eta_min) a normal ticket issued now would get (the kiosk's guide)."""
        now = self._now(now)
        lu = self.line_up(now)
        out: dict[str, tuple[int, int | None]] = {}
        for svc in self.hall.services:
            place = lu.tail({"service": svc.code}) or self._probe_place(svc.code, now)
            out[svc.code] = (place[0], eta_minutes(place[1]))
        return out

    def issuing(self, now: datetime) -> dict[str, tuple[str, datetime | None]]:
        """Per service, whether `issue` would be refused now and why, with the next opening.

        ``open``; ``not_yet`` (暂未开始取号: issuing opens later today, before the
        opening or in the midday break); ``stopped`` (已停止取号: today's issuing is
        over); ``closed_day`` (a day without hours, a holiday); ``quota_full``
        (今日号已取完). The same test `issue` makes (`Hall.issuing_refusal`).
        """
        local = self._local(now)
        out: dict[str, tuple[str, datetime | None]] = {}
        for svc in self.hall.services:
            refusal = self.hall.issuing_refusal(svc, self.issued.get(svc.code, 0), local)
            if refusal is None:
                out[svc.code] = (ISSUING_OPEN, None)
                continue
            code, next_open = refusal
            hours = svc.hours or self.hall.hours
            if code == "quota_full":
                state = "quota_full"
            elif next_open is not None and next_open.date() == local.date():
                state = "not_yet"
            elif hours is not None and not hours.ranges(local.date(), self.hall.calendar):
                state = "closed_day"
            else:
                state = "stopped"
            out[svc.code] = (state, next_open)
        return out

    def today_hours(self) -> dict[str, Any] | None:
        """The hall's hours of its day (see `day_hours`)."""
        return day_hours(self.hall, self.day)

    def closing(self, now: datetime) -> dict[str, Any] | None:
        """What the supervisor expects at closing time: {"closes_at" (ISO), "waiting_at_close"
        (waiting tickets the forward pass calls at or after closing; those no open window serves
        count too), "finish_at" (ISO: when the last waiting ticket is expected done; null when
        some wait for a window that is not open), "unserved" (waiting for no open window)}.
        None in a hall always open or on a closed day. Tickets still waiting at closing are
        served: the day ends at midnight."""
        today = self.today_hours()
        if today is None or today["closes_at"] is None:
            return None
        h, m = (int(x) for x in today["closes_at"].split(":"))
        close = self.day_start() + timedelta(hours=h, minutes=m)
        now = self._now(now)
        lu = self.line_up(now)
        at_close = unserved = 0
        finish: datetime | None = max(
            (now + timedelta(seconds=s) for s in self.busy_s(now).values()), default=None
        )
        for ids in self.waiting_by_service.values():
            for tid in ids:
                _, wait = lu.places[tid]
                if wait is None:
                    unserved += 1
                    at_close += 1
                    continue
                called = now + timedelta(seconds=wait)
                at_close += called >= close
                done = called + timedelta(seconds=self.service_s(self.tickets[tid]["service"]))
                finish = done if finish is None else max(finish, done)
        return {
            "closes_at": iso(close),
            "waiting_at_close": at_close,
            "finish_at": iso(finish) if finish is not None and not unserved else None,
            "unserved": unserved,
        }

    def _probe_place(self, service: str, now: datetime) -> Place:
        """A new pass with a probe ticket queued last (when the quick tail does not apply)."""
        probe = new_ticket(self.day, "?", service, "", "normal", "zh", iso(now), self.seq + 1)
        waiting = self._all_waiting()
        lu = line_up(
            [*waiting, probe],
            self.windows.values(),
            self.policy,
            now,
            self.service_s,
            self.busy_s(now),
        )
        return lu.places[probe["id"]]

    def service_s(self, service: str) -> float:
        """Today's mean service time of a service in seconds (see DayMetrics.mean_service_s)."""
        return float(self.day_metrics.mean_service_s(service))

    def busy_s(self, now: datetime) -> dict[int, float]:
        """Per open window, the seconds its called or serving ticket still needs (an estimate)."""
        out = {}
        for n, w in self.windows.items():
            cur = self.tickets.get(w["current"]) if w["current"] else None
            if w["state"] != W_OPEN or cur is None or cur["state"] not in (CALLED, SERVING):
                continue
            need = self.service_s(cur["service"])
            if cur["state"] == SERVING and cur["started_at"]:
                need -= (now - datetime.fromisoformat(cur["started_at"])).total_seconds()
            out[n] = max(0.0, need)
        return out

    def avg_service_min(self, service: str) -> float:
        """Today's mean service time of a service in minutes, else the catalogue's typical minutes."""
        return float(self.day_metrics.mean_service_s(service) / 60)

    def metrics(self, now: datetime) -> Metrics:
        """The same-day Metrics object, as of `now`."""
        return self.day_metrics.report(now)

    def rate_window(self, tid: str) -> int | None:
        """The window whose finished visit this ticket may rate now, or None."""
        t = self.tickets.get(tid)
        visits = self.visits.get(tid)
        if t is None or not visits or t["state"] in (SERVING, PARKED):
            return None
        if (tid, len(visits) - 1) in self.rated:
            return None
        return visits[-1]


def hhmm(minutes: int) -> str:
    """Minutes from midnight as "HH:MM"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_hours(hall: Hall, day: date) -> dict[str, Any] | None:
    """A hall's hours of a day, for boards and ticket pages: {"day", "hours" (["08:30-12:00",
    ...], empty on a closed day), "issuing_until" and "closes_at" ("HH:MM": the last closing
    less the hall's cut-off, and the last closing; null on a closed day)}; None in a hall
    always open."""
    hours = hall.hours
    if hours is None:
        return None
    ranges = hours.ranges(day, hall.calendar)
    end = ranges[-1][1] if ranges else None
    until = None
    if end is not None and end - hall.cutoff_minutes > ranges[-1][0]:
        until = hhmm(end - hall.cutoff_minutes)
    return {
        "day": day.isoformat(),
        "hours": [f"{hhmm(a)}-{hhmm(b)}" for a, b in ranges],
        "issuing_until": until,
        "closes_at": hhmm(end) if end is not None else None,
    }


# Event type -> what it changes in the engine, after a ticket event put its ticket
# (each applier takes its own event shape).
APPLY: dict[str, Callable[[Engine, Any], None]] = {
    "ticket_issued": Engine._on_issued,
    "ticket_called": Engine._on_called,
    "ticket_recalled": Engine._on_at_window,
    "ticket_started": Engine._on_started,
    "ticket_finished": Engine._on_left_window,
    "ticket_transferred": Engine._on_left_window,
    "ticket_parked": Engine._on_left_window,
    "ticket_unparked": Engine._on_at_window,
    "ticket_no_show": Engine._on_left_window,
    "ticket_requeued": Engine._on_ticket_only,
    "ticket_cancelled": Engine._on_ticket_only,
    "ticket_rated": Engine._on_rated,
    "ticket_expired": Engine._on_expired,
    "window_opened": Engine._on_window,
    "window_paused": Engine._on_window,
    "window_resumed": Engine._on_window,
    "window_closed": Engine._on_window,
    "window_changed": Engine._on_window,
    "notice": Engine._on_notice,
    "complaint": Engine._on_complaint,
    "complaint_accepted": Engine._on_complaint_step,
    "complaint_noted": Engine._on_complaint_step,
    "complaint_answered": Engine._on_complaint_step,
    "complaint_closed": Engine._on_complaint_step,
    "complaint_rejected": Engine._on_complaint_step,
    "consulted": Engine._on_consulted,
    "day_rolled": Engine._on_day_rolled,
    "catalogue": Engine._on_catalogue,
    "printer_fault": Engine._on_printer_fault,
    "case_opened": Engine._on_case,
    "case_changed": Engine._on_case,
    "case_completed": Engine._on_case,
    "case_returned": Engine._on_case,
    **{kind: Engine._on_booking for kind in BOOKING_EVENTS},
}


# ---------------------------------------------------------------------- visits (steps)


def _new_step(n: int, service: str, group: int, fee: bool = False) -> VisitStep:
    return {
        "n": n,
        "service": service,
        "group": group,
        "state": STEP_NEXT,
        "window": None,
        "staff": None,
        "note": None,
        "ended_at": None,
        "fee": fee,
    }


def _first_open_step(t: Ticket) -> VisitStep | None:
    """The step a visit goes on with after its current one: the first unfinished one."""
    for s in t.get("steps") or ():
        if s["state"] not in STEP_FINISHED:
            return s
    return None


def _restep(t: Ticket) -> list[VisitStep]:
    """A visit's steps with their states following the ticket's.

    Finished steps (done, pending) stay. While the ticket waits, the unfinished
    steps of the first unfinished group wait (all at once: parallel), except after a
    handoff, when only the current step does; the rest are ``next``. At a window the
    current step takes the ticket's state; a ticket that ended (cancelled, expired)
    ends its unfinished steps too; otherwise they are ``next``.
    """
    steps = t["steps"]
    group = min((s["group"] for s in steps if s["state"] not in STEP_FINISHED), default=None)
    only_current = t["target_window"] is not None or is_handed_off(t)
    out: list[VisitStep] = []
    for s in steps:
        if s["state"] in STEP_FINISHED:
            out.append(s)
            continue
        current = s["n"] == t.get("step")
        window = None
        if t["state"] == WAITING:
            mine = s["group"] == group and (current or not only_current)
            state = WAITING if mine else STEP_NEXT
        elif current:
            state, window = t["state"], t["window"]
        elif t["state"] in (CANCELLED, EXPIRED):
            state = t["state"]
        else:
            state = STEP_NEXT
        out.append({**s, "state": state, "window": window})
    return out


class _refusals:
    """Turns a refusal of hub/bookings.py into the engine's EngineError."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, BookingRefused):
            raise EngineError(exc.code, exc.zh, exc.en, **exc.extra) from None
