"""Readable by everyone: across the hall, enlarged, and by keyboard (real Chromium, real hub).

- On a 1920x1080 TV the now-calling number and its window are drawn at least a tenth of the
  screen high: measured on the screenshot (the rows of pixels the digits' own colours paint),
  not from the CSS.
- Text enlarged to 200%: the board at a 1920x1080 TV zoomed to 200% (960x540 CSS pixels)
  still shows the call whole; the ticket page reflows at 320 CSS pixels (a phone zoomed in)
  and with its text at twice the size, with no sideways scrolling and no clipped text.
- Keyboard: the supervisor logs in with Tab and Enter; every control shows a visible focus.
- The ticket page announces "please go to window N" through an aria-live region.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from test_board_layout import FIT_PROBLEMS

pytestmark = pytest.mark.browser

TV = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
ACCENT = (0xFF, 0xD2, 0x3F)  # board.css --accent: the now-calling number
CALL = (0xFF, 0x5A, 0x36)  # board.css --call: its window


def service_of(hub: Any, window: int) -> str:
    return hub.hall.window(window).services[0]


def ink_height(png: bytes, colour: tuple[int, int, int], tolerance: int = 40) -> int:
    """Rows of the picture with a pixel of about `colour`: the glyphs' drawn height."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    px = image.load()
    assert px is not None
    rows = [
        y
        for y in range(height)
        if any(
            all(abs(c - k) <= tolerance for c, k in zip(px[x, y], colour, strict=True))
            for x in range(0, width, 2)
        )
    ]
    return rows[-1] - rows[0] + 1 if rows else 0


# Overflow that loses text: the page scrolls sideways, or an element clips its own text.
LOSS = """
() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) out.push('page scrolls sideways: ' + doc.scrollWidth + ' > ' + doc.clientWidth);
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'inline') continue;
    // clipped (overflow hidden, an ellipsis) or spilling out of its box
    if (el.scrollWidth > el.clientWidth + 1) out.push((el.id || el.className || el.tagName) + ' wider than its box');
    if (r.right > doc.clientWidth + 1) out.push((el.id || el.className || el.tagName) + ' past the edge');
  }
  return out;
}
"""


async def test_now_calling_is_a_tenth_of_a_tv_high(hub, open_page, kiosk, counter) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 12))
    c12 = await counter(12)
    page, _ = await open_page(hub.http + "/board?voice=off", viewport=TV)
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    await c12.ok("call_next")
    number = issued["ticket"]["number"]
    await page.wait_for_function(
        "n => document.getElementById('latest-number').textContent === n", arg=number
    )
    await page.evaluate(  # two frames: the board has drawn and fitted the call
        "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )
    box = await page.locator("#latest-fit").bounding_box()
    assert box is not None
    png = await page.screenshot(
        clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]}
    )
    number_px, window_px = ink_height(png, ACCENT), ink_height(png, CALL)
    assert number_px >= TV["height"] / 10, (number, number_px)
    assert window_px >= TV["height"] / 10, ("12", window_px)


async def test_board_zoomed_to_200_percent_keeps_the_call_whole(
    hub, open_page, kiosk, counter
) -> None:
    # three calls: the recent list shows at least three rows whole
    c12 = await counter(12)
    for _ in range(3):
        issued = await kiosk.ok("issue", service=service_of(hub, 12))
        await c12.ok("call_next")
        await c12.ok("no_show")
    # a 1920x1080 TV at 200% zoom lays the page out in 960x540 CSS pixels
    page, _ = await open_page(hub.http + "/board?voice=off", viewport={"width": 960, "height": 540})
    await page.wait_for_function(
        "n => document.getElementById('latest-number').textContent === n",
        arg=issued["ticket"]["number"],
    )
    # the call, its window and texts and every recent row shown are whole (at this size the
    # recent list shows the rows that fit whole, never a cut one)
    whole = f"""() => ({FIT_PROBLEMS})().filter((p) => !p.startsWith('only ')
                      || p === 'only 0 recent rows shown')"""
    try:
        await page.wait_for_function(f"() => ({whole})().length === 0", timeout=60000)
    except Exception:
        raise AssertionError(await page.evaluate(whole)) from None


