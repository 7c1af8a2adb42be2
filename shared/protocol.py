"""Wire protocol v1 constants and helpers shared by the hub and every app (see docs/protocol.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NotRequired, TypedDict, TypeGuard, overload

VERSION = 1
DEFAULT_PORT = 8765
DEFAULT_HUB = f"ws://127.0.0.1:{DEFAULT_PORT}/ws"
MAX_CLIENT_FRAME = 64 * 1024  # what a client may send
MAX_HUB_FRAME = 16 * 1024 * 1024  # what clients accept from the hub
MAX_IN_FLIGHT = 16  # a client that keeps at most this many requests open is never rate limited

STAFF_ROLES = ("counter", "supervisor", "desk")

# Ticket states
WAITING, CALLED, SERVING, PARKED = "waiting", "called", "serving", "parked"
DONE, PENDING, NO_SHOW, CANCELLED, EXPIRED = "done", "pending", "no_show", "cancelled", "expired"
TICKET_STATES = (WAITING, CALLED, SERVING, PARKED, DONE, PENDING, NO_SHOW, CANCELLED, EXPIRED)
# Expired at the end of the day if still open; no_show is final unless requeued the same day.
OPEN_STATES = frozenset({WAITING, CALLED, SERVING, PARKED})

# Booking states (预约, hub/bookings.py): a booking's `state`
BOOKED, BOOKING_CHECKED_IN = "booked", "checked_in"
BOOKING_CANCELLED, BOOKING_NO_SHOW = "cancelled", "no_show"
BOOKING_MISSED = "missed"  # checked in, its ticket never served that day

# Window states
W_CLOSED, W_OPEN, W_PAUSED = "closed", "open", "paused"
# Whether a service issues tickets now (the kiosks' `estimates`: `issuing`; absent: open)
ISSUING_OPEN = "open"
ISSUING_STATES = ("not_yet", "stopped", "closed_day", "quota_full")

# Error codes
HELLO_ERRORS = (
    "bad_hello",
    "unsupported_version",
    "auth_failed",
    "locked",
    "forbidden",
    "window_taken",
)

# Close codes
CLOSE_BAD_HELLO = 4000
CLOSE_AUTH = 4001
CLOSE_TAKEN_OVER = 4002
CLOSE_FORBIDDEN = 4003
CLOSE_TOO_SLOW = 4008  # the client left more unread than its send cap: reconnect

COMMANDS: dict[str, tuple[str, ...]] = {
    "kiosk": ("issue", "check_in", "printer_status", "ping"),
    "counter": (
        "call_next",
        "call",
        "recall",
        "start",
        "finish",
        "transfer",
        "park",
        "unpark",
        "no_show",
        "requeue",
        "pause",
        "resume",
        "logout",
        "metrics",
        "complete_case",
        "return_case",
        "change_pin",
        "ping",
    ),
    "supervisor": (
        "metrics",
        "report",
        "notice",
        "set_window",
        "close_window",
        "issue",
        "unlock_staff",
        "accept_complaint",
        "note_complaint",
        "answer_complaint",
        "close_complaint",
        "reject_complaint",
        "ping",
    ),
    # the consultation desk (咨询台): staff marked as desk staff, no window
    "desk": ("consult", "issue", "complain", "metrics", "ping"),
    "citizen": ("cancel", "rate", "complain", "ping"),
    "display": ("ping",),
    # 预约: anonymous, from the /book and /b/<token> pages
    "visitor": ("slots", "book", "booking", "cancel_booking", "move_booking", "ping"),
}

EVENT_TYPES = (
    "ticket_issued",
    "ticket_called",
    "ticket_recalled",
    "ticket_started",
    "ticket_finished",
    "ticket_transferred",
    "ticket_parked",
    "ticket_unparked",
    "ticket_no_show",
    "ticket_requeued",
    "ticket_cancelled",
    "ticket_rated",
    "ticket_expired",
    "window_opened",
    "window_paused",
    "window_resumed",
    "window_closed",
    "window_changed",
    "notice",
    "complaint",
    "day_rolled",
    "printer_fault",
    "case_opened",
    "case_changed",
    "case_completed",
    "case_returned",
    "catalogue",
    "complaint_accepted",
    "complaint_noted",
    "complaint_answered",
    "complaint_closed",
    "complaint_rejected",
    "consulted",
    "booking_made",
    "booking_cancelled",
    "booking_moved",
    "booking_checked_in",
    "booking_no_show",
    "booking_missed",
)
# Cases (办件): staff of the case's department and supervisors only (hub/cases.py)
CASE_EVENTS = frozenset({"case_opened", "case_changed", "case_completed", "case_returned"})
BOOKING_EVENT_TYPES = frozenset(t for t in EVENT_TYPES if t.startswith("booking_"))
# every step of a complaint after `complaint` (hub/complaints.py)
COMPLAINT_STEPS = frozenset(
    {
        "complaint_accepted",
        "complaint_noted",
        "complaint_answered",
        "complaint_closed",
        "complaint_rejected",
    }
)
COMPLAINT_EVENTS = frozenset({"complaint", *COMPLAINT_STEPS})
# a complaint's final states (hub/complaints.py): no longer on the supervisors' open list
COMPLAINT_FINAL_STATES = frozenset({"closed", "rejected"})
PRIVATE_EVENTS = frozenset(
    {
        "ticket_rated",
        "complaint",
        "printer_fault",
        "consulted",
        *COMPLAINT_STEPS,
        *CASE_EVENTS,
        *BOOKING_EVENT_TYPES,
    }
)
# Event fields for the hub and its store only: never sent to any client.
PRIVATE_EVENT_FIELDS = frozenset(
    {"_token_hash", "_kiosk", "_window_after", "_catalogue", "_code_hash", "_mobile_hash"}
)

PUBLIC_TICKET_FIELDS = (
    "id",
    "number",
    "service",
    "department",
    "priority",
    "state",
    "issued_at",
    "queued_at",
    "queued_seq",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "target_window",
    "recalls",
    "case",
    "booking",
)
PUBLIC_STEP_FIELDS = ("n", "service", "group", "state", "window", "fee", "total", "paid")
PUBLIC_HANDOFF_FIELDS = ("from_window", "to_service", "to_window", "at")


# --- the objects (times are ISO 8601 strings, see iso()) ------------------------------------


class FirstResponsible(TypedDict):
    """Who first started service on a ticket (首问负责制), or the desk clerk who issued it."""

    staff: str
    window: int | None  # None: the desk (then `desk` is true)
    desk: NotRequired[bool]


class Handoff(TypedDict):
    """One transfer of a ticket to another service or window (转办)."""

    from_window: int
    from_staff: str
    to_service: str
    to_window: int | None
    reason: str
    at: str
    # set by a supervisor's close_window: the ticket goes back to the front of its queue
    front: NotRequired[bool]


# A visit's step states (docs/protocol.md "Visits"): besides the ticket states a step at a
# window takes (called, serving, parked, no_show) and the ends (done, pending, cancelled,
# expired): `waiting` in that step's queue now, `next` not yet (a later step, or a parallel
# one while the ticket is at another window).
STEP_NEXT = "next"
MAX_VISIT_SERVICES = 5  # services a citizen may do in one visit (the fee step not counted)
STEP_FINISHED = frozenset({DONE, PENDING})
NEXT_STEP = "next_step"  # the reason of the ticket_requeued that moves a visit to its next step


class FeeItem(TypedDict):
    """One service's fee collected at the fee step (一口收费)."""

    service: str
    amount: float


