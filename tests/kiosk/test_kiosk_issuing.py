"""Services that do not issue now: greyed tiles with 暂未开始取号 / 已停止取号 / 今日号已取完
and the next opening, so a citizen never reaches a refusal after choosing.

The scene is the demo hall with opening hours (08:30-12:00, 13:30-17:30 on
weekdays) at 09:15 on Thursday 2026-11-26: MZ-01 has a quota of 3 (all
taken), MZ-02 opens at 14:00, MZ-03 issued 08:00-09:00 only. The kiosk's
welcome comes from the real engine and views (`support.scenes`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from kiosk_helpers import SIZE
from support.scenes import DAY, KIOSK_NOW, Day, at, demo_hall
from textual.pilot import Pilot

from hub.calendar import WeekHours
from hub.engine import Engine, EngineError
from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import DepartmentScreen
from kiosk.state import KioskState


def _week(*ranges: tuple[int, int]) -> WeekHours:
    return WeekHours((tuple(ranges),) * 5 + ((), ()))


def hours_day() -> Day:
    base = demo_hall()
    special = {
        "MZ-01": {"quota": 3},
        "MZ-02": {"hours": _week((14 * 60, 17 * 60))},
        "MZ-03": {"hours": _week((8 * 60, 9 * 60))},
    }
    services = tuple(replace(s, **special.get(s.code, {})) for s in base.services)
    hall = replace(base, hours=_week((510, 720), (810, 1050)), services=services)
    d = Day()
    d.hall = hall
    d.engine = Engine(hall, DAY)
    d.counter(13, "08:30", "open_window")
    for clock in ("08:40", "08:47", "09:05"):
        d.issue(clock, "MZ-01")
    return d


def make_app(lang: str) -> KioskApp:
    welcome = hours_day().welcome("kiosk", "09:15")
    return KioskApp(KioskConfig(lang=lang, idle=3600), welcome=welcome, now=lambda: KIOSK_NOW)


async def department(pilot: Pilot[Any]) -> None:
    await pilot.press("1")
    await pilot.pause()


def test_the_hub_says_which_services_do_not_issue_and_when_they_open() -> None:
    d = hours_day()
    state = KioskState()
    state.load_welcome(d.welcome("kiosk", "09:15"))
    assert state.issuing("MZ-01") == (
        "quota_full",
        datetime.fromisoformat("2026-11-27T08:30:00+08:00"),
    )
    assert state.issuing("MZ-02") == ("not_yet", at("14:00"))
    assert state.issuing("MZ-03") == (
        "stopped",
        datetime.fromisoformat("2026-11-27T08:00:00+08:00"),
    )
    assert state.issuing("GH-01") == ("open", None)
    # the same answer `issue` gives: each greyed tile is a refusal the citizen never meets
    for code, want in (("MZ-01", "quota_full"), ("MZ-02", "closed"), ("MZ-03", "closed")):
        try:
            d.issue("09:15", code)
        except EngineError as e:
            assert e.code == want
        else:
            raise AssertionError(f"{code} was issued")
    # Saturday: a day without hours
    sat = d.engine.issuing(datetime.fromisoformat("2026-11-28T10:00:00+08:00"))
    assert sat["GH-01"] == ("closed_day", datetime.fromisoformat("2026-11-30T08:30:00+08:00"))


def test_greyed_tiles_zh(snap_compare: Any) -> None:
    assert snap_compare(make_app("zh"), terminal_size=SIZE, run_before=department)


def test_greyed_tiles_en(snap_compare: Any) -> None:
    assert snap_compare(make_app("en"), terminal_size=SIZE, run_before=department)


async def test_a_greyed_tile_cannot_be_chosen() -> None:
    app = make_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DepartmentScreen)
        await pilot.press("1")  # MZ-01: today's tickets are all taken
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("2", "3")
        await pilot.pause()
        assert app.screen is screen


def test_care_mode_reads_why_a_service_does_not_issue() -> None:
    from kiosk import care

    state = KioskState()
    state.load_welcome(hours_day().welcome("kiosk", "09:15"))
    text = care.department(state, "MZ", "zh")
    assert (
        "按 1，社团审批，今日号已取完" in text and "按 2，民办非企业单位审批，暂未开始取号" in text
    )
