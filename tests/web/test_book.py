"""预约 pages (/book, /b/<token>) on a phone-sized Chromium against a real hub: book, see the
code and the QR code, cancel; nothing is fetched from outside the hub; the page fits 390 px."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axe import assert_accessible
from support import raw

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


async def fits(page: Any) -> None:
    width = await page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


async def test_book_see_the_code_and_cancel(hub: Any, open_page: Any) -> None:
    # the hall's clock at 08:00 of a working day: the day has free slots to book and to move
    # to whenever the test runs (run late in the afternoon, today had one slot left)
    await hub.stop()
    await hub.start(clock=lambda: datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    page, rec = await open_page(hub.http + "/book", viewport=PHONE)
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    assert await page.text_content("#title") == "预约办事"
    await page.click('#dept-list button[data-dept="MZ"]')
    await page.click('#service-list button[data-service="MZ-03"]')
    # the service's guide is shown before the day
    await page.wait_for_selector("#guide-materials li")
    await page.wait_for_selector("#day-list button:not([disabled])", timeout=60000)
    await fits(page)
    await assert_accessible(page, "book: the service's guide and its days")
    await page.click("#day-list button:not([disabled])")
    first = page.locator("#slot-list button:not([disabled])").first
    await first.wait_for(timeout=60000)
    start = await first.get_attribute("data-start")
    assert "余 5 个" in (await first.text_content() or "")
    await first.click()
    # bad input: a clear message, nothing booked
    await page.fill("#name", "王芳")
    await page.fill("#mobile", "12345")
    await page.click("#book-submit")
    assert await page.text_content("#msg") == "请填写正确的 11 位手机号码。"
    await assert_accessible(page, "book: the form with a refused mobile number")
    await page.fill("#mobile", "138 0013 8000")
    await page.click("#book-submit")
    await page.wait_for_selector("#booking", state="visible", timeout=60000)
    code = (await page.text_content("#code") or "").strip()
    assert len(code) == 8
    assert await page.text_content("#msg") == ""  # the earlier complaint is gone
    await assert_accessible(page, "book: the confirmation with the code and the QR code")
    assert page.url.startswith(hub.http + "/b/")
    assert await page.text_content("#b-state") == "已预约"
    assert await page.text_content("#b-mobile") == "手机尾号 8000"
    await page.wait_for_function("() => document.getElementById('qr').naturalWidth > 0")
    await fits(page)
    token = page.url.rsplit("/", 1)[1]

    # the hub has it, in that slot, with that code
    v = await raw.hello(hub.url, role="visitor")
    seen = (await v.ok("booking", token=token))["booking"]
    assert (seen["code"], seen["start"], seen["state"]) == (code, start, "booked")

    # the booking's own page, reloaded, in English
    await page.reload()
    await page.wait_for_selector("#booking", state="visible", timeout=60000)
    assert (await page.text_content("#code") or "").strip() == code
    await page.click("#lang-toggle")
    assert await page.text_content("#title") == "My booking"
    assert await page.text_content("#b-state") == "Booked"
    await page.click("#lang-toggle")

    # move it to another slot of the same day
    await page.click("#move-btn")
    later = page.locator(f'#slot-list button:not([disabled]):not([data-start="{start}"])').first
    await page.click(f'#day-list button[data-day="{start[:10]}"]')
    await later.wait_for(timeout=60000)
    assert await page.text_content("#title") == "改约：请选择新的日期和时段"
    new_start = str(await later.get_attribute("data-start"))
    await later.click()
    await page.wait_for_selector("#booking", state="visible", timeout=60000)
    seen = (await v.ok("booking", token=token))["booking"]
    assert (seen["start"], seen["code"], seen["moves"]) == (new_start, code, 1)
    assert new_start[11:16] in str(await page.text_content("#b-when"))
    start = new_start

    # cancel: asked once more, then the place is back
    await page.click("#cancel-btn")
    await page.click("#cancel-yes")
    await page.wait_for_selector('#b-state[data-state="cancelled"]', timeout=60000)
    assert await page.text_content("#b-state") == "已取消"
    assert not await page.is_visible("#cancel-btn")
    assert (await v.ok("booking", token=token))["booking"]["state"] == "cancelled"
    slots = (await v.ok("slots", service="MZ-03", day=start[:10]))["slots"]
    assert next(s for s in slots if s["start"] == start)["left"] == 5
    await v.close()

    assert rec.outside((hub.http, hub.url.rsplit("/", 1)[0])) == []
    assert rec.errors == []


async def test_an_unknown_booking_page_is_a_404(hub: Any) -> None:
    status, _, body = await raw.http_get(hub, "/b/not-a-booking-token")
    assert status == 404
    status, _, _ = await raw.http_get(hub, "/b/not-a-booking-token/qr.svg")
    assert status == 404
    status, ctype, _ = await raw.http_get(hub, "/book")
    assert status == 200 and ctype.startswith("text/html")


async def test_after_check_in_the_booking_page_is_the_ticket_page(hub: Any, open_page: Any) -> None:
    tz = ZoneInfo("Asia/Shanghai")
    now = [datetime(2026, 11, 30, 8, 0, tzinfo=tz)]
    await hub.stop()
    await hub.start(clock=lambda: now[0])
    v = await raw.hello(hub.url, role="visitor")
    start = datetime(2026, 11, 30, 10, 0, tzinfo=tz).isoformat(timespec="microseconds")
    b = (await v.ok("book", service="GH-03", start=start, name="李强", mobile="13700137000"))[
        "booking"
    ]
    await v.close()
    now[0] = datetime(2026, 11, 30, 9, 40, tzinfo=tz)
    k = await raw.kiosk(hub)
    ticket = (await k.ok("check_in", code=b["code"]))["ticket"]
    await k.close()
    page, rec = await open_page(b["url"], viewport=PHONE)
    await page.wait_for_url("**/t/**", timeout=60000)
    await page.wait_for_selector("#ticket-card", state="visible", timeout=60000)
    assert await page.text_content("#number") == ticket["number"]
    assert await page.text_content("#booking-note") == "预约 10:00–10:30：时段开始后优先叫号"
    await fits(page)
    assert rec.errors == []
