"""What the kiosk knows of the hall: the shared `HallState` plus the kiosk's own reading of it.

Pure (no Textual, no network): built from a `welcome` frame and moved forward
by events (shared/hallstate.py), so tests and snapshots can feed it a prepared
welcome dict. The kiosk adds only what a citizen is shown before and after a
tap: the departments worth a tile, the estimated wait of the guide, the
windows' names, the bundles (several services in one visit, one ticket), and
the `IssuedTicket` the hub acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.hallstate import HallState
from shared.i18n import name_of
from shared.protocol import ISSUING_OPEN, WAITING


@dataclass
class KioskState(HallState):
    """The kiosk's picture of the hall, as of the last welcome and events."""

    # service code -> {"ahead", "eta_min"} a new ticket would get: the hub's welcome and
    # `estimates` frames (the same forward pass that answers `issue`)
    estimates: dict[str, dict[str, Any]] = field(default_factory=dict)

    def load_welcome(self, welcome: dict[str, Any]) -> None:
        super().load_welcome(welcome)
        self.estimates = dict((welcome.get("state") or {}).get("estimates") or {})

    def apply_event(self, event: dict[str, Any]) -> bool:
        if event.get("type") == "estimates":
            new = dict(event.get("estimates") or {})
            changed = new != self.estimates
            self.estimates = new
            return changed
        return super().apply_event(event)

    @property
    def offered_departments(self) -> list[dict[str, Any]]:
        """Departments that have at least one service (the home screen's tiles), in catalogue order."""
        fee = self.fee_service
        codes = {s.get("department") for s in self.services if s.get("code") != fee}
        return [d for d in self.departments if d.get("code") in codes]

    def services_of(self, department: str) -> list[dict[str, Any]]:
        """A department's services a citizen may choose (not the fee window's: a visit adds it)."""
        fee = self.fee_service
        return [s for s in super().services_of(department) if s.get("code") != fee]

    def window_names(self, service: str, lang: str) -> list[str]:
        """Names of the windows serving a service, in the wanted language."""
        return [window_name(w, lang) for w in self.windows_serving(service)]

    def estimate(self, service: str) -> tuple[int, int | None]:
        """(ahead, eta_min) a normal ticket of the service issued now would be told.

        The hub's figures (docs/DESIGN.md "Place in line"): eta_min None when no
        open window serves the service.
        """
        est = self.estimates.get(service) or {}
        ahead, eta = est.get("ahead"), est.get("eta_min")
        return (
            ahead if isinstance(ahead, int) else self.waiting_for(service),
            eta if isinstance(eta, int) else None,
        )

    def issuing(self, service: str) -> tuple[str, datetime | None]:
        """Whether the service issues now, as the hub's estimates say: ("open", None), or
        ("not_yet" | "stopped" | "closed_day" | "quota_full", the next opening or None).

        The hub sends it with the guide figures and again each minute it changes, so a
        citizen never chooses a service only to be refused."""
        est = self.estimates.get(service) or {}
        state = est.get("issuing")
        if not isinstance(state, str) or state == ISSUING_OPEN:
            return ISSUING_OPEN, None
        next_open = est.get("next_open")
        try:
            at = datetime.fromisoformat(next_open) if isinstance(next_open, str) else None
        except ValueError:
            at = None
        return state, at

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
    eta_min: int | None  # None: no open window serves it now
    url: str
    token: str
    service: dict[str, Any]
    department: dict[str, Any]
    windows: tuple[dict[str, Any], ...]
    hall: dict[str, Any]

    @classmethod
    def from_reply(cls, reply: dict[str, Any], state: KioskState) -> IssuedTicket:
        """Build from an `issue` ok reply and the hall it was issued in."""
        ticket = dict(reply["ticket"])
        code = str(ticket.get("service"))
        service = state.service(code) or {"code": code, "name": code}
        department = state.department(str(ticket.get("department") or service.get("department")))
        target = ticket.get("target_window")
        # a visit waits in each of its waiting steps' queues: any of their windows may call it
        codes = [
            str(s.get("service"))
            for s in ticket.get("steps") or ()
            if isinstance(s, dict) and s.get("state") == WAITING
        ] or [code]
        windows = [
            w
            for w in state.windows.values()
            if any(c in (w.get("services") or ()) for c in codes)
            and (target is None or w["number"] == target)
        ]
        return cls(
            ticket=ticket,
            ahead=int(reply.get("ahead", 0)),
            eta_min=reply["eta_min"] if isinstance(reply.get("eta_min"), int) else None,
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
    def booked_slot(self) -> str:
        """预约: the slot of a booked ticket ("10:00-10:30"), "" for a walk-in."""
        b = self.ticket.get("booking")
        if not isinstance(b, dict):
            return ""
        return f"{str(b.get('start'))[11:16]}-{str(b.get('end'))[11:16]}"

    @property
    def issued_at(self) -> datetime:
        raw = self.ticket.get("issued_at")
        return datetime.fromisoformat(raw) if isinstance(raw, str) else datetime.now().astimezone()

    def window_names(self, lang: str) -> list[str]:
        """The windows that serve this ticket, in the wanted language."""
        return [window_name(w, lang) for w in self.windows]

    def step_lines(self, state: KioskState, lang: str) -> list[str]:
        """A visit's steps, one line each: "1. 事项 · 5号窗口、6号窗口" (parallel ones marked)."""
        steps = [s for s in self.ticket.get("steps") or () if isinstance(s, dict)]
        groups = [s.get("group") for s in steps]
        sep = "、" if lang == "zh" else ", "
        out = []
        for s in steps:
            code = str(s.get("service"))
            name = name_of(state.service(code) or {"name": code}, lang)
            windows = sep.join(window_name(w, lang) for w in state.windows_serving(code))
            line = f"{s.get('n')}. {name}"
            if groups.count(s.get("group")) > 1:
                line += " （并联，可同时办）" if lang == "zh" else " (in parallel)"
            if s.get("fee"):
                total = s.get("total") or 0
                line += f" ¥{total:g}"
            out.append(f"{line} · {windows}" if windows else line)
        return out
