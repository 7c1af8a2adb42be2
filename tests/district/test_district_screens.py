"""/district in Chromium with three halls (one stale) and the complaint center: acting on a
complaint from the page (applied, waiting for a hall whose link is down, refused), the content
inside the screen at 1920x1080 and 1366x768, axe-core, and the screenshots of docs/screens.

Screenshots go to ``$HALL_SCREENS`` (``HALL_SCREENS=docs/screens`` refreshes the committed
ones), else to the test's temporary folder, as tests/web/test_board_layout.py does.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from support.district import serve_tickets
from support.raw import citizen, counter, kiosk
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
    pytest.mark.timeout(300),  # a browser, three hubs and a district on a loaded machine
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason=f"{CHROMIUM} not installed (apt-get install -y chromium)",
    ),
]
FAST = {"poll_s": 0.2, "heartbeat_s": 0.3, "backoff_s": (0.05, 0.3)}
ANSWER = "经核实，已对窗口工作人员批评教育并整改。"

# what is not inside the screen: the page wider than the viewport, or a row, a header or a
# complaint's row cut at the left or right edge; with `whole`, anything of the halls and the
# complaint center below the bottom edge too
OFF_SCREEN = """(whole) => {
  const bad = [];
  const W = window.innerWidth, H = window.innerHeight;
  if (document.documentElement.scrollWidth > W) bad.push('page ' + document.documentElement.scrollWidth + 'px wide');
  const sel = whole ? 'header, #halls tr, #complaints h2, #complaint-list tr, #commands li'
                    : 'header, #halls tr, #complaint-list tr, #commands li';
  for (const e of document.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect();
    if (r.left < -0.5 || r.right > W + 0.5) bad.push((e.dataset.complaint || e.dataset.hall || e.tagName) + ' cut sideways');
    if (whole && (r.top < -0.5 || r.bottom > H + 0.5)) bad.push((e.dataset.complaint || e.dataset.hall || e.tagName) + ' below the screen');
  }
  return bad;
}"""
# the complaint center brought into view: its table's rows are inside the screen
CENTER_IN_VIEW = """() => {
  document.getElementById('complaints').scrollIntoView();
  const H = window.innerHeight, W = window.innerWidth;
  return Array.from(document.querySelectorAll('#complaints h2, #complaint-list tr')).filter((e) => {
    const r = e.getBoundingClientRect();
    return r.top < -0.5 || r.bottom > H + 0.5 || r.left < -0.5 || r.right > W + 0.5;
  }).map((e) => e.dataset.complaint || e.tagName);
}"""


def shots_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("HALL_SCREENS") or tmp_path)


async def shot(page: Any, out: Path, name: str) -> None:
    """A screenshot in 64 colours (small, text still sharp)."""
    out.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(await page.screenshot())).convert("RGB")
    image.quantize(64).save(out / f"{name}.png", optimize=True)


async def complaint_at(hall: Any, window: int, text: str) -> str:
    """A ticket served at `window`, then its citizen complains: the complaint's id."""
    k = await kiosk(hall)
    c = await counter(hall, window)
    issued = await k.ok("issue", service="MZ-01")
    await c.ok("call_next")
    await c.ok("start")
    await c.ok("finish", outcome="done")
    z = await citizen(hall, issued["token"])
    cid = str((await z.ok("complain", text=text))["complaint"])
    for conn in (k, c, z):
        await conn.close()
    return cid


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


