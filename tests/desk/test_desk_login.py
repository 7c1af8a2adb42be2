"""The desk's login by keys only, on the form it shares with the counter (shared/ui/login.py):
the demo's hint, an empty staff id refused with the cursor back in it, then a hub that does
not answer said in one sentence."""

from __future__ import annotations

import pytest
from support.wait import wait_for
from textual.widgets import Input, Static

from counter.app import CounterApp
from counter.screens.login import LoginScreen as CounterLogin
from desk.app import DeskApp, LoginScreen
from desk.strings import t

pytestmark = pytest.mark.timeout(90)
SIZE = (130, 40)


def message(app: DeskApp) -> str:
    return str(app.screen.query_one("#login-message", Static).render())


def focused(app: DeskApp) -> str:
    return str(getattr(app.focused, "id", ""))


async def test_desk_login_by_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    assert LoginScreen is CounterLogin  # one form for both staff terminals
    monkeypatch.setenv("HALL_LOGIN_HINT", "演示 PIN 1234")
    app = DeskApp(lang="en", hub_url="ws://127.0.0.1:9/ws")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
        assert str(app.screen.query_one("#login-hint", Static).render()) == "演示 PIN 1234"
        assert not app.screen.query("#login-app")  # the desk names no app above its title
        assert app.screen.query_one("#staff", Input).placeholder == "d001"
        assert focused(app) == "staff"  # no staff id given: the cursor starts there
        await pilot.press("enter")  # on to the PIN
        await wait_for(lambda: focused(app) == "pin", pilot=pilot)
        await pilot.press("1", "2", "3", "4", "enter")
        await wait_for(lambda: message(app) == t("need_staff_pin", "en"), pilot=pilot)
        # nothing was sent; the PIN is cleared and the cursor is back in the empty staff id
        assert app.link.client is None
        assert app.screen.query_one("#pin", Input).value == ""
        await wait_for(lambda: focused(app) == "staff", pilot=pilot)
        await pilot.press("d", "0", "0", "1", "enter", "1", "2", "3", "4", "enter")
        await wait_for(
            lambda: message(app) == t("hub_unreachable", "en", url="ws://127.0.0.1:9/ws"),
            pilot=pilot,
            what="the hub-unreachable hint",
        )
        assert app.staff == "d001" and app.link.client is not None


async def test_counter_login_names_the_app_and_the_window() -> None:
    app = CounterApp(7, lang="en", hub_url="ws://127.0.0.1:9/ws")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: isinstance(app.screen, CounterLogin), pilot=pilot)
        assert str(app.screen.query_one("#login-app", Static).render()) == "Counter terminal"
        assert str(app.screen.query_one("#login-title", Static).render()) == "Log in at Window 7"
        assert app.screen.query_one("#staff", Input).placeholder == "c001"
