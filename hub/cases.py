"""Cases (办件): what a window received, open across days until completed or returned.

Pure, no I/O. A ticket's first ``ticket_started`` opens its case (收件): the
case id is the ticket id (step n >= 2 of a multi-step visit: ``<id>-<n>``);
the ticket carries it as ``case`` from then on, and a handoff keeps it. The
visit's end settles the case: finished ``done`` completes it at once (即办件);
finished ``pending``, or a started ticket that ends any other way (expired,
cancelled after a handoff), leaves it open as a 承诺件 due
``calendar.add_working_days(received day, N)``, N the service's
``time_limit_days``. A clerk of the department completes it later
(``complete_case``) or returns it (``return_case``, 退件, with a reason).

``CaseBook`` holds the open cases (the lasting state: it survives
``day_rolled``). ``follow(event)`` gives the case events a ticket event
causes (the engine emits them right after it, in the same batch);
``complete`` / ``ret`` check a clerk's command and give its event;
``apply(event)`` is the only place the open cases change, live or replayed.
Closed cases are not kept: they live in the store's ``cases`` table, which
``lookup`` reads (injected by the store; ``None`` in pure replays).

Events (docs/protocol.md "Cases"): ``case_opened``, ``case_changed`` (an
opened case's kind or due changed when its visit ended), ``case_completed``,
``case_returned``; each carries the whole Case after the change as ``case``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypedDict

from hub.catalogue import Hall

INSTANT, PROMISED = "instant", "promised"
OPEN, COMPLETED, RETURNED = "open", "completed", "returned"
CASE_EVENTS = ("case_opened", "case_changed", "case_completed", "case_returned")
DUE_SOON_DAYS = 2  # due within this many working days: an alert, amber at the counter

# ticket states that end a visit without completing its case
_ENDS_OPEN = frozenset({"pending", "expired", "cancelled", "no_show"})


class Case(TypedDict):
    """A case as the wire and the store hold it."""

    id: str
    ticket: str
    number: str
    service: str
    department: str
    day: str  # the received day, YYYY-MM-DD
    received_at: str
    window: int | None  # the receiving window (收件窗口)
    clerk: str | None  # the receiving staff id
    first_responsible: str | None  # staff id (首问负责)
    kind: str  # instant | promised
    due: str | None  # YYYY-MM-DD; None for an instant case
    due_soon_from: str | None  # the first day it is due soon (due - DUE_SOON_DAYS working days)
    state: str  # open | completed | returned
    completed_at: str | None  # when it was completed or returned
    completed_by: str | None
    completed_window: int | None
    note: str | None
    reason: str | None  # 退件 reason


class CaseError(Exception):
    """A refused case command (``unknown_case``, ``not_your_department``, ``case_closed``)."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en


def case_id_for(ticket: Mapping[str, Any]) -> str:
    """The id of the case a start of this ticket belongs to.

    The ticket id, or ``<id>-<n>`` when the ticket is at step n >= 2 of a
    multi-step visit (its ``steps``, when it has them).
    """
    tid = str(ticket["id"])
    n = ticket.get("step")  # a visit's current step (hub/engine.py "Visits")
    if isinstance(n, int) and not isinstance(n, bool) and ticket.get("steps"):
        return tid if n == 1 else f"{tid}-{n}"
    steps = ticket.get("steps")
    if isinstance(steps, list):
        for i, step in enumerate(steps):
            if isinstance(step, Mapping) and step.get("service") == ticket["service"]:
                return tid if i == 0 else f"{tid}-{i + 1}"
    return str(ticket.get("case") or tid)


