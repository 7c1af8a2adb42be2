"""Kiosks learn when a service stops or starts issuing without any event: the hub pushes its
`estimates` frame with `issuing` / `next_open` when the minute turns and the answer changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from support.raw import kiosk
from test_hours import HOURS, hall_with, restart


async def test_the_midday_cutoff_reaches_kiosks_by_itself(hub: Any) -> None:
    instant = [datetime(2026, 12, 1, 3, 59, 30, tzinfo=UTC)]  # Tuesday 11:59:30 in the hall
    await restart(hub, hall_with(HOURS), instant)
    k = await kiosk(hub)
    try:
        assert "issuing" not in k.state["estimates"]["MZ-01"]
        instant[0] = datetime(2026, 12, 1, 4, 0, 5, tzinfo=UTC)  # 12:00:05: closed for lunch
        frame = await k.next(
            lambda f: f.get("type") == "estimates" and "issuing" in f["estimates"]["MZ-01"]
        )
        est = frame["estimates"]["MZ-01"]
        assert est["issuing"] == "not_yet"
        assert est["next_open"] == "2026-12-01T13:30:00.000000+08:00"
        await k.error("issue", "closed", service="MZ-01")  # what the greyed tile spares a citizen
        instant[0] = datetime(2026, 12, 1, 5, 30, 5, tzinfo=UTC)  # 13:30:05
        await k.next(
            lambda f: f.get("type") == "estimates" and "issuing" not in f["estimates"]["MZ-01"]
        )
        await k.ok("issue", service="MZ-01")
    finally:
        await k.close()
