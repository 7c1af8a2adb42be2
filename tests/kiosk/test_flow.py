"""The citizen's path against a real hub: home → department → service → guide → ticket."""

from __future__ import annotations

from typing import Any

import pytest
from kiosk_helpers import SIZE, kiosk_config, open_tickets, text_of, to_guide, wait_online
from support.wait import wait_for

from kiosk.app import KioskApp
from kiosk.screens import DepartmentScreen, GuideScreen, HomeScreen, PriorityScreen, TicketScreen
from kiosk.widgets.tile import Tile
from shared.ui.bigtext import BigText


async def test_home_to_ticket_by_touch_equals_the_hubs(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        assert isinstance(app.screen, HomeScreen)
        dept = app.state.offered_departments[0]["code"]
        service = app.state.services_of(dept)[0]["code"]

        await pilot.click(f"#dept-{dept}")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        await pilot.click(f"#svc-{service}")
        await wait_for(lambda: isinstance(app.screen, GuideScreen), pilot=pilot)
        guide = app.screen
        assert isinstance(guide, GuideScreen)
        materials = app.state.service(service)["guide"]["materials"]  # type: ignore[index]
        assert materials[0] in text_of(app, "#text-materials")
        # no window open: the guide says so, with no minutes, and so does the ticket below
        no_window = "暂无窗口受理，开窗后按顺序叫号"
        assert text_of(app, "#text-queue_now") == f"前面 0 人 · {no_window}"
        await pilot.click("#take-ticket")
        await wait_for(lambda: isinstance(app.screen, PriorityScreen), pilot=pilot)
        await pilot.click("#choose-normal")
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)

        screen = app.screen
        assert isinstance(screen, TicketScreen)
        shown = screen.ticket
        tickets = await open_tickets(hub)
        assert len(tickets) == 1
        hub_ticket = tickets[0]
        assert shown.ticket["id"] == hub_ticket["id"]
        assert shown.number == hub_ticket["number"]
        assert screen.query_one(BigText).text == hub_ticket["number"]
        assert hub_ticket["service"] == service and hub_ticket["priority"] == "normal"
        assert shown.ahead == 0 and shown.eta_min is None
        assert "0" in text_of(app, "#ticket-ahead")
        assert text_of(app, "#ticket-eta") == no_window
        assert shown.url.endswith(shown.token) and "/t/" in shown.url
        # A second Enter within the grace period does not dismiss the ticket (the period is
        # made long here, so that a slow machine cannot make "right away" late) ...
        screen.GRACE_S = 3600.0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TicketScreen)
        # ... Done does, once the grace period is over; the home counts include the new ticket.
        screen.GRACE_S = 0.0
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        await wait_for(lambda: app.state.waiting_for(service) == 1, pilot=pilot)


async def test_keyboard_only_priority_ticket(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        home = app.screen
        # Arrows move the highlight; Enter chooses it.
        await pilot.press("right", "right", "left")
        tiles = list(home.query(Tile))
        assert app.focused is tiles[1]
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        assert isinstance(app.screen, DepartmentScreen)
        assert app.screen.department == tiles[1].key
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        await pilot.press("3")  # the 3rd tile
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        assert isinstance(app.screen, DepartmentScreen)
        assert app.screen.department == tiles[2].key
        await pilot.press("1")
        await wait_for(lambda: isinstance(app.screen, GuideScreen), pilot=pilot)
        await pilot.press("enter")  # the primary action: take a ticket
        await wait_for(lambda: isinstance(app.screen, PriorityScreen), pilot=pilot)
        await pilot.press("2")  # 绿色通道
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.ticket.priority
        tickets = await open_tickets(hub)
        assert [t["priority"] for t in tickets] == ["priority"]
        assert tickets[0]["number"] == app.screen.ticket.number


async def test_waiting_counts_update_live(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        dept = app.state.offered_departments[0]["code"]
        service = app.state.services_of(dept)[0]["code"]
        tile = app.screen.query_one(f"#dept-{dept}", Tile)
        assert "等候 0 人" in str(tile.render())

        other = KioskApp(kiosk_config(hub))  # another kiosk issues two tickets
        async with other.run_test(size=SIZE) as other_pilot:
            await wait_online(other_pilot, other)
            await other.issue(service)
            await other.issue(service, priority=True)

        await wait_for(lambda: "等候 2 人" in str(tile.render()), what="live count", pilot=pilot)
        await pilot.press("1")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        svc_tile = app.screen.query_one(f"#svc-{service}", Tile)
        # what a new ticket would be told, from the hub (its coalesced `estimates` push):
        # 2 ahead, and no window open yet
        await wait_for(
            lambda: "前面 2 人 · 暂无窗口受理，开窗后按顺序叫号" in str(svc_tile.render()),
            what="estimates",
            pilot=pilot,
        )
        # English shows the same figures.
        await pilot.click("#lang-toggle")
        await wait_for(
            lambda: "2 ahead · No window is serving" in str(svc_tile.render()), pilot=pilot
        )


async def test_double_tap_gives_one_ticket(hub: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Taps that reach the ticket screen stay there however slow the machine (grace period).
    monkeypatch.setattr(TicketScreen, "GRACE_S", 3600.0)
    app = KioskApp(kiosk_config(hub))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        await to_guide(pilot, app, enter=True)
        await pilot.press("enter", "enter", "1", "2", "enter")
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
        await pilot.pause(0.2)
        assert isinstance(app.screen, TicketScreen)
        assert app.issued_count == 1
        assert len(await open_tickets(hub)) == 1
