"""Visits at the kiosk against a real hub, by keys only: a bundle tile (一件事一次办), and several
services chosen one by one (再办一项); the ticket on screen and on paper lists the steps."""

from __future__ import annotations

from typing import Any

from kiosk_helpers import SIZE, kiosk_config, open_tickets, text_of, wait_online
from support.wait import wait_for

from kiosk.app import KioskApp
from kiosk.screens import (
    BundleScreen,
    DepartmentScreen,
    GuideScreen,
    HomeScreen,
    PriorityScreen,
    TicketScreen,
)
from kiosk.ticket_layout import Text, build_layout
from kiosk.widgets.tile import Tile


async def test_a_bundle_by_keys(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        home = app.screen
        assert isinstance(home, HomeScreen)
        tiles = list(home.query(Tile))
        keys = [tile.key for tile in tiles]
        first_bundle = keys.index("KB-01")
        assert first_bundle == len(app.state.offered_departments)  # after the departments
        assert "ZW-80" not in [s["code"] for s in app.state.services_of("ZW")]  # not on its own
        # arrows to the bundle tile (4 columns), Enter
        await pilot.press(*["down"] * (first_bundle // 4), *["right"] * (first_bundle % 4))
        assert app.focused is tiles[first_bundle]
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, BundleScreen), pilot=pilot)
        steps_text = text_of(app, "#text-steps")
        assert "并联" in steps_text and "¥120" in steps_text and "28号窗口" in steps_text
        await pilot.press("enter")  # take one ticket
        await wait_for(lambda: isinstance(app.screen, PriorityScreen), pilot=pilot)
        assert "临街门店开业" in text_of(app, "#prompt")
        await pilot.press("1")  # regular
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
        screen = app.screen
        assert isinstance(screen, TicketScreen)
        (hub_ticket,) = await open_tickets(hub)
        assert hub_ticket["id"] == screen.ticket.ticket["id"]
        assert [(s["service"], s["state"]) for s in hub_ticket["steps"]] == [
            ("GH-05", "waiting"),
            ("SR-02", "waiting"),
            ("ZW-80", "next"),
        ]
        shown = text_of(app, "#ticket-service")
        assert shown.startswith("办理环节：") and "3. 统一收费 ¥120" in shown
        # either parallel step's windows may call it
        assert {w["number"] for w in screen.ticket.windows} == {5, 6, 11, 12, 30}
        # the paper ticket lists the steps in both languages
        printed = [
            b.text for b in build_layout(app.ticket_print(screen.ticket)) if isinstance(b, Text)
        ]
        assert any(line.startswith("1. 申办《店名牌匾") for line in printed)
        assert any("3. Fee payment ¥120" in line for line in printed)


async def test_add_another_service_by_keys(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        first = app.state.offered_departments[0]["code"]
        second = app.state.offered_departments[1]["code"]
        a = app.state.services_of(first)[0]["code"]
        b = app.state.services_of(second)[0]["code"]
        for key, screen in (("1", DepartmentScreen), ("1", GuideScreen)):
            await pilot.press(key)
            await wait_for(lambda s=screen: isinstance(app.screen, s), pilot=pilot)
        await pilot.press("2")  # 再办一项
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        assert app.visit == [a]
        assert text_of(app, "#prompt").startswith("已选：")
        for key, screen in (("2", DepartmentScreen), ("1", GuideScreen)):
            await pilot.press(key)
            await wait_for(lambda s=screen: isinstance(app.screen, s), pilot=pilot)
        assert "共 2 项" in str(app.screen.query_one("#take-ticket", Tile).render())
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, PriorityScreen), pilot=pilot)
        assert "共 2 项" in text_of(app, "#prompt")
        await pilot.press("1")
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
        (hub_ticket,) = await open_tickets(hub)
        assert [s["service"] for s in hub_ticket["steps"]] == [a, b]  # in the order chosen
        assert hub_ticket["service"] == a and app.visit == []
