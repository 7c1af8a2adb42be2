"""The counter's cases view (办件, F12) by keys against a real hub: the department's open cases,
search by case id, ticket number or date, complete (F1, with a note) and return (F2, 退件 with
a required reason); the case leaves the list when the hub's event comes back."""

from __future__ import annotations

from typing import Any

from counter_helpers import SIZE, counter_app, issue
from support.hubclient import hub_client
from support.wait import wait_for
from textual.widgets import DataTable, Input

from counter.app import CounterApp
from counter.screens.cases import CasesScreen
from counter.screens.login import LoginScreen
from counter.screens.main import MainScreen
from counter.screens.reason import ReasonDialog
from counter.widgets.figures import Figures


def rows(app: CounterApp) -> list[str]:
    table = app.screen.query_one("#cases-table", DataTable)
    return [str(r.key.value) for r in table.ordered_rows]


async def test_cases_view_by_keys(hub: Any) -> None:
    async with hub_client(hub, "kiosk") as k, hub_client(hub, "supervisor") as sup:
        t1 = await issue(k, "WT-01")
        t2 = await issue(k, "WT-02")
        other = await issue(k, "JS-01")  # another department: not in window 3's list
        async with hub_client(hub, "counter", window=1) as w1:
            await w1.request("call_next")
            await w1.request("start")
            await w1.request("finish", outcome="pending")
        app = counter_app(hub, 3)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
            await pilot.press(*"1234", "enter")
            await wait_for(lambda: isinstance(app.screen, MainScreen) and app.online, pilot=pilot)
            idle = lambda: not app.busy  # noqa: E731
            # two visits left pending at this window: two open cases (承诺件)
            for _ in range(2):
                await pilot.press("f1")
                await wait_for(lambda: app.state.current() is not None and idle(), pilot=pilot)
                await pilot.press("f3")
                await wait_for(
                    lambda: app.state.current()["state"] == "serving" and idle(), pilot=pilot
                )  # type: ignore[index]
                await pilot.press("f5")
                await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
                await pilot.press("enter")
                await wait_for(lambda: app.state.current() is None and idle(), pilot=pilot)
            # the welcome held its departments' cases (none yet), the events add these two
            await wait_for(lambda: len(app.state.cases) == 2, pilot=pilot)
            subtitle = str(app.screen.query_one(Figures).border_subtitle)
            assert subtitle.startswith("F12 办件 2")

            # F12: the department's cases only, the earliest due first (WT-02: 5 days)
            await pilot.press("f12")
            await wait_for(lambda: isinstance(app.screen, CasesScreen), pilot=pilot)
            await wait_for(lambda: rows(app) == [t2["id"], t1["id"]], pilot=pilot)
            assert other["id"] not in rows(app)

            # F3 search: a ticket number, a date that fits nothing, then today's date
            await pilot.press("f3")
            await pilot.press(*t1["number"])
            await wait_for(lambda: rows(app) == [t1["id"]], pilot=pilot)
            search = app.screen.query_one("#cases-search", Input)
            search.value = "2099-01"  # no case received or due then
            await wait_for(lambda: rows(app) == [], pilot=pilot)
            search.value = app.state.day
            await wait_for(lambda: rows(app) == [t2["id"], t1["id"]], pilot=pilot)
            search.value = ""
            await pilot.press("enter")  # back to the list

            # F1 on the first (t2): a note, Enter; the case leaves the list
            await pilot.press("f1")
            await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
            await pilot.press(*"ok", "enter")
            await wait_for(
                lambda: isinstance(app.screen, CasesScreen) and rows(app) == [t1["id"]],
                pilot=pilot,
            )
            assert any("已办结" in line for line in app.log_lines)
            # F2: a return needs a reason (an empty one is refused by the dialog)
            await pilot.press("f2")
            await wait_for(lambda: isinstance(app.screen, ReasonDialog), pilot=pilot)
            await pilot.press("enter")
            assert isinstance(app.screen, ReasonDialog)
            await pilot.press(*"missing", "enter")
            await wait_for(
                lambda: isinstance(app.screen, CasesScreen) and rows(app) == [], pilot=pilot
            )
            assert "没有在办办件" in str(app.screen.query_one("#cases-empty").render())
            await pilot.press("escape")
            await wait_for(lambda: isinstance(app.screen, MainScreen), pilot=pilot)
            await wait_for(lambda: idle(), pilot=pilot)
        welcome = await sup.request("metrics")  # the hub agrees: both closed
        assert welcome["type"] == "ok"
    store = hub.store
    table = {c["id"]: c for c in store.cases(hub.hall.id)}
    assert table[t2["id"]]["state"] == "completed" and table[t2["id"]]["note"] == "ok"
    assert table[t1["id"]]["state"] == "returned" and table[t1["id"]]["reason"] == "missing"
    assert table[other["id"]]["state"] == "open"
