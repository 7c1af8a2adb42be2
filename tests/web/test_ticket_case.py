"""The citizen's ticket page shows its case (办件): 办理中 with the due day live when the visit
ends pending, and after the day has ended (a restart on a later day) 已退件 with the reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from support import raw

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DAY1 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in the hall
DAY2 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


async def test_the_ticket_page_shows_its_case_after_the_day_ends(hub: Any, open_page: Any) -> None:
    instant = [DAY1]
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    k = await raw.kiosk(hub)
    issued = await k.ok("issue", service="SR-01")  # 承诺5个工作日
    await k.close()
    page, rec = await open_page(issued["url"], viewport=PHONE)
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    assert not await page.is_visible("#case-panel")  # no case before service starts

    w5 = await raw.counter(hub, 5)
    await w5.ok("call_next")
    await w5.ok("start")
    await w5.ok("finish", outcome="pending")
    await page.wait_for_selector("#case-panel", state="visible", timeout=60000)
    assert await page.text_content("#case-text") == "办理中，承诺 2026-12-09 前办结"
    assert await page.text_content("#case-id") == issued["ticket"]["id"]
    await w5.close()

    # the next day, after a restart: the clerk of another window of the department returns it
    instant[0] = DAY2
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    await page.reload()  # the page of a ticket of an earlier day
    await page.wait_for_selector('#case-panel[data-state="open"]', timeout=60000)
    assert await page.text_content("#case-text") == "办理中，承诺 2026-12-09 前办结"
    w6 = await raw.counter(hub, 6)
    back = await w6.ok("return_case", case=issued["ticket"]["id"], reason="缺少营业执照副本")
    assert back["case"]["state"] == "returned"
    await w6.close()
    # live: the page's own view of its case (`case_state`), not the staff event
    await page.wait_for_selector('#case-panel[data-state="returned"]', timeout=60000)
    assert await page.text_content("#case-text") == "已退件（2026-12-03）"
    assert await page.text_content("#case-reason") == "退件原因：缺少营业执照副本"
    assert await page.text_content("#number") == issued["ticket"]["number"]
    # in English too
    await page.click("#lang-toggle")
    assert await page.text_content("#case-text") == "Returned (2026-12-03)"
    assert await page.text_content("#case-reason") == "Reason: 缺少营业执照副本"
    assert rec.errors == []
    assert rec.outside((hub.http, hub.url.replace("/ws", ""))) == []
