"""Who sees what: each role's welcome, the events a lobby and a citizen see, positions, metrics.

Pure: functions of the engine (and of a connection's `Session`) that return
frames; the server only sends them. docs/protocol.md sets the rules:
kiosks, counters and supervisors see every event as the engine wrote it
(without the store-only `PRIVATE_EVENT_FIELDS`); displays see public fields only and no
private events; a citizen sees its own ticket, the notices, and its place in
line; counters and supervisors get the same-day metrics pushed.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from hub.cases import citizen_case
from hub.complaints import citizen_view, clerk_view
from hub.engine import Engine, Event
from hub.session import Session
from shared.protocol import (
    COMPLAINT_EVENTS,
    ISSUING_OPEN,
    OPEN_STATES,
    PRIVATE_EVENT_FIELDS,
    PRIVATE_EVENTS,
    PUBLIC_HANDOFF_FIELDS,
    VERSION,
    iso,
    public_ticket,
    public_window,
)

SEES_EVERY_EVENT = frozenset({"kiosk", "counter", "supervisor", "desk"})
GETS_METRICS = frozenset({"counter", "supervisor", "desk"})
# staff roles that see every event but a complaint's text and contact only as clerk_view allows
SEES_COMPLAINT_TEXT = frozenset({"supervisor"})
RECENT_FOR_PUBLIC = 20  # recently called tickets a kiosk or display gets beside the open ones

# A protocol object (Ticket, Window, Metrics ...) these views pass on without reading it.
WireObject = Mapping[str, object]
Position = tuple[int, int | None]  # (ahead, eta_min) of a ticket; eta None: no open window
EventFrame = dict[str, Any]  # an event as a client gets it


class Me(TypedDict):
    """Who a staff connection is logged in as."""

    staff: str | None
    name: str | None


class HallSnapshot(TypedDict):
    """The welcome's state for kiosks, displays, counters and supervisors."""

    waiting: dict[str, int]
    notice: WireObject | None
    recent_calls: list[WireObject]
    tickets: list[WireObject]
    windows: list[WireObject]
    me: NotRequired[Me]  # counters and supervisors
    today: NotRequired[dict[str, Any]]  # a hall with hours: today's hours, when issuing stops
    closing: NotRequired[dict[str, Any]]  # supervisors, a hall with hours
    metrics: NotRequired[WireObject]  # supervisors, and the next four too
    complaints: NotRequired[list[WireObject]]
    open_complaints: NotRequired[list[WireObject]]  # supervisors: every open one, with urgency
    my_complaints: NotRequired[list[WireObject]]  # counters, desk: answered ones about them
    ratings: NotRequired[list[WireObject]]
    printer_faults: NotRequired[list[WireObject]]
    estimates: NotRequired[dict[str, Estimate]]  # kiosks
    cases: NotRequired[list[WireObject]]  # open cases: a counter's departments', every one
    bookings: NotRequired[list[WireObject]]  # counters (their services') and supervisors: today's


class Estimate(TypedDict):
    """What a normal ticket of a service issued now would be told (the kiosk's guide), and,
    when `issue` would be refused now, why (`issuing`) and when it opens (`next_open`)."""

    ahead: int
    eta_min: int | None
    issuing: NotRequired[str]  # not_yet, stopped, closed_day, quota_full; absent: open
    next_open: NotRequired[str | None]


class CitizenState(TypedDict):
    """The welcome's state for a citizen: its own ticket and place in line."""

    ticket: WireObject
    ahead: int
    eta_min: int | None
    can_rate: bool
    rate_window: int | None
    notice: NotRequired[WireObject | None]  # not for a ticket of an earlier day
    case: WireObject | None  # its case (办件) as the ticket page shows it (hub/cases.py)
    waiting: dict[str, int]
    tickets: list[WireObject]
    windows: list[WireObject]
    today: NotRequired[dict[str, Any]]  # a hall with hours
    complaints: NotRequired[list[WireObject]]  # this ticket's complaints (citizen_view)


class VisitorState(TypedDict):
    """The welcome's state for a visitor (the booking pages): which services take bookings."""

    bookable: list[str]


class Welcome(TypedDict):
    type: Literal["welcome"]
    v: int
    role: str
    seq: int
    day: str
    hall: WireObject
    state: HallSnapshot | CitizenState | VisitorState


