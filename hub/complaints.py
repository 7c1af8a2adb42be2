"""Complaints (投诉): state that outlives the day. Pure: no I/O, no clock of its own.

Theory of operation
-------------------
A complaint is received (from a citizen's ticket page, typed in at the desk, or
opened automatically by a 差评, a rating of 1 or 2), then a supervisor accepts
it (it is theirs), notes what the investigation finds (investigating), answers
the citizen, and closes it; or rejects it with a reason at any point before the
answer. ``TRANSITIONS`` is the whole lifecycle: ``(state, command) -> (new
state, event type)``; anything else is refused with ``invalid_state`` and
changes nothing.

Every step is an event of the hall's one event log (same ``seq``); each event
carries ``complaint`` (the id) and ``record``, the whole Complaint after the
step, so the store writes the row from the event alone and ``apply`` is a put.
``apply`` skips an event older than the record it would replace: the store
loads the open complaints from their table and the engine then replays the
newest day's events over them, which is harmless.

The deadline (``due``) is ``complaint_days`` working days (the catalogue's
``[policy]``) after the day the complaint was received, on the hall's working
calendar; ``urgency`` tells "due_soon" (at most one working day left) from
"overdue" (the due day has passed).

Privacy (see docs/protocol.md, "Complaints"): the text and the citizen's contact
reach supervisors only. ``clerk_view`` is what kiosks, counters and the desk get
(the id and the state), plus the text and the answer for the clerk the complaint
names once it is answered; ``citizen_view`` is what the complaining citizen's
ticket page gets (never the contact). Displays get no complaint event at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.calendar import WorkCalendar

RECEIVED = "received"
ACCEPTED = "accepted"
INVESTIGATING = "investigating"
ANSWERED = "answered"
CLOSED = "closed"
REJECTED = "rejected"
FINAL = frozenset({CLOSED, REJECTED})
SOURCES = ("page", "desk", "rating")

Record = dict[str, Any]  # a Complaint object (docs/protocol.md)

# (state, command) -> (new state, event type): the only place that moves a complaint.
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (RECEIVED, "accept"): (ACCEPTED, "complaint_accepted"),
    (ACCEPTED, "note"): (INVESTIGATING, "complaint_noted"),
    (INVESTIGATING, "note"): (INVESTIGATING, "complaint_noted"),
    (ACCEPTED, "answer"): (ANSWERED, "complaint_answered"),
    (INVESTIGATING, "answer"): (ANSWERED, "complaint_answered"),
    (ANSWERED, "close"): (CLOSED, "complaint_closed"),
    (RECEIVED, "reject"): (REJECTED, "complaint_rejected"),
    (ACCEPTED, "reject"): (REJECTED, "complaint_rejected"),
    (INVESTIGATING, "reject"): (REJECTED, "complaint_rejected"),
}
EVENT_TYPES = ("complaint", *sorted({e for _, e in TRANSITIONS.values()}))
# fields a clerk named by the complaint sees once it is answered
_CLERK_ANSWERED = ("text", "answer", "answered_at", "window", "ticket", "number")


class ComplaintError(Exception):
    """A refused complaint command: `code` is the protocol error code; nothing changed."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en


@dataclass(frozen=True)
class Step:
    """A command's outcome: the event type and the record after it."""

    event: str
    record: Record


def new_record(
    seq: int,
    at: str,
    day: date,
    due: date,
    source: str,
    text: str,
    *,
    contact: str | None = None,
    ticket: str | None = None,
    number: str | None = None,
    window: int | None = None,
    staff: str | None = None,
    case: str | None = None,
    received_by: str | None = None,
    level: int | None = None,
) -> Record:
    """A complaint as it is received (its id from the event's seq: unique, stable on replay)."""
    return {
        "id": f"{day:%Y%m%d}-C{seq}",
        "seq": seq,
        "updated_seq": seq,
        "state": RECEIVED,
        "source": source,
        "text": text,
        "contact": contact,
        "ticket": ticket,
        "number": number,
        "window": window,
        "staff": staff,
        "case": case,
        "level": level,
        "received_by": received_by,
        "received_at": at,
        "due": due.isoformat(),
        "supervisor": None,
        "notes": [],
        "answer": None,
        "answered_at": None,
        "closed_at": None,
        "reason": None,
    }


