"""The web supervisor board and the terminal one raise the same alerts for the same hall.

Both follow shared/alerts.py: the terminal board (display.state.BoardState) calls it, the web
board (board.js) reads its rules from labels.js. Here both look at one real hub at the same
instants, chosen on the limits: exactly at a limit neither alerts (strictly longer, as the
calling order of docs/DESIGN.md calls a ticket overdue), one second later both do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from display.state import BoardState
from shared.alerts import PAUSE_MINUTES, max_wait_minutes
from shared.protocol import parse_iso

pytestmark = pytest.mark.browser


def service_of(hub: Any, window: int) -> str:
    return hub.hall.window(window).services[0]


def to_ms(at: str) -> datetime:
    """A protocol time cut to the millisecond, as a browser's Date holds it."""
    t = parse_iso(at)
    assert t is not None
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


async def test_both_boards_raise_the_same_alerts(hub, open_page, kiosk, counter, proto) -> None:
    page, rec = await open_page(hub.http + "/board?supervisor")
    await page.fill("#login-staff", hub.supervisor[0])
    await page.fill("#login-pin", hub.supervisor[1])
    await page.click("#login-submit")
    await page.wait_for_selector("#supervisor", state="visible")

    # a served ticket rated 2 with a complaint, two waiting tickets, a printer fault, a pause
    s2 = service_of(hub, 2)
    lonely = next(s.code for s in hub.hall.services if s.code not in hub.hall.window(2).services)
    served = await kiosk.ok("issue", service=s2)
    c2 = await counter(2)
    await c2.ok("call_next")
    await c2.ok("start")
    await c2.ok("finish", outcome="done")
    citizen = await proto(role="citizen", ticket=served["token"])
    await citizen.ok("rate", level=2, reason="等太久")
    await citizen.ok("complain", text="窗口人员态度差")
    waiting = await kiosk.ok("issue", service=s2)
    await kiosk.ok("issue", service=lonely)
    await kiosk.ok("printer_status", ok=False, kind="paper_out", message="缺纸")
    await c2.ok("pause", reason="会议")
    await page.wait_for_selector('.win[data-window="2"][data-state="paused"]', timeout=60000)
    await page.wait_for_selector(f'#alerts li[data-kind="unserved"][data-key="{lonely}"]')
    await page.wait_for_selector('#alerts li[data-kind="printer"]', timeout=60000)

    # the terminal board's picture of the same hall
    sup = await proto(role="supervisor", staff=hub.supervisor[0], pin=hub.supervisor[1])
    board = BoardState()
    board.load_welcome(sup.welcome)
    window2 = board.windows[2]

    async def both(now: datetime) -> list[tuple[str, str]]:
        web = await page.evaluate(
            "t => window.__hall.alerts(t).map(a => [a[0], a[3]])", round(now.timestamp() * 1000)
        )
        terminal = [(a.kind, a.key.split(":")[1]) for a in board.alerts(now, "en")]
        assert [tuple(a) for a in web] == terminal, now
        return terminal

    overdue_at = to_ms(waiting["ticket"]["queued_at"]) + timedelta(
        minutes=max_wait_minutes(board.hall.get("policy"))
    )
    long_pause_at = to_ms(window2["paused_at"]) + timedelta(minutes=PAUSE_MINUTES)
    second = timedelta(seconds=1)

    at_pause_limit = await both(long_pause_at)
    assert ("paused", "2") not in at_pause_limit
    past_pause_limit = await both(long_pause_at + second)
    assert ("paused", "2") in past_pause_limit
    assert [kind for kind, _ in past_pause_limit] == [
        "unserved",
        "unserved",
        "paused",
        "rating",
        "printer",
        "complaint",  # the page's
        "complaint",  # the 差评's follow-up
    ]

    at_wait_limit = await both(overdue_at)
    assert ("overdue", waiting["ticket"]["id"]) not in at_wait_limit
    past_wait_limit = await both(overdue_at + second)
    assert past_wait_limit[0] == ("overdue", waiting["ticket"]["id"])
    assert rec.errors == []
