"""The lobby board and the supervisor view fit every screen: nothing that matters is cut.

At each screen size and state (offline banner, a notice, a long notice) the now-calling
number, its window and every recent-call row shown are whole and inside the viewport,
with four-digit numbers (F1000...) called at a two-digit window. Screenshots go to
``$HALL_SCREENS`` (``HALL_SCREENS=docs/screens`` refreshes the committed ones that
``hub/web/README.md`` links), else to the test's temporary folder.
"""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

pytestmark = pytest.mark.browser

SIZES = {
    "tv": {"width": 1920, "height": 1080},
    "tv-small": {"width": 1366, "height": 768},
    "portrait": {"width": 1080, "height": 1920},
    "phone": {"width": 390, "height": 844},
}
# what must be readable across the hall on a 1920x1080 TV: a tenth of the screen's height
TV_MIN_PX = 108
LONG_NOTICE = (
    "今日下午 14:00 至 16:00 系统升级，期间社保、医保、公积金相关事项暂停受理，"
    "请已取号的群众耐心等候或改日办理；如需帮助请到一楼咨询台。"
    "System upgrade 14:00-16:00 today: social security, medical insurance and housing fund "
    "items are paused; please wait or come back another day, and ask at the help desk."
) * 2
# the screenshots worth keeping: each size plain and at its most crowded, the supervisor view
KEPT = {f"board-{size}-{state}" for size in SIZES for state in ("plain", "offline-long-notice")}
KEPT |= {"supervisor-tv", "supervisor-tv-small"}
JS_SHIP = "JS-01"  # served at windows 1, 2 and 31; prefix F
CALLS = [(1, 1000), (2, 1001), (31, 1002), (1, 1003), (2, 1004), (31, 1005), (1, 1006), (31, 1007)]

# Every element that must be read: shown, non-empty, inside the viewport, inside every ancestor
# that clips (overflow not visible), and not wider than its own box.
FIT_PROBLEMS = """
() => {
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  const problems = [];
  const check = (el, what) => {
    if (!el) { problems.push(what + ': missing'); return; }
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) { problems.push(what + ': not shown'); return; }
    if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
      problems.push(what + ': outside the viewport ' + JSON.stringify([r.left, r.top, r.right, r.bottom]));
    if (getComputedStyle(el).display !== 'inline' && el.scrollWidth > el.clientWidth)
      problems.push(what + ': truncated ' + el.scrollWidth + ' > ' + el.clientWidth);
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const b = a.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.top < b.top - 0.5 || r.right > b.right + 0.5 || r.bottom > b.bottom + 0.5)
        problems.push(what + ': clipped by ' + (a.id || a.className));
    }
  };
  for (const id of ['latest-fit', 'latest-number', 'latest-window', 'latest-zh', 'latest-en'])
    check(document.getElementById(id), '#' + id);
  check(document.querySelector('#latest .label'), 'now-calling title');
  const rows = Array.from(document.querySelectorAll('#recent li')).filter((li) => !li.hidden);
  if (rows.length < 3) problems.push('only ' + rows.length + ' recent rows shown');
  rows.forEach((li, i) => {
    check(li, 'recent row ' + i);
    for (const c of li.children) check(c, 'recent row ' + i + ' ' + c.className);
  });
  return problems;
}
"""


async def fits(page: Any, what: str) -> None:
    """Wait until the board is laid out with nothing cut (the fit runs on resize and redraw)."""
    try:
        await page.wait_for_function(f"() => ({FIT_PROBLEMS})().length === 0", timeout=60000)
    except Exception:
        problems = await page.evaluate(FIT_PROBLEMS)
        raise AssertionError(f"{what}: {problems}") from None


def shots_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``HALL_SCREENS`` (``docs/screens`` to refresh the committed ones)."""
    return Path(os.environ.get("HALL_SCREENS") or tmp_path)


async def shot(page: Any, out: Path, name: str) -> None:
    """A screenshot of one size and state, in 64 colours (small, digits still sharp)."""
    if name not in KEPT:
        return
    out.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(await page.screenshot())).convert("RGB")
    image.quantize(64).save(out / f"{name}.png", optimize=True)


async def four_digit_calls(hub: Any, kiosk: Any, proto: Any) -> str:
    """F001..F1010 issued; F1000..F1007 called (out of turn) at windows 1, 2 and 31: the newest last."""
    ids: dict[str, str] = {}
    for start in range(0, 1010, 50):
        replies = await asyncio.gather(
            *(kiosk.ok("issue", service=JS_SHIP) for _ in range(min(50, 1010 - start)))
        )
        ids.update({r["ticket"]["number"]: r["ticket"]["id"] for r in replies})
    pin = hub.clerk(1)[1]
    clerks = {
        w: await proto(role="counter", staff=staff, pin=pin, window=w)
        for w, staff in ((1, "c001"), (2, "c002"), (31, hub.clerk(31)[0]))
    }
    busy: set[int] = set()
    for window, n in CALLS:
        if window in busy:
            await clerks[window].ok("no_show")
        await clerks[window].ok("call", ticket=ids[f"F{n}"])
        busy.add(window)
    return f"F{CALLS[-1][1]}"


async def board_at(page: Any, size: str, latest: str) -> None:
    """Resize the board and wait for the redraw: the latest call and window 31's tile show it."""
    await page.set_viewport_size(SIZES[size])
    await page.wait_for_function(
        """n => document.getElementById('latest-number').textContent === n
            && document.querySelector('#windows .win[data-window="31"] [data-field="current"]')
                 ?.textContent === n""",
        arg=latest,
        timeout=60000,
    )


