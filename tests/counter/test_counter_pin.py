"""The clerk changes their own PIN at the counter with the keyboard alone (Ctrl+P, the current
PIN, the new one twice); mistakes are said in the dialog and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from counter_helpers import SIZE, counter_app
from support.raw import Refused, hello
from support.wait import wait_for
from textual.widgets import Static

from counter.screens.login import LoginScreen
from counter.screens.main import MainScreen
from counter.screens.pin import PinDialog


async def test_change_pin_with_the_keyboard(hub: Any) -> None:
    sid, pin = hub.clerk(3)
    app = counter_app(hub, 3, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
        await pilot.press(*pin, "enter")
        await wait_for(lambda: isinstance(app.screen, MainScreen) and app.online, pilot=pilot)

        await pilot.press("ctrl+p")
        await wait_for(lambda: isinstance(app.screen, PinDialog), pilot=pilot)
        dialog = app.screen
        error = dialog.query_one("#pin-error", Static)
        # the two new PINs differ: said here, nothing sent
        await pilot.press(*pin, "enter", *"5678", "enter", *"5679", "enter")
        await pilot.pause()
        assert "不一致" in str(error.render()) and app.screen is dialog
        # too short
        await pilot.press(*"56", "enter", *"56", "enter")
        await pilot.pause()
        assert "4 到 12 位" in str(error.render())
        # Escape: nothing changes
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot=pilot)

        # a wrong current PIN: the hub refuses, the log says why
        await pilot.press("ctrl+p")
        await wait_for(lambda: isinstance(app.screen, PinDialog), pilot=pilot)
        await pilot.press(*"0000", "enter", *"5678", "enter", *"5678", "enter")
        await wait_for(lambda: any("原密码不正确" in line for line in app.log_lines), pilot=pilot)

        # right: the PIN changes
        await pilot.press("ctrl+p")
        await wait_for(lambda: isinstance(app.screen, PinDialog), pilot=pilot)
        await pilot.press(*pin, "enter", *"5678", "enter", *"5678", "enter")
        await wait_for(lambda: any("密码已修改" in line for line in app.log_lines), pilot=pilot)

    with pytest.raises(Refused):
        await hello(hub.url, role="counter", staff=sid, pin=pin, window=3)
    clerk = await hello(hub.url, role="counter", staff=sid, pin="5678", window=3)
    await clerk.close()
