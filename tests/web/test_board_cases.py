"""The web supervisor board (/board?supervisor) shows open cases (办件) per department and the
same case alerts as the terminal board: due within 2 working days, then overdue (超期) the
next day, on a hub with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from support import raw

from display.state import BoardState

pytestmark = pytest.mark.browser

DAY1 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in the hall
DAY2 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


async def test_board_shows_open_cases_and_their_alerts(hub: Any, open_page: Any) -> None:
    instant = [DAY1]
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    page, rec = await open_page(hub.http + "/board?supervisor")
    await page.fill("#login-staff", hub.supervisor[0])
    await page.fill("#login-pin", hub.supervisor[1])
    await page.click("#login-submit")
    await page.wait_for_selector("#supervisor", state="visible")
    assert await page.is_visible("#cases-none")

    k = await raw.kiosk(hub)
    js = await k.ok("issue", service="JS-01")  # 即办 by the catalogue: left pending, due today
    sr = await k.ok("issue", service="SR-01")  # 承诺5个工作日: due 12-09
    await k.close()
    for window in (1, 5):
        c = await raw.counter(hub, window)
        await c.ok("call_next")
        await c.ok("start")
        await c.ok("finish", outcome="pending")
        await c.close()
    js_id, sr_id = js["ticket"]["id"], sr["ticket"]["id"]
    await page.wait_for_selector('#cases-body tr[data-department="SR"]', timeout=60000)
    js_row = page.locator('#cases-body tr[data-department="JS"]')
    assert await js_row.get_attribute("class") == "cases-soon"
    assert await js_row.locator('td[data-field="due_soon"]').text_content() == "1"
    sr_row = page.locator('#cases-body tr[data-department="SR"]')
    assert await sr_row.locator('td[data-field="open"]').text_content() == "1"
    assert await sr_row.get_attribute("class") == ""
    await page.wait_for_selector(f'#alerts li[data-kind="case_due_soon"][data-key="{js_id}"]')
    assert await page.locator('#alerts li[data-kind^="case_"]').count() == 1

    # the next day: overdue (超期), red, and the terminal board raises the same alerts
    instant[0] = DAY2
    await page.wait_for_selector(
        f'#alerts li[data-kind="case_overdue"][data-key="{js_id}"]', timeout=60000
    )
    assert await js_row.get_attribute("class") == "cases-overdue"
    assert await js_row.locator('td[data-field="overdue"]').text_content() == "1"
    sup = await raw.supervisor(hub)
    board = BoardState()
    board.load_welcome(sup.welcome)
    await sup.close()
    now = datetime.now(UTC)
    web = await page.evaluate(
        "t => window.__hall.alerts(t).filter(a => a[0].startsWith('case_')).map(a => [a[0], a[3]])",
        round(now.timestamp() * 1000),
    )
    terminal = [
        (a.kind, a.key.split(":")[1]) for a in board.alerts(now, "en") if a.kind.startswith("case_")
    ]
    assert [tuple(a) for a in web] == terminal == [("case_overdue", js_id)]
    assert sr_id in board.cases
    assert rec.errors == []
