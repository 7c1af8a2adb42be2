"""The whole flow with the keyboard alone (F1–F10, Tab, Enter, digits), and actions that do not fit."""

from __future__ import annotations

from typing import Any

from counter_helpers import SIZE, counter_app, figures_match_hub, issue
from support.hubclient import hub_client
from support.wait import wait_for
from textual.widgets import Button

from counter.app import CounterApp
from counter.screens.login import LoginScreen
from counter.screens.main import MainScreen
from counter.screens.reason import ReasonDialog
from counter.screens.transfer import TransferDialog
from counter.widgets.tables import TicketTable


def state_of(app: CounterApp, ticket_id: str) -> str:
    return str(app.state.tickets[ticket_id]["state"])


def current_id(app: CounterApp) -> str | None:
    cur = app.state.current()
    return cur["id"] if cur else None


async def test_keyboard_only(hub: Any) -> None:
    departments = [d.code for d in hub.hall.departments]
    async with hub_client(hub, "kiosk") as k, hub_client(hub, "supervisor") as sup:
        t1 = await issue(k, "WT-01")
        t2 = await issue(k, "WT-02", priority="priority")
        t3 = await issue(k, "WT-03")
        app = counter_app(hub, 3, lang="en")
        async with app.run_test(size=SIZE) as pilot:
            # login: the staff id is prefilled, the PIN field has the focus
            await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
            await pilot.press(*"1234", "enter")
            await wait_for(lambda: isinstance(app.screen, MainScreen) and app.online, pilot=pilot)
            idle = lambda: not app.busy  # noqa: E731

            # disabled, not hidden: nothing is called, so F2/F3/F4/F7 are greyed out and do nothing
            for action in ("recall", "start", "finish_done", "no_show", "transfer"):
                button = app.screen.query_one(f"#act-{action}", Button)
                assert button.disabled and button.display
            await pilot.press("f3", "f2", "f4", "f7")
            await pilot.pause(0.2)
            assert app.log_lines == [] and current_id(app) is None

            # F1 call (priority first), F2 recall, F3 start, F5 pending with a note
            await pilot.press("f1")
            await wait_for(lambda: current_id(app) == t2["id"], pilot=pilot)
            assert app.state.call_reason(app.state.current()) == "priority"  # type: ignore[arg-type]
            await pilot.press("f2")
            await wait_for(
                lambda: app.state.tickets[t2["id"]]["recalls"] == 1 and idle(), pilot=pilot
            )
            await pilot.press("f3")
            await wait_for(lambda: state_of(app, t2["id"]) == "serving" and idle(), pilot=pilot)
            await pilot.press("f5")
            await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
            await pilot.press(*"ID card copy", "enter")
            await wait_for(lambda: state_of(app, t2["id"]) == "pending" and idle(), pilot=pilot)
            await figures_match_hub(pilot, sup)

            # F1, F3, F6: transfer to a service of another department, any window; Esc cancels first
            await pilot.press("f1")
            await wait_for(lambda: current_id(app) == t1["id"] and idle(), pilot=pilot)
            await pilot.press("f3")
            await wait_for(lambda: state_of(app, t1["id"]) == "serving" and idle(), pilot=pilot)
            await pilot.press("f6")
            await wait_for(lambda: isinstance(app.screen, TransferDialog), pilot=pilot)
            await pilot.press("escape")
            await wait_for(lambda: isinstance(app.screen, MainScreen), pilot=pilot)
            assert state_of(app, t1["id"]) == "serving"
            await pilot.press("f6")
            await wait_for(lambda: isinstance(app.screen, TransferDialog), pilot=pilot)
            await pilot.press(*["down"] * departments.index("JG"), "enter", "enter", "enter")
            await pilot.press(*"wrong counter", "enter")
            await wait_for(lambda: state_of(app, t1["id"]) == "waiting" and idle(), pilot=pilot)
            moved = app.state.tickets[t1["id"]]
            assert moved["service"] == "JG-01" and moved["target_window"] is None
            assert moved["number"] == t1["number"]
            await figures_match_hub(pilot, sup)

            # F1, F7 no-show; Tab Tab to the no-show list, Enter requeues it
            await pilot.press("f1")
            await wait_for(lambda: current_id(app) == t3["id"] and idle(), pilot=pilot)
            await pilot.press("f7")
            await wait_for(lambda: state_of(app, t3["id"]) == "no_show" and idle(), pilot=pilot)
            assert isinstance(app.screen.focused, TicketTable) and app.screen.focused.id == "queue"
            await pilot.press("tab", "tab")
            assert app.screen.focused is not None and app.screen.focused.id == "no-shows"
            await pilot.press("enter")
            await wait_for(lambda: state_of(app, t3["id"]) == "waiting" and idle(), pilot=pilot)
            # Shift+Tab back to the queue, Enter calls the chosen ticket
            await pilot.press("shift+tab", "shift+tab", "enter")
            await wait_for(lambda: current_id(app) == t3["id"] and idle(), pilot=pilot)
            assert app.state.call_reason(app.state.current()) == "chosen"  # type: ignore[arg-type]

            # F3, F8 park with reason 2, Tab to the parked list, Enter unparks, F4 done
            await pilot.press("f3")
            await wait_for(lambda: state_of(app, t3["id"]) == "serving" and idle(), pilot=pilot)
            await pilot.press("f8")
            await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
            await pilot.press("2")
            await wait_for(lambda: state_of(app, t3["id"]) == "parked" and idle(), pilot=pilot)
            await pilot.press("tab", "enter")
            await wait_for(lambda: state_of(app, t3["id"]) == "serving" and idle(), pilot=pilot)
            await pilot.press("f4")
            await wait_for(lambda: state_of(app, t3["id"]) == "done" and idle(), pilot=pilot)
            await figures_match_hub(pilot, sup)

            # F9 pause with reason 1 (lunch), F9 resume, F10 logout
            await pilot.press("f9")
            await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
            await pilot.press("1")
            await wait_for(lambda: app.state.window_state == "paused" and idle(), pilot=pilot)
            assert app.state.window()["pause_reason"] == "午休"
            assert app.screen.query_one("#act-call_next", Button).disabled
            await pilot.press("f1")  # paused: calling is not offered
            await pilot.pause(0.2)
            assert current_id(app) is None
            await pilot.press("f9")
            await wait_for(lambda: app.state.window_state == "open" and idle(), pilot=pilot)
            await pilot.press("f10")
            await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
            assert not any("Failed" in line for line in app.log_lines)
