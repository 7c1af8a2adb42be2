"""The Textual supervisor board unlocks a clerk locked out after wrong PINs, by keys only,
against a real hub: F5 puts the keys on the list of locked-out staff, `u` asks first (in both
languages; Esc sends nothing), Enter unlocks; nothing to unlock and the hub's refusal are said
in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from support.raw import Refused, hello
from support.wait import wait_for
from textual.widgets import TabbedContent

from display.app import DisplayApp
from display.screens.confirm import UnlockStaffScreen
from display.widgets.alerts import LockedList
from hub.auth import STAFF_REMOVED

pytestmark = [pytest.mark.timeout(120)]

SIZE = (140, 45)


def notes(app: DisplayApp) -> str:
    return " ".join(str(n.message) for n in app._notifications)


async def lock_out(hub: Any, window: int) -> str:
    """Five wrong PINs for the clerk of `window`: locked out; their staff id."""
    sid, _ = hub.clerk(window)
    for _ in range(5):
        with pytest.raises(Refused):
            await hello(hub.url, role="counter", staff=sid, pin="0000", window=window)
    return str(sid)


def locked(hub: Any, sid: str) -> bool:
    row = hub.store.get_staff(hub.hall.id, sid)
    return row is not None and row["locked_until"] is not None


async def test_board_unlocks_a_locked_out_clerk_by_keys(hub: Any) -> None:
    staff, pin = hub.supervisor
    app = DisplayApp(hub.url, supervisor=True, staff=staff, pin=pin, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded, what="welcome")
        # nobody locked out: said in both languages, nothing sent
        await pilot.press("f5")
        await wait_for(lambda: "Nobody is locked out" in notes(app), what="nothing to unlock")
        assert "没有被锁定的工作人员" in notes(app)
        assert app.screen.query_one(TabbedContent).active == "tab-alerts"

        sid = await lock_out(hub, 6)
        await wait_for(lambda: [p["id"] for p in app.state.locked] == [sid], what="listed")
        await pilot.press("f5")
        listed = app.screen.query_one(LockedList)
        await wait_for(lambda: listed.has_focus, what="keys on the list")
        await wait_for(lambda: "u unlock" in str(listed.render()), what="the keys shown")
        assert sid in str(listed.render())

        # the question, in both languages; Esc sends nothing
        await pilot.press("u")
        await wait_for(lambda: isinstance(app.screen, UnlockStaffScreen), what="question")
        question = str(app.screen.query_one("#confirm-question").render())
        assert f"确定解锁 {sid}" in question and f"Unlock {sid}" in question
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, UnlockStaffScreen), what="no")
        assert locked(hub, sid)

        await pilot.press("u")
        await wait_for(lambda: isinstance(app.screen, UnlockStaffScreen), what="question")
        await pilot.pause()
        await pilot.press("enter")  # yes has the focus
        await wait_for(lambda: not locked(hub, sid), what="unlocked in the table")
        await wait_for(lambda: f"{sid}" in notes(app) and "unlocked" in notes(app), what="said")
        await wait_for(lambda: app.state.locked == [], what="gone from the list")
        clerk = await hello(hub.url, role="counter", staff=sid, pin=hub.clerk(6)[1], window=6)
        await clerk.close()
        assert "Traceback" not in app.export_screenshot()


async def test_board_says_the_hubs_refusal_in_both_languages(hub: Any) -> None:
    staff, pin = hub.supervisor
    app = DisplayApp(hub.url, supervisor=True, staff=staff, pin=pin)  # 中文
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded, what="welcome")
        sid = await lock_out(hub, 7)
        await wait_for(lambda: [p["id"] for p in app.state.locked] == [sid], what="listed")
        await pilot.press("f5")
        await wait_for(lambda: app.screen.query_one(LockedList).has_focus, what="keys")
        await pilot.press("u")
        await wait_for(lambda: isinstance(app.screen, UnlockStaffScreen), what="question")
        # meanwhile the account is removed: the hub refuses the unlock
        hub.store.update_staff(hub.hall.id, sid, status=STAFF_REMOVED)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(lambda: "Unlock failed" in notes(app), what="refusal")
        assert "解锁失败" in notes(app) and f"没有工作人员 {sid}" in notes(app)
        assert "Traceback" not in app.export_screenshot()
