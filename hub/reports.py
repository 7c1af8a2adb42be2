"""Period reports, pure: daily rollups from one day's events, period figures from rollups.

No I/O and no clock of its own. Every figure is defined once in docs/REPORTS.md and
computed once here; the CLI (`hall report`), the xlsx/HTML outputs and the `/reports`
page all call `build_report`.

Two layers:

- ``rollup_day(hall, day, events)`` folds one hall-local day's events (the `events`
  table's payloads, in seq order) into a *rollup*: per window, department, clerk,
  service and for the whole hall, additive counters (sums, counts and a wait
  histogram) plus the day's promised cases (承诺件) as the day left them. A rollup is a
  plain JSON-able dict, written once when the day closes (table `daily_rollups`).
- ``build_report(hall, start, end, rollups, promised, end_at)`` merges the rollups of
  the period (addition only: every counter is a sum, the waits' p90 comes from the
  merged histogram) and adds the case figures that depend on the period's end
  (promised cases completed, open or overdue by then), which are read at report time.

Waits are merged through a histogram of 60-second buckets (``WAIT_BUCKET_S``; a dense
list, index = minute): the mean is exact (sum / count), the p90 is the upper bound of the
bucket holding the 90th percentile (nearest rank), so at most 60 s above the exact value
(waits of 4 hours or more share the last bucket: a p90 there reads 4:01:00). A sorted list of every
wait would be exact but grows with the tickets (750k a year); the histogram is bounded.
"""

from __future__ import annotations

import copy
import operator
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.catalogue import Hall

ROLLUP_VERSION = 1
WAIT_BUCKET_S = 60
WAIT_BUCKETS = 240  # the last one holds every wait of 4 hours or more
VIEWS = ("window", "department", "clerk", "service")
LISTS = {"window": "windows", "department": "departments", "clerk": "clerks", "service": "services"}
CLASSES = ("busy", "sparse", "none", "vacant")

# the additive counters of one rollup row (docs/REPORTS.md names each)
COUNTERS = (
    "received",
    "instant",
    "promised",
    "instant_completed",
    "tickets",
    "no_show",
    "handoffs_in",
    "handoffs_out",
    "wait_n",
    "wait_sum",
    "wait_over",
    "walk_n",
    "walk_sum",
    "service_n",
    "service_sum",
    "fr_n",
    "fr_done",
    "days_present",
    "on_duty_s",
    "paused_s",
    "ratings_n",
    "ratings_sum",
    "ratings_bad",
    "complaints",
    "complaints_answered",
    "complaints_rejected",
    "answer_s_sum",
    "bookings_checked_in",
    "bookings_no_show",
    "bookings_missed",
    "consultations",
    "consult_answered",
    "consult_guided",
    "consult_ticket",
    "consult_referred",
    "consult_minutes",
)
BAD_RATING = 2  # a level at or below this is a 差评 (the engine asks a reason for them)

Row = dict[str, Any]
Rollup = dict[str, Any]
Case = dict[str, Any]
CaseCounts = dict[str, Any]  # rows: view -> key -> counts, by_day, overdue

_TIME_LIMIT = re.compile(r"(\d+)\s*个?工作日")


def new_row() -> Row:
    """An empty rollup row: every counter 0, no waits, no pauses."""
    row: Row = dict.fromkeys(COUNTERS, 0)
    row["wait_hist"] = []
    row["paused_by"] = {}
    return row


def _bump(d: dict[str, Any], key: str, n: float) -> None:
    d[key] = d.get(key, 0) + n


def merge_row(into: Row, other: Row) -> None:
    """Add `other`'s counters to `into` (rows merge by addition only)."""
    for k in COUNTERS:
        into[k] += other.get(k, 0)
    a, b = into["wait_hist"], other.get("wait_hist", ())
    if len(a) < len(b):
        a.extend([0] * (len(b) - len(a)))
    a[: len(b)] = map(operator.add, a, b)
    for k in ("paused_by", "hour_n", "hour_sum"):
        if k not in other:
            continue
        d = into.setdefault(k, {})
        for b, n in other.get(k, {}).items():
            d[b] = d.get(b, 0) + n


