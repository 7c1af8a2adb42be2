"""Login against a real hub: each refusal shows the hub's own words; a good PIN opens the window.

One hub per test (the fixture is slow to build), several apps in turn.
"""

from __future__ import annotations

from typing import Any

import pytest
from counter_helpers import SIZE, counter_app, issue, log_in, logged_in, login_message
from support.hubclient import hub_client
from support.raw import refusal
from support.wait import wait_for

from counter.app import CounterApp
from counter.screens.login import LoginScreen
from counter.screens.main import MainScreen
from counter.strings import t
from counter.widgets.tables import TicketTable
from shared.client import HubError


async def test_login_refusals_then_success(hub: Any) -> None:
    # a window the clerk may not use (c003 is only allowed at window 3)
    staff, pin = hub.clerk(3)
    app = CounterApp(4, staff=staff, hub_url=hub.url)
    forbidden = await refusal(hub, "counter", staff=staff, pin=pin, window=4, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, pin)
        await wait_for(lambda: login_message(app) == forbidden, pilot=pilot)
    assert forbidden == f"工号 {staff} 无权使用 4 号窗口"
    # a window the hall does not have: said so, not "no permission"
    app = CounterApp(999, staff=staff, hub_url=hub.url, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, pin)
        await wait_for(lambda: login_message(app) == "This hall has no window 999", pilot=pilot)

    # a window someone else holds: c002 holds window 2, c001 may use it too
    async with hub_client(hub, "counter", staff="c002", window=2):
        app = CounterApp(2, staff="c001", hub_url=hub.url, lang="en")
        taken = await refusal(hub, "counter", staff="c001", pin="1234", window=2, lang="en")
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "1234")
            await wait_for(lambda: login_message(app) == taken, pilot=pilot)

    # empty fields, an unknown staff id, a wrong PIN, then the right one
    app = CounterApp(3, hub_url=hub.url)
    wrong = await refusal(hub, "counter", staff="nobody", pin="1234", window=3, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1234")
        assert login_message(app) == t("need_staff_pin", "zh")
        await log_in(pilot, "1234", staff="nobody")
        await wait_for(lambda: login_message(app) == wrong, pilot=pilot)
        await log_in(pilot, "0000", staff=staff)
        await wait_for(lambda: login_message(app) == wrong, pilot=pilot)
        assert app.screen.query_one("#pin").value == ""  # type: ignore[attr-defined]
        await logged_in(pilot, pin)
        assert isinstance(app.screen, MainScreen)
        assert app.state.window_state == "open" and app.state.staff == staff

        # the queue is live, and a refusal of the hub is logged in the hub's own words
        queue = app.screen.query_one("#queue", TicketTable)
        async with hub_client(hub, "kiosk") as k:
            ticket = await issue(k, "WT-01")
        await wait_for(lambda: queue.row_count == 1, what="ticket in the queue", pilot=pilot)
        # window 31 serves WT-01 too and is free: the hub refuses it the same call
        async with (
            hub_client(hub, "counter", staff="c004", window=4) as window4,
            hub_client(hub, "counter", staff="c031", window=31) as window31,
        ):
            await window4.request("call", ticket=ticket["id"])  # window 4 was quicker
            app.send("call", {"ticket": ticket["id"]}, "never logged")
            await wait_for(lambda: not app.busy and app.log_lines != [], pilot=pilot)
            with pytest.raises(HubError) as refused:
                await window31.request("call", ticket=ticket["id"])
        assert refused.value.message
        assert app.log_lines[-1].endswith(f"失败：{refused.value.message}")
        await wait_for(lambda: queue.row_count == 0, pilot=pilot)


async def test_hub_unreachable() -> None:
    app = CounterApp(3, staff="c003", hub_url="ws://127.0.0.1:9/ws", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1234")
        await wait_for(lambda: "Cannot reach the hub" in login_message(app), pilot=pilot)
        assert not app.screen.query_one("#pin").disabled  # type: ignore[attr-defined]


async def test_locked_after_five_failures(hub: Any) -> None:
    app = counter_app(hub, 3, lang="en")
    staff, pin = hub.clerk(3)
    wrong = await refusal(hub, "counter", staff="nobody", pin="0000", window=3, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(6):
            await log_in(pilot, "0000")
            await wait_for(
                lambda: login_message(app) not in ("", t("connecting", "en")), pilot=pilot
            )
            if login_message(app) != wrong:
                break
            app.screen.query_one("#login-message").update("")  # type: ignore[attr-defined]
        locked = login_message(app)  # a failure locked the staff id
        assert locked != wrong
        # even the right PIN is refused while locked, in the hub's words
        still_locked = await refusal(hub, "counter", staff=staff, pin=pin, window=3, lang="en")
        assert still_locked != wrong
        app.screen.query_one("#login-message").update("")  # type: ignore[attr-defined]
        await log_in(pilot, pin)
        await wait_for(lambda: login_message(app) == still_locked, pilot=pilot)


async def test_a_window_closed_by_a_supervisor_ends_the_session_without_reconnecting(
    hub: Any,
) -> None:
    app = counter_app(hub, 13)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "1234")
        async with hub_client(hub, "kiosk") as k:
            await issue(k, "MZ-01")
        app.send("call_next", {}, "called")
        await wait_for(lambda: app.state.current() is not None, what="a called ticket", pilot=pilot)
        async with hub_client(hub, "supervisor") as s:
            reply = await s.request("close_window", window=13)
        assert reply["ticket"]["state"] == "waiting"  # back at the front of its queue
        await wait_for(
            lambda: isinstance(app.screen, LoginScreen) and login_message(app) != "",
            what="the message",
            pilot=pilot,
        )
        assert login_message(app) in (
            t("window_closed_by_supervisor", "zh"),
            "值班主管关闭了 13 号窗口，您已退出登录",
        )
        assert app.link.client is None  # no reconnect loop
        await pilot.pause(0.5)
        assert isinstance(app.screen, LoginScreen) and app.link.client is None
        assert hub.server.engine.windows[13]["state"] == "closed"
