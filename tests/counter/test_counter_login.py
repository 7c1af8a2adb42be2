"""Login against a real hub: each refusal gets its own plain message; a good PIN opens the window.

One hub per test (the fixture is slow to build), several apps in turn.
"""

from __future__ import annotations

from typing import Any

from counter_helpers import (
    SIZE,
    counter_app,
    hub_client,
    issue,
    kiosk,
    log_in,
    logged_in,
    login_message,
    until,
)

from counter.app import CounterApp
from counter.screens.main import MainScreen
from counter.strings import t
from counter.widgets.tables import TicketTable


async def test_login_refusals_then_success(hub: Any) -> None:
    # a window the clerk may not use (c003 is only allowed at window 3)
    staff, pin = hub.clerk(3)
    app = CounterApp(4, staff=staff, hub_url=hub.url)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, pin)
        await until(
            pilot, lambda: login_message(app) == t("zh", "forbidden_window", window="4号窗口")
        )

    # a window someone else holds: c002 holds window 2, c001 may use it too
    async with hub_client(hub, {"role": "counter", "staff": "c002", "pin": "1234", "window": 2}):
        app = CounterApp(2, staff="c001", hub_url=hub.url, lang="en")
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "1234")
            await until(
                pilot, lambda: login_message(app) == t("en", "window_taken", window="Window 2")
            )

    # empty fields, an unknown staff id, a wrong PIN, then the right one
    app = CounterApp(3, hub_url=hub.url)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1234")
        assert login_message(app) == t("zh", "need_staff_pin")
        await log_in(pilot, "1234", staff="nobody")
        await until(pilot, lambda: login_message(app) == t("zh", "auth_failed"))
        await log_in(pilot, "0000", staff=staff)
        await until(pilot, lambda: login_message(app) == t("zh", "auth_failed"))
        assert app.screen.query_one("#pin").value == ""  # type: ignore[attr-defined]
        await logged_in(pilot, pin)
        assert isinstance(app.screen, MainScreen)
        assert app.state.window_state == "open" and app.state.staff == staff

        # the queue is live, and a refusal of the hub is one plain sentence in the log
        queue = app.screen.query_one("#queue", TicketTable)
        async with kiosk(hub) as k:
            ticket = await issue(k, "WT-01")
        await until(pilot, lambda: queue.row_count == 1, what="ticket in the queue")
        other = {"role": "counter", "staff": "c004", "pin": "1234", "window": 4}
        async with hub_client(hub, other) as window4:
            await window4.request("call", ticket=ticket["id"])  # window 4 was quicker
            app.send("call", {"ticket": ticket["id"]}, "never logged")
            await until(pilot, lambda: not app.busy and app.log_lines != [])
        assert app.log_lines[-1].endswith("失败：该号当前状态不允许此操作。")
        await until(pilot, lambda: queue.row_count == 0)


async def test_hub_unreachable() -> None:
    app = CounterApp(3, staff="c003", hub_url="ws://127.0.0.1:9/ws", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "1234")
        await until(pilot, lambda: "Cannot reach the hub" in login_message(app), timeout=10)
        assert not app.screen.query_one("#pin").disabled  # type: ignore[attr-defined]


async def test_locked_after_five_failures(hub: Any) -> None:
    app = counter_app(hub, 3, lang="en")
    locked, wrong = t("en", "locked"), t("en", "auth_failed")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(6):
            await log_in(pilot, "0000")
            await until(pilot, lambda: login_message(app) in (locked, wrong))
            if login_message(app) == locked:
                break
            app.screen.query_one("#login-message").update("")  # type: ignore[attr-defined]
        assert login_message(app) == locked
        # even the right PIN is refused while locked
        app.screen.query_one("#login-message").update("")  # type: ignore[attr-defined]
        await log_in(pilot, "1234")
        await until(pilot, lambda: login_message(app) == locked)
