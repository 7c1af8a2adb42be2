"""The lobby board and the ticket page show today's hours and when issuing stops; the
supervisor board shows how many are expected to wait at closing time and when all are done."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.raw import counter, kiosk

sys.path.insert(0, str(Path(__file__).parents[1] / "hub"))
from test_hours import HOURS, hall_with, restart  # noqa: E402

pytestmark = pytest.mark.browser


async def test_hours_and_the_closing_forecast(hub: Any, open_page: Any) -> None:
    instant = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]  # Tuesday 17:00 in the hall
    await restart(
        hub, hall_with(HOURS.replace("cutoff_minutes = 0", "cutoff_minutes = 15")), instant
    )
    k = await kiosk(hub)
    c = await counter(hub, 13)
    issued = [await k.ok("issue", service="MZ-01") for _ in range(8)]
    lobby, lobby_rec = await open_page(hub.http + "/board")
    await lobby.wait_for_function(
        "() => document.getElementById('today-hours').textContent.includes('13:30-17:30')"
    )
    text = await lobby.text_content("#today-hours")
    assert "今日办公 08:30-12:00、13:30-17:30 · 17:15 停止取号" in text
    assert "tickets until 17:15" in text

    ticket, ticket_rec = await open_page(issued[0]["url"])
    await ticket.wait_for_function(
        "() => document.getElementById('today-hours').textContent.includes('17:15')"
    )
    assert await ticket.text_content("#today-hours") == (
        "今日办公 08:30-12:00、13:30-17:30 · 17:15 停止取号"
    )

    sup, sup_rec = await open_page(hub.http + "/board?supervisor")
    await sup.fill("#login-staff", hub.supervisor[0])
    await sup.fill("#login-pin", hub.supervisor[1])
    await sup.click("#login-submit")
    await sup.wait_for_function(
        "() => document.getElementById('closing').textContent.includes('闭厅时预计仍有')"
    )
    closing = hub.server.engine.closing(instant[0])
    shown = await sup.text_content("#closing")
    assert f"17:30 闭厅时预计仍有 {closing['waiting_at_close']} 人等候" in shown
    assert closing["finish_at"] is not None and "办完" in shown
    for rec in (lobby_rec, ticket_rec, sup_rec):
        assert rec.errors == []
    await k.close()
    await c.close()
