"""Wire protocol v1 constants and helpers shared by the hub and every app (see docs/protocol.md)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

VERSION = 1
DEFAULT_PORT = 8765
DEFAULT_HUB = f"ws://127.0.0.1:{DEFAULT_PORT}/ws"
MAX_CLIENT_FRAME = 64 * 1024  # what a client may send
MAX_HUB_FRAME = 16 * 1024 * 1024  # what clients accept from the hub
MAX_IN_FLIGHT = 16  # a client that keeps at most this many requests open is never rate limited

ROLES = ("kiosk", "counter", "display", "supervisor", "citizen")
STAFF_ROLES = ("counter", "supervisor")

# Ticket states
WAITING, CALLED, SERVING, PARKED = "waiting", "called", "serving", "parked"
DONE, PENDING, NO_SHOW, CANCELLED, EXPIRED = "done", "pending", "no_show", "cancelled", "expired"
TICKET_STATES = (WAITING, CALLED, SERVING, PARKED, DONE, PENDING, NO_SHOW, CANCELLED, EXPIRED)
FINAL_STATES = frozenset({DONE, PENDING, CANCELLED, EXPIRED})
# no_show is final unless requeued the same day; it does not expire.
OPEN_STATES = frozenset({WAITING, CALLED, SERVING, PARKED})

# Window states
W_CLOSED, W_OPEN, W_PAUSED = "closed", "open", "paused"

# Call reasons
REASONS = ("transferred", "overdue", "priority", "fifo", "chosen")

# Error codes
HELLO_ERRORS = (
    "bad_hello",
    "unsupported_version",
    "auth_failed",
    "locked",
    "forbidden",
    "window_taken",
)
ERROR_CODES = (
    "bad_hello",
    "unsupported_version",
    "auth_failed",
    "locked",
    "forbidden",
    "window_taken",
    "invalid_state",
    "unknown_type",
    "bad_args",
    "not_found",
    "bad_message",
    "rate_limited",
    "queue_empty",
    "window_busy",
    "window_paused",
    "unavailable",
)

# Close codes
CLOSE_BAD_HELLO = 4000
CLOSE_AUTH = 4001
CLOSE_TAKEN_OVER = 4002
CLOSE_FORBIDDEN = 4003

COMMANDS: dict[str, tuple[str, ...]] = {
    "kiosk": ("issue", "printer_status", "ping"),
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
        "ping",
    ),
    "supervisor": ("metrics", "notice", "set_window", "close_window", "ping"),
    "citizen": ("cancel", "rate", "complain", "ping"),
    "display": ("ping",),
}
ALL_COMMANDS = frozenset(c for cmds in COMMANDS.values() for c in cmds)

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
)
PRIVATE_EVENTS = frozenset({"ticket_rated", "complaint", "printer_fault"})

PUBLIC_TICKET_FIELDS = (
    "id",
    "number",
    "service",
    "department",
    "priority",
    "state",
    "issued_at",
    "queued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "target_window",
    "recalls",
)
PUBLIC_HANDOFF_FIELDS = ("from_window", "to_service", "to_window", "at")


def public_ticket(t: dict[str, Any]) -> dict[str, Any]:
    """The ticket as a public display may see it (no staff, reasons, notes or token)."""
    out = {k: t.get(k) for k in PUBLIC_TICKET_FIELDS}
    fr = t.get("first_responsible")
    out["first_responsible"] = {"window": fr["window"]} if fr else None
    out["handoffs"] = [{k: h.get(k) for k in PUBLIC_HANDOFF_FIELDS} for h in t.get("handoffs", ())]
    return out


def public_window(w: dict[str, Any]) -> dict[str, Any]:
    """The window as a public display may see it (no staff)."""
    return {k: v for k, v in w.items() if k != "staff"}


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with offset and microseconds, as the protocol writes times."""
    return None if dt is None else dt.isoformat(timespec="microseconds")


def parse_iso(s: str | None) -> datetime | None:
    """Parse a protocol time string."""
    return None if s is None else datetime.fromisoformat(s)


def dumps(obj: Any) -> str:
    """Encode a frame compactly (UTF-8 text, Chinese kept readable)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
