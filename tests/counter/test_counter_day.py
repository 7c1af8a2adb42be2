"""A full day in miniature at window 3 (mouse on the buttons), with window 7 receiving a handoff.

After each step the figures panel must show exactly what the hub's metrics say.
"""

from __future__ import annotations

from typing import Any

from counter_helpers import SIZE, counter_app, figures_match_hub, issue, logged_in
from support.hubclient import hub_client
from support.wait import wait_for
from textual.pilot import Pilot
from textual.widgets import Button, Input

from counter.app import CounterApp
from counter.screens.login import LoginScreen
from counter.screens.reason import ReasonDialog
from counter.screens.transfer import TransferDialog
from counter.widgets.current import CurrentTicket
from counter.widgets.tables import TicketTable


def current(app: CounterApp) -> dict[str, Any]:
    """The called or serving ticket ({} when none)."""
    return app.state.current() or {}


def state_of(app: CounterApp, ticket_id: str) -> str:
    return str(app.state.tickets[ticket_id]["state"])


async def click(pilot: Pilot[Any], action: str) -> None:
    """Click an action button (it must be enabled) and let the reply come back."""
    app: CounterApp = pilot.app  # type: ignore[assignment]
    button = app.screen.query_one(f"#act-{action}", Button)
    assert not button.disabled, f"{action} is disabled"
    await pilot.click(f"#act-{action}")
    await pilot.pause()
    await wait_for(lambda: not app.busy, what=f"{action} reply", pilot=pilot)


def enabled(app: CounterApp) -> set[str]:
    return {b.id.removeprefix("act-") for b in app.screen.query(Button) if b.id and not b.disabled}