class VisitStep(TypedDict):
    """One service of a visit (一门受理): the ticket's `steps`."""

    n: int  # 1, 2, ...: the step's index (a case of step n >= 2 is "<ticket id>-<n>")
    service: str
    group: int  # steps of one group are parallel (并联); groups are served in order
    state: str  # STEP_NEXT, WAITING, CALLED, SERVING, PARKED, NO_SHOW, or its end
    window: int | None  # where it is (or was) served
    staff: str | None
    note: str | None  # what the clerk noted at its finish
    ended_at: str | None
    fee: bool  # the fee step added by the hub
    fees: NotRequired[list[FeeItem]]  # the fee step: what it collects
    total: NotRequired[float]  # the fee step: sum of fees
    paid: NotRequired[bool | None]  # the fee step: recorded at its finish (None before)


class BookingRef(TypedDict):
    """A booked ticket's booking (预约): its id and slot."""

    id: str
    start: str
    end: str


class Ticket(TypedDict):
    """A ticket as the hub keeps it and staff see it (displays see `public_ticket`)."""

    id: str  # day and number: "20261126-A012"
    number: str
    service: str
    department: str
    priority: str  # normal or priority
    state: str  # one of TICKET_STATES
    issued_at: str
    queued_at: str  # when it last started waiting: issue, transfer or requeue
    queued_seq: int  # the seq of that issue, transfer or requeue: ties in queued_at (queue_key)
    called_at: str | None
    started_at: str | None
    ended_at: str | None
    window: int | None
    staff: str | None
    target_window: int | None  # a handoff to one window: only that window may call it
    recalls: int
    first_responsible: FirstResponsible | None
    handoffs: list[Handoff]
    note: str | None
    lang: str  # the citizen's language at the kiosk
    case: NotRequired[str | None]  # the case (办件) its first start opened (hub/cases.py)
    # A visit of several services (docs/protocol.md "Visits"); absent on a one-service ticket.
    steps: NotRequired[list[VisitStep]]
    step: NotRequired[int]  # the current step's n (its service is `service`)
    bundle: NotRequired[str | None]  # the catalogue bundle it was issued for
    # where a visit stands in line (shared.calling.queue_key): its issue, kept by next_step
    line_at: NotRequired[str]
    line_seq: NotRequired[int]
    booking: NotRequired[BookingRef | None]  # checked in from a booking (预约), else absent


