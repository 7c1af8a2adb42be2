"""The Textual supervisor board acts on complaints by keys only, against a real hub: a
citizen's complaint taken through accept, note, answer and close; another rejected; the
refusals with nothing sent (nothing to act on, an empty text: in both languages; a step the
lifecycle refuses: in the hub's words, in the board's language); the list following the complaint events live."""

from __future__ import annotations

from typing import Any

import pytest
from support.raw import Conn, citizen, counter, kiosk
from support.wait import wait_for
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from display.app import DisplayApp
from display.screens.complaint import ComplaintTextScreen
from display.widgets.alerts import ComplaintsList

pytestmark = [pytest.mark.timeout(90)]

SIZE = (140, 45)
TEXT = "窗口工作人员玩手机，不理睬群众"
NOTE = "调取监控属实"
ANSWER = "经核实已批评教育感谢监督"
REASON = "重复投诉已在另一件中答复"


async def complaining_citizen(hub: Any, k: Conn, c13: Conn, text: str) -> tuple[Conn, str]:
    """A citizen served at window 13 whose page sent a complaint: (page, complaint id)."""
    issued = await k.ok("issue", service="MZ-01")
    await c13.ok("call_next")
    await c13.ok("start")
    await c13.ok("finish", outcome="done")
    z = await citizen(hub, issued["token"])
    return z, (await z.ok("complain", text=text))["complaint"]


def stored(hub: Any, cid: str) -> dict[str, Any]:
    """The complaint as the hub's table holds it (durable before each `ok`)."""
    return next(r for r in hub.store.complaints(hub.hall.id) if r["id"] == cid)


def notes(app: DisplayApp) -> str:
    return " ".join(str(n.message) for n in app._notifications)


async def write(pilot: Pilot[Any], app: DisplayApp, text: str) -> None:
    """Type the text in the question that opened and press enter (keys only)."""
    await wait_for(lambda: isinstance(app.screen, ComplaintTextScreen), what="question")
    await pilot.pause()
    await pilot.press(*text, "enter")
    await wait_for(lambda: not isinstance(app.screen, ComplaintTextScreen), what="sent")


async def test_board_takes_a_complaint_to_its_answer_by_keys(hub: Any) -> None:
    staff, pin = hub.supervisor
    app = DisplayApp(hub.url, supervisor=True, staff=staff, pin=pin, lang="en")
    k = await kiosk(hub)
    c13 = await counter(hub, 13)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded, what="welcome")
        # nothing to act on yet: said in words, nothing sent
        await pilot.press("f4")
        await wait_for(lambda: "No open complaint" in notes(app), what="nothing to act on")
        assert app.screen.query_one(TabbedContent).active == "tab-alerts"

        z, cid = await complaining_citizen(hub, k, c13, TEXT)
        # the list follows the events live
        await wait_for(lambda: cid in app.state.open_complaints, what="complaint listed")
        await pilot.press("f4")
        listed = app.screen.query_one(ComplaintsList)
        await wait_for(lambda: listed.has_focus, what="keys on the list")
        assert listed.current() == cid
        # focused, the list shows its keys under the title and marks the picked complaint
        await wait_for(lambda: "a accept" in str(listed.render()), what="the keys line", timeout=60)

        # closing before the answer: the hub refuses, the board says it in both languages
        await pilot.press("c")
        await wait_for(lambda: "Failed" in notes(app), what="refusal")
        assert "close is not allowed" in notes(app)  # the hub's words, in the board's language
        assert stored(hub, cid)["state"] == "received"

        await pilot.press("a")
        await wait_for(lambda: stored(hub, cid)["state"] == "accepted", what="accepted")
        assert stored(hub, cid)["supervisor"] == staff
        await wait_for(lambda: app.state.open_complaints[cid]["state"] == "accepted", what="live")
        await wait_for(lambda: "accepted" in str(listed.render()), what="list redrawn")

        # a note: an empty text is refused in the question, nothing sent
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, ComplaintTextScreen), what="question")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ComplaintTextScreen)
        error = str(app.screen.query_one("#complaint-error").render())
        assert "请填写内容" in error and "Write the text" in error
        await pilot.press(*NOTE, "enter")
        await wait_for(lambda: stored(hub, cid)["state"] == "investigating", what="noted")
        assert [n["text"] for n in stored(hub, cid)["notes"]] == [NOTE]

        await pilot.press("y")
        await write(pilot, app, ANSWER)
        await wait_for(lambda: stored(hub, cid)["state"] == "answered", what="answered")
        assert stored(hub, cid)["answer"] == ANSWER
        answered = await z.next("complaint_answered")
        assert answered["record"]["answer"] == ANSWER

        await wait_for(lambda: app.state.open_complaints[cid]["state"] == "answered", what="live")
        await pilot.press("c")
        await wait_for(lambda: stored(hub, cid)["state"] == "closed", what="closed")
        await wait_for(lambda: cid not in app.state.open_complaints, what="gone from the list")
        assert (await z.next("complaint_closed"))["record"]["state"] == "closed"
        assert "Traceback" not in app.export_screenshot()
    for conn in (k, c13, z):
        await conn.close()


async def test_board_rejects_a_complaint_with_a_reason_by_keys(hub: Any) -> None:
    staff, pin = hub.supervisor
    app = DisplayApp(hub.url, supervisor=True, staff=staff, pin=pin)
    k = await kiosk(hub)
    c13 = await counter(hub, 13)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded, what="welcome")
        z1, first = await complaining_citizen(hub, k, c13, TEXT)
        z2, second = await complaining_citizen(hub, k, c13, "第二件投诉")
        await wait_for(lambda: second in app.state.open_complaints, what="both listed")
        await pilot.press("f4")
        listed = app.screen.query_one(ComplaintsList)
        await wait_for(lambda: listed.has_focus, what="keys on the list")
        await pilot.press("down")  # the second one (same deadline, later)
        assert listed.current() == second
        await pilot.press("x")
        await wait_for(lambda: isinstance(app.screen, ComplaintTextScreen), what="question")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: nothing sent
        await wait_for(lambda: not isinstance(app.screen, ComplaintTextScreen), what="closed")
        assert stored(hub, second)["state"] == "received"

        # answering before it is accepted: refused in the hub's words (Chinese here)
        await pilot.press("y")
        await write(pilot, app, ANSWER)
        await wait_for(lambda: "不能执行 answer" in notes(app), what="refusal")
        assert stored(hub, second)["state"] == "received"

        await pilot.press("x")
        await write(pilot, app, REASON)
        await wait_for(lambda: stored(hub, second)["state"] == "rejected", what="rejected")
        assert stored(hub, second)["reason"] == REASON
        assert stored(hub, first)["state"] == "received"  # the other one untouched
        await wait_for(lambda: second not in app.state.open_complaints, what="gone")
        rejected = await z2.next("complaint_rejected")
        assert rejected["record"]["reason"] == REASON
        assert "驳回" in notes(app)
    for conn in (k, c13, z1, z2):
        await conn.close()
