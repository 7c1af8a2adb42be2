"""The hall as a client app sees it: one welcome snapshot moved forward by events.

Pure (no Textual, no network, no clock). The kiosk, the counter and the
boards all keep the same picture of the shared parts of the hall: the
catalogue and its look-up tables, the live windows, the waiting counts per
service, the tickets the role may see, the notice, the day and the last
`seq`. Each app extends `HallState` with what only it needs (the counter's
call reasons, the board's recent calls and alerts) by overriding
`load_welcome` / `apply_event` and calling the base first.

The hub is the only writer: every welcome replaces the whole picture, every
event carries the objects after the change, so a client never computes a
state the hub did not send. The one thing an event implies rather than
carries is a window's `current` ticket (a ticket event names the window by
number), which `apply_event` moves the way the hub's engine does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.calling import line_up
from shared.protocol import W_CLOSED

Obj = dict[str, Any]

# Ticket events carry the ticket, not the window: these put the ticket at the
# event's window (the window's `current`) or take it off whichever window has it.
AT_WINDOW_EVENTS = frozenset(
    {"ticket_called", "ticket_recalled", "ticket_started", "ticket_unparked"}
)
OFF_WINDOW_EVENTS = frozenset(
    {"ticket_finished", "ticket_no_show", "ticket_transferred", "ticket_parked", "ticket_expired"}
)


@dataclass
class HallState:
    """The shared picture of the hall (see the module docstring)."""

    hall: Obj = field(default_factory=dict)  # the catalogue, as in the welcome
    day: str = ""
    seq: int = 0
    windows: dict[int, Obj] = field(default_factory=dict)  # configured + live fields
    waiting: dict[str, int] = field(default_factory=dict)  # service code -> waiting tickets
    tickets: dict[str, Obj] = field(default_factory=dict)  # what the role may see
    notice: Obj | None = None
    today: Obj | None = None  # a hall with hours: today's hours and when issuing stops
    # open cases (办件) by id: the welcome's (a counter's departments', a supervisor's all),
    # then every case event (staff get them all; a case that closes leaves)
    cases: dict[str, Obj] = field(default_factory=dict)
    loaded: bool = False
    # look-up tables, rebuilt from the catalogue at every welcome
    _services: dict[str, Obj] = field(default_factory=dict, repr=False)
    _departments: dict[str, Obj] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ input

    def load_welcome(self, welcome: Obj) -> None:
        """Replace everything with a welcome's snapshot."""
        state = welcome.get("state") or {}
        self._load_catalogue(welcome.get("hall") or {})
        self.day = str(welcome.get("day") or "")
        seq = welcome.get("seq")
        self.seq = seq if isinstance(seq, int) else 0
        self.windows = {}
        for conf in self.hall.get("windows") or ():
            if isinstance(conf, dict) and isinstance(conf.get("number"), int):
                self.windows[conf["number"]] = {**conf, "state": W_CLOSED, "current": None}
        for w in state.get("windows") or ():
            if isinstance(w, dict) and isinstance(w.get("number"), int):
                self.windows[w["number"]] = {**self.windows.get(w["number"], {}), **w}
        self.waiting = {
            str(k): v for k, v in (state.get("waiting") or {}).items() if isinstance(v, int)
        }
        self.tickets = {
            t["id"]: t for t in state.get("tickets") or () if isinstance(t, dict) and "id" in t
        }
        notice = state.get("notice")
        self.notice = notice if isinstance(notice, dict) else None
        today = state.get("today")
        self.today = today if isinstance(today, dict) else None
        self.cases = {
            str(c["id"]): c
            for c in state.get("cases") or ()
            if isinstance(c, dict) and "id" in c and c.get("state") == "open"
        }
        self.loaded = True

    def _load_catalogue(self, hall: Obj) -> None:
        """The catalogue and its look-up tables (a welcome's, or a `catalogue` event's)."""
        self.hall = dict(hall)
        self._services = {
            str(s.get("code")): s for s in self.hall.get("services") or () if isinstance(s, dict)
        }
        self._departments = {
            str(d.get("code")): d for d in self.hall.get("departments") or () if isinstance(d, dict)
        }

    def hours_text(self, lang: str) -> str:
        """Today's hours as the boards show them: "今日办公 08:30-12:00、13:30-17:30 · 17:00 停止取号"
        ("" in a hall always open)."""
        today = self.today
        if not today or not isinstance(today.get("hours"), list):
            return ""
        hours = [str(h) for h in today["hours"]]
        if not hours:
            return "今日不办公" if lang != "en" else "Closed today"
        until = today.get("issuing_until")
        if lang == "en":
            text = "Open today " + ", ".join(hours)
            return text + (f" · tickets until {until}" if until else "")
        text = "今日办公 " + "、".join(hours)
        return text + (f" · {until} 停止取号" if until else "")

    @property
    def catalogue_version(self) -> int | None:
        """The version of the catalogue in use (`hall catalogue history`), when the hub says."""
        v = self.hall.get("version")
        return v if isinstance(v, int) else None

    def apply_event(self, event: Obj) -> bool:
        """Move the picture forward by one pushed event; True when anything changed."""
        kind = str(event.get("type") or "")
        changed = False
        seq = event.get("seq")
        if isinstance(seq, int) and seq > self.seq:
            self.seq = seq
        waiting = event.get("waiting")
        if isinstance(waiting, dict):
            for code, n in waiting.items():
                if isinstance(n, int) and self.waiting.get(code) != n:
                    self.waiting[code] = n
                    changed = True
        ticket = event.get("ticket")
        if kind.startswith("ticket_") and isinstance(ticket, dict) and "id" in ticket:
            self.tickets[ticket["id"]] = {**self.tickets.get(ticket["id"], {}), **ticket}
            self._move_current(kind, ticket, event.get("window"))
            changed = True
        window = event.get("window")
        if kind.startswith("window_") and isinstance(window, dict):
            number = window.get("number")
            if isinstance(number, int):
                self.windows[number] = {**self.windows.get(number, {}), **window}
                changed = True
        elif kind.startswith("case_") and isinstance(event.get("case"), dict):
            case = event["case"]
            if case.get("state") == "open":
                self.cases[str(case.get("id"))] = case
            else:
                self.cases.pop(str(case.get("id")), None)
            changed = True
        elif kind == "notice":
            text = event.get("text")
            self.notice = (
                {"text": text, "until": event.get("until"), "at": event.get("at")} if text else None
            )
            changed = True
        elif kind == "catalogue" and isinstance(event.get("hall"), dict):
            # `hall catalogue apply`: the new catalogue, every window after it (names,
            # services; a removed window that is still open stays until it closes)
            self._load_catalogue(event["hall"])
            live, self.windows = self.windows, {}
            for w in event.get("windows") or ():
                if isinstance(w, dict) and isinstance(w.get("number"), int):
                    self.windows[w["number"]] = {**live.get(w["number"], {}), **w}
            for code in self._services:
                self.waiting.setdefault(code, 0)
            today = event.get("today")
            self.today = today if isinstance(today, dict) else None
            changed = True
        elif kind == "day_rolled":
            # A new day: nobody waits and no ticket is at a window (yesterday's expired).
            self.day = str(event.get("day") or self.day)
            for w in self.windows.values():
                w["current"] = None
            for w in event.get("windows") or ():
                if isinstance(w, dict) and isinstance(w.get("number"), int):
                    self.windows[w["number"]] = {**self.windows.get(w["number"], {}), **w}
            self.waiting = dict.fromkeys(self.waiting, 0)
            today = self.day.replace("-", "")
            self.tickets = {k: v for k, v in self.tickets.items() if k.startswith(today)}
            if "notice" in event:
                notice = event.get("notice")
                self.notice = notice if isinstance(notice, dict) else None
            changed = True
        return changed

    def _move_current(self, kind: str, ticket: Obj, window: Any) -> None:
        """Keep each window's `current` ticket in step with a ticket event."""
        tid = ticket["id"]
        if kind in OFF_WINDOW_EVENTS:
            for w in self.windows.values():
                if w.get("current") == tid:
                    w["current"] = None
        elif kind in AT_WINDOW_EVENTS:
            number = window if isinstance(window, int) else ticket.get("window")
            if isinstance(number, int) and number in self.windows:
                self.windows[number]["current"] = tid

    # ------------------------------------------------------------------ look-ups

    @property
    def services(self) -> list[Obj]:
        """Every service of the catalogue, in catalogue order."""
        return list(self._services.values())

    def service(self, code: str | None) -> Obj | None:
        """The service with this code."""
        return self._services.get(str(code)) if code is not None else None

    def ahead(self, tid: str, now: datetime) -> int | None:
        """How many tickets the calling order calls before waiting ticket `tid` (the forward pass
        of shared/calling.py over the tickets this role sees, with the catalogue's minutes as
        service times: the hub's pass uses today's measured times, which can only change which
        window frees first); None when it is not waiting."""
        t = self.tickets.get(tid)
        if t is None or t.get("state") != "waiting":
            return None

        def service_s(code: str) -> float:
            minutes = (self.service(code) or {}).get("minutes")
            return 60.0 * float(minutes) if isinstance(minutes, int | float) else 300.0

        policy = dict(self.hall.get("policy") or {})
        lu = line_up(self.tickets.values(), self.windows.values(), policy, now, service_s)
        return lu.places[tid][0]

    def department(self, code: str | None) -> Obj | None:
        """The department with this code."""
        return self._departments.get(str(code)) if code is not None else None

    @property
    def departments(self) -> list[Obj]:
        """Every department of the catalogue, in catalogue order."""
        return list(self._departments.values())

    def services_of(self, department: str) -> list[Obj]:
        """A department's services, in catalogue order."""
        return [s for s in self._services.values() if s.get("department") == department]

    @property
    def fee_service(self) -> str | None:
        """The service of the hall's fee window(s) (一口收费), or None."""
        code = self.hall.get("fee_service")
        return code if isinstance(code, str) else None

    @property
    def bundles(self) -> list[Obj]:
        """The catalogue's bundles (一件事: several services, one ticket), in catalogue order."""
        return [b for b in self.hall.get("bundles") or () if isinstance(b, dict)]

    def bundle(self, code: str) -> Obj | None:
        """The bundle with this code, or None."""
        return next((b for b in self.bundles if b.get("code") == code), None)

    def fee_of(self, services: list[str]) -> float:
        """The fees of these services, collected at the fee window (0: no fee step)."""
        total = 0.0
        for code in services:
            amount = (self.service(code) or {}).get("fee_amount")
            if isinstance(amount, int | float):
                total += float(amount)
        return total

    def window(self, number: int | None) -> Obj | None:
        """The window with this number (configured and live fields), or None."""
        return self.windows.get(number) if number is not None else None

    def windows_serving(self, service: str) -> list[Obj]:
        """The windows that serve a service now (the live list when a supervisor changed it)."""
        return [w for w in self.windows.values() if service in (w.get("services") or ())]

    def waiting_for(self, service: str) -> int:
        """Tickets waiting for a service now."""
        return self.waiting.get(service, 0)

    def open_cases(self, departments: set[str] | None = None) -> list[Obj]:
        """The open cases (of these departments), the earliest due first."""
        return sorted(
            (
                c
                for c in self.cases.values()
                if departments is None or c.get("department") in departments
            ),
            key=lambda c: (str(c.get("due") or c.get("day")), str(c.get("id"))),
        )

    def waiting_in(self, department: str) -> int:
        """Tickets waiting for any service of a department."""
        return sum(self.waiting_for(str(s.get("code"))) for s in self.services_of(department))
