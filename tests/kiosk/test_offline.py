"""Offline behaviour, the idle timeout, and requests resent after a reconnect."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from kiosk_helpers import SIZE, kiosk_config, open_tickets, text_of, to_guide, wait_online
from support.wait import wait_for

from kiosk.app import KioskApp
from kiosk.screens import DepartmentScreen, GuideScreen, HomeScreen, PriorityScreen, TicketScreen
from kiosk.widgets.header import StatusBanner
from kiosk.widgets.tile import Tile


async def test_offline_banner_disables_issuing_and_recovers(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        banner = app.screen.query_one(StatusBanner)
        assert not banner.display
        await to_guide(pilot, app)
        take = app.screen.query_one("#take-ticket", Tile)
        assert take.available

        await hub.stop()
        await wait_for(lambda: not app.online, what="offline", pilot=pilot)
        banner = app.screen.query_one(StatusBanner)
        assert banner.display
        assert "暂停取号" in text_of(app, "#banner")
        assert not take.available
        await pilot.press("enter")  # nothing happens: no ticket can be issued
        await pilot.click("#take-ticket")
        assert isinstance(app.screen, GuideScreen)
        # English says it too.
        await pilot.click("#lang-toggle")
        await wait_for(lambda: app.lang == "en", what="English", pilot=pilot)
        assert "Ticket issuing paused" in text_of(app, "#banner")
        # A button ignores a click while it still shows the last one (Textual's -active).
        toggle = app.screen.query_one("#lang-toggle")
        await wait_for(lambda: not toggle.has_class("-active"), what="toggle released", pilot=pilot)
        await pilot.click("#lang-toggle")
        await wait_for(lambda: app.lang == "zh", what="中文", pilot=pilot)

        await hub.start()
        await wait_for(lambda: app.online, what="back online", pilot=pilot)
        assert not banner.display
        assert take.available
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, PriorityScreen), pilot=pilot)
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)


async def test_kiosk_starts_offline_and_comes_up_by_itself(hub: Any) -> None:
    await hub.stop()
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert not app.online
        assert "暂停取号" in text_of(app, "#banner")
        await hub.start()
        await wait_online(pilot, app)
        assert not app.screen.query_one(StatusBanner).display
        assert app.screen.query(Tile)  # the departments came with the welcome


async def test_unknown_token_says_not_authorised(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub, token="not-a-token"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.fatal, what="auth failure", pilot=pilot)
        assert "未获授权" in text_of(app, "#banner")
        assert not app.can_issue


async def test_idle_timeout_returns_home_from_anywhere(hub: Any) -> None:
    # idle 3 s: a touch every 0.5 s for 4 s keeps the screen, even on a loaded machine
    app = KioskApp(kiosk_config(hub, idle=3.0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        await to_guide(pilot, app)
        await pilot.click("#lang-toggle")
        await wait_for(lambda: app.lang == "en", what="English", pilot=pilot)
        # Touches keep it there ...
        for _ in range(8):
            await pilot.pause(0.5)
            await pilot.press("down")
        assert isinstance(app.screen, GuideScreen)
        # ... and without any, it goes home, in the starting language.
        await wait_for(
            lambda: isinstance(app.screen, HomeScreen), timeout=60, what="home", pilot=pilot
        )
        assert app.lang == "zh"
        # From the ticket screen as well.
        await to_guide(pilot, app, enter=True)
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
        await wait_for(
            lambda: isinstance(app.screen, HomeScreen), timeout=60, what="home", pilot=pilot
        )


@pytest.mark.parametrize("when", ["as_the_tap_lands", "after_the_tap"])
async def test_request_resent_after_reconnect_gives_one_ticket(hub: Any, when: str) -> None:
    """The hub drops around the tap: the client (re)sends the same request id; one ticket results."""
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        await to_guide(pilot, app, enter=True)
        if when == "as_the_tap_lands":
            # The tap is handled but its request not yet written when the connection drops.
            app.screen.query_one("#choose-normal", Tile).action_choose()
        else:
            await pilot.press("enter")  # the request is on the wire, maybe answered
        await hub.stop()
        await asyncio.sleep(0.3)
        await hub.start()
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
        assert isinstance(app.screen, TicketScreen)
        shown = app.screen.ticket
        tickets = await open_tickets(hub)
        assert [t["id"] for t in tickets] == [shown.ticket["id"]]
        assert app.issued_count == 1


async def test_back_while_department_is_open(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        await pilot.press("2")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        await pilot.click("#nav-back")
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        await pilot.press("escape")  # Esc on home stays home
        assert isinstance(app.screen, HomeScreen)