def new_ticket(
    day: date,
    number: str,
    service: str,
    department: str,
    priority: str,
    lang: str,
    at: str,
    seq: int,
) -> Ticket:
    """A ticket just issued by the event `seq`: waiting since `at`, nobody has touched it yet."""
    return {
        "id": f"{day:%Y%m%d}-{number}",
        "number": number,
        "service": service,
        "department": department,
        "priority": priority,
        "state": WAITING,
        "issued_at": at,
        "queued_at": at,
        "queued_seq": seq,
        "called_at": None,
        "started_at": None,
        "ended_at": None,
        "window": None,
        "staff": None,
        "target_window": None,
        "recalls": 0,
        "first_responsible": None,
        "handoffs": [],
        "note": None,
        "lang": lang,
        "case": None,
    }


class Window(TypedDict):
    """A service window (窗口): the catalogue's fields and its live state."""

    number: int
    name: str
    name_en: str
    services: list[str]  # what it serves now (a supervisor may change it)
    state: str  # W_CLOSED, W_OPEN or W_PAUSED
    staff: str | None
    current: str | None  # the id of the ticket it is calling or serving
    pause_reason: str | None
    paused_at: str | None
    opened_at: str | None
    priority_streak: int  # priority tickets called in a row (calling order)
    # supervisors only: since when an open window's terminal has been away (past the hub's
    # limit, 60 s), else null; not an event of the day's log (docs/protocol.md)
    unattended_since: NotRequired[str | None]


class Notice(TypedDict):
    """The supervisor's notice on the boards."""

    text: str
    until: str | None
    at: str


class RecentCall(TypedDict):
    """One call, as the boards list the latest ones."""

    ticket: str
    number: str
    window: int
    at: str
    reason: str | None


class Rating(TypedDict):
    """A citizen's rating of one visit at a window."""

    ticket: str
    number: str
    window: int
    level: int
    reason: str | None
    at: str


class Complaint(TypedDict):
    """A citizen's complaint as today's list has it (the lifecycle: hub/complaints.py)."""

    id: str
    ticket: str | None
    number: str | None
    text: str
    at: str


class PrinterFault(TypedDict):
    """A kiosk's report that its printer failed."""

    kiosk: str
    kind: str
    message: str
    at: str


class Ratings(TypedDict):
    """How many ratings, and their mean level (None without any)."""

    count: int
    avg: float | None


class BookingCounts(TypedDict):
    """预约 of the day: bookings checked in at a kiosk, bookings never checked in (no-shows)."""

    checked_in: int
    no_show: int


class HallMetrics(TypedDict):
    """The hall's same-day figures (docs/protocol.md, Metrics)."""

    issued: int
    waiting: int
    received: int
    completed: int
    pending: int
    no_show: int
    cancelled: int
    completion_rate: float | None
    first_responsibility_closure_rate: float | None
    avg_wait_s: float | None
    max_wait_s: float | None
    avg_service_s: float | None
    ratings: Ratings
    visits: int  # tickets of several services (steps)
    one_trip: int  # tickets completed in one trip (一次办结): done, every step done
    windows_per_visit: float | None  # mean distinct windows a received ticket was served at
    bookings: NotRequired[BookingCounts]  # 预约 of the day


class WindowMetrics(TypedDict):
    """One window's same-day figures."""

    window: int
    received: int
    completed: int
    pending: int
    transferred_in: int
    transferred_out: int
    no_show: int
    completion_rate: float | None
    first_responsibility_closure_rate: float | None
    avg_wait_s: float | None
    avg_service_s: float | None
    on_duty_s: float
    paused_s: float
    ratings: Ratings


class Metrics(TypedDict):
    """The same-day Metrics object."""

    day: str
    hall: HallMetrics
    windows: list[WindowMetrics]
    desks: NotRequired[list[dict[str, Any]]]  # per desk clerk (咨询台): conversations ... minutes


# --- events: `type`, `seq` and `at`, then what each kind carries --------------------------------