async def test_ticket_page_reflows_and_doubles_its_text_without_loss(
    hub, open_page, kiosk, counter
) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 5))
    # 320 CSS pixels wide: a phone zoomed in (WCAG 1.4.10 reflow)
    page, _ = await open_page(issued["url"], viewport={"width": 320, "height": 640})
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    await page.wait_for_selector("#guide", state="visible", timeout=60000)
    assert (loss := await page.evaluate(LOSS)) == [], loss
    # text alone at 200% (WCAG 1.4.4 resize text) on a phone
    page, _ = await open_page(issued["url"], viewport=PHONE)
    await page.wait_for_selector("#guide", state="visible", timeout=60000)
    await page.evaluate("() => { document.documentElement.style.fontSize = '36px'; }")  # 2 x 18px
    assert await page.evaluate("() => getComputedStyle(document.getElementById('number')).fontSize")
    assert (loss := await page.evaluate(LOSS)) == [], loss
    c5 = await counter(5)
    await c5.ok("call_next")
    await page.wait_for_selector("#call-panel", state="visible", timeout=60000)
    assert (loss := await page.evaluate(LOSS)) == [], loss


async def test_ticket_call_is_announced_in_a_live_region(hub, open_page, kiosk, counter) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 5))
    page, _ = await open_page(issued["url"], viewport=PHONE)
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    c5 = await counter(5)
    await c5.ok("call_next")
    await page.wait_for_selector("#call-panel", state="visible", timeout=60000)
    live = await page.evaluate(
        """() => { const el = document.getElementById('call-text').closest('[aria-live]');
                   return el && [el.getAttribute('aria-live'), el.textContent]; }"""
    )
    assert live is not None and live[0] == "assertive"
    assert f"请 {issued['ticket']['number']} 号到 5 号窗口办理" in live[1]
    # the accessibility tree a screen reader reads has it too
    snapshot = await page.locator("#call-panel").aria_snapshot()
    assert "5 号窗口" in snapshot


async def focus_ring(page: Any) -> dict[str, Any]:
    """The focused element's id and its outline (style and width in px)."""
    result: dict[str, Any] = await page.evaluate(
        """() => { const el = document.activeElement, cs = getComputedStyle(el);
                   return {id: el.id, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth)}; }"""
    )
    return result


async def test_supervisor_logs_in_by_keyboard_with_a_visible_focus(hub, open_page) -> None:
    page, _ = await open_page(hub.http + "/board?supervisor", viewport=TV)
    await page.wait_for_selector("#login-form", state="visible")
    await page.wait_for_function("() => document.activeElement.id === 'login-staff'")
    ring = await focus_ring(page)  # the page puts the focus in the first field
    assert ring["id"] == "login-staff" and ring["style"] != "none" and ring["width"] >= 2, ring
    await page.keyboard.type(hub.supervisor[0])
    await page.keyboard.press("Tab")
    ring = await focus_ring(page)
    assert ring["id"] == "login-pin" and ring["style"] != "none" and ring["width"] >= 2, ring
    await page.keyboard.type(hub.supervisor[1])
    await page.keyboard.press("Tab")
    ring = await focus_ring(page)
    assert ring["id"] == "login-submit" and ring["style"] != "none" and ring["width"] >= 2, ring
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#supervisor", state="visible", timeout=60000)
    # every control of the supervisor view shows its focus when reached by Tab
    seen = set()
    for _ in range(12):
        await page.keyboard.press("Tab")
        ring = await focus_ring(page)
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        seen.add(ring["id"])
    assert "logout-btn" in seen or "voice-btn" in seen or len(seen) > 3


async def test_ticket_page_controls_show_their_focus(hub, open_page, kiosk) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 5))
    page, _ = await open_page(issued["url"], viewport=PHONE)
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    ids = []
    for _ in range(4):
        await page.keyboard.press("Tab")
        ring = await focus_ring(page)
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        ids.append(ring["id"])
    assert ids[0] == "lang-toggle"
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Enter")  # the language toggle by keyboard
    await page.wait_for_function("() => document.documentElement.lang === 'en'")


async def test_supervisor_view_zoomed_to_200_percent_does_not_scroll_sideways(
    hub, open_page, kiosk
) -> None:
    await kiosk.ok("issue", service="MZ-01")  # an alert: waiting with no open window
    # a 1920x1080 screen at 200% zoom: 960x540 CSS pixels; the figures tables scroll inside
    # their own box (.table-wrap), the page itself never sideways
    page, _ = await open_page(
        hub.http + "/board?supervisor", viewport={"width": 960, "height": 540}
    )
    await page.fill("#login-staff", hub.supervisor[0])
    await page.fill("#login-pin", hub.supervisor[1])
    await page.click("#login-submit")
    await page.wait_for_selector("#supervisor", state="visible", timeout=60000)
    await page.wait_for_selector("#alerts li", timeout=60000)
    wide = await page.evaluate(
        """() => { const d = document.documentElement;
                   return d.scrollWidth > d.clientWidth + 1 ? [d.scrollWidth, d.clientWidth] : null; }"""
    )
    assert wide is None