async def test_full_day(hub: Any) -> None:
    departments = [d.code for d in hub.hall.departments]
    async with hub_client(hub, "kiosk") as k, hub_client(hub, "supervisor") as sup:
        a1 = await issue(k, "WT-01")
        a2 = await issue(k, "WT-02")
        a3 = await issue(k, "WT-01")
        a4 = await issue(k, "WT-03")
        early_jg = await issue(k, "JG-01")  # waits at window 7 before the handoff arrives

        app = counter_app(hub, 3)
        other = counter_app(hub, 7, lang="en")
        async with app.run_test(size=SIZE) as pilot, other.run_test(size=SIZE) as pilot7:
            await logged_in(pilot)
            await logged_in(pilot7)
            await figures_match_hub(pilot, sup)
            assert enabled(app) == {"call_next", "pause_resume", "logout"}
            queue = app.screen.query_one("#queue", TicketTable)
            assert queue.row_count == 4

            # call next, recall, start, done
            await click(pilot, "call_next")
            await wait_for(lambda: current(app).get("id") == a1["id"], pilot=pilot)
            assert app.state.call_reason(current(app)) == "fifo"
            assert enabled(app) == {"recall", "start", "no_show"}
            await click(pilot, "recall")
            await wait_for(lambda: current(app)["recalls"] == 1, pilot=pilot)
            await click(pilot, "start")
            await wait_for(lambda: state_of(app, a1["id"]) == "serving", pilot=pilot)
            assert enabled(app) == {"finish_done", "finish_pending", "transfer", "park"}
            await figures_match_hub(pilot, sup)
            await click(pilot, "finish_done")
            await wait_for(lambda: state_of(app, a1["id"]) == "done", pilot=pilot)
            await figures_match_hub(pilot, sup)

            # call, start, transfer to window 7 with a reason; window 7 gets it first
            await click(pilot, "call_next")
            await wait_for(lambda: current(app).get("id") == a2["id"], pilot=pilot)
            await click(pilot, "start")
            await wait_for(lambda: state_of(app, a2["id"]) == "serving", pilot=pilot)
            await pilot.click("#act-transfer")
            await wait_for(lambda: isinstance(app.screen, TransferDialog), pilot=pilot)
            await pilot.press(*["down"] * departments.index("JG"), "enter")  # department 建管局
            await pilot.press("enter")  # its first service, JG-01
            await pilot.press("down", "enter")  # window 7
            await pilot.click("#ok")  # no reason yet: refused in the dialog
            assert isinstance(app.screen, TransferDialog)
            await pilot.click("#reason")
            await pilot.press(*"needs JG", "enter")
            await wait_for(lambda: state_of(app, a2["id"]) == "waiting", pilot=pilot)
            moved = app.state.tickets[a2["id"]]
            assert moved["number"] == a2["number"] and moved["service"] == "JG-01"
            assert moved["target_window"] == 7 and moved["handoffs"][-1]["reason"] == "needs JG"
            await figures_match_hub(pilot, sup)

            await wait_for(
                lambda: a2["id"] in {t["id"] for t, _ in other.state.queue(other.now())},
                pilot=pilot7,
            )
            order = [t["id"] for t, _ in other.state.queue(other.now())]
            assert order[0] == a2["id"] and early_jg["id"] in order  # the handoff comes first
            await click(pilot7, "call_next")
            await wait_for(lambda: current(other).get("id") == a2["id"], pilot=pilot7)
            assert other.state.call_reason(current(other)) == "transferred"
            await click(pilot7, "start")
            await wait_for(lambda: state_of(other, a2["id"]) == "serving", pilot=pilot7)
            shown = str(other.screen.query_one(CurrentTicket).render())
            assert a2["number"] in shown and "needs JG" in shown and "c003" in shown
            assert current(other)["first_responsible"] == {"staff": "c003", "window": 3}
            await click(pilot7, "finish_done")
            await figures_match_hub(pilot7, sup)
            await figures_match_hub(pilot, sup)

            # park / unpark
            await click(pilot, "call_next")
            await wait_for(lambda: current(app).get("id") == a3["id"], pilot=pilot)
            await click(pilot, "start")
            await wait_for(lambda: state_of(app, a3["id"]) == "serving", pilot=pilot)
            await pilot.click("#act-park")
            await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
            await pilot.press("1")  # 取材料
            await wait_for(lambda: state_of(app, a3["id"]) == "parked", pilot=pilot)
            parked = app.screen.query_one("#parked", TicketTable)
            await wait_for(lambda: parked.row_count == 1, pilot=pilot)
            await figures_match_hub(pilot, sup)
            await pilot.click("#parked", offset=(4, 2))  # highlight the row …
            await pilot.click("#parked", offset=(4, 2))  # … and choose it
            await wait_for(lambda: state_of(app, a3["id"]) == "serving", pilot=pilot)
            await click(pilot, "finish_pending")
            await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
            await pilot.press(*"补正材料", "enter")
            await wait_for(lambda: state_of(app, a3["id"]) == "pending", pilot=pilot)
            assert app.state.tickets[a3["id"]]["note"] == "补正材料"
            await figures_match_hub(pilot, sup)

            # no-show, then the citizen turns up: requeue
            await click(pilot, "call_next")
            await wait_for(lambda: current(app).get("id") == a4["id"], pilot=pilot)
            await click(pilot, "no_show")
            await wait_for(lambda: state_of(app, a4["id"]) == "no_show", pilot=pilot)
            no_shows = app.screen.query_one("#no-shows", TicketTable)
            await wait_for(lambda: no_shows.row_count == 1, pilot=pilot)
            await figures_match_hub(pilot, sup)
            no_shows.focus()
            await pilot.press("enter")
            await wait_for(lambda: state_of(app, a4["id"]) == "waiting", pilot=pilot)
            assert [t["id"] for t, _ in app.state.queue(app.now())] == [a4["id"]]
            # choosing it in the queue calls it out of order
            queue.focus()
            await pilot.press("enter")
            await wait_for(lambda: current(app).get("id") == a4["id"], pilot=pilot)
            assert app.state.call_reason(current(app)) == "chosen"
            await click(pilot, "start")
            await wait_for(lambda: state_of(app, a4["id"]) == "serving", pilot=pilot)
            await click(pilot, "finish_done")
            await wait_for(lambda: state_of(app, a4["id"]) == "done", pilot=pilot)
            await figures_match_hub(pilot, sup)

            # pause (reason required) and resume
            await click(pilot, "pause_resume")
            await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
            await pilot.press("4")  # other: type it
            await pilot.press("enter")
            assert isinstance(app.screen, ReasonDialog)  # empty: refused
            assert app.screen.query_one("#reason", Input).has_focus
            await pilot.press(*"培训", "enter")
            await wait_for(lambda: app.state.window_state == "paused", pilot=pilot)
            assert app.state.window()["pause_reason"] == "培训"
            assert enabled(app) == {"pause_resume", "logout"}
            assert "F9 恢复" == str(app.screen.query_one("#act-pause_resume", Button).label)
            await click(pilot, "pause_resume")
            await wait_for(lambda: app.state.window_state == "open", pilot=pilot)
            await figures_match_hub(pilot, sup)

            # logout: back to the login form, the window is closed at the hub
            await click(pilot, "logout")
            await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
            windows = (await sup.request("metrics"))["metrics"]["windows"]
            mine = next(w for w in windows if w["window"] == 3)
            assert mine["received"] == 4 and mine["completed"] == 2 and mine["pending"] == 1
            assert mine["transferred_out"] == 1 and mine["no_show"] == 1
            log = "\n".join(app.log_lines)
            for number in (a1["number"], a2["number"], a3["number"], a4["number"]):
                assert number in log