async def check_sizes(page: Any, out: Path, state: str, latest: str) -> None:
    for size in SIZES:
        await board_at(page, size, latest)
        await fits(page, f"{size} {state}")
        if size == "tv":
            heights = await page.evaluate(
                """() => ['latest-number', 'latest-window'].map(
                     (id) => parseFloat(getComputedStyle(document.getElementById(id)).fontSize))"""
            )
            assert min(heights) >= TV_MIN_PX, (state, heights)
        await shot(page, out, f"board-{size}-{state}")


async def test_public_board_fits_every_screen_and_state(
    hub, open_page, kiosk, proto, tmp_path
) -> None:
    out = shots_dir(tmp_path)
    latest = await four_digit_calls(hub, kiosk, proto)
    page, rec = await open_page(hub.http + "/board?voice=off")
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    await check_sizes(page, out, "plain", latest)

    sup = await proto(role="supervisor", staff=hub.supervisor[0], pin=hub.supervisor[1])
    await sup.ok("notice", text="请携带身份证原件 / Please bring your ID card")
    await page.wait_for_selector("#notice", state="visible", timeout=60000)
    await check_sizes(page, out, "notice", latest)

    await sup.ok("notice", text=LONG_NOTICE)
    await page.wait_for_function(
        "t => document.getElementById('notice-text').textContent === t", arg=LONG_NOTICE
    )
    await check_sizes(page, out, "long-notice", latest)

    await hub.stop()
    await page.wait_for_selector("#stale", state="visible", timeout=60000)
    await check_sizes(page, out, "offline-long-notice", latest)
    await hub.start()
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    assert [e for e in rec.errors if "ERR_CONNECTION_REFUSED" not in e] == []


async def test_offline_banner_alone_keeps_the_number(
    hub, open_page, kiosk, proto, tmp_path
) -> None:
    out = shots_dir(tmp_path)
    latest = await four_digit_calls(hub, kiosk, proto)
    page, _ = await open_page(hub.http + "/board?voice=off")
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    await board_at(page, "tv", latest)
    await hub.stop()
    await page.wait_for_selector("#stale", state="visible", timeout=60000)
    await check_sizes(page, out, "offline", latest)
    await hub.start()


async def test_supervisor_board_fits_with_alerts_and_all_windows(
    hub, open_page, kiosk, proto, tmp_path
) -> None:
    out = shots_dir(tmp_path)
    latest = await four_digit_calls(hub, kiosk, proto)
    for code in (
        "MZ-01",
        "TJ-01",
        "GH-01",
        "JG-01",
        "SR-01",
    ):  # waiting with no open window: alerts
        await kiosk.ok("issue", service=code)
    page, _ = await open_page(hub.http + "/board?supervisor")
    await page.fill("#login-staff", hub.supervisor[0])
    await page.fill("#login-pin", hub.supervisor[1])
    await page.click("#login-submit")
    await page.wait_for_selector("#supervisor", state="visible", timeout=60000)
    await page.wait_for_function(
        "() => document.querySelectorAll('#alerts li').length >= 4", timeout=60000
    )
    for size in ("tv", "tv-small"):
        await board_at(page, size, latest)
        await fits(page, f"supervisor {size}")
        # every window tile and every row of the per-window table whole (the table scrolls sideways)
        problems = await page.evaluate(
            """() => {
              const out = [];
              document.querySelectorAll('#windows .win, #windows .win > div').forEach((el) => {
                if (el.scrollWidth > el.clientWidth) out.push('tile ' + el.closest('.win').dataset.window);
              });
              if (document.querySelectorAll('#windows .win').length < 31) out.push('tiles missing');
              if (document.querySelectorAll('#metrics-body tr').length < 31) out.push('rows missing');
              if (document.documentElement.scrollWidth > document.documentElement.clientWidth)
                out.push('page wider than the screen');
              return out;
            }"""
        )
        assert problems == [], (size, problems)
        await shot(page, out, f"supervisor-{size}")
