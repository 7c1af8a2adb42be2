"""Offline and back: the hub stops mid-service and restarts; the session and the ticket come back,
and a request made while offline is carried out exactly once."""

from __future__ import annotations

from typing import Any

from counter_helpers import SIZE, counter_app, figures_match_hub, issue, logged_in
from support.hubclient import hub_client
from support.wait import wait_for
from textual.widgets import Button

from counter.screens.main import MainScreen
from counter.widgets.banner import OfflineBanner


async def test_hub_restart_mid_service(hub: Any) -> None:
    async with hub_client(hub, "kiosk") as k:
        ticket = await issue(k, "WT-01")
        await issue(k, "WT-02")
    app = counter_app(hub, 3)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot)
        banner = app.screen.query_one(OfflineBanner)
        assert not banner.display
        await pilot.press("f1")
        await wait_for(lambda: app.state.current() is not None and not app.busy, pilot=pilot)
        await pilot.press("f3")
        await wait_for(
            lambda: app.state.current()["state"] == "serving" and not app.busy, pilot=pilot
        )  # type: ignore[index]

        await hub.stop()
        await wait_for(lambda: not app.online, what="offline", pilot=pilot)
        await pilot.pause()
        assert banner.display
        assert all(b.disabled for b in app.screen.query(Button))
        await pilot.press("f4")  # disabled while offline: nothing is sent
        await pilot.pause(0.1)
        assert not app.busy

        await hub.start()
        await wait_for(lambda: app.online, timeout=15, what="reconnect", pilot=pilot)
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)  # same session: no PIN asked again
        assert not banner.display
        cur = app.state.current()
        assert cur is not None and cur["id"] == ticket["id"] and cur["state"] == "serving"
        assert not app.screen.query_one("#act-finish_done", Button).disabled

        # a request made just before the drop is resent with its id after the reconnect
        await hub.stop()
        await wait_for(lambda: not app.online, what="offline again", pilot=pilot)
        app.send("finish", {"outcome": "done"}, "done offline")
        await pilot.pause(0.1)
        assert app.busy
        await hub.start()
        await wait_for(
            lambda: app.state.tickets[ticket["id"]]["state"] == "done", timeout=15, pilot=pilot
        )
        await wait_for(lambda: not app.busy, pilot=pilot)
        assert app.log_lines[-1].endswith("done offline")
        assert not any("失败" in line for line in app.log_lines)
        async with hub_client(hub, "supervisor") as sup:
            await figures_match_hub(pilot, sup)
            metrics = (await sup.request("metrics"))["metrics"]
            mine = next(w for w in metrics["windows"] if w["window"] == 3)
            assert mine["completed"] == 1 and mine["received"] == 1
