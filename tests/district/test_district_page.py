"""/district in Chromium: login, the live list of halls, staleness and the read-only drill-down."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.district import serve_tickets
from support.tcpproxy import TcpProxy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))
from axe import assert_accessible  # noqa: E402

from hub import auth, district
from hub.district import DistrictServer
from hub.ship import Shipper
from hub.store import Store

CHROMIUM = os.environ.get("HALL_CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.timeout(300),  # a browser, two hubs and a district on a loaded machine
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason=f"{CHROMIUM} not installed (apt-get install -y chromium)",
    ),
]
FAST = {"poll_s": 0.2, "heartbeat_s": 0.3, "backoff_s": (0.05, 0.3)}


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield b
        finally:
            await b.close()


async def test_district_page(
    tmp_path: Path,
    pg_url: str,
    pg_proxy: tuple[TcpProxy, str],
    make_hall: Callable[..., Any],
    chromium: Any,
) -> None:
    proxy, via = pg_proxy
    store = Store(pg_url)
    district.prepare(store)
    district.add_staff(store, "d001", "区主管", auth.hash_pin("2468"), None)
    a = make_hall(tmp_path / "a.db", "xiang-a", "甲乡便民服务中心")
    c = make_hall(pg_url, "zhongxin", "区政务服务中心")
    await a.start(link=Shipper(a.store, "xiang-a", via, **FAST), unattended_after=0.3)
    await c.start(link=Shipper(c.store, "zhongxin", None, **FAST))
    server = DistrictServer(store, port=0, stale_after=4.0, safety_poll=1.0)
    await server.start()
    ctx = await chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    urls: list[str] = []
    errors: list[str] = []
    ctx.on("request", lambda r: urls.append(r.url))
    ctx.set_default_timeout(60000)  # bounds a failure on a loaded machine, measures nothing
    page = await ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        await page.goto(server.url)
        await page.wait_for_selector("#login-form", state="visible")
        await assert_accessible(page, "/district login")
        await page.fill("#staff", "d001")
        await page.fill("#pin", "0000")
        await page.click("#login-form button")
        await page.wait_for_selector('#login-msg[data-code="auth_failed"]')
        assert await page.text_content("#login-msg") == "工号或密码错误"
        await assert_accessible(page, "/district login refused")

        await page.fill("#pin", "2468")
        await page.click("#login-form button")
        await page.wait_for_selector('#halls tr[data-hall="zhongxin"]')
        await serve_tickets(a, 12)
        await serve_tickets(c, 6)
        for h in (a, c):
            m = h.server.engine.metrics(datetime.now(UTC))["hall"]
            for field in ("received", "completed", "waiting"):
                cell = f'#halls tr[data-hall="{h.hall.id}"] td[data-field="{field}"][data-value="{m[field]}"]'
                await page.wait_for_selector(cell)
        # the clerks of windows 13 and 14 went away without closing them: unattended, which
        # only the hall's hub knows (its presence row tells the district)
        await page.wait_for_selector(
            '#halls tr[data-hall="xiang-a"] td[data-field="unattended"][data-value="2"]',
        )
        await assert_accessible(page, "/district live table")
        # the link drops: the township hall is marked stale, with the time of its last event
        await proxy.cut()
        await serve_tickets(a, 3)
        row = '#halls tr[data-hall="xiang-a"][data-stale="yes"]'
        await page.wait_for_selector(row)
        assert "链路中断" in (await page.text_content(row + ' td[data-field="freshness"]') or "")
        assert await page.get_attribute('#halls tr[data-hall="zhongxin"]', "data-stale") == "no"
        await assert_accessible(page, "/district with a stale hall")
        await proxy.restore()
        await page.wait_for_selector('#halls tr[data-hall="xiang-a"][data-stale="no"]')

        # drill-down into the township hall: its read-only supervisor view
        await page.click('#halls tr[data-hall="xiang-a"]')
        await page.wait_for_selector('#detail[data-hall="xiang-a"]', state="visible")
        await page.wait_for_selector(
            '#detail-windows .win[data-window="14"][data-unattended="yes"]'
        )
        await page.wait_for_selector('#detail-alerts li[data-kind="unattended"][data-key="14"]')
        m = a.server.engine.metrics(datetime.now(UTC))["hall"]
        cell = f'#detail-metrics td[data-window="hall"][data-field="received"][data-value="{m["received"]}"]'
        await page.wait_for_selector(cell)
        assert await page.query_selector("#detail button[data-close-window]") is None  # read-only
        await assert_accessible(page, "/district drill-down")
        await page.click("#detail-close")
        await page.wait_for_selector("#board", state="visible")

        base = f"http://127.0.0.1:{server.port}/"
        assert [u for u in urls if not u.startswith(base)] == []
        assert errors == []
        html = await page.content()
        assert "Traceback" not in html
        assert json.loads(json.dumps(await page.evaluate("window.__district.halls.length"))) == 2
    finally:
        await ctx.close()
        await server.stop()
        store.dispose()
