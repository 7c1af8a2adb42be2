"""What the kiosk knows of the hall: the catalogue, waiting counts and windows.

Pure (no Textual, no network): built from a `welcome` frame and updated by
events, so tests and snapshots can feed it a prepared welcome dict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.i18n import name_of


@dataclass
class HallState:
    """The kiosk's picture of the hall, as of the last welcome and events."""

    hall: dict[str, Any] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    windows: dict[int, dict[str, Any]] = field(default_factory=dict)  # live Window objects
    day: str = ""

    @classmethod
    def from_welcome(cls, welcome: dict[str, Any]) -> HallState:
        """The state a welcome frame describes."""
        state = cls()
        state.load(welcome)
        return state

    def load(self, welcome: dict[str, Any]) -> None:
        """Replace everything with a welcome's snapshot."""
        self.hall = dict(welcome.get("hall") or {})
        snap = welcome.get("state") or {}
        self.waiting = {str(k): int(v) for k, v in (snap.get("waiting") or {}).items()}
        self.windows = {}
        for w in snap.get("windows") or ():
            if isinstance(w, dict) and isinstance(w.get("number"), int):
                self.windows[w["number"]] = w
        self.day = str(welcome.get("day") or "")

    def apply(self, event: dict[str, Any]) -> bool:
        """Apply a pushed event; True when anything the kiosk shows changed."""
        changed = False
        waiting = event.get("waiting")
        if isinstance(waiting, dict):
            for code, n in waiting.items():
                if isinstance(n, int) and self.waiting.get(code) != n:
                    self.waiting[code] = n
                    changed = True
        window = event.get("window")
        if isinstance(window, dict) and isinstance(window.get("number"), int):
            self.windows[window["number"]] = window
            changed = True
        if event.get("type") == "day_rolled":
            self.day = str(event.get("day") or self.day)
            changed = True
        return changed

    # ------------------------------------------------------------------ catalogue

    @property
    def departments(self) -> list[dict[str, Any]]:
        """Departments that have at least one service, in catalogue order."""
        codes = {s.get("department") for s in self.services_all}
        return [d for d in self.hall.get("departments") or () if d.get("code") in codes]

    @property
    def services_all(self) -> list[dict[str, Any]]:
        return list(self.hall.get("services") or ())

    def department(self, code: str) -> dict[str, Any] | None:
        """The department with this code."""
        return next((d for d in self.hall.get("departments") or () if d.get("code") == code), None)

    def service(self, code: str) -> dict[str, Any] | None:
        """The service with this code."""
        return next((s for s in self.services_all if s.get("code") == code), None)

    def services_of(self, department: str) -> list[dict[str, Any]]:
        """A department's services, in catalogue order."""
        return [s for s in self.services_all if s.get("department") == department]

    def windows_for(self, service: str) -> list[dict[str, Any]]:
        """The configured windows that serve a service (live list when the hub changed it)."""
        out = []
        for w in self.hall.get("windows") or ():
            live = self.windows.get(w.get("number"), {})
            services = live.get("services", w.get("services") or ())
            if service in services:
                out.append({**w, **{k: v for k, v in live.items() if k in ("state",)}})
        return out

    def window_names(self, service: str, lang: str) -> list[str]:
        """Names of the windows serving a service, in the wanted language."""
        return [window_name(w, lang) for w in self.windows_for(service)]

    # ------------------------------------------------------------------ counts

    def waiting_for(self, service: str) -> int:
        """Tickets waiting for a service now."""
        return self.waiting.get(service, 0)

    def waiting_in(self, department: str) -> int:
        """Tickets waiting for any service of a department."""
        return sum(self.waiting_for(s["code"]) for s in self.services_of(department))

    def eta_min(self, service: str) -> int:
        """Estimated wait for a new ticket: waiting × typical minutes / open windows (docs/DESIGN.md).

        The hub knows today's measured service times and gives the exact figure
        on issue; before that the catalogue's typical minutes are the estimate.
        """
        svc = self.service(service) or {}
        minutes = svc.get("minutes") or 0
        open_windows = sum(1 for w in self.windows_for(service) if w.get("state") == "open")
        return math.ceil(self.waiting_for(service) * minutes / max(1, open_windows))

    def hall_name(self, lang: str) -> str:
        """The hall's name in the wanted language."""
        return name_of(self.hall, lang)


def window_name(window: dict[str, Any], lang: str) -> str:
    """A window's display name, e.g. "5号窗口" / "Window 5"."""
    if lang == "en":
        return str(window.get("name_en") or f"Window {window.get('number')}")
    return str(window.get("name") or f"{window.get('number')}号窗口")


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket the hub acknowledged, with everything the screen and the printer show."""

    ticket: dict[str, Any]  # the hub's Ticket object
    ahead: int
    eta_min: int
    url: str
    token: str
    service: dict[str, Any]
    department: dict[str, Any]
    windows: tuple[dict[str, Any], ...]
    hall: dict[str, Any]

    @classmethod
    def from_reply(cls, reply: dict[str, Any], state: HallState) -> IssuedTicket:
        """Build from an `issue` ok reply and the hall it was issued in."""
        ticket = dict(reply["ticket"])
        code = str(ticket.get("service"))
        service = state.service(code) or {"code": code, "name": code}
        department = state.department(str(ticket.get("department") or service.get("department")))
        target = ticket.get("target_window")
        windows = [w for w in state.windows_for(code) if target is None or w["number"] == target]
        return cls(
            ticket=ticket,
            ahead=int(reply.get("ahead", 0)),
            eta_min=int(reply.get("eta_min", 0)),
            url=str(reply.get("url", "")),
            token=str(reply.get("token", "")),
            service=service,
            department=department or {},
            windows=tuple(windows),
            hall=state.hall,
        )

    @property
    def number(self) -> str:
        return str(self.ticket.get("number", ""))

    @property
    def priority(self) -> bool:
        return self.ticket.get("priority") == "priority"

    @property
    def issued_at(self) -> datetime:
        raw = self.ticket.get("issued_at")
        return datetime.fromisoformat(raw) if isinstance(raw, str) else datetime.now().astimezone()

    def window_names(self, lang: str) -> list[str]:
        """The windows that serve this ticket, in the wanted language."""
        return [window_name(w, lang) for w in self.windows]
