"""Snapshots of the boards from the welcomes of a busy morning (no network, clock frozen at 10:30:00)."""

from __future__ import annotations

from typing import Any

from support.scenes import LOBBY_NOW, lobby_welcome, supervisor_welcome
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from display.app import DisplayApp

LOBBY_SIZE = (120, 40)
SUPERVISOR_SIZE = (150, 45)


def lobby(lang: str) -> DisplayApp:
    return DisplayApp(welcome=lobby_welcome(), lang=lang, clock=lambda: LOBBY_NOW)


def supervisor(lang: str) -> DisplayApp:
    return DisplayApp(
        welcome=supervisor_welcome(), supervisor=True, lang=lang, clock=lambda: LOBBY_NOW
    )


async def loaded(pilot: Pilot[Any]) -> DisplayApp:
    """Wait until the app has drawn its prepared welcome."""
    app = pilot.app
    assert isinstance(app, DisplayApp)
    for _ in range(100):
        if app.state.loaded:
            break
        await pilot.pause(0.02)
    assert app.state.loaded
    await pilot.pause()
    return app


def open_tab(pane: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        pilot.app.screen.query_one(TabbedContent).active = pane
        await pilot.pause()

    return run_before


def test_lobby_zh(snap_compare: Any) -> None:
    assert snap_compare(lobby("zh"), terminal_size=LOBBY_SIZE, run_before=loaded)


def test_lobby_en(snap_compare: Any) -> None:
    assert snap_compare(lobby("en"), terminal_size=LOBBY_SIZE, run_before=loaded)


def test_lobby_stale(snap_compare: Any) -> None:
    """The board marks itself stale when the hub is gone."""

    async def go_offline(pilot: Pilot[Any]) -> None:
        app = await loaded(pilot)
        app._offline_welcome = None  # behave as a connected board that lost its hub
        app.online = False
        app.show_status()
        await pilot.pause()

    assert snap_compare(lobby("zh"), terminal_size=LOBBY_SIZE, run_before=go_offline)


def test_supervisor_board_zh(snap_compare: Any) -> None:
    assert snap_compare(supervisor("zh"), terminal_size=SUPERVISOR_SIZE, run_before=loaded)


def test_supervisor_metrics_zh(snap_compare: Any) -> None:
    assert snap_compare(
        supervisor("zh"), terminal_size=SUPERVISOR_SIZE, run_before=open_tab("tab-metrics")
    )


def test_supervisor_metrics_en(snap_compare: Any) -> None:
    assert snap_compare(
        supervisor("en"), terminal_size=SUPERVISOR_SIZE, run_before=open_tab("tab-metrics")
    )


def test_supervisor_alerts_en(snap_compare: Any) -> None:
    assert snap_compare(
        supervisor("en"), terminal_size=SUPERVISOR_SIZE, run_before=open_tab("tab-alerts")
    )


def test_supervisor_actions_zh(snap_compare: Any) -> None:
    assert snap_compare(
        supervisor("zh"), terminal_size=SUPERVISOR_SIZE, run_before=open_tab("tab-actions")
    )


def test_supervisor_complaint_answer_en(snap_compare: Any) -> None:
    """F4 puts the keys on the complaints list (the keys in the footer), down picks the
    second one, y asks for the answer to the citizen."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("f4", "down")
        await pilot.pause()

    assert snap_compare(supervisor("en"), terminal_size=SUPERVISOR_SIZE, run_before=run_before)


def test_supervisor_complaint_question_zh(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("f4", "down", "y")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(supervisor("zh"), terminal_size=SUPERVISOR_SIZE, run_before=run_before)
