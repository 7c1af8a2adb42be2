"""The desk's look-up tells a waiting ticket's place in line the way the hub counts it: the
calling order's forward pass (shared/calling.py), not the earlier tickets of its service."""

from __future__ import annotations

from support.scenes import at, counter_day, wire

from hub import views
from hub.engine import Actor
from hub.session import Session
from shared.hallstate import HallState


def test_the_desks_place_in_line_is_the_hubs() -> None:
    d = counter_day()
    now = at("10:30")
    session = Session("desk", "staff:d001", "zh", Actor("desk", "d001"), "d001", "咨询台小王")
    state = HallState()
    state.load_welcome(wire(views.welcome(d.engine, d.hall.to_wire(), session, now)))
    waiting = [t for t in state.tickets.values() if t["state"] == "waiting"]
    assert len(waiting) >= 3
    by_service = 0
    for t in waiting:
        hub_ahead, _ = d.engine.position(t["id"], now)
        assert state.ahead(t["id"], now) == hub_ahead, t["number"]
        same = sum(
            1 for o in waiting if o["service"] == t["service"] and o["queued_at"] < t["queued_at"]
        )
        by_service += same != hub_ahead
    # the scene has tickets whose place differs from "earlier tickets of the same service"
    assert by_service > 0
    called = next(t for t in state.tickets.values() if t["state"] != "waiting")
    assert state.ahead(called["id"], now) is None
