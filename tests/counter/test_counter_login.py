"""Login against a real hub: each refusal shows the hub's own words; a good PIN opens the window.

One hub per test (the fixture is slow to build), several apps in turn.
"""

from __future__ import annotations

from typing import Any

import pytest
from counter_helpers import (
    SIZE,
    counter_app,
    hub_client,
    hub_refusal,
    issue,
    kiosk,
    log_in,
    logged_in,
    login_message,
    supervisor,
    until,
)

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
    forbidden = await hub_refusal(
        hub, {"role": "counter", "staff": staff, "pin": pin, "window": 4, "lang": "zh"}
    )
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, pin)
        await until(pilot, lambda: login_message(app) == forbidden)

    # a window someone else holds: c002 holds window 2, c001 may use it too
    async with hub_client(hub, {"role": "counter", "staff": "c002", "pin": "1234", "window": 2}):
        app = CounterApp(2, staff="c001", hub_url=hub.url, lang="en")
        taken = await hub_refusal(
            hub, {"role": "counter", "staff": "c001", "pin": "1234", "window": 2, "lang": "en"}
        )
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "1234")
            await until(pilot, lambda: login_message(app) == taken)

    # empty fields, an unknown staff id, a wrong PIN, then the right one
    app = CounterApp(3, hub_url=hub.url)
    wrong = await hub_refusal(
        hub, {"role": "counter", "staff": "nobody", "pin": "1234", "window": 3, "lang": "zh"}
    )
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1234")
        assert login_message(app) == t("need_staff_pin", "zh")
        await log_in(pilot, "1234", staff="nobody")
        await until(pilot, lambda: login_message(app) == wrong)
        await log_in(pilot, "0000", staff=staff)
        await until(pilot, lambda: login_message(app) == wrong)
        assert app.screen.query_one("#pin").value == ""  # type: ignore[attr-defined]
        await logged_in(pilot, pin)
        assert isinstance(app.screen, MainScreen)
        assert app.state.window_state == "open" and app.state.staff == staff

        # the queue is live, and a refusal of the hub is logged in the hub's own words
        queue = app.screen.query_one("#queue", TicketTable)
        async with kiosk(hub) as k:
            ticket = await issue(k, "WT-01")
        await until(pilot, lambda: queue.row_count == 1, what="ticket in the queue")
        other = {"role": "counter", "staff": "c004", "pin": "1234", "window": 4}
        # window 31 serves WT-01 too and is free: the hub refuses it the same call
        same = {"role": "counter", "staff": "c031", "pin": "1234", "window": 31}
        async with hub_client(hub, other) as window4, hub_client(hub, same) as window31:
            await window4.request("call", ticket=ticket["id"])  # window 4 was quicker
            app.send("call", {"ticket": ticket["id"]}, "never logged")
            await until(pilot, lambda: not app.busy and app.log_lines != [])
            with pytest.raises(HubError) as refused:
                await window31.request("call", ticket=ticket["id"])
        assert refused.value.message
        assert app.log_lines[-1].endswith(f"失败：{refused.value.message}")
        await until(pilot, lambda: queue.row_count == 0)


async def test_hub_unreachable() -> None:
    app = CounterApp(3, staff="c003", hub_url="ws://127.0.0.1:9/ws", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1234")
        await until(pilot, lambda: "Cannot reach the hub" in login_message(app), timeout=10)
        assert not app.screen.query_one("#pin").disabled  # type: ignore[attr-defined]


async def test_locked_after_five_failures(hub: Any) -> None:
    app = counter_app(hub, 3, lang="en")
    staff, pin = hub.clerk(3)
    hello = {"role": "counter", "staff": staff, "window": 3, "lang": "en"}
    wrong = await hub_refusal(hub, {**hello, "staff": "nobody", "pin": "0000"})
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(6):
            await log_in(pilot, "0000")
            await until(pilot, lambda: login_message(app) not in ("", t("connecting", "en")))
            if login_message(app) != wrong:
                break
            app.screen.query_one("#login-message").update("")  # type: ignore[attr-defined]
        locked = login_message(app)  # a failure locked the staff id
        assert locked != wrong
        # even the right PIN is refused while locked, in the hub's words
        still_locked = await hub_refusal(hub, {**hello, "pin": pin})
        assert still_locked != wrong
        app.screen.query_one("#login-message").update("")  # type: ignore[attr-defined]
        await log_in(pilot, pin)
        await until(pilot, lambda: login_message(app) == still_locked)


async def test_a_window_closed_by_a_supervisor_ends_the_session_without_reconnecting(
    hub: Any,
) -> None:
    app = counter_app(hub, 13)
    async with app.run_test(size=SIZE) as pilot:
        await logged_in(pilot, "1234")
        async with kiosk(hub) as k:
            await issue(k, "MZ-01")
        app.send("call_next", {}, "called")
        await until(pilot, lambda: app.state.current() is not None, what="a called ticket")
        async with supervisor(hub) as s:
            reply = await s.request("close_window", window=13)
        assert reply["ticket"]["state"] == "waiting"  # back at the front of its queue
        await until(
            pilot,
            lambda: isinstance(app.screen, LoginScreen) and login_message(app) != "",
            what="the message",
        )
        assert login_message(app) in (
            t("window_closed_by_supervisor", "zh"),
            "值班主管关闭了 13 号窗口，您已退出登录",
        )
        assert app.link.client is None  # no reconnect loop
        await pilot.pause(0.5)
        assert isinstance(app.screen, LoginScreen) and app.link.client is None
        assert hub.server.engine.windows[13]["state"] == "closed"
