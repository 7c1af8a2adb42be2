"""The queue engine: pure, no I/O, no clock of its own.

Theory of operation
-------------------
A command comes in with the actor who sends it and ``now``. ``execute``
checks it against the current state and either raises ``EngineError``
(nothing changed) or returns a result and the events it caused. Every
change of state happens in ``apply(event)``, and only there: recovery after
a restart replays the stored events of the day through the same ``apply``,
so the state after a restart is exactly the state before it.

Events carry the whole Ticket (or Window) after the change, plus what the
metrics need (window, reason, outcome). Keys that start with ``_`` are for
the store only and are never sent to clients (the citizen's ticket token).

The lifecycle table is ``TRANSITIONS`` below; anything not in it is refused
with ``invalid_state``.
"""

from __future__ import annotations

import copy
import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from hub.catalogue import Hall
from shared.calling import may_call, next_ticket
from shared.protocol import (
    CALLED,
    CANCELLED,
    DONE,
    EXPIRED,
    NO_SHOW,
    OPEN_STATES,
    PARKED,
    PENDING,
    SERVING,
    W_CLOSED,
    W_OPEN,
    W_PAUSED,
    WAITING,
    iso,
)

Event = dict[str, Any]
Ticket = dict[str, Any]

# (state, command) -> new state: the ticket lifecycle of docs/DESIGN.md.
TRANSITIONS: dict[tuple[str, str], str] = {
    (WAITING, "call"): CALLED,
    (WAITING, "cancel"): CANCELLED,
    (CALLED, "recall"): CALLED,
    (CALLED, "start"): SERVING,
    (CALLED, "no_show"): NO_SHOW,
    (SERVING, "finish_done"): DONE,
    (SERVING, "finish_pending"): PENDING,
    (SERVING, "transfer"): WAITING,
    (SERVING, "park"): PARKED,
    (PARKED, "unpark"): SERVING,
    (NO_SHOW, "requeue"): WAITING,
}

RECENT_CALLS = 20


class EngineError(Exception):
    """A refused command: `code` is the protocol error code; nothing changed."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en

    def message(self, lang: str = "zh") -> str:
        """The message in the client's language."""
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Actor:
    """Who sends a command: role plus identity (staff id, device name, ticket id)."""

    role: str
    identity: str
    window: int | None = None


@dataclass
class WindowStats:
    """Same-day accumulators of one window (docs/DESIGN.md "Same-day metrics")."""

    received: set[str] = field(default_factory=set)
    completed: int = 0
    pending: int = 0
    transferred_in: int = 0
    transferred_out: int = 0
    no_show: set[str] = field(default_factory=set)
    wait_sum: float = 0.0
    wait_n: int = 0
    service_sum: float = 0.0
    service_n: int = 0
    duty_s: float = 0.0
    duty_since: datetime | None = None
    paused_s: float = 0.0
    paused_since: datetime | None = None
    rating_sum: int = 0
    rating_n: int = 0


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def _mean(total: float, n: int) -> float | None:
    return None if n == 0 else total / n


