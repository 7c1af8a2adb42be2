"""The calling order (docs/DESIGN.md "Calling order"), pure: the engine and the counter's queue view share it.

A window takes, among the waiting tickets it may call:
1. tickets handed off to it or its services (``transferred``): first those a supervisor's
   ``close_window`` put back at the front of their queue, then the oldest handoff;
2. tickets waiting longer than ``max_wait_minutes``, oldest first (``overdue``);
3. priority tickets, unless the window's last ``priority_run`` calls were all
   priority and a normal ticket waits (``priority``);
4. everything else by ``queued_at``, then number (``fifo``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

# A Ticket: the hub's (shared.protocol.Ticket) or as an app got it from the wire.
Ticket = TypeVar("Ticket", bound=Mapping[str, Any])


def may_call(ticket: Mapping[str, Any], window: int, services: Iterable[str]) -> bool:
    """Whether this window may call this waiting ticket."""
    target = ticket.get("target_window")
    if target is not None:
        return bool(target == window)
    return ticket["service"] in services


def is_handed_off(ticket: Mapping[str, Any]) -> bool:
    """Whether the ticket waits because of a handoff (its last queueing was a transfer)."""
    handoffs = ticket.get("handoffs") or []
    return bool(handoffs) and handoffs[-1]["at"] == ticket["queued_at"]


def _handoff_key(t: Mapping[str, Any]) -> tuple[bool, str, str]:
    last = t["handoffs"][-1]
    return (not last.get("front", False), last["at"], t["number"])


def _fifo_key(t: Mapping[str, Any]) -> tuple[str, str]:
    return (t["queued_at"], t["number"])


def next_ticket(
    waiting: Iterable[Ticket],
    window: int,
    services: Iterable[str],
    policy: Mapping[str, Any],
    priority_streak: int,
    now: datetime,
) -> tuple[Ticket, str] | None:
    """The ticket `call_next` takes at this window, with its reason, or None."""
    svc = set(services)
    mine = [t for t in waiting if t["state"] == "waiting" and may_call(t, window, svc)]
    if not mine:
        return None
    handed = [t for t in mine if is_handed_off(t)]
    if handed:
        return min(handed, key=_handoff_key), "transferred"
    limit = now - timedelta(minutes=int(policy.get("max_wait_minutes", 45)))
    overdue = [t for t in mine if datetime.fromisoformat(t["queued_at"]) < limit]
    if overdue:
        return min(overdue, key=_fifo_key), "overdue"
    prio = [t for t in mine if t.get("priority") == "priority"]
    normal = [t for t in mine if t.get("priority") != "priority"]
    run = int(policy.get("priority_run", 2))
    if prio and not (priority_streak >= run and normal):
        return min(prio, key=_fifo_key), "priority"
    return min(normal or prio, key=_fifo_key), "fifo"


def calling_order(
    tickets: Iterable[Ticket],
    window: Mapping[str, Any],
    policy: Mapping[str, Any],
    now: datetime,
) -> list[tuple[Ticket, str]]:
    """Every waiting ticket this window may call, in the order `call_next` would take them."""
    number = int(window["number"])
    services = list(window.get("services", ()))
    left = [t for t in tickets if t["state"] == "waiting" and may_call(t, number, services)]
    streak = int(window.get("priority_streak", 0))
    order: list[tuple[Ticket, str]] = []
    while left:
        picked = next_ticket(left, number, services, policy, streak, now)
        if picked is None:
            break
        ticket, reason = picked
        order.append(picked)
        left = [t for t in left if t is not ticket]
        streak = streak + 1 if ticket.get("priority") == "priority" else 0
    return order