class PositionFrame(TypedDict):
    type: Literal["position"]
    ahead: int
    eta_min: int | None


class EstimatesFrame(TypedDict):
    type: Literal["estimates"]
    estimates: dict[str, Estimate]


class MetricsFrame(TypedDict):
    type: Literal["metrics"]
    metrics: WireObject
    closing: NotRequired[dict[str, Any] | None]  # a hall with hours: waiting at closing time


# ---------------------------------------------------------------------- welcome


def welcome(
    engine: Engine,
    hall: WireObject,
    session: Session,
    now: datetime,
    unattended: Mapping[int, str] | None = None,
) -> Welcome:
    """The welcome of a connection: the hall's catalogue and the snapshot its role may see.

    `unattended`: open windows whose terminal is away (number -> since when), for supervisors.
    """
    state: HallSnapshot | CitizenState | VisitorState
    if session.role == "visitor":
        state = {"bookable": [s.code for s in engine.hall.services if s.booking is not None]}
    elif session.role == "citizen":
        state = citizen_state(engine, session, now)
    else:
        state = hall_state(engine, session, now, unattended or {})
    return {
        "type": "welcome",
        "v": VERSION,
        "role": session.role,
        "seq": engine.seq,
        "day": engine.day.isoformat(),
        "hall": hall,
        "state": state,
    }


def citizen_state(engine: Engine, session: Session, now: datetime) -> CitizenState:
    """A citizen's own ticket, its place in line and whether it may rate a visit now."""
    if session.past_ticket is not None:  # a ticket of an earlier day: shown, nothing more
        return {
            "ticket": public_ticket(session.past_ticket),
            "ahead": 0,
            "eta_min": 0,
            "can_rate": False,
            "rate_window": None,
            "tickets": [],
            "windows": [],
            "waiting": {},
            "case": ticket_case(engine, session.past_ticket),
            "complaints": citizen_complaints(engine, session),
        }
    assert session.ticket is not None
    mine = citizen_complaints(engine, session)
    ahead, eta = engine.position(session.ticket, now)
    rate_window = engine.rate_window(session.ticket)
    out: CitizenState = {
        "ticket": public_ticket(engine.tickets[session.ticket]),
        "ahead": ahead,
        "eta_min": eta,
        "can_rate": rate_window is not None,
        "rate_window": rate_window,
        "notice": engine.notice,
        "waiting": engine.waiting_counts(),
        "tickets": [],
        "windows": [],
        "case": ticket_case(engine, engine.tickets[session.ticket]),
        "complaints": mine,
    }
    today = engine.today_hours()
    if today is not None:
        out["today"] = today
    return out


def ticket_case(engine: Engine, ticket: WireObject) -> WireObject | None:
    """The case of a citizen's ticket as its page shows it, or None before service started.

    An open case is in the engine; a closed one is read from the store's table
    (the engine's case book looks it up).
    """
    cid = ticket.get("case")
    return citizen_case(engine.cases.get(cid)) if isinstance(cid, str) else None


def case_departments(engine: Engine, session: Session) -> set[str] | None:
    """The departments whose cases a staff connection sees; None: every one (supervisors, and
    the desk, which answers "where is my file" for any department)."""
    if session.role in ("supervisor", "desk"):
        return None
    if session.role != "counter" or session.window is None:
        return set()
    w = engine.windows.get(session.window)
    return engine.cases.departments_of_window(w["services"] if w else ())


def citizen_complaints(engine: Engine, session: Session) -> list[WireObject]:
    """The complaints a ticket's citizen made (page or 差评), as their page shows them.

    The engine's book holds the open complaints and those that changed since the hub
    started; the closed ones of before were read from the store's table at the hello
    (`Session.stored_complaints`). Per complaint, the newer record (`updated_seq`) wins.
    """
    assert session.ticket is not None
    held: dict[str, dict[str, Any]] = {r["id"]: r for r in session.stored_complaints}
    for r in engine.complaint_book.of_ticket(session.ticket):
        old = held.get(r["id"])
        if old is None or (old.get("updated_seq") or 0) <= r["updated_seq"]:
            held[r["id"]] = r
    return [
        citizen_view(r)
        for r in sorted(held.values(), key=lambda r: r.get("seq") or 0)
        if r.get("source") != "desk"
    ]


