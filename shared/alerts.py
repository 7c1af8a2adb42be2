"""The supervisor's alert rules, written once for both boards (pure: no I/O, no clock).

The terminal supervisor board (`display/state.py`) raises its alerts with
`raise_alerts()`; the web supervisor board (`hub/web/board.js`) reads the
same rules as data (`RULES`, published in `hub/web/labels.js` by
`python -m shared.labels --js`) and a test runs both on the same hall.

When is a wait or a pause an alert? When it is *longer than* its limit
(`elapsed > limit`, `STRICT`): the calling order (docs/DESIGN.md "Calling
order", `shared/calling.py`) calls a ticket with reason `overdue` once its
`queued_at` is *more than* `max_wait_minutes` ago (`queued_at < now -
max_wait`), so the board flags exactly the tickets a counter would now call
as overdue. At the limit to the second: not yet. A pause follows the same
rule against `PAUSE_MINUTES` (docs/VOCABULARY.md lists the rules).

An open or paused window is unattended when the hub marks it so
(`unattended_since`, docs/protocol.md): its terminal has been disconnected
for more than a minute (`HubServer.unattended_after`). The hub keeps that
clock, since only it knows the connections; the rule raises the alert and
makes it urgent when the window has a ticket called or in service (a
citizen is being sent to an empty window).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from shared.calling import queue_key
from shared.protocol import CALLED, SERVING, W_OPEN, W_PAUSED, WAITING, parse_iso

# Alert kinds, most urgent first: the boards list them in this order.
KINDS: Final = ("unattended", "overdue", "unserved", "paused", "rating", "printer", "complaint")
UNATTENDED_FIELD: Final = "unattended_since"  # the window field the hub sets (supervisors only)
BUSY_STATES: Final = (CALLED, SERVING)  # an unattended window with its ticket in these: urgent
MAX_WAIT_POLICY: Final = "max_wait_minutes"  # the policy field that bounds a wait
MAX_WAIT_DEFAULT: Final = 45  # minutes, when the policy has no valid value
PAUSE_MINUTES: Final = 15  # a window paused longer than this is an alert
BAD_RATING_MAX: Final = 2  # a rating at or below this level (1-5) is an alert
STRICT: Final = True  # an alert needs strictly more than the limit (see the module docstring)

# The rules as the web board reads them (hub/web/labels.js: HallLabels.alerts).
RULES: Final[dict[str, Any]] = {
    "kinds": list(KINDS),
    "max_wait_policy": MAX_WAIT_POLICY,
    "max_wait_default": MAX_WAIT_DEFAULT,
    "pause_minutes": PAUSE_MINUTES,
    "bad_rating_max": BAD_RATING_MAX,
    "strict": STRICT,
    "unattended_field": UNATTENDED_FIELD,
    "busy_states": list(BUSY_STATES),
}

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Raised:
    """One alert as the rules raise it, before any words (each board phrases it its own way).

    `subject` names what it is about: a ticket id (overdue, rating), a service
    code (unserved), a window number (unattended, paused), a kiosk (printer), a
    complaint id (complaint). `seconds` is how long the wait, pause or absence
    has lasted. `urgent`: an unattended window with a ticket called or in service.
    """

    kind: str
    subject: str
    item: Obj = field(compare=False)
    seconds: float = 0.0
    urgent: bool = False


def max_wait_minutes(policy: Obj | None) -> int:
    """The hall's wait limit in minutes (the default when the policy has none)."""
    value = (policy or {}).get(MAX_WAIT_POLICY)
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else MAX_WAIT_DEFAULT  # type: ignore[return-value]


def exceeds(seconds: float, minutes: int) -> bool:
    """Whether a wait or pause of `seconds` is past a limit of `minutes` (strictly, see above)."""
    return seconds > minutes * 60 if STRICT else seconds >= minutes * 60


def is_bad_rating(level: Any) -> bool:
    """Whether a rating level is one a supervisor must see."""
    return isinstance(level, int) and not isinstance(level, bool) and level <= BAD_RATING_MAX


def _since(value: Any, now: datetime) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        at = parse_iso(value)
    except ValueError:
        return None
    return None if at is None else (now - at).total_seconds()


