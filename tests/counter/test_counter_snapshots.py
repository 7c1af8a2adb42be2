"""Snapshots of the counter's screens in 中文 and English, from window 13's morning (no hub, frozen clock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support.scenes import COUNTER_NOW as NOW
from support.scenes import COUNTER_WINDOW, counter_welcome
from textual.pilot import Pilot
from textual.widgets import Input

from counter.app import CounterApp

SIZE = (120, 36)


def steady(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Press keys, then stop every cursor from blinking (a blink would make snapshots flaky)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


def app_for(lang: str, current: str | None = None) -> CounterApp:
    return CounterApp(
        COUNTER_WINDOW, staff="c013", lang=lang, welcome=counter_welcome(current), now=lambda: NOW
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_login(snap_compare: Any, lang: str) -> None:
    app = CounterApp(3, staff="c003", lang=lang, hub_url="ws://127.0.0.1:9/ws", now=lambda: NOW)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady())


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("current", [None, "called", "serving"], ids=["idle", "called", "serving"])
def test_main(snap_compare: Any, lang: str, current: str | None) -> None:
    assert snap_compare(app_for(lang, current), terminal_size=SIZE, run_before=steady())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_transfer_dialog(snap_compare: Any, lang: str) -> None:
    # F6, then the second department (统计局) and its first service
    run_before = steady("f6", "down", "enter")
    assert snap_compare(app_for(lang, "serving"), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pause_dialog(snap_compare: Any, lang: str) -> None:
    assert snap_compare(app_for(lang), terminal_size=SIZE, run_before=steady("f9"))


def with_older_cases(welcome: dict[str, Any]) -> dict[str, Any]:
    """Window 13's welcome plus cases of earlier days: one overdue, one due soon (the table's)."""

    def case(cid: str, number: str, service: str, day: str, due: str, soon: str) -> dict[str, Any]:
        return {"id": cid, "ticket": cid, "number": number, "service": service,
                "department": "MZ", "day": day, "received_at": f"{day}T09:10:00.000000+08:00",
                "window": 13, "clerk": "c013", "first_responsible": "c013", "kind": "promised",
                "due": due, "due_soon_from": soon, "state": "open", "completed_at": None,
                "completed_by": None, "completed_window": None, "note": None, "reason": None}  # fmt: skip

    welcome["state"]["cases"] = [
        case("20261020-A007", "A007", "MZ-01", "2026-10-20", "2026-11-24", "2026-11-20"),
        case("20261030-A003", "A003", "MZ-03", "2026-10-30", "2026-11-27", "2026-11-25"),
        *welcome["state"]["cases"],
    ]
    return welcome


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cases_screen(snap_compare: Any, lang: str) -> None:
    # F12: overdue in red, due soon in amber, the earliest due first
    app = CounterApp(
        COUNTER_WINDOW,
        staff="c013",
        lang=lang,
        welcome=with_older_cases(counter_welcome()),
        now=lambda: NOW,
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=steady("f12"))