class Engine:
    """The day's queue state of one hall, changed only by events."""

    def __init__(
        self, hall: Hall, day: date, token_hash_of: Callable[[str], str] | None = None
    ) -> None:
        self.hall = hall
        self.token_hash_of = token_hash_of  # ticket id -> stored hash of its citizen token (pure)
        self.tz = ZoneInfo(hall.timezone)
        self.policy = hall.policy.to_wire()
        self.seq = 0
        self.day = day
        self.windows: dict[int, dict[str, Any]] = {
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
        self.notice: dict[str, Any] | None = None
        self._last_at: datetime | None = None
        self._reset_day()

    # ------------------------------------------------------------------ day state

    def _reset_day(self) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.waiting_by_service: dict[str, set[str]] = {}
        self.numbers: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        self.stats: dict[int, WindowStats] = {n: WindowStats() for n in self.windows}
        self.calls_wait: list[float] = []
        self.seg_start: dict[str, datetime] = {}
        self.handoff_open: set[str] = set()  # handed off, next service not started yet
        self.service_time: dict[str, tuple[float, int]] = {}
        self.rated: set[tuple[str, int]] = set()  # (ticket, visit index)
        self.visits: dict[str, list[int]] = {}  # ticket -> windows where service started
        self.recent_calls: deque[dict[str, Any]] = deque(maxlen=RECENT_CALLS)
        self.complaints: list[dict[str, Any]] = []
        self.ratings: list[dict[str, Any]] = []
        self.printer_faults: list[dict[str, Any]] = []

    def local_day(self, now: datetime) -> date:
        """The hall-local day of an instant."""
        return now.astimezone(self.tz).date()

    def day_start(self, day: date | None = None) -> datetime:
        """Local midnight starting the day."""
        return datetime.combine(day or self.day, time(0), tzinfo=self.tz)

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(self.tz)

    # ------------------------------------------------------------------ commands

    def execute(
        self, actor: Actor, cmd: dict[str, Any], now: datetime
    ) -> tuple[dict[str, Any], list[Event]]:
        """Run one validated command; return (result fields, events) or raise EngineError."""
        now = self._local(now)
        kind = cmd["type"]
        handler = getattr(self, f"_do_{kind}", None)
        if handler is None:
            raise EngineError(
                "unknown_type", f"未知的请求类型：{kind}", f"Unknown request type: {kind}"
            )
        events: list[Event] = []
        result: dict[str, Any] = handler(actor, cmd, now, events)
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
        for t in sorted(self.tickets.values(), key=lambda t: t["id"]):
            if t["state"] in OPEN_STATES:
                nt = dict(t, state=EXPIRED, ended_at=iso(at))
                self._emit(events, "ticket_expired", at, ticket=nt)
        windows = copy.deepcopy(self.windows)
        for w in windows.values():
            w["current"] = None
            w["priority_streak"] = 0
        self._emit(
            events,
            "day_rolled",
            at,
            day=new_day.isoformat(),
            windows=list(windows.values()),
            notice=self.notice,
        )
        return events

    def _emit(self, events: list[Event], kind: str, now: datetime, /, **fields: Any) -> Event:
        ev: Event = {"type": kind, "seq": self.seq + 1, "at": iso(now), **fields}
        if "ticket" in fields and isinstance(fields["ticket"], dict):
            ev["waiting"] = self._waiting_after(fields["ticket"])
        self.apply(ev)
        events.append(ev)
        return ev

    def _waiting_after(self, ticket: Ticket) -> dict[str, int]:
        # computed before apply: adjust for the change this event makes
        services = {ticket["service"]}
        old = self.tickets.get(ticket["id"])
        if old is not None:
            services.add(old["service"])
        out = {}
        for s in services:
            ids = self.waiting_by_service.get(s, set())
            n = len(ids) - (1 if ticket["id"] in ids else 0)
            if ticket["state"] == WAITING and ticket["service"] == s:
                n += 1
            out[s] = n
        return out

    # --- helpers for handlers

    def _ticket(self, tid: Any) -> Ticket:
        if not isinstance(tid, str) or tid not in self.tickets:
            raise EngineError("not_found", f"没有这张票：{tid}", f"No such ticket: {tid}")
        return self.tickets[tid]

    def _window(self, number: Any) -> dict[str, Any]:
        if not isinstance(number, int) or number not in self.windows:
            raise EngineError("not_found", f"没有 {number} 号窗口", f"No window {number}")
        return self.windows[number]

    def _my_window(self, actor: Actor) -> dict[str, Any]:
        assert actor.window is not None
        w = self._window(actor.window)
        if w["state"] == W_CLOSED or w["staff"] != actor.identity:
            raise EngineError("invalid_state", "窗口未登录", "The window is not open")
        return w

    def _current(self, actor: Actor, state: str) -> Ticket:
        w = self._my_window(actor)
        tid = w["current"]
        t = self.tickets.get(tid) if tid else None
        if t is None or t["state"] != state:
            zh = {CALLED: "本窗口没有已叫号的票", SERVING: "本窗口没有正在办理的票"}[state]
            en = {
                CALLED: "This window has no called ticket",
                SERVING: "This window has no ticket in service",
            }[state]
            raise EngineError("invalid_state", zh, en)
        return t

    def _transition(self, t: Ticket, command: str) -> str:
        new = TRANSITIONS.get((t["state"], command))
        if new is None:
            raise EngineError(
                "invalid_state",
                f"{t['number']} 当前状态为 {t['state']}，不能执行 {command}",
                f"Ticket {t['number']} is {t['state']}: {command} is not allowed",
            )
        return new

    def _service(self, code: Any) -> Any:
        s = self.hall.service(code) if isinstance(code, str) else None
        if s is None:
            raise EngineError("not_found", f"没有这个事项：{code}", f"No such service: {code}")
        return s

    def _free(self, w: dict[str, Any]) -> None:
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

    def _do_issue(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        svc = self._service(cmd.get("service"))
        priority = cmd.get("priority", "normal")
        n = self.numbers.get(svc.prefix, 0) + 1
        number = f"{svc.prefix}{n:03d}"
        t: Ticket = {
            "id": f"{self.day:%Y%m%d}-{number}",
            "number": number,
            "service": svc.code,
            "department": svc.department,
            "priority": priority,
            "state": WAITING,
            "issued_at": iso(now),
            "queued_at": iso(now),
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
            "lang": cmd.get("lang") or "zh",
        }
        token = self.token_hash_of(t["id"]) if self.token_hash_of else None
        self._emit(events, "ticket_issued", now, ticket=t, _token=token, _kiosk=actor.identity)
        ahead, eta = self.position(t["id"])
        return {"ticket": self.tickets[t["id"]], "ahead": ahead, "eta_min": eta}

    def _do_printer_status(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
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
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        w = self._window(actor.window)
        if w["state"] != W_CLOSED:
            if w["staff"] == actor.identity:
                return {}  # a reconnect or a restarted terminal: the session goes on
            raise EngineError(
                "window_taken",
                "该窗口已由其他工作人员登录",
                "Another staff member holds this window",
            )
        nw = dict(
            w,
            state=W_OPEN,
            staff=actor.identity,
            opened_at=iso(now),
            pause_reason=None,
            paused_at=None,
        )
        self._emit(events, "window_opened", now, window=nw)
        return {}

    def _do_call_next(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        w = self._my_window(actor)
        self._free(w)
        waiting = [self.tickets[i] for ids in self.waiting_by_service.values() for i in ids]
        picked = next_ticket(
            waiting, w["number"], w["services"], self.policy, w["priority_streak"], now
        )
        if picked is None:
            raise EngineError("queue_empty", "没有等候的群众", "Nobody is waiting for this window")
        t, reason = picked
        return self._call(actor, w, t, reason, now, events)

    def _do_call(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
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
        self,
        actor: Actor,
        w: dict[str, Any],
        t: Ticket,
        reason: str,
        now: datetime,
        events: list[Event],
    ) -> dict[str, Any]:
        nt = dict(
            t, state=CALLED, called_at=iso(now), window=w["number"], staff=actor.identity, recalls=0
        )
        self._emit(events, "ticket_called", now, ticket=nt, window=w["number"], reason=reason)
        return {"ticket": self.tickets[t["id"]], "reason": reason}

    def _do_recall(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        t = self._current(actor, CALLED)
        nt = dict(t, recalls=t["recalls"] + 1)
        self._emit(events, "ticket_recalled", now, ticket=nt, window=actor.window)
        return {"ticket": self.tickets[t["id"]]}

    def _do_start(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        t = self._current(actor, CALLED)
        fr = t["first_responsible"] or {"staff": actor.identity, "window": actor.window}
        nt = dict(t, state=SERVING, started_at=iso(now), staff=actor.identity, first_responsible=fr)
        self._emit(events, "ticket_started", now, ticket=nt, window=actor.window)
        return {"ticket": self.tickets[t["id"]]}

    def _do_finish(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        t = self._current(actor, SERVING)
        outcome = cmd["outcome"]
        new = self._transition(t, f"finish_{outcome}")
        nt = dict(t, state=new, ended_at=iso(now), note=cmd.get("note") or t.get("note"))
        self._emit(events, "ticket_finished", now, ticket=nt, window=actor.window, outcome=outcome)
        return {"ticket": self.tickets[t["id"]]}

    def _do_transfer(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        t = self._current(actor, SERVING)
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
        handoff = {
            "from_window": actor.window,
            "from_staff": actor.identity,
            "to_service": svc.code,
            "to_window": to_window,
            "reason": cmd["reason"],
            "at": iso(now),
        }
        nt = dict(
            t,
            state=WAITING,
            service=svc.code,
            department=svc.department,
            queued_at=iso(now),
            called_at=None,
            window=None,
            staff=None,
            target_window=to_window,
            recalls=0,
            handoffs=[*t["handoffs"], handoff],
        )
        self._emit(
            events, "ticket_transferred", now, ticket=nt, window=actor.window, handoff=handoff
        )
        return {"ticket": self.tickets[t["id"]]}

    def _do_park(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        t = self._current(actor, SERVING)
        nt = dict(t, state=PARKED)
        self._emit(
            events, "ticket_parked", now, ticket=nt, window=actor.window, reason=cmd["reason"]
        )
        return {"ticket": self.tickets[t["id"]]}

    def _do_unpark(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        w = self._my_window(actor)
        t = self._ticket(cmd.get("ticket"))
        self._transition(t, "unpark")
        if t["window"] != actor.window:
            raise EngineError(
                "invalid_state",
                f"{t['number']} 挂起在 {t['window']} 号窗口，只能在该窗口恢复",
                f"Ticket {t['number']} is parked at window {t['window']}: resume it there",
            )
        self._free(w)
        nt = dict(t, state=SERVING, staff=actor.identity)
        self._emit(events, "ticket_unparked", now, ticket=nt, window=actor.window)
        return {"ticket": self.tickets[t["id"]]}

    def _do_no_show(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        t = self._current(actor, CALLED)
        nt = dict(t, state=NO_SHOW, ended_at=iso(now))
        self._emit(events, "ticket_no_show", now, ticket=nt, window=actor.window)
        return {"ticket": self.tickets[t["id"]]}

    def _do_requeue(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        w = self._my_window(actor)
        t = self._ticket(cmd.get("ticket"))
        self._transition(t, "requeue")
        if t["service"] not in w["services"] and t["window"] != actor.window:
            raise EngineError(
                "invalid_state",
                f"{t['number']} 不属于本窗口的事项",
                f"Ticket {t['number']} is not for this window",
            )
        nt = dict(
            t,
            state=WAITING,
            queued_at=iso(now),
            called_at=None,
            ended_at=None,
            window=None,
            staff=None,
        )
        self._emit(events, "ticket_requeued", now, ticket=nt, window=actor.window)
        return {"ticket": self.tickets[t["id"]]}

    def _do_pause(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
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
        nw = dict(w, state=W_PAUSED, pause_reason=cmd["reason"], paused_at=iso(now))
        self._emit(events, "window_paused", now, window=nw)
        return {"window": nw}

    def _do_resume(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        w = self._my_window(actor)
        if w["state"] != W_PAUSED:
            raise EngineError("invalid_state", "窗口没有暂停", "The window is not paused")
        nw = dict(w, state=W_OPEN, pause_reason=None, paused_at=None)
        self._emit(events, "window_resumed", now, window=nw)
        return {"window": nw}

    def _do_logout(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        w = self._my_window(actor)
        return self._close(w, now, events)

    def _close(self, w: dict[str, Any], now: datetime, events: list[Event]) -> dict[str, Any]:
        cur = self.tickets.get(w["current"]) if w["current"] else None
        if cur is not None and cur["state"] in (CALLED, SERVING):
            raise EngineError(
                "window_busy",
                f"窗口还有 {cur['number']} 未处理完，请先办结、转办或标记过号",
                f"Window still has {cur['number']}: finish, hand off or mark it no-show first",
            )
        nw = dict(
            w,
            state=W_CLOSED,
            staff=None,
            current=None,
            pause_reason=None,
            paused_at=None,
            opened_at=None,
        )
        self._emit(events, "window_closed", now, window=nw)
        return {"window": nw}

    # --- supervisor

    def _do_metrics(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        return {"metrics": self.metrics(now)}

    def _do_notice(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        minutes = cmd.get("minutes")
        until = iso(now + timedelta(minutes=minutes)) if minutes else None
        self._emit(events, "notice", now, text=cmd["text"], until=until, staff=actor.identity)
        return {}

    def _do_set_window(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        w = self._window(cmd.get("window"))
        services = cmd["services"]
        for code in services:
            self._service(code)
        nw = dict(w, services=list(dict.fromkeys(services)))
        self._emit(events, "window_changed", now, window=nw, staff=actor.identity)
        return {"window": nw}

    def _do_close_window(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        w = self._window(cmd.get("window"))
        if w["state"] == W_CLOSED:
            raise EngineError("invalid_state", "窗口已关闭", "The window is already closed")
        return self._close(w, now, events)

    # --- citizen

    def _do_cancel(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        t = self._ticket(actor.identity)
        self._transition(t, "cancel")
        nt = dict(t, state=CANCELLED, ended_at=iso(now))
        self._emit(events, "ticket_cancelled", now, ticket=nt)
        return {"ticket": self.tickets[t["id"]]}

    def rate_window(self, tid: str) -> int | None:
        """The window whose finished visit this ticket may rate now, or None."""
        t = self.tickets.get(tid)
        visits = self.visits.get(tid)
        if t is None or not visits or t["state"] in (SERVING, PARKED):
            return None
        if (tid, len(visits) - 1) in self.rated:
            return None
        return visits[-1]

    def _do_rate(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
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
        return {}

    def _do_complain(
        self, actor: Actor, cmd: dict[str, Any], now: datetime, events: list[Event]
    ) -> dict[str, Any]:
        t = self._ticket(actor.identity)
        cid = f"{t['id']}-C{len(self.complaints) + 1}"
        self._emit(
            events, "complaint", now, id=cid, ticket=t["id"], number=t["number"], text=cmd["text"]
        )
        return {"id": cid}

    # ------------------------------------------------------------------ apply

    def apply(self, ev: Event) -> None:
        """Change the state by one event (live or replayed)."""
        kind = ev["type"]
        self.seq = ev["seq"]
        at = datetime.fromisoformat(ev["at"])
        self._last_at = at
        if kind == "day_rolled":
            self.day = date.fromisoformat(ev["day"])
            self._reset_day()
            start = self.day_start()
            for w in ev["windows"]:
                self.windows[w["number"]] = dict(w)
                ws = self.stats.setdefault(w["number"], WindowStats())
                if w["state"] != W_CLOSED:
                    ws.duty_since = start
                if w["state"] == W_PAUSED:
                    ws.paused_since = start
            self.notice = ev.get("notice")
            return
        if kind.startswith("window_"):
            self._apply_window(ev["window"], at)
            return
        if kind == "notice":
            self.notice = (
                {"text": ev["text"], "until": ev["until"], "at": ev["at"]} if ev["text"] else None
            )
            return
        if kind == "complaint":
            self.complaints.append({k: ev[k] for k in ("id", "ticket", "number", "text", "at")})
            return
        if kind == "printer_fault":
            self.printer_faults.append({k: ev[k] for k in ("kiosk", "kind", "message", "at")})
            return
        t: Ticket = ev["ticket"]
        tid = t["id"]
        old = self.tickets.get(tid)
        self.tickets[tid] = t
        if old is not None:
            self.waiting_by_service.get(old["service"], set()).discard(tid)
        if t["state"] == WAITING:
            self.waiting_by_service.setdefault(t["service"], set()).add(tid)
        w_no = ev.get("window")
        st: WindowStats | None = self.stats.get(w_no) if isinstance(w_no, int) else None
        win = self.windows.get(w_no) if isinstance(w_no, int) else None
        if kind == "ticket_issued":
            n = int(t["number"][1:])
            prefix = t["number"][0]
            self.numbers[prefix] = max(self.numbers.get(prefix, 0), n)
            if ev.get("_token"):
                self.tokens[ev["_token"]] = tid
        elif kind == "ticket_called" and st is not None and win is not None:
            wait = (at - datetime.fromisoformat(t["queued_at"])).total_seconds()
            st.wait_sum += wait
            st.wait_n += 1
            self.calls_wait.append(wait)
            win["current"] = tid
            win["priority_streak"] = (
                win.get("priority_streak", 0) + 1 if t["priority"] == "priority" else 0
            )
            self.recent_calls.appendleft(
                {
                    "ticket": tid,
                    "number": t["number"],
                    "window": w_no,
                    "at": ev["at"],
                    "reason": ev.get("reason"),
                }
            )
        elif kind == "ticket_recalled" and win is not None:
            win["current"] = tid
        elif kind in ("ticket_started", "ticket_unparked") and st is not None and win is not None:
            win["current"] = tid
            self.seg_start[tid] = at
            if kind == "ticket_started":
                st.received.add(tid)
                self.visits.setdefault(tid, []).append(w_no)  # type: ignore[arg-type]
                if tid in self.handoff_open:
                    self.handoff_open.discard(tid)
                    st.transferred_in += 1
        elif (
            kind in ("ticket_finished", "ticket_transferred", "ticket_parked")
            and st is not None
            and win is not None
        ):
            seg: datetime | None = self.seg_start.pop(tid, None)
            if seg is not None and old is not None:
                dur = (at - seg).total_seconds()
                st.service_sum += dur
                st.service_n += 1
                total, n = self.service_time.get(old["service"], (0.0, 0))
                self.service_time[old["service"]] = (total + dur, n + 1)
            if win.get("current") == tid:
                win["current"] = None
            if kind == "ticket_finished":
                if ev["outcome"] == DONE:
                    st.completed += 1
                else:
                    st.pending += 1
            elif kind == "ticket_transferred":
                st.transferred_out += 1
                self.handoff_open.add(tid)
        elif kind == "ticket_no_show" and st is not None and win is not None:
            st.no_show.add(tid)
            if win.get("current") == tid:
                win["current"] = None
        elif kind == "ticket_rated" and st is not None:
            st.rating_sum += ev["level"]
            st.rating_n += 1
            self.rated.add((tid, len(self.visits.get(tid, [])) - 1))
            self.ratings.append(
                {
                    "ticket": tid,
                    "number": t["number"],
                    "window": w_no,
                    "level": ev["level"],
                    "reason": ev.get("reason"),
                    "at": ev["at"],
                }
            )
        elif kind == "ticket_expired":
            self.seg_start.pop(tid, None)
            for w in self.windows.values():
                if w.get("current") == tid:
                    w["current"] = None

    def _apply_window(self, nw: dict[str, Any], at: datetime) -> None:
        n = nw["number"]
        old = self.windows.get(n, {})
        st = self.stats.setdefault(n, WindowStats())
        was, now_state = old.get("state", W_CLOSED), nw["state"]
        if was == W_PAUSED and now_state != W_PAUSED and st.paused_since is not None:
            st.paused_s += (at - st.paused_since).total_seconds()
            st.paused_since = None
        if was != W_CLOSED and now_state == W_CLOSED and st.duty_since is not None:
            st.duty_s += (at - st.duty_since).total_seconds()
            st.duty_since = None
        if was == W_CLOSED and now_state != W_CLOSED:
            st.duty_since = at
        if now_state == W_PAUSED and was != W_PAUSED:
            st.paused_since = at
        self.windows[n] = dict(nw)

    # ------------------------------------------------------------------ queries

    def waiting_counts(self, services: Iterable[str] | None = None) -> dict[str, int]:
        """Waiting tickets per service code (every service of the catalogue by default)."""
        codes = list(services) if services is not None else [s.code for s in self.hall.services]
        return {c: len(self.waiting_by_service.get(c, ())) for c in codes}

    def avg_service_min(self, service: str) -> float:
        """Today's mean service time of a service in minutes, else the catalogue's typical minutes."""
        return float(self._mean_service_s(service) / 60)

    def _mean_service_s(self, service: str) -> Fraction:
        # Exact (to the microsecond) so that ceil() in eta() is not pushed up a
        # minute by binary rounding: 27 ahead x 140 s is 63 minutes, not 64.
        total, n = self.service_time.get(service, (0.0, 0))
        if n:
            return Fraction(round(total * 1_000_000), 1_000_000 * n)
        svc = self.hall.service(service)
        return Fraction(60 * (svc.minutes if svc else 10))

    def open_windows_for(self, service: str) -> int:
        """How many open windows serve a service."""
        return sum(
            1 for w in self.windows.values() if w["state"] == W_OPEN and service in w["services"]
        )

    def queue_of(self, service: str) -> list[Ticket]:
        """The waiting tickets of a service in place-in-line order."""
        return sorted(
            (self.tickets[i] for i in self.waiting_by_service.get(service, ())),
            key=lambda t: (t["queued_at"], t["number"]),
        )

    def eta(self, service: str, ahead: int) -> int:
        """Estimated wait in minutes for a ticket with `ahead` people before it."""
        windows = max(1, self.open_windows_for(service))
        return math.ceil(ahead * self._mean_service_s(service) / (60 * windows))

    def position(self, tid: str) -> tuple[int, int]:
        """(ahead, eta_min) of a ticket; (0, 0) when it is not waiting."""
        t = self.tickets.get(tid)
        if t is None or t["state"] != WAITING:
            return 0, 0
        key = (t["queued_at"], t["number"])
        ahead = sum(
            1
            for i in self.waiting_by_service.get(t["service"], ())
            if (self.tickets[i]["queued_at"], self.tickets[i]["number"]) < key
        )
        return ahead, self.eta(t["service"], ahead)

    def metrics(self, now: datetime) -> dict[str, Any]:
        """The same-day Metrics object (docs/DESIGN.md), as of `now`."""
        now = self._local(now)
        end = min(now, self.day_start(self.day + timedelta(days=1)))
        frw: dict[int, list[int]] = {}
        fr_total = fr_done = 0
        counts = {DONE: 0, PENDING: 0, NO_SHOW: 0, CANCELLED: 0, WAITING: 0}
        for t in self.tickets.values():
            if t["state"] in counts:
                counts[t["state"]] += 1
            fr = t.get("first_responsible")
            if fr:
                agg = frw.setdefault(fr["window"], [0, 0])
                agg[0] += 1
                fr_total += 1
                if t["state"] == DONE:
                    agg[1] += 1
                    fr_done += 1
        windows = []
        received: set[str] = set()
        service_sum = 0.0
        service_n = rating_sum = rating_n = 0
        for n in sorted(self.windows):
            st = self.stats.setdefault(n, WindowStats())
            received |= st.received
            service_sum += st.service_sum
            service_n += st.service_n
            rating_sum += st.rating_sum
            rating_n += st.rating_n
            duty = st.duty_s + (
                max(0.0, (end - st.duty_since).total_seconds()) if st.duty_since else 0.0
            )
            paused = st.paused_s + (
                max(0.0, (end - st.paused_since).total_seconds()) if st.paused_since else 0.0
            )
            fr_n, fr_d = frw.get(n, [0, 0])
            windows.append(
                {
                    "window": n,
                    "received": len(st.received),
                    "completed": st.completed,
                    "pending": st.pending,
                    "transferred_in": st.transferred_in,
                    "transferred_out": st.transferred_out,
                    "no_show": len(st.no_show),
                    "completion_rate": _rate(st.completed, len(st.received)),
                    "first_responsibility_closure_rate": _rate(fr_d, fr_n),
                    "avg_wait_s": _mean(st.wait_sum, st.wait_n),
                    "avg_service_s": _mean(st.service_sum, st.service_n),
                    "on_duty_s": duty,
                    "paused_s": paused,
                    "ratings": {"count": st.rating_n, "avg": _mean(st.rating_sum, st.rating_n)},
                }
            )
        hall = {
            "issued": len(self.tickets),
            "waiting": counts[WAITING],
            "received": len(received),
            "completed": counts[DONE],
            "pending": counts[PENDING],
            "no_show": counts[NO_SHOW],
            "cancelled": counts[CANCELLED],
            "completion_rate": _rate(counts[DONE], len(received)),
            "first_responsibility_closure_rate": _rate(fr_done, fr_total),
            "avg_wait_s": _mean(sum(self.calls_wait), len(self.calls_wait)),
            "max_wait_s": max(self.calls_wait) if self.calls_wait else None,
            "avg_service_s": _mean(service_sum, service_n),
            "ratings": {"count": rating_n, "avg": _mean(rating_sum, rating_n)},
        }
        return {"day": self.day.isoformat(), "hall": hall, "windows": windows}
