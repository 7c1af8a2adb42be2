"""The supervisor board's 今日预约: today's bookings per slot (booked, checked in, no-show),
from the welcome and then live from the booking events, on a hub with a fixed clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import raw

pytestmark = pytest.mark.browser

TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, 30, h, m, tzinfo=TZ)


def row(start: str) -> str:
    return f'#bookings-body tr[data-slot="{start}"][data-service="MZ-03"]'


async def cell(page: Any, start: str, field: str) -> str:
    return str(await page.text_content(f'{row(start)} td[data-field="{field}"]'))


async def test_bookings_per_slot(hub: Any, open_page: Any) -> None:
    clock = Clock(at("08:00"))
    await hub.stop()
    await hub.start(clock=clock)
    v = await raw.hello(hub.url, role="visitor")
    nine = at("09:00").isoformat(timespec="microseconds")
    ten = at("10:00").isoformat(timespec="microseconds")
    made = [
        await v.ok("book", service="MZ-03", start=s, name="王芳", mobile=f"1380000000{i}")
        for i, s in enumerate((nine, nine, ten))
    ]
    page, rec = await open_page(hub.http + "/board?supervisor")
    staff, pin = hub.supervisor
    await page.fill("#login-staff", staff)
    await page.fill("#login-pin", pin)
    await page.click("#login-submit")
    await page.wait_for_selector("#bookings-body tr", timeout=60000)
    assert await cell(page, nine, "booked") == "2"
    assert await cell(page, ten, "booked") == "1"
    assert await page.text_content("#bookings-count") == "3"

    # live: one checks in, one is cancelled, the 09:00 other misses its check-in
    clock.at = at("09:20")
    k = await raw.kiosk(hub)
    await k.ok("check_in", code=made[0]["booking"]["code"])
    await v.ok("cancel_booking", token=made[2]["booking"]["token"])
    await page.wait_for_selector(f'{row(nine)} td[data-field="checked_in"]:text-is("1")')
    assert await page.locator(f'#bookings-body tr[data-slot="{ten}"]').count() == 0
    clock.at = at("09:46")
    await page.wait_for_selector(f'{row(nine)} td[data-field="no_show"]:text-is("1")')
    assert await page.text_content("#bookings-count") == "2"
    # the whole number is never on the page
    assert "13800000001" not in (await page.content())
    await k.close()
    await v.close()
    assert rec.errors == []
