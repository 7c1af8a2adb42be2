"""`hall desk` by keys only against a real hub: log in, log a consultation, issue an assisted
priority ticket (shown with its QR code), guide a citizen to a window, look a ticket up; the
ticket's first responsible is the desk clerk, in the metrics and when the window starts it."""

from __future__ import annotations

from typing import Any

import pytest
from support.raw import counter, supervisor
from support.wait import wait_for
from textual.pilot import Pilot
from textual.widgets import Static

from desk.app import DeskApp, DeskScreen, LoginScreen
from hub import auth

pytestmark = pytest.mark.timeout(90)
SIZE = (130, 44)


async def type_in(pilot: Pilot[Any], text: str) -> None:
    for ch in text:
        await pilot.press(ch)


def desks(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    return list(metrics.get("desks") or [])


async def test_a_desk_session_by_keys_only(hub: Any) -> None:
    hub.store.put_staff(hub.hall.id, "d001", "咨询台小王", auth.hash_pin("2468"), [], False)
    hub.store.update_staff(hub.hall.id, "d001", desk=True)
    s = await supervisor(hub)
    app = DeskApp(staff="d001", hub_url=hub.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
        await type_in(pilot, "1111")  # a wrong PIN: a plain sentence, no trace
        await pilot.press("enter")
        await wait_for(
            lambda: "密码" in str(app.screen.query_one("#login-message", Static).render()),
            pilot=pilot,
        )
        await type_in(pilot, "2468")
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, DeskScreen), pilot=pilot, what="desk")

        # 1. a question answered on the spot: topic, F2
        await type_in(pilot, "mz-01")
        await pilot.press("f2")
        ev = await s.next("consulted")
        assert (ev["topic"], ev["outcome"], ev["minutes"]) == ("MZ-01", "answered", 3)

        # 2. an elderly citizen: a ticket issued for them, 绿色通道 (F6), then F4
        await type_in(pilot, "MZ-01")
        await pilot.press("f6")
        await pilot.press("f4")
        issued = await s.next("ticket_issued")
        t = issued["ticket"]
        assert t["priority"] == "priority"
        assert t["first_responsible"] == {"staff": "d001", "window": None, "desk": True}
        logged = await s.next("consulted")
        assert (logged["outcome"], logged["ticket"]) == ("ticket", t["id"])
        # no printer at this desk: the ticket is shown with its QR code
        result = app.screen.query_one("#result", Static)
        await wait_for(lambda: t["number"] in str(result.render()), pilot=pilot)
        assert "▀" in str(result.render()) or "█" in str(result.render())

        # 3. guided to window 11: topic, Tab to minutes, Tab to the window, F3
        await type_in(pilot, "GH-01")
        await pilot.press("tab", "backspace")
        await type_in(pilot, "2")
        await pilot.press("tab")
        await type_in(pilot, "11")
        await pilot.press("f3")
        guided = await s.next("consulted")
        assert (guided["outcome"], guided["window"], guided["minutes"]) == ("guided", 11, 2)

        # 4. "where is my ticket": Tab to the look-up field, the number, F7
        await pilot.press("tab", "tab", "tab")
        await type_in(pilot, t["number"].lower())
        await pilot.press("f7")
        await wait_for(lambda: "等候中" in str(result.render()), pilot=pilot)

        # bad input: a clear sentence, nothing sent
        await pilot.press("f4")  # no topic
        await pilot.pause()
        assert app.screen.query_one("#topic").has_focus

        # the figures of the desk, and the first responsible once a window starts it
        m = (await s.ok("metrics"))["metrics"]
        assert desks(m) == [
            {"staff": "d001", "conversations": 3, "answered": 1, "guided": 1, "tickets": 1,
             "referrals": 0, "minutes": 8},
        ]  # fmt: skip
        c13 = await counter(hub, 13)
        assert (await c13.ok("call_next"))["ticket"]["id"] == t["id"]
        started = await c13.ok("start")
        assert started["ticket"]["first_responsible"]["staff"] == "d001"
        await c13.ok("finish", outcome="done")
        m = (await s.ok("metrics"))["metrics"]
        assert m["hall"]["first_responsibility_closure_rate"] == 1.0

        # F9: English, the same desk
        await pilot.press("f9")
        await wait_for(lambda: isinstance(app.screen, DeskScreen) and app.lang == "en", pilot=pilot)
        await pilot.press("f10")
        await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
        await c13.close()
    await s.close()
