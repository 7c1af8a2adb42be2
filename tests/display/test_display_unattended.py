"""The terminal supervisor board (Textual pilot, real hub): a window whose terminal died is
marked 无人值守 with an urgent alert, and the supervisor force-closes it from the board."""

from __future__ import annotations

from typing import Any

from support.hubclient import hub_client
from support.wait import wait_for
from textual.widgets import Input, Select, TabbedContent

from display.app import DisplayApp
from display.widgets.windows import WindowCell

UNATTENDED_AFTER = 0.5  # seconds (the hub's 60 s made short; the test waits for the condition)


async def test_unattended_window_is_marked_and_force_closed(hub: Any) -> None:
    await hub.stop()
    await hub.start(unattended_after=UNATTENDED_AFTER)
    staff, pin = hub.supervisor
    sup = DisplayApp(hub.url, supervisor=True, staff=staff)
    async with sup.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await wait_for(lambda: sup.screen.query("#pin"), what="PIN form")
        sup.screen.query_one("#pin", Input).value = pin
        await pilot.press("enter")
        await wait_for(lambda: sup.state.loaded, what="welcome")

        async with hub_client(hub, "kiosk") as kiosk:
            issued = await kiosk.request("issue", service="MZ-01")
            async with hub_client(hub, "counter", window=13) as counter:
                await counter.request("call_next")
            # the counter's terminal is gone with the ticket called

        cell = sup.board.query_one("#window-13", WindowCell)
        await wait_for(
            lambda: cell.has_class("-unattended") and "无人值守" in str(cell.render()),
            what="the 无人值守 mark",
        )
        alerts = await wait_for(
            lambda: [a for a in sup.state.alerts(sup.now(), "zh") if a.kind == "unattended"],
            what="the unattended alert",
        )
        assert alerts[0].severity == "error" and issued["ticket"]["number"] in alerts[0].text

        # force-close from the actions tab; the ticket goes back to the front of its queue
        sup.board.query_one(TabbedContent).active = "tab-actions"
        await pilot.pause()
        sup.board.query_one("#window-pick", Select).value = 13
        await pilot.pause()
        await pilot.click("#window-close")
        await wait_for(lambda: sup.screen.query("#confirm-requeue"), what="the question")
        assert not sup.screen.query("#confirm-done")  # a called ticket: no "done" button
        await pilot.click("#confirm-requeue")
        tid = issued["ticket"]["id"]
        await wait_for(
            lambda: (
                sup.state.windows[13].get("state") == "closed"
                and sup.state.tickets[tid]["state"] == "waiting"
            ),
            what="window 13 closed, the ticket waiting",
        )
        assert sup.state.tickets[tid]["handoffs"][-1]["from_window"] == 13
        await wait_for(lambda: not cell.has_class("-unattended"), what="the mark gone")
        assert not [a for a in sup.state.alerts(sup.now(), "zh") if a.kind == "unattended"]
