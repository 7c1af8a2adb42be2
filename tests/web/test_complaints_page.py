"""A complaint in real browsers: sent from the ticket page, taken through every step on the
supervisor board (/board?supervisor), its answer shown on the ticket page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from axe import assert_accessible
from support import raw
from test_supervisor import login
from test_ticket import open_ticket, service_of

pytestmark = pytest.mark.browser

TEXT = "等候区空调太冷，工作人员说不归他们管"
ANSWER = "已联系物业调高温度，并对首问不负责的情况进行了批评。"


async def step(board: Any, cid: str, cmd: str, text: str | None = None) -> None:
    row = f'#complaints-list li[data-complaint="{cid}"]'
    if text is not None:
        await board.fill(f"{row} .c-input", text)
    await board.click(f'{row} button[data-cmd="{cmd}"]')


async def test_a_complaint_from_the_page_to_its_answer(
    hub: Any, open_page: Any, kiosk: Any, counter: Any, supervisor_client: Any
) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 5))
    c5 = await counter(5)
    await c5.ok("call_next")
    await c5.ok("start")
    await c5.ok("finish", outcome="done")
    page, rec = await open_ticket(open_page, issued["url"])
    board, board_rec = await open_page(hub.http + "/board?supervisor")
    await login(board, *hub.supervisor)
    await board.wait_for_selector("#board-view", state="visible", timeout=60000)
    assert await board.is_visible("#complaints-none")

    await page.click("#complain-summary")
    await page.fill("#complain-text", TEXT)
    await page.click("#complain-submit")
    await page.wait_for_selector('#complain-msg[data-code="ok"]', timeout=60000)
    ev = await supervisor_client.next("complaint")
    cid = ev["complaint"]
    # the page lists it as received, with its deadline
    await page.wait_for_selector(f'#complaints-list li[data-complaint="{cid}"]', timeout=60000)
    assert ev["record"]["due"] in await page.text_content("#complaints-list")
    # the board lists it with its deadline and the actions of its state
    row = f'#complaints-list li[data-complaint="{cid}"]'
    await board.wait_for_selector(f'{row}[data-state="received"]', timeout=60000)
    assert TEXT in await board.text_content(row)
    assert ev["record"]["due"] in await board.text_content(row)
    await assert_accessible(board, "supervisor board with a complaint")
    await step(board, cid, "accept_complaint")
    await board.wait_for_selector(f'{row}[data-state="accepted"]', timeout=60000)
    await step(board, cid, "answer_complaint")  # no text: refused on the board, nothing sent
    assert "请填写" in await board.text_content(f"{row} .c-result")
    await step(board, cid, "note_complaint", "查看监控，情况属实")
    await board.wait_for_selector(f'{row}[data-state="investigating"]', timeout=60000)
    assert "查看监控" in await board.text_content(row)
    await step(board, cid, "answer_complaint", ANSWER)
    await board.wait_for_selector(f'{row}[data-state="answered"]', timeout=60000)
    # the citizen sees the answer on the ticket page
    item = f'#complaints-list li[data-complaint="{cid}"]'
    await page.wait_for_selector(f'{item}[data-state="answered"]', timeout=60000)
    assert ANSWER in await page.text_content(item)
    assert "已答复" in await page.text_content(item)
    await assert_accessible(page, "ticket page with an answered complaint")
    await step(board, cid, "close_complaint")
    await board.wait_for_selector(row, state="detached", timeout=60000)
    await page.wait_for_selector(f'{item}[data-state="closed"]', timeout=60000)
    assert ANSWER in await page.text_content(item)
    # the notes never reach the citizen
    assert "查看监控" not in await page.text_content("body")
    assert rec.errors == [] and board_rec.errors == []


async def test_the_answer_stays_on_the_page_after_a_restart_and_a_day(
    hub: Any, open_page: Any
) -> None:
    """Answered and closed on Tuesday; on Wednesday, after the hub restarted (closed
    complaints are not loaded at start), the ticket page of yesterday still shows it."""
    instant = [datetime(2026, 12, 1, 2, 0, tzinfo=UTC)]  # Tuesday 10:00 in the hall
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    k = await raw.kiosk(hub)
    s = await raw.supervisor(hub)
    c5 = await raw.counter(hub, 5)
    issued = await k.ok("issue", service=service_of(hub, 5))
    await c5.ok("call_next")
    await c5.ok("start")
    await c5.ok("finish", outcome="done")
    z = await raw.citizen(hub, issued["token"])
    cid = (await z.ok("complain", text=TEXT))["complaint"]
    for cmd, args in (
        ("accept_complaint", {}),
        ("note_complaint", {"text": "查看监控，情况属实"}),
        ("answer_complaint", {"text": ANSWER}),
        ("close_complaint", {}),
    ):
        await s.ok(cmd, complaint=cid, **args)
    for conn in (k, s, c5, z):
        await conn.close()

    instant[0] = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wednesday
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    s = await raw.supervisor(hub)
    await s.ok("notice", text="今日正常办公")  # the day rolled and has events of its own
    await s.close()
    await hub.stop()
    await hub.start(clock=lambda: instant[0])

    page, rec = await open_ticket(open_page, issued["url"])
    item = f'#complaints-list li[data-complaint="{cid}"]'
    await page.wait_for_selector(f'{item}[data-state="closed"]', timeout=60000)
    assert ANSWER in await page.text_content(item)
    assert "查看监控" not in await page.text_content("body")
    assert rec.errors == []
