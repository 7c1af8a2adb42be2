"""Visits at the desk against a real hub, by keys only: a bundle (F12, a digit) and two services
added one by one (F8, F8, F4); each is one ticket whose steps the hub holds and the desk shows
or prints like the kiosk; the desk clerk stays first responsible when a window starts it."""

from __future__ import annotations

from typing import Any

import pytest
from support.raw import counter, supervisor
from support.wait import wait_for
from textual.pilot import Pilot
from textual.widgets import Static

from desk.app import BundlesScreen, DeskApp, DeskScreen, LoginScreen
from hub import auth

pytestmark = pytest.mark.timeout(90)
SIZE = (130, 44)
DESK_FIRST = {"staff": "d001", "window": None, "desk": True}


class Recorder:
    """A printer that keeps what it was asked to print."""

    def __init__(self) -> None:
        self.printed: list[Any] = []

    def print_ticket(self, ticket: Any) -> None:
        self.printed.append(ticket)


async def type_in(pilot: Pilot[Any], text: str) -> None:
    for ch in text:
        await pilot.press(ch)


def shown(app: DeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def steps_of(ticket: dict[str, Any]) -> list[tuple[str, int, str, bool]]:
    return [(s["service"], s["group"], s["state"], s["fee"]) for s in ticket["steps"]]


async def test_a_bundle_and_a_two_service_visit_by_keys(hub: Any) -> None:
    hub.store.put_staff(hub.hall.id, "d001", "咨询台小王", auth.hash_pin("2468"), [], False)
    hub.store.update_staff(hub.hall.id, "d001", desk=True)
    s = await supervisor(hub)
    app = DeskApp(staff="d001", hub_url=hub.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: isinstance(app.screen, LoginScreen), pilot=pilot)
        await type_in(pilot, "2468")
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, DeskScreen), pilot=pilot, what="desk")

        # 1. a bundle: F12 lists the catalogue's bundles with their steps, "1" issues KB-01
        await pilot.press("f12")
        await wait_for(lambda: isinstance(app.screen, BundlesScreen), pilot=pilot)
        listing = shown(app, "#bundles-list")
        assert "[1] KB-01 临街门店开业" in listing and "[2] KB-02" in listing
        assert "并联" in listing and "¥120" in listing and "28号窗口" in listing
        await pilot.press("1")
        issued = await s.next("ticket_issued")
        bundle_ticket = issued["ticket"]
        assert bundle_ticket["bundle"] == "KB-01"
        assert steps_of(bundle_ticket) == [
            ("GH-05", 1, "waiting", False),
            ("SR-02", 1, "waiting", False),
            ("ZW-80", 2, "next", True),
        ]
        assert bundle_ticket["first_responsible"] == DESK_FIRST
        logged = await s.next("consulted")
        assert (logged["topic"], logged["outcome"], logged["ticket"]) == (
            "KB-01",
            "ticket",
            bundle_ticket["id"],
        )
        # no printer: the ticket with its steps and its QR code on screen
        await wait_for(lambda: isinstance(app.screen, DeskScreen), pilot=pilot)
        await wait_for(lambda: bundle_ticket["number"] in shown(app, "#result"), pilot=pilot)
        result = shown(app, "#result")
        assert "办理环节：" in result and "（并联，可同时办）" in result
        assert "1. 申办《店名牌匾" in result and "3. 统一收费 ¥120 · 28号窗口" in result

        # 2. bad input changes nothing: F8 with no topic, the fee window's service, a repeat
        await pilot.press("f8")
        await type_in(pilot, "zw-80")
        await pilot.press("f8")
        assert "本次办理：单项" in shown(app, "#visit")
        await pilot.press(*["backspace"] * 5)

        # 3. two services one by one (F8), a third added then cleared (F11), F8 again, F4
        app.printer = Recorder()
        await type_in(pilot, "jg-01")
        await pilot.press("f8")
        await wait_for(lambda: "1. JG-01" in shown(app, "#visit"), pilot=pilot)
        await pilot.press("f11")
        await wait_for(lambda: "本次办理：单项" in shown(app, "#visit"), pilot=pilot)
        await type_in(pilot, "mz-01")
        await pilot.press("f8")
        await type_in(pilot, "mz-01")  # a repeat: refused, the list stays
        await pilot.press("f8")
        assert "2." not in shown(app, "#visit")
        await pilot.press(*["backspace"] * 5)
        await type_in(pilot, "GH-01")
        await pilot.press("f8")
        await wait_for(lambda: "（2/5 项" in shown(app, "#visit"), pilot=pilot)
        visit = shown(app, "#visit")
        assert "1. MZ-01 社团审批" in visit and "2. GH-01" in visit
        await pilot.press("f6", "f4")  # 绿色通道, one ticket for both
        issued = await s.next("ticket_issued")
        visit_ticket = issued["ticket"]
        assert visit_ticket["bundle"] is None and visit_ticket["priority"] == "priority"
        assert steps_of(visit_ticket) == [
            ("MZ-01", 1, "waiting", False),
            ("GH-01", 2, "next", False),
        ]
        assert visit_ticket["first_responsible"] == DESK_FIRST
        logged = await s.next("consulted")
        assert (logged["topic"], logged["ticket"]) == ("MZ-01+GH-01", visit_ticket["id"])
        # printed like the kiosk's: the steps in both languages; the form is ready again
        await wait_for(lambda: len(app.printer.printed) == 1, pilot=pilot)
        paper = app.printer.printed[0]
        assert paper.number == visit_ticket["number"] and paper.priority
        assert paper.steps[0].startswith("1. 社团审批 · ") and paper.steps[1].startswith("2. ")
        assert len(paper.steps_en) == 2
        await wait_for(lambda: "本次办理：单项" in shown(app, "#visit"), pilot=pilot)

        # the hub holds both visits; a window starting the first step keeps the desk first
        m = (await s.ok("metrics"))["metrics"]
        assert m["desks"][0]["tickets"] == 2
        c13 = await counter(hub, 13)
        assert (await c13.ok("call_next"))["ticket"]["id"] == visit_ticket["id"]
        started = await c13.ok("start")
        assert started["ticket"]["first_responsible"]["staff"] == "d001"
        assert started["ticket"]["step"] == 1
        await c13.close()
    await s.close()
