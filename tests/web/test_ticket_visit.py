"""The citizen's page of a visit (一门受理) at each moment: the steps done, now and next, and which
window, as three windows serve the bundle KB-01 (two parallel steps, then the fee step)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


async def steps_are(page: Any, expected: list[tuple[str, str, str]]) -> None:
    """Wait until the steps list shows (phase, state, window) per step, in order."""
    want = [list(e) for e in expected]
    await page.wait_for_function(
        """(want) => JSON.stringify(Array.from(document.querySelectorAll('#steps li'))
             .map((li) => [li.dataset.phase, li.dataset.state, li.dataset.window]))
             === JSON.stringify(want)""",
        arg=want,
        timeout=60000,
    )


async def step_text(page: Any, n: int) -> str:
    return str(await page.text_content(f'#steps li[data-step="{n}"]'))


async def test_the_steps_of_a_visit_at_each_moment(hub, open_page, kiosk, counter) -> None:
    r = await kiosk.ok("issue", bundle="KB-01")
    number = r["ticket"]["number"]
    page, rec = await open_page(r["url"], viewport=PHONE)
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    assert await page.is_visible("#steps-panel")
    # issued: waiting in both parallel lines at once, the fee step next
    await steps_are(page, [("now", "waiting", ""), ("now", "waiting", ""), ("next", "next", "")])
    assert "11、12、30 号窗口" in await step_text(page, 1)
    assert "5、6、30 号窗口" in await step_text(page, 2)
    assert "并联" in await step_text(page, 1)
    fee = await step_text(page, 3)
    assert "统一收费 · 统一缴费 ¥120" in fee and "28 号窗口" in fee

    # window 5 calls it for its step: that step is called there, the other waits no longer
    c5 = await counter(5)
    await c5.ok("call_next")
    await steps_are(page, [("next", "next", ""), ("now", "called", "5"), ("next", "next", "")])
    assert "请到 5 号窗口" in await step_text(page, 2)
    assert await page.text_content("#call-window") == "5"
    await c5.ok("start")
    await steps_are(page, [("next", "next", ""), ("now", "serving", "5"), ("next", "next", "")])
    await c5.ok("finish", outcome="done")
    # done at 5: on to the other parallel step by itself, same number
    await steps_are(page, [("now", "waiting", ""), ("done", "done", "5"), ("next", "next", "")])
    assert "办结" in await step_text(page, 2) and "5 号窗口" in await step_text(page, 2)
    assert await page.text_content("#number") == number
    assert await page.is_visible("#waiting-panel")
    c11 = await counter(11)
    await c11.ok("call_next")
    await steps_are(page, [("now", "called", "11"), ("done", "done", "5"), ("next", "next", "")])
    await c11.ok("start")
    await c11.ok("finish", outcome="done")
    await steps_are(page, [("done", "done", "11"), ("done", "done", "5"), ("now", "waiting", "")])
    # the fee window
    c28 = await counter(28)
    await c28.ok("call_next")
    await steps_are(page, [("done", "done", "11"), ("done", "done", "5"), ("now", "called", "28")])
    assert await page.text_content("#call-window") == "28"
    await c28.ok("start")
    await c28.ok("finish", outcome="done", paid=True)
    await steps_are(page, [("done", "done", "11"), ("done", "done", "5"), ("done", "done", "28")])
    assert "已缴费" in await step_text(page, 3)
    assert await page.text_content("#state-text") == "已办结"
    assert await page.text_content("#number") == number
    # English
    await page.click("#lang-toggle")
    await page.wait_for_function(
        "() => document.querySelector('#steps-title').textContent === 'Steps of this visit'"
    )
    assert "Paid" in await step_text(page, 3) and "Window 28" in await step_text(page, 3)
    assert rec.errors == []