def hall_state(
    engine: Engine, session: Session, now: datetime, unattended: Mapping[int, str]
) -> HallSnapshot:
    """The hall as a kiosk, display, counter or supervisor sees it."""
    recent_calls: list[WireObject] = list(engine.recent_calls)
    state: HallSnapshot = {
        "waiting": engine.waiting_counts(),
        "notice": engine.notice,
        "recent_calls": recent_calls,
        "tickets": [],
        "windows": [],
    }
    today = engine.today_hours()
    if today is not None:
        state["today"] = today
    if session.role in ("counter", "supervisor", "desk"):
        state["tickets"] = list(engine.tickets.values())
        state["windows"] = list(engine.windows.values())
        state["me"] = {"staff": session.staff, "name": session.staff_name}
        deps = case_departments(engine, session)
        state["cases"] = list(
            engine.cases.all_open() if deps is None else engine.cases.of_departments(deps)
        )
        window = engine.windows.get(session.window) if session.window is not None else None
        services = window["services"] if window is not None else None
        state["bookings"] = list(engine.bookings.of_day(engine.day, services))
    else:
        recent = {c["ticket"] for c in recent_calls[:RECENT_FOR_PUBLIC]}
        tickets = [
            t for t in engine.tickets.values() if t["state"] in OPEN_STATES or t["id"] in recent
        ]
        if session.role == "display":
            state["tickets"] = [public_ticket(t) for t in tickets]
            state["windows"] = [public_window(w) for w in engine.windows.values()]
        else:
            state["tickets"] = list(tickets)
            state["windows"] = list(engine.windows.values())
            state["estimates"] = estimates(engine, now)
    if session.role in ("counter", "desk"):
        state["my_complaints"] = [
            v
            for v in (clerk_view(r, session.staff) for r in engine.complaint_book.items.values())
            if "text" in v
        ]
    if session.role == "supervisor":
        state["windows"] = [
            {**w, "unattended_since": unattended.get(w["number"])} for w in engine.windows.values()
        ]
        state["metrics"] = engine.metrics(now)
        state["complaints"] = list(engine.complaints)
        state["open_complaints"] = list(engine.complaint_book.board(engine.local_day(now)))
        state["ratings"] = list(engine.ratings)
        state["printer_faults"] = list(engine.printer_faults)
        closing = engine.closing(now)
        if closing is not None:
            state["closing"] = closing
    return state


# ---------------------------------------------------------------------- events


def staff_event(ev: Event) -> EventFrame:
    """An event as kiosks, counters and supervisors see it: without the store-only keys."""
    return {k: v for k, v in ev.items() if k not in PRIVATE_EVENT_FIELDS}


def clerk_event(ev: EventFrame, staff: str | None) -> EventFrame:
    """A complaint event as a kiosk, counter or the desk sees it: the id and state only, and
    for the clerk it names, the text and answer once answered (hub/complaints.clerk_view)."""
    r = ev.get("record")
    if ev["type"] not in COMPLAINT_EVENTS:
        return ev
    out: EventFrame = {k: ev[k] for k in ("type", "seq", "at") if k in ev}
    out["complaint"] = ev.get("complaint") or ev.get("id")
    if isinstance(r, dict):
        out["record"] = clerk_view(r, staff)
    return out


def public_event(ev: EventFrame) -> EventFrame:
    """An event without staff, notes, handoff reasons or why a ticket was parked."""
    out = dict(ev)
    t = out.get("ticket")
    if isinstance(t, dict):
        out["ticket"] = public_ticket(t)
    w = out.get("window")
    if isinstance(w, dict):
        out["window"] = public_window(w)
    h = out.get("handoff")
    if isinstance(h, dict):
        out["handoff"] = {k: h.get(k) for k in PUBLIC_HANDOFF_FIELDS}
    if ev["type"] in ("day_rolled", "catalogue"):
        out["windows"] = [public_window(w) for w in ev["windows"]]
    out.pop("staff", None)
    if ev["type"] == "ticket_parked":
        out.pop("reason", None)  # why a citizen was parked is not for the lobby
    return out


def lobby_event(ev: EventFrame) -> EventFrame | None:
    """An event as a display sees it, or None for the private ones."""
    return None if ev["type"] in PRIVATE_EVENTS else public_event(ev)