def citizen_case(c: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What a citizen's ticket page shows of its case: state, kind, due day, the return reason."""
    if c is None:
        return None
    keys = ("id", "state", "kind", "day", "due", "completed_at", "reason")
    return {k: c.get(k) for k in keys}


def days_left(case: Mapping[str, Any], today: date, hall: Hall) -> int | None:
    """Working days from `today` to the case's due day (negative: overdue); None without one."""
    due = case.get("due")
    if not due:
        return None
    return hall.calendar.working_days_between(today, date.fromisoformat(due))


def urgency(case: Mapping[str, Any], today: date, hall: Hall) -> str | None:
    """``overdue`` (超期), ``due_soon`` (within DUE_SOON_DAYS working days) or None.

    The apps, which have no calendar, apply the same rule with the case's
    ``due_soon_from`` (shared/alerts.py ``case_urgency``).
    """
    if case.get("state") != OPEN or not case.get("due"):
        return None
    if date.fromisoformat(case["due"]) < today:
        return "overdue"
    left = days_left(case, today, hall)
    return "due_soon" if left is not None and left <= DUE_SOON_DAYS else None


class CaseBook:
    """The open cases of a hall (pure: changed only by ``apply``)."""

    def __init__(self, hall: Hall, lookup: Callable[[str], Case | None] | None = None) -> None:
        self.hall = hall
        self.open: dict[str, Case] = {}
        # closed cases, for the refusal `case_closed`: the store's table (injected)
        self.lookup = lookup
        # closed since this book was built (the table has them only after the commit)
        self.closed: dict[str, Case] = {}

    def __eq__(self, other: object) -> bool:
        """Same open and closed cases (the state; the lookup is not state)."""
        if not isinstance(other, CaseBook):
            return NotImplemented
        return (self.open, self.closed) == (other.open, other.closed)

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ queries

    def get(self, cid: str) -> Case | None:
        """An open case, else a closed one this book saw or the store holds, else None."""
        c = self.open.get(cid) or self.closed.get(cid)
        if c is None and self.lookup is not None:
            c = self.lookup(cid)
        return c

    def of_departments(self, departments: Iterable[str]) -> list[Case]:
        """The open cases of these departments, the earliest due first."""
        deps = set(departments)
        return sorted(
            (c for c in self.open.values() if c["department"] in deps),
            key=lambda c: (c["due"] or c["day"], c["id"]),
        )

    def all_open(self) -> list[Case]:
        """Every open case, the earliest due first."""
        return sorted(self.open.values(), key=lambda c: (c["due"] or c["day"], c["id"]))

    def departments_of_window(self, services: Iterable[str]) -> set[str]:
        """The departments a window serves (through its services)."""
        out = set()
        for code in services:
            s = self.hall.service(code)
            if s is not None:
                out.add(s.department)
        return out

    # ------------------------------------------------------------------ ticket events

    def due_for(self, service: str, day: date) -> str:
        """The due day of a 承诺件 of `service` received on `day`."""
        s = self.hall.service(service)
        n = s.limit_days if s is not None else 0
        return self.hall.calendar.add_working_days(day, n).isoformat()

    def soon_from(self, day: date, n: int) -> str:
        """The first day a case due `n` working days after `day` is due soon (an alert)."""
        due = self.hall.calendar.add_working_days(day, n)
        return self.hall.calendar.add_working_days(due, -DUE_SOON_DAYS).isoformat()

    def follow(self, ev: Mapping[str, Any]) -> list[tuple[str, Case]]:
        """The case events (type, case) a ticket event causes, in order."""
        t = ev["ticket"]
        cid = t.get("case")
        if not cid:
            return []
        kind = ev["type"]
        # a case opened today is in `open` or `closed` (both rebuilt by a restart's replay of
        # the day): no need to ask the store
        if kind == "ticket_started" and cid not in self.open and cid not in self.closed:
            return [("case_opened", self._opened(ev, cid))]
        c = self.open.get(cid)
        if c is None:
            return []
        if kind == "ticket_finished" and t["state"] == "done":
            return [("case_completed", self._closed(c, ev, COMPLETED, kind=INSTANT))]
        if t["state"] in _ENDS_OPEN and c["kind"] != PROMISED:
            day = date.fromisoformat(c["day"])
            due = self.due_for(c["service"], day)
            changed: Case = {
                **c,
                "kind": PROMISED,
                "due": due,
                "due_soon_from": self.soon_from(date.fromisoformat(due), 0),
            }
            return [("case_changed", changed)]
        return []

    def _opened(self, ev: Mapping[str, Any], cid: str) -> Case:
        t = ev["ticket"]
        received = datetime.fromisoformat(ev["at"])
        day = received.date()
        s = self.hall.service(t["service"])
        n = s.limit_days if s is not None else 0
        fr = t.get("first_responsible")
        return {
            "id": cid,
            "ticket": t["id"],
            "number": t["number"],
            "service": t["service"],
            "department": t["department"],
            "day": day.isoformat(),
            "received_at": ev["at"],
            "window": ev.get("window"),
            "clerk": t.get("staff"),
            "first_responsible": fr["staff"] if fr else None,
            "kind": PROMISED if n > 0 else INSTANT,
            "due": self.hall.calendar.add_working_days(day, n).isoformat() if n > 0 else None,
            "due_soon_from": self.soon_from(day, n) if n > 0 else None,
            "state": OPEN,
            "completed_at": None,
            "completed_by": None,
            "completed_window": None,
            "note": None,
            "reason": None,
        }

    @staticmethod
    def _closed(c: Case, ev: Mapping[str, Any], state: str, **changes: Any) -> Case:
        t = ev["ticket"]
        out: Case = {
            **c,
            "state": state,
            "completed_at": ev["at"],
            "completed_by": t.get("staff"),
            "completed_window": ev.get("window"),
            "note": t.get("note"),
        }
        out.update(changes)  # type: ignore[typeddict-item]
        return out

    # ------------------------------------------------------------------ commands

    def check(self, cid: Any, departments: set[str]) -> Case:
        """The open case a clerk of these departments may complete or return, else CaseError."""
        c = self.get(cid) if isinstance(cid, str) else None
        if c is None:
            raise CaseError("unknown_case", f"没有这个办件：{cid}", f"No such case: {cid}")
        if c["department"] not in departments:
            raise CaseError(
                "not_your_department",
                f"办件 {cid} 不属于本窗口的部门",
                f"Case {cid} belongs to another department than this window's",
            )
        if c["state"] != OPEN:
            done = "已办结" if c["state"] == COMPLETED else "已退件"
            en = "completed" if c["state"] == COMPLETED else "returned"
            raise CaseError(
                "case_closed", f"办件 {cid} {done}，不能再处理", f"Case {cid} is already {en}"
            )
        return c

    def closing(
        self,
        c: Case,
        state: str,
        at: str,
        staff: str,
        window: int | None,
        note: str | None = None,
        reason: str | None = None,
    ) -> Case:
        """The case after a clerk completes or returns it."""
        return {
            **c,
            "state": state,
            "completed_at": at,
            "completed_by": staff,
            "completed_window": window,
            "note": note,
            "reason": reason,
        }

    # ------------------------------------------------------------------ apply

    def apply(self, ev: Mapping[str, Any]) -> None:
        """Change the open cases by one case event (live or replayed)."""
        c: Case = ev["case"]
        if c["state"] == OPEN:
            self.open[c["id"]] = c
        else:
            self.open.pop(c["id"], None)
            self.closed[c["id"]] = c

    def forget_closed(self) -> None:
        """Drop the closed cases kept since the last commit (they are in the store now)."""
        self.closed.clear()

    def load(self, cases: Iterable[Case]) -> None:
        """The open cases as the store holds them (at start)."""
        for c in cases:
            if c["state"] == OPEN:
                self.open[c["id"]] = c