def time_limit_days(hall: Hall, service: str) -> int:
    """The service's time limit in working days (contract: catalogue key, else the guide's text)."""
    svc = hall.service(service)
    if svc is None:
        return 0
    n = getattr(svc, "time_limit_days", None)
    if isinstance(n, int):
        return n
    m = _TIME_LIMIT.search(svc.guide.time_limit or "")
    return int(m.group(1)) if m else 0


def _at(s: str) -> datetime:
    return datetime.fromisoformat(s)


class _Day:
    """Folds one day's events into rollup rows."""

    def __init__(self, hall: Hall, day: date) -> None:
        self.hall = hall
        self.day = day
        self.tz = ZoneInfo(hall.timezone)
        self.end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)
        self.max_wait_s = hall.policy.max_wait_minutes * 60
        self.rows: dict[str, dict[str, Row]] = {v: {} for v in (*VIEWS, "hall")}
        self.tickets: dict[str, dict[str, Any]] = {}
        self.seg: dict[str, tuple[datetime, int, str | None]] = {}  # ticket: start, window, staff
        self.handoff_open: set[str] = set()
        self.received: dict[str, set[str]] = {}  # window/clerk/... key -> ticket ids (tickets)
        self.no_show: dict[tuple[str, str], set[str]] = {}
        self.win: dict[int, dict[str, Any]] = {}  # window -> last Window object
        self.duty: dict[int, tuple[datetime, str | None]] = {}  # open since, staff
        self.pause: dict[int, tuple[datetime, str | None, str]] = {}  # since, staff, reason
        self.present: dict[str, set[str]] = {"window": set(), "clerk": set()}
        self.derived: dict[str, Case] = {}
        self.cases: dict[str, Case] = {}
        self.saw_case_events = False

    # --- where a figure goes

    def _row(self, view: str, key: str) -> Row:
        rows = self.rows[view]
        row = rows.get(key)
        if row is None:  # not setdefault(key, new_row()): that builds a row at every call
            row = rows[key] = new_row()
        return row

    def _rows(self, keys: Mapping[str, Any]) -> list[Row]:
        out = [self._row("hall", "")]
        for view, key in keys.items():
            if key is not None and key != "":
                out.append(self._row(view, str(key)))
        return out

    def _add(self, keys: Mapping[str, Any], field: str, n: float = 1) -> None:
        for r in self._rows(keys):
            r[field] += n

    def _ticket_keys(self, t: Mapping[str, Any], window: int | None) -> dict[str, Any]:
        return {
            "window": window,
            "department": t.get("department"),
            "clerk": t.get("staff"),
            "service": t.get("service"),
        }

    def _complaint_keys(self, ev: Mapping[str, Any]) -> dict[str, Any]:
        """Where a complaint counts: the window and clerk it names (its record), else its
        ticket's; the ticket's department and service when the ticket is of this day."""
        rec = ev.get("record") or {}
        t = self.tickets.get(rec.get("ticket") or ev.get("ticket") or "", {})
        keys = self._ticket_keys(t, rec.get("window") or t.get("window"))
        if rec.get("staff"):
            keys["clerk"] = rec["staff"]
        return keys

    def _distinct(self, kind: str, keys: Mapping[str, Any], tid: str, field: str) -> None:
        """Count ticket `tid` once per row for `kind` (received tickets, no-shows)."""
        for view, key in (("hall", ""), *keys.items()):
            if key is None:
                continue
            seen = self.no_show.setdefault((kind, f"{view}:{key}"), set())
            if tid not in seen:
                seen.add(tid)
                self._row(view, str(key))[field] += 1

    # --- events

    def apply(self, ev: Mapping[str, Any]) -> None:
        typ = ev["type"]
        at = _at(ev["at"])
        if typ.startswith("ticket_"):
            self._ticket(ev, at)
        elif typ.startswith("window_"):
            self._window(ev["window"], at)
        elif typ == "day_rolled":
            for w in ev["windows"]:
                self.win.pop(w["number"], None)
                self.duty.pop(w["number"], None)
                self.pause.pop(w["number"], None)
                self._window(w, datetime.combine(self.day, time(0), tzinfo=self.tz))
        elif typ == "complaint":
            self._add(self._complaint_keys(ev), "complaints")
        elif typ in ("complaint_answered", "complaint_rejected"):
            keys = self._complaint_keys(ev)
            rec = ev.get("record") or {}
            if typ == "complaint_rejected":
                self._add(keys, "complaints_rejected")
            else:
                self._add(keys, "complaints_answered")
                if rec.get("received_at"):
                    self._add(keys, "answer_s_sum", (at - _at(rec["received_at"])).total_seconds())
        elif typ in ("booking_checked_in", "booking_no_show", "booking_missed"):
            b = ev["booking"]
            svc = self.hall.service(b["service"])
            keys = {"service": b["service"], "department": svc.department if svc else None}
            self._add(keys, "bookings_" + typ.removeprefix("booking_"))
        elif typ == "consulted":
            keys = {"clerk": ev.get("staff"), "service": ev.get("service")}
            self._add(keys, "consultations")
            self._add(keys, "consult_" + str(ev.get("outcome")))
            self._add(keys, "consult_minutes", ev.get("minutes") or 0)
        elif typ in ("case_opened", "case_changed", "case_completed", "case_returned"):
            self.saw_case_events = True
            c = dict(ev["case"])
            if typ == "case_opened" or c["id"] in self.cases:
                self.cases[c["id"]] = c

    def _ticket(self, ev: Mapping[str, Any], at: datetime) -> None:
        typ = ev["type"]
        t = ev["ticket"]
        tid = t["id"]
        old = self.tickets.get(tid)
        self.tickets[tid] = t
        window = ev.get("window")
        keys = self._ticket_keys(t, window)
        if typ == "ticket_called" and window is not None:
            wait = (at - _at(t["queued_at"])).total_seconds()
            b = min(WAIT_BUCKETS - 1, max(0, int(wait // WAIT_BUCKET_S)))
            for r in self._rows(keys):
                r["wait_n"] += 1
                r["wait_sum"] += wait
                r["wait_over"] += wait > self.max_wait_s
                hist = r["wait_hist"]
                if len(hist) <= b:
                    hist.extend([0] * (b + 1 - len(hist)))
                hist[b] += 1
            hall = self.rows["hall"][""]  # waits over the day: the hall's, per local hour
            hour = str(at.astimezone(self.tz).hour)
            _bump(hall.setdefault("hour_n", {}), hour, 1)
            _bump(hall.setdefault("hour_sum", {}), hour, wait)
        elif typ in ("ticket_started", "ticket_unparked") and window is not None:
            self.seg[tid] = (at, window, t.get("staff"))
            if typ == "ticket_started":
                if t.get("called_at"):
                    self._add(keys, "walk_n")
                    self._add(keys, "walk_sum", (at - _at(t["called_at"])).total_seconds())
                self._distinct("tickets", keys, tid, "tickets")
                if tid in self.handoff_open:
                    self.handoff_open.discard(tid)
                    self._add(keys, "handoffs_in")
                if tid not in self.derived:
                    self.derived[tid] = self._open_case(t, window, at)
        elif typ in ("ticket_finished", "ticket_transferred", "ticket_parked"):
            seg = self.seg.pop(tid, None)
            if seg is not None and old is not None:
                start, w, staff = seg
                seg_keys = self._ticket_keys({**old, "staff": staff}, w)
                self._add(seg_keys, "service_n")
                self._add(seg_keys, "service_sum", (at - start).total_seconds())
            if typ == "ticket_transferred":
                self._add(self._ticket_keys(old or t, window), "handoffs_out")
                self.handoff_open.add(tid)
            elif typ == "ticket_finished" and tid in self.derived:
                c = self.derived[tid]
                if ev.get("outcome") == "done":
                    c.update(kind="instant", state="completed", completed_at=ev["at"])
                    c.update(completed_by=t.get("staff"), completed_window=window)
                else:
                    self._promise(c)
        elif typ == "ticket_no_show" and window is not None:
            self._distinct("no_show", keys, tid, "no_show")
            self._distinct("tickets", keys, tid, "tickets")
        elif typ == "ticket_rated" and window is not None:
            level = ev["level"]
            self._add(keys, "ratings_n")
            self._add(keys, "ratings_sum", level)
            self._add(keys, "ratings_bad", level <= BAD_RATING)
        elif typ in ("ticket_expired", "ticket_cancelled"):
            self.seg.pop(tid, None)
            if tid in self.derived and self.derived[tid]["state"] == "open":
                self._promise(self.derived[tid])

    def _open_case(self, t: Mapping[str, Any], window: int, at: datetime) -> Case:
        fr = t.get("first_responsible") or {}
        return {
            "id": t["id"],
            "ticket": t["id"],
            "number": t["number"],
            "service": t["service"],
            "department": t["department"],
            "day": self.day.isoformat(),
            "received_at": at.isoformat(),
            "window": window,
            "clerk": t.get("staff"),
            "first_responsible": fr.get("staff"),
            "kind": None,
            "due": None,
            "state": "open",
            "completed_at": None,
            "completed_by": None,
            "completed_window": None,
            "note": None,
            "reason": None,
        }

    def _promise(self, c: Case) -> None:
        n = time_limit_days(self.hall, c["service"])
        c["kind"] = "promised"
        c["due"] = self.hall.calendar.add_working_days(self.day, n).isoformat()

    def _window(self, w: Mapping[str, Any], at: datetime) -> None:
        n = w["number"]
        before = self.win.get(n)
        self.win[n] = dict(w)
        was = before["state"] if before else "closed"
        now = w["state"]
        staff = w.get("staff") or (before.get("staff") if before else None)
        if was == "paused" and now != "paused" and n in self.pause:
            since, pstaff, reason = self.pause.pop(n)
            self._paused(n, pstaff, reason, (at - since).total_seconds())
        if was != "closed" and now == "closed" and n in self.duty:
            since, dstaff = self.duty.pop(n)
            self._add({"window": n, "clerk": dstaff}, "on_duty_s", (at - since).total_seconds())
        if now != "closed":
            self.present["window"].add(str(n))
            if staff:
                self.present["clerk"].add(staff)
            if was == "closed" or n not in self.duty:
                self.duty[n] = (at, staff)
        if now == "paused" and (was != "paused" or n not in self.pause):
            self.pause[n] = (at, staff, w.get("pause_reason") or "")

    def _paused(self, n: int, staff: str | None, reason: str, secs: float) -> None:
        for r in self._rows({"window": n, "clerk": staff}):
            r["paused_s"] += secs
            r["paused_by"][reason] = r["paused_by"].get(reason, 0) + secs

    # --- the day's end

    def finish(self) -> Rollup:
        for n, (since, staff, reason) in list(self.pause.items()):
            self._paused(n, staff, reason, max(0.0, (self.end - since).total_seconds()))
        for n, (since, staff) in list(self.duty.items()):
            secs = max(0.0, (self.end - since).total_seconds())
            self._add({"window": n, "clerk": staff}, "on_duty_s", secs)
        for view in ("window", "clerk"):
            for key in self.present[view]:
                self._row(view, key)["days_present"] += 1
        # 首问负责: tickets first served at a window, and of those the ones ended done
        for t in self.tickets.values():
            fr = t.get("first_responsible")
            if not fr:
                continue
            keys = {
                "window": fr["window"],
                "clerk": fr["staff"],
                "department": t["department"],
                "service": t["service"],
            }
            self._add(keys, "fr_n")
            if t["state"] == "done":
                self._add(keys, "fr_done")
        cases = self.cases if self.saw_case_events else self.derived
        promised: list[Case] = []
        for c in cases.values():
            if c.get("kind") is None and c["state"] == "open":
                self._promise(c)  # still open at midnight (expired, or in service)
            keys = {
                "window": c["window"],
                "department": c["department"],
                "clerk": c["clerk"],
                "service": c["service"],
            }
            self._add(keys, "received")
            if c.get("kind") == "instant" and c["state"] == "completed":
                self._add(keys, "instant")
                self._add(keys, "instant_completed")
            else:
                self._add(keys, "promised")
                promised.append(c)
        self.rows["hall"].setdefault("", new_row())
        return {
            "version": ROLLUP_VERSION,
            "day": self.day.isoformat(),
            "rows": self.rows,
            "promised": promised,
            "cases_from": "events" if self.saw_case_events else "tickets",
        }


def rollup_day(hall: Hall, day: date, events: Iterable[Mapping[str, Any]]) -> Rollup:
    """The rollup of one hall-local day from its events (in seq order)."""
    d = _Day(hall, day)
    for ev in events:
        d.apply(ev)
    return d.finish()


def _copy_row(row: Row) -> Row:
    return {
        k: list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v
        for k, v in row.items()
    }


class LiveDay:
    """Today's rollup kept as its events happen (the hub's engine feeds it every event it
    applies): the same fold as `rollup_day`, so `rollup()` at any moment equals
    `rollup_day(hall, day, <the day's events so far>)` without reading them again.

    A `day_rolled` event starts the new day's fold (the event is the new day's first, as
    the store files it). `set_hall` follows a catalogue change: the events after it count
    with the new catalogue (`rollup_day` over the stored events uses the one it is given for
    the whole day; the two differ only on a day whose catalogue changed, in the figures a
    catalogue sets: the wait target, time limits, a booking's department)."""

    def __init__(self, hall: Hall, day: date) -> None:
        self._d = _Day(hall, day)
        self.events = 0  # applied to this day's fold

    @property
    def day(self) -> date:
        return self._d.day

    def apply(self, ev: Mapping[str, Any]) -> None:
        if ev["type"] == "day_rolled":
            self._d = _Day(self._d.hall, date.fromisoformat(ev["day"]))
            self.events = 0
        self._d.apply(ev)
        self.events += 1

    def set_hall(self, hall: Hall) -> None:
        d = self._d
        d.hall, d.tz = hall, ZoneInfo(hall.timezone)
        d.end = datetime.combine(d.day + timedelta(days=1), time(0), tzinfo=d.tz)
        d.max_wait_s = hall.policy.max_wait_minutes * 60

    def snapshot(self) -> _Day | None:
        """The fold as it stands, copied so the live one may go on (cheap: rows, cases and
        the maps `finish` reads; tickets are never changed in place, only replaced).
        `finish()` on it gives the rollup, off the event loop if need be. None before the
        day's first event (`rollup_day` is not asked for a day without events)."""
        if not self.events:
            return None
        d = self._d
        c = copy.copy(d)
        c.rows = {v: {k: _copy_row(r) for k, r in rows.items()} for v, rows in d.rows.items()}
        c.tickets = dict(d.tickets)
        c.derived = {k: dict(v) for k, v in d.derived.items()}
        c.cases = {k: dict(v) for k, v in d.cases.items()}
        c.duty, c.pause = dict(d.duty), dict(d.pause)
        c.present = {k: set(v) for k, v in d.present.items()}
        return c

    def rollup(self) -> Rollup | None:
        """Today's rollup so far (None before its first event)."""
        snap = self.snapshot()
        return None if snap is None else snap.finish()


# --- period figures -----------------------------------------------------------------------


def _rate(num: float, den: float) -> float | None:
    return None if not den else num / den


def p90(hist: list[int]) -> float | None:
    """The 90th percentile (nearest rank) of a wait histogram: its bucket's upper bound."""
    n = sum(hist)
    if n == 0:
        return None
    rank = -(-9 * n // 10)  # ceil(0.9 n)
    seen = 0
    for b, count in enumerate(hist):
        seen += count
        if seen >= rank:
            return float((b + 1) * WAIT_BUCKET_S)
    return None  # pragma: no cover - the loop always reaches rank


def case_flags(c: Mapping[str, Any], end_day: date) -> dict[str, bool]:
    """What one case counts as at the end of the day `end_day` (docs/REPORTS.md, Cases)."""
    closed_at = c.get("completed_at") or c.get("closed_at")  # the Case's, local time
    closed_day = date.fromisoformat(closed_at[:10]) if closed_at else None
    closed = c["state"] != "open" and closed_day is not None and closed_day <= end_day
    completed = closed and c["state"] == "completed"
    due = date.fromisoformat(c["due"]) if c.get("due") else None
    return {
        "completed": completed,
        "on_time": completed and (due is None or (closed_day is not None and closed_day <= due)),
        "returned": closed and c["state"] == "returned",
        "open": not closed,
        "overdue": not closed and due is not None and due < end_day,
    }


def _finish_row(acc: Row, cases: Row, working_days: int) -> Row:
    completed = acc["instant_completed"] + cases["completed"]
    on_time = acc["instant_completed"] + cases["on_time"]
    return {
        "received": acc["received"],
        "completed": completed,
        "completion_rate": _rate(completed, acc["received"]),
        "on_time_rate": _rate(on_time, completed),
        "open": cases["open"],
        "overdue": cases["overdue"],
        "returned": cases["returned"],
        "instant": acc["instant"],
        "promised": acc["promised"],
        "tickets": acc["tickets"],
        "no_show": acc["no_show"],
        "avg_wait_s": _rate(acc["wait_sum"], acc["wait_n"]),
        "p90_wait_s": p90(acc["wait_hist"]),
        "over_target_rate": _rate(acc["wait_over"], acc["wait_n"]),
        "avg_walk_s": _rate(acc["walk_sum"], acc["walk_n"]),
        "avg_service_s": _rate(acc["service_sum"], acc["service_n"]),
        "handoffs_in": acc["handoffs_in"],
        "handoffs_out": acc["handoffs_out"],
        "first_responsibility_closure_rate": _rate(acc["fr_done"], acc["fr_n"]),
        "days_present": acc["days_present"],
        "working_days": working_days,
        "on_duty_s": acc["on_duty_s"],
        "paused_s": acc["paused_s"],
        "paused_by_reason": dict(sorted(acc["paused_by"].items())),
        "ratings": acc["ratings_n"],
        "rating_avg": _rate(acc["ratings_sum"], acc["ratings_n"]),
        "bad_rating_rate": _rate(acc["ratings_bad"], acc["ratings_n"]),
        "complaints": acc["complaints"],
        "complaints_answered": acc["complaints_answered"],
        "complaints_rejected": acc["complaints_rejected"],
        "avg_answer_s": _rate(acc["answer_s_sum"], acc["complaints_answered"]),
        "bookings_checked_in": acc["bookings_checked_in"],
        "bookings_no_show": acc["bookings_no_show"],
        "bookings_missed": acc["bookings_missed"],
        "consultations": acc["consultations"],
        "consult_answered": acc["consult_answered"],
        "consult_guided": acc["consult_guided"],
        "consult_ticket": acc["consult_ticket"],
        "consult_referred": acc["consult_referred"],
        "consult_minutes": acc["consult_minutes"],
    }


def _case_counts() -> Row:
    return dict.fromkeys(("completed", "on_time", "returned", "open", "overdue"), 0)


def working_days(hall: Hall, start: date, end: date) -> int:
    """Working days from `start` to `end`, both included."""
    return hall.calendar.working_days_between(start - timedelta(days=1), end)


def classify(received: int, days_present: int, wdays: int, hall: Hall) -> str:
    """busy / sparse / none, or vacant for a window unstaffed on too many working days."""
    if wdays and (wdays - min(days_present, wdays)) / wdays > hall.reports.vacant_share:
        return "vacant"
    if received == 0:
        return "none"
    if wdays and received / wdays >= hall.reports.busy_per_day:
        return "busy"
    return "sparse"


def summarize(hall: Hall, r: Rollup) -> Rollup:
    """A daily rollup as a span of one day: its rows, its day in the daily series, and the
    windows present on it when it is a working day."""
    rd = date.fromisoformat(r["day"])
    h = r["rows"]["hall"].get("", new_row())
    present = {}
    if hall.calendar.is_working_day(rd):
        present = {k: 1 for k, row in r["rows"]["window"].items() if row.get("days_present")}
    return {
        "span": [r["day"], r["day"]],
        "rows": r["rows"],
        "days": [{"day": r["day"], "received": h["received"], "completed": h["instant_completed"]}],
        "present_wd": present,
    }


def merge_rollups(hall: Hall, first: str, last: str, rollups: Iterable[Rollup]) -> Rollup:
    """Daily rollups from `first` to `last` merged into one span (e.g. a closed month): the
    same figures in one row per key, so a year's report merges 12 spans, not 250 days."""
    rows: dict[str, dict[str, Row]] = {v: {} for v in (*VIEWS, "hall")}
    days: list[dict[str, Any]] = []
    present: dict[str, int] = {}
    for r in rollups:
        s = summarize(hall, r)
        for view, vrows in s["rows"].items():
            for key, row in vrows.items():
                merge_row(rows[view].setdefault(key, new_row()), row)
        days.extend(s["days"])
        for k, n in s["present_wd"].items():
            present[k] = present.get(k, 0) + n
    return {"span": [first, last], "rows": rows, "days": days, "present_wd": present}


def _case_row_keys(c: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "hall": "",
        "window": c.get("window"),
        "department": c.get("department"),
        "clerk": c.get("clerk"),
        "service": c.get("service"),
    }


OVERDUE_KEYS = ("id", "number", "service", "department", "window", "clerk", "day", "due")


def new_case_counts() -> CaseCounts:
    """No cases counted: rows per view, completions per day, the overdue cases."""
    return {"rows": {v: {} for v in (*VIEWS, "hall")}, "by_day": {}, "overdue": []}


def count_cases(promised: Iterable[Mapping[str, Any]], start: date, end: date) -> CaseCounts:
    """The promised cases' figures of the period by `case_flags` (docs/REPORTS.md, Cases):
    per view and key the cases received in the period completed / on time / returned by
    `end`, and of all received up to `end` those open / overdue at `end`; the in-period
    completions per completion day; the overdue cases. `Store.case_counts` counts the same
    in SQL (a test holds them equal)."""
    out = new_case_counts()
    cases, completed_by_day, overdue_cases = out["rows"], out["by_day"], out["overdue"]
    for c in promised:
        cday = date.fromisoformat(c["day"])
        if cday > end:
            continue
        f = case_flags(c, end)
        in_period = cday >= start
        for view, key in _case_row_keys(c).items():
            if key is None:
                continue
            row = cases[view].setdefault(str(key), _case_counts())
            if in_period:
                row["completed"] += f["completed"]
                row["on_time"] += f["on_time"]
                row["returned"] += f["returned"]
            row["open"] += f["open"]
            row["overdue"] += f["overdue"]
        if f["overdue"]:
            overdue_cases.append({k: c.get(k) for k in OVERDUE_KEYS})
        if in_period and f["completed"]:
            d = (c.get("completed_at") or c["closed_at"])[:10]  # as case_flags reads it
            completed_by_day[d] = completed_by_day.get(d, 0) + 1
    return out


def add_case_counts(into: CaseCounts, other: CaseCounts) -> None:
    """Add `other`'s case figures to `into`."""
    for view, rows in other["rows"].items():
        for key, row in rows.items():
            mine = into["rows"][view].setdefault(key, _case_counts())
            for k, n in row.items():
                mine[k] += n
    for d, n in other["by_day"].items():
        into["by_day"][d] = into["by_day"].get(d, 0) + n
    into["overdue"].extend(other["overdue"])


def build_report(
    hall: Hall,
    start: date,
    end: date,
    rollups: Iterable[Rollup],
    promised: Iterable[Mapping[str, Any]],
    daily: bool = True,
    parts: dict[str, Any] | None = None,
    case_counts: CaseCounts | None = None,
) -> dict[str, Any]:
    """The period report (the JSON contract of docs/REPORTS.md) from the period's rollups.

    `promised` are the promised cases (承诺件) received up to `end` as they stand now
    (the `cases` table, else the rollups' own lists): those received in the period give
    completed / on-time, all of them give open / overdue at the period's end.

    `parts`, when given, receives the hall totals' counts before they become figures
    (`acc`: the merged rollup row, `cases`: the case counts): what `sum_totals` adds up
    across halls so a district's rates come from summed counts.

    `case_counts`, when given, are case figures counted already (`Store.case_counts`,
    in SQL), added to those of `promised`.
    """
    acc: dict[str, dict[str, Row]] = {v: {} for v in (*VIEWS, "hall")}
    days: list[dict[str, Any]] = []
    present_wd: dict[str, int] = {}  # window -> days present that are working days
    for r in rollups:
        if "span" in r:  # a merged span of days (merge_rollups), wholly inside the period
            if not (start.isoformat() <= r["span"][0] and r["span"][1] <= end.isoformat()):
                continue
        elif not start <= date.fromisoformat(r["day"]) <= end:
            continue
        sm = r if "span" in r else summarize(hall, r)
        for view, rows in sm["rows"].items():
            for key, row in rows.items():
                merge_row(acc[view].setdefault(key, new_row()), row)
        days.extend(dict(d) for d in sm["days"])
        for key, n in sm["present_wd"].items():
            present_wd[key] = present_wd.get(key, 0) + n
    counted = count_cases(promised, start, end)
    if case_counts is not None:
        add_case_counts(counted, case_counts)
    cases = counted["rows"]
    completed_by_day = counted["by_day"]
    overdue_cases = counted["overdue"]
    wdays = working_days(hall, start, end)
    for d in days:
        d["completed"] += completed_by_day.get(d["day"], 0)
    if parts is not None:
        parts["acc"] = acc["hall"].get("", new_row())
        parts["cases"] = cases["hall"].get("", _case_counts())
        parts["working_days"] = wdays
    out: dict[str, Any] = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "working_days": wdays,
        "hall": _finish_row(
            acc["hall"].get("", new_row()), cases["hall"].get("", _case_counts()), wdays
        ),
    }
    names = _names(hall)
    for view in VIEWS:
        all_keys = set(acc[view]) | set(cases[view]) | set(names[view])
        rows = []
        for key in all_keys:
            row = _finish_row(
                acc[view].get(key, new_row()), cases[view].get(key, _case_counts()), wdays
            )
            ident: Any = int(key) if view == "window" else key
            row = {view: ident, "name": names[view].get(key, key), **row}
            if view == "window":
                row["class"] = classify(row["received"], present_wd.get(key, 0), wdays, hall)
            rows.append(row)
        if view == "department":
            for row in rows:
                wins = [
                    str(w.number)
                    for w in hall.windows
                    if any(
                        (s := hall.service(code)) and s.department == row["department"]
                        for code in w.services
                    )
                ]
                all_vacant = bool(wins) and all(
                    classify(0, present_wd.get(w, 0), wdays, hall) == "vacant" for w in wins
                )
                row["class"] = (
                    "vacant"
                    if all_vacant and row["received"] == 0
                    else classify(row["received"], wdays, wdays, hall)
                )
        rows.sort(key=lambda r: (-r["received"], _sort_key(r[view])))
        for i, row in enumerate(rows, 1):
            row["rank"] = i
        out[LISTS[view]] = rows
    hall_acc = acc["hall"].get("", new_row())
    hn, hs = hall_acc.get("hour_n", {}), hall_acc.get("hour_sum", {})
    out["waits_by_hour"] = [
        {"hour": int(h), "calls": hn[h], "avg_wait_s": hs[h] / hn[h]} for h in sorted(hn, key=int)
    ]
    out["overdue_cases"] = sorted(overdue_cases, key=lambda c: (c["due"], c["id"]))
    if daily:
        out["days"] = sorted(days, key=lambda d: d["day"])
    return out


def sum_totals(parts: Iterable[Mapping[str, Any]]) -> Row:
    """The totals of several halls from their `parts` (see build_report): every counter
    summed, the rates recomputed from the sums (never averages of the halls' rates).
    `working_days` is the most any hall had (the halls' calendars may differ)."""
    acc, cases, wdays = new_row(), _case_counts(), 0
    for p in parts:
        merge_row(acc, p["acc"])
        for k in cases:
            cases[k] += p["cases"][k]
        wdays = max(wdays, p["working_days"])
    return _finish_row(acc, cases, wdays)


def _sort_key(v: Any) -> tuple[int, str]:
    return (v, "") if isinstance(v, int) else (0, str(v))


def _names(hall: Hall) -> dict[str, dict[str, str]]:
    return {
        "window": {str(w.number): w.name for w in hall.windows},
        "department": {d.code: d.name for d in hall.departments},
        "clerk": {s.id: s.name for s in hall.staff if not s.supervisor},
        "service": {s.code: s.name for s in hall.services},
    }