class ComplaintBook:
    """The open complaints of a hall (and those closed since the hub started)."""

    def __init__(self, calendar: WorkCalendar, days: int) -> None:
        self.calendar = calendar
        self.days = days
        self.items: dict[str, Record] = {}

    def __eq__(self, other: object) -> bool:
        """The same complaints on the same calendar (a replay equals the live book)."""
        return isinstance(other, ComplaintBook) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def load(self, records: Iterable[Record]) -> None:
        """Put records read from the store (the open complaints at start)."""
        for r in records:
            self.items[r["id"]] = r

    def due(self, received: date) -> date:
        """The deadline of a complaint received on `received`."""
        return self.calendar.add_working_days(received, self.days)

    def get(self, cid: object) -> Record:
        """The complaint with this id; raises ComplaintError (not_found)."""
        if not isinstance(cid, str) or cid not in self.items:
            raise ComplaintError("not_found", f"没有这件投诉：{cid}", f"No such complaint: {cid}")
        return self.items[cid]

    def step(
        self, cid: object, command: str, seq: int, at: str, staff: str, text: str | None = None
    ) -> Step:
        """The event and record after a supervisor's `command`; raises ComplaintError."""
        r = self.get(cid)
        row = TRANSITIONS.get((r["state"], command))
        if row is None:
            raise ComplaintError(
                "invalid_state",
                f"投诉 {r['id']} 当前状态为 {r['state']}，不能执行 {command}",
                f"Complaint {r['id']} is {r['state']}: {command} is not allowed",
            )
        state, event = row
        new = {**r, "state": state, "updated_seq": seq}
        if command == "accept":
            new["supervisor"] = staff
        elif command == "note":
            new["notes"] = [*r["notes"], {"at": at, "staff": staff, "text": text}]
        elif command == "answer":
            new["answer"] = text
            new["answered_at"] = at
        elif command == "close":
            new["closed_at"] = at
        elif command == "reject":
            new["reason"] = text
            new["closed_at"] = at
        return Step(event, new)

    def apply(self, ev: dict[str, Any]) -> None:
        """Put the record a complaint event carries (older than the one held: skipped)."""
        r = ev.get("record")
        if not isinstance(r, dict):
            return  # a `complaint` event stored before complaints had a lifecycle
        held = self.items.get(r["id"])
        if held is not None and held["updated_seq"] >= r["updated_seq"]:
            return
        self.items[r["id"]] = r

    def open(self) -> list[Record]:
        """The complaints not closed or rejected, oldest first."""
        return sorted(
            (r for r in self.items.values() if r["state"] not in FINAL), key=lambda r: r["seq"]
        )

    def of_ticket(self, ticket: str) -> list[Record]:
        """The complaints naming this ticket, oldest first."""
        return sorted(
            (r for r in self.items.values() if r.get("ticket") == ticket), key=lambda r: r["seq"]
        )

    def urgency(self, r: Record, today: date) -> str | None:
        """ "overdue" past the due day, "due_soon" with at most one working day left, else None."""
        if r["state"] in FINAL or r["state"] == ANSWERED:
            return None
        due = date.fromisoformat(r["due"])
        if today > due:
            return "overdue"
        if self.calendar.working_days_between(today, due) <= 1:
            return "due_soon"
        return None

    def board(self, today: date) -> list[Record]:
        """The open complaints as a supervisor's board lists them: with `urgency`."""
        return [{**r, "urgency": self.urgency(r, today)} for r in self.open()]


def clerk_view(r: Record, staff: str | None) -> Record:
    """What a kiosk, counter or desk sees of a complaint: its id and state; the clerk it
    names also sees the text and the answer once it is answered (never the contact)."""
    out: Record = {"id": r["id"], "state": r["state"]}
    if staff is not None and r.get("staff") == staff and r["state"] in (ANSWERED, CLOSED):
        out.update({k: r.get(k) for k in _CLERK_ANSWERED})
    return out


def citizen_view(r: Record) -> Record:
    """What the complaining citizen's ticket page shows: the state, the text and the answer."""
    return {
        k: r.get(k)
        for k in ("id", "state", "text", "received_at", "due", "answer", "answered_at", "reason")
    }


def local_day(at: str) -> date:
    """The hall-local day of an event's time (events carry the hall's offset)."""
    return datetime.fromisoformat(at).date()