class TicketEvent(TypedDict):
    """A `ticket_*` event: the Ticket after the change and the waiting counts it touched."""

    type: str
    seq: int
    at: str
    ticket: Ticket
    waiting: dict[str, int]
    window: NotRequired[int]  # the window that acted, or whose visit is rated
    reason: NotRequired[str | None]  # the call reason, the park reason, a rating's reason
    outcome: NotRequired[str]  # ticket_finished: done or pending
    handoff: NotRequired[Handoff]  # ticket_transferred
    level: NotRequired[int]  # ticket_rated
    case: NotRequired[str | None]  # the ticket's case id (null before its first start)
    _token_hash: NotRequired[str]  # ticket_issued: the hash of the citizen's token
    _kiosk: NotRequired[str]  # ticket_issued: the kiosk that printed it
    _window_after: NotRequired[Window]  # `window` as the event left it (for the store)


class WindowEvent(TypedDict):
    """A `window_*` event: the Window after the change."""

    type: str
    seq: int
    at: str
    window: Window
    staff: NotRequired[str]  # window_changed: the supervisor


class NoticeEvent(TypedDict):
    """`notice`: an empty text takes the notice down."""

    type: str
    seq: int
    at: str
    text: str
    until: str | None
    staff: str


class ComplaintEvent(TypedDict):
    """`complaint` (staff only)."""

    type: str
    seq: int
    at: str
    id: str
    ticket: str | None  # the ticket id (None: a complaint taken at the desk without a ticket)
    number: str | None
    text: str
    complaint: NotRequired[str]  # the id again, under the name every complaint event uses
    source: NotRequired[str]  # page | desk | rating
    record: NotRequired[dict[str, Any]]  # the whole Complaint (supervisors only)


class PrinterFaultEvent(TypedDict):
    """`printer_fault` (staff only)."""

    type: str
    seq: int
    at: str
    kiosk: str
    kind: str
    message: str


class DayRolledEvent(TypedDict):
    """`day_rolled`: a new day, every window as it starts it."""

    type: str
    seq: int
    at: str
    day: str
    windows: list[Window]
    notice: Notice | None


class CaseEvent(TypedDict):
    """`case_opened`, `case_changed`, `case_completed`, `case_returned`: the Case after it
    (staff of its department and supervisors only; hub/cases.py has its shape)."""

    type: str
    seq: int
    at: str
    case: dict[str, Any]


Event = (
    TicketEvent
    | WindowEvent
    | NoticeEvent
    | ComplaintEvent
    | PrinterFaultEvent
    | DayRolledEvent
    | CaseEvent
)


def is_ticket_event(ev: Event) -> TypeGuard[TicketEvent]:
    """Whether the event is about one ticket (it carries the Ticket after the change)."""
    return ev["type"].startswith("ticket_")


def is_window_event(ev: Event) -> TypeGuard[WindowEvent]:
    """Whether the event changed one window (it carries the Window after the change)."""
    return ev["type"].startswith("window_")


def public_ticket(t: Mapping[str, Any]) -> dict[str, Any]:
    """The ticket as a public display may see it (no staff, reasons, notes or token)."""
    out = {k: t.get(k) for k in PUBLIC_TICKET_FIELDS}
    fr = t.get("first_responsible")
    out["first_responsible"] = {"window": fr["window"]} if fr else None
    out["handoffs"] = [{k: h.get(k) for k in PUBLIC_HANDOFF_FIELDS} for h in t.get("handoffs", ())]
    if "steps" in t:  # a visit: its steps without staff, notes or fees
        out["steps"] = [{k: s.get(k) for k in PUBLIC_STEP_FIELDS} for s in t["steps"]]
        out["step"] = t.get("step")
        out["line_at"], out["line_seq"] = t.get("line_at"), t.get("line_seq")
    return out


def step_key(t: Mapping[str, Any]) -> str:
    """What a window receives: the ticket's id, or "<id>-<n>" for a visit's step n >= 2."""
    n = t.get("step")
    return str(t["id"]) if not n or n == 1 else f"{t['id']}-{n}"


def public_window(w: Mapping[str, Any]) -> dict[str, Any]:
    """The window as a public display may see it (no staff)."""
    return {k: v for k, v in w.items() if k != "staff"}


@overload
def iso(dt: datetime) -> str: ...
@overload
def iso(dt: None) -> None: ...
def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with offset and microseconds, as the protocol writes times."""
    return None if dt is None else dt.isoformat(timespec="microseconds")


def parse_iso(s: str | None) -> datetime | None:
    """Parse a protocol time string."""
    return None if s is None else datetime.fromisoformat(s)


def dumps(obj: Any) -> str:
    """Encode a frame compactly (UTF-8 text, Chinese kept readable)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