def raise_alerts(
    *,
    tickets: Iterable[Obj],
    windows: Iterable[Obj],
    waiting: Mapping[str, int],
    policy: Obj | None,
    ratings: Iterable[Obj] = (),
    printer_faults: Iterable[Obj] = (),
    complaints: Iterable[Obj] = (),
    open_complaints: Iterable[Obj] = (),
    now: datetime,
) -> list[Raised]:
    """Every alert the hall raises at `now`, in `KINDS` order.

    Unattended windows with a ticket first, then by number; overdue tickets
    longest wait first (equal waits in queue order); unserved services by code; paused windows by number;
    ratings, printer faults and complaints newest first; before today's complaints, the open
    complaints (of any day) the hub marks due soon or overdue (`urgency`), overdue urgent.
    """
    windows = list(windows)
    tickets = list(tickets)
    limit = max_wait_minutes(policy)
    out: list[Raised] = []
    states = {t.get("id"): t.get("state") for t in tickets}
    unattended = []
    for w in windows:
        away = _since(w.get(UNATTENDED_FIELD), now)
        if away is None or w.get("state") not in (W_OPEN, W_PAUSED):
            continue
        urgent = bool(w.get("current")) and states.get(w.get("current")) in BUSY_STATES
        unattended.append(Raised("unattended", str(w.get("number")), w, away, urgent))
    out += sorted(unattended, key=lambda a: (not a.urgent, int(a.item.get("number") or 0)))
    overdue = []
    for t in sorted((t for t in tickets if t.get("state") == WAITING), key=queue_key):
        waited = _since(t.get("queued_at") or t.get("issued_at"), now)
        if waited is not None and exceeds(waited, limit):
            overdue.append(Raised("overdue", str(t.get("id")), t, waited))
    out += sorted(overdue, key=lambda a: -a.seconds)
    for code, n in sorted(waiting.items()):
        if n > 0 and not any(
            w.get("state") == W_OPEN and code in (w.get("services") or ()) for w in windows
        ):
            out.append(Raised("unserved", code, {"service": code, "waiting": n}))
    for w in sorted(windows, key=lambda w: int(w.get("number") or 0)):
        if w.get("state") != W_PAUSED:
            continue
        paused = _since(w.get("paused_at"), now)
        if paused is not None and exceeds(paused, PAUSE_MINUTES):
            out.append(Raised("paused", str(w.get("number")), w, paused))
    out += [
        Raised("rating", str(r.get("ticket")), r)
        for r in reversed(list(ratings))
        if is_bad_rating(r.get("level"))
    ]
    out += [Raised("printer", str(p.get("kiosk")), p) for p in reversed(list(printer_faults))]
    out += [
        Raised("complaint", f"due-{c.get('id')}", c, 0.0, c.get("urgency") == "overdue")
        for c in open_complaints
        if c.get("urgency") in ("due_soon", "overdue")
    ]
    out += [
        Raised("complaint", str(c.get("id") or c.get("ticket")), c)
        for c in reversed(list(complaints))
    ]
    return out


# --- cases (办件): due soon and overdue (超期) --------------------------------------------
# A case carries `due` and `due_soon_from` (the hub computes both on the hall's working-day
# calendar, hub/cases.py), so the boards need no calendar: on the hall's day `today` an open
# case is overdue after its due day, and due soon (within 2 working days) from `due_soon_from`.

CASE_OVERDUE: Final = "case_overdue"
CASE_DUE_SOON: Final = "case_due_soon"


def case_urgency(case: Obj, today: str) -> str | None:
    """``case_overdue``, ``case_due_soon`` or None for a case on the hall day `today` (YYYY-MM-DD)."""
    due = case.get("due")
    if case.get("state") != "open" or not isinstance(due, str):
        return None
    if today > due:
        return CASE_OVERDUE
    soon = case.get("due_soon_from")
    if isinstance(soon, str) and today >= soon:
        return CASE_DUE_SOON
    return None


def case_alerts(cases: Iterable[Obj], today: str) -> list[Raised]:
    """The cases a supervisor must see on `today`: overdue first, then due soon; earliest due first."""
    out = []
    for c in sorted(cases, key=lambda c: (str(c.get("due")), str(c.get("id")))):
        kind = case_urgency(c, today)
        if kind is not None:
            out.append(Raised(kind, str(c.get("id")), c, urgent=kind == CASE_OVERDUE))
    return sorted(out, key=lambda a: a.kind != CASE_OVERDUE)


def cases_by_department(cases: Iterable[Obj], today: str) -> dict[str, dict[str, int]]:
    """Per department: its open cases, how many are due soon and how many overdue."""
    out: dict[str, dict[str, int]] = {}
    for c in cases:
        if c.get("state") != "open":
            continue
        row = out.setdefault(str(c.get("department")), {"open": 0, "due_soon": 0, "overdue": 0})
        row["open"] += 1
        kind = case_urgency(c, today)
        if kind == CASE_OVERDUE:
            row["overdue"] += 1
        elif kind == CASE_DUE_SOON:
            row["due_soon"] += 1
    return dict(sorted(out.items()))