def citizen_event(
    engine: Engine, ev: EventFrame, present: Container[str]
) -> tuple[str | None, EventFrame] | None:
    """What citizens see of a staff event: (whose ticket, the frame), or None.

    Whose ticket is None when every citizen sees it (a notice). A ticket's
    event goes to the citizen of that ticket only, and its frame is built
    only when that citizen's ticket is `present` (connected).
    """
    kind = ev["type"]
    if kind == "notice":
        return None, {k: v for k, v in ev.items() if k != "staff"}
    if kind == "catalogue":  # every citizen's page shows the new names
        return None, public_event(ev)
    if kind in COMPLAINT_EVENTS:
        # the complaining citizen's own page: its complaint's state and answer, never the contact
        r = ev.get("record")
        tid = r.get("ticket") if isinstance(r, dict) else None
        if not isinstance(r, dict) or tid not in present or r.get("source") == "desk":
            return None
        frame = {k: ev[k] for k in ("type", "seq", "at")}
        frame["complaint"] = r["id"]
        frame["record"] = citizen_view(r)
        return str(tid), frame
    case = ev.get("case")
    if isinstance(case, dict):
        # not the case event itself: its ticket page's view of the case, without a seq
        if case.get("ticket") not in present:
            return None
        return str(case["ticket"]), {"type": "case_state", "case": citizen_case(case)}
    t = ev.get("ticket")
    if not isinstance(t, dict) or t["id"] not in present:
        return None
    if kind == "ticket_rated":
        out = {k: ev[k] for k in ("type", "seq", "at", "window", "level")}
        out["ticket"] = public_ticket(t)
    else:
        out = public_event(ev)
        out["waiting"] = {k: v for k, v in ev.get("waiting", {}).items() if k == t["service"]}
    rate_window = engine.rate_window(t["id"])
    out["can_rate"] = rate_window is not None
    out["rate_window"] = rate_window
    if kind in ("ticket_started", "ticket_finished", "ticket_expired"):
        out["case_state"] = ticket_case(engine, t)  # what its page shows of the case now
    return t["id"], out


def ok_reply(session: Session, result: Mapping[str, object]) -> dict[str, object]:
    """The ok reply to a command the engine ran, as its sender may see it."""
    reply: dict[str, object] = {"type": "ok", **result}
    ticket = reply.get("ticket")
    if session.role == "citizen" and isinstance(ticket, dict):
        # a citizen sees its own ticket as its events show it: no staff, notes or handoff reasons
        reply["ticket"] = public_ticket(ticket)
    return reply


# ---------------------------------------------------------------------- positions, metrics


def positions(engine: Engine, tickets: Iterable[str], now: datetime) -> dict[str, Position]:
    """The place in line of each of these of today's tickets; (0, 0) when not waiting.

    All from the engine's one forward pass (`Engine.line_up`), however many citizens watch.
    """
    return {tid: engine.position(tid, now) for tid in tickets if tid in engine.tickets}


def estimates(engine: Engine, now: datetime) -> dict[str, Estimate]:
    """Per service, the place and wait a normal ticket issued now would get, and whether
    issuing is refused now (`issuing`, `next_open`: the kiosk greys the tile)."""
    out: dict[str, Estimate] = {
        code: {"ahead": ahead, "eta_min": eta}
        for code, (ahead, eta) in engine.estimates(now).items()
    }
    for code, (state, next_open) in engine.issuing(now).items():
        if state != ISSUING_OPEN and code in out:
            out[code]["issuing"] = state
            out[code]["next_open"] = iso(next_open) if next_open is not None else None
    return out


def estimates_frame(engine: Engine, now: datetime) -> EstimatesFrame:
    """The kiosks' guide figures, pushed when they change."""
    return {"type": "estimates", "estimates": estimates(engine, now)}


def position_frame(position: Position) -> PositionFrame:
    """The frame telling a citizen its new place in line."""
    return {"type": "position", "ahead": position[0], "eta_min": position[1]}


def metrics_frame(engine: Engine, now: datetime) -> MetricsFrame:
    """The same-day metrics pushed to counters and supervisors (with the closing-time forecast
    in a hall with hours)."""
    frame: MetricsFrame = {"type": "metrics", "metrics": engine.metrics(now)}
    closing = engine.closing(now)
    if closing is not None:
        frame["closing"] = closing
    return frame