async def test_complaint_center_page(
    tmp_path: Path,
    pg_url: str,
    pg_proxy: tuple[TcpProxy, str],
    make_hall: Callable[..., Any],
    chromium: Any,
) -> None:
    proxy, via = pg_proxy
    out = shots_dir(tmp_path)
    store = Store(pg_url)
    district.prepare(store)
    district.add_staff(store, "d001", "区主管", auth.hash_pin("2468"), None)
    a = make_hall(tmp_path / "a.db", "xiang-a", "甲乡便民服务中心")
    b = make_hall(tmp_path / "b.db", "jie-b", "乙街道便民服务中心")
    c = make_hall(pg_url, "zhongxin", "区政务服务中心")
    await a.start(link=Shipper(a.store, "xiang-a", pg_url, **FAST))
    await b.start(link=Shipper(b.store, "jie-b", via, **FAST))  # its link will drop
    await c.start(link=Shipper(c.store, "zhongxin", None, **FAST))
    server = DistrictServer(store, port=0, stale_after=4.0, safety_poll=1.0)
    await server.start()
    ctx = await chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    errors: list[str] = []
    ctx.set_default_timeout(60000)  # bounds a failure on a loaded machine, measures nothing
    page = await ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for h, n in ((a, 8), (b, 5), (c, 6)):
            await serve_tickets(h, n)
        late = await complaint_at(a, 13, "叫号后窗口无人，等了二十分钟")
        rude = await complaint_at(a, 14, "工作人员态度生硬，不解释材料要求")
        far = await complaint_at(b, 13, "村里代办点材料被退回三次")
        ac = await complaint_at(c, 13, "大厅空调坏了，老人等候很辛苦")

        await page.goto(server.url)
        await page.fill("#staff", "d001")
        await page.fill("#pin", "2468")
        await page.click("#login-form button")
        for cid in (late, rude, far, ac):
            await page.wait_for_selector(f'#complaint-list tr[data-complaint="{cid}"]')
        row = f'#complaint-list tr[data-hall="xiang-a"][data-complaint="{late}"]'
        assert "叫号后窗口无人" in (await page.text_content(row + ' td[data-field="text"]') or "")
        assert "窗口 13" in (await page.text_content(row + ' td[data-field="who"]') or "")

        # filtered by hall
        await page.select_option("#complaint-hall", "xiang-a")
        await page.wait_for_selector(f'#complaint-list tr[data-complaint="{ac}"]', state="detached")
        assert len(await page.query_selector_all("#complaint-list tbody tr")) == 2
        await page.select_option("#complaint-hall", "")
        await page.wait_for_selector(f'#complaint-list tr[data-complaint="{ac}"]')

        # accepted and answered from the district: the hall applies it
        await page.click(row + ' button[data-cmd="accept_complaint"]')
        await page.wait_for_selector(row + '[data-state="accepted"][data-pending="no"]')
        await page.fill(row + " input", ANSWER)
        await page.click(row + ' button[data-cmd="answer_complaint"]')
        await page.wait_for_selector(row + '[data-state="answered"]')
        assert a.server.engine.complaint_book.items[late]["answer"] == ANSWER

        # the street hall's link drops: stale, and an action on its complaint waits for it;
        # a second accept of the same complaint will be refused by the hall
        await proxy.cut()
        await page.wait_for_selector('#halls tr[data-hall="jie-b"][data-stale="yes"]')
        far_row = f'#complaint-list tr[data-complaint="{far}"]'
        await page.click(far_row + ' button[data-cmd="accept_complaint"]')
        await page.wait_for_selector(far_row + '[data-pending="yes"]')
        await page.click(far_row + ' button[data-cmd="accept_complaint"]')
        await page.wait_for_selector('#commands li[data-status="pending"] >> nth=1')
        assert "待乡镇大厅接收" in (await page.text_content(far_row + " .c-pending") or "")
        assert await page.get_attribute('#halls tr[data-hall="zhongxin"]', "data-stale") == "no"
        await assert_accessible(page, "/district complaint center, a hall offline")

        # inside the screen at both sizes; the screenshots
        assert await page.evaluate(OFF_SCREEN, True) == []
        await shot(page, out, "district-1920x1080")
        await page.set_viewport_size({"width": 1366, "height": 768})
        assert await page.evaluate(OFF_SCREEN, False) == []
        assert await page.evaluate(CENTER_IN_VIEW) == []
        await shot(page, out, "district-complaints-1366x768")

        # the link returns: the first accept applied, the second refused with the hall's words
        await proxy.restore()
        await page.wait_for_selector(far_row + '[data-state="accepted"][data-pending="no"]')
        await page.wait_for_selector(far_row + ' .c-refused[data-code="invalid_state"]')
        refused = await page.text_content(far_row + " .c-refused") or ""
        assert "不能执行 accept" in refused
        assert b.server.engine.complaint_book.items[far]["supervisor"] == "district:d001"
        await page.wait_for_selector('#halls tr[data-hall="jie-b"][data-stale="no"]')
        await assert_accessible(page, "/district complaint center, a refused action")

        # an action that needs words asks for them first, and sends nothing
        await page.click(far_row + ' button[data-cmd="answer_complaint"]')
        assert "请填写说明" in (await page.text_content(far_row + " .c-result") or "")
        assert errors == []
        assert "Traceback" not in await page.content()
    finally:
        await ctx.close()
        await server.stop()
        store.dispose()
