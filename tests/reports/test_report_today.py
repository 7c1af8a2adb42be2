"""A report reaching today, from the hub's live state: today's rollup is the engine's own
fold (hub.reports.LiveDay), never a re-read of today's events, and it gives the same
numbers as `hall report` (another process, which folds today's events from the store)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from report_scenario import run_scenario
from support import raw

from hub.report_out import load_report
from hub.reports import LiveDay, rollup_day


def _json(x: Any) -> Any:
    return json.loads(json.dumps(x))


def test_live_fold_equals_rollup_day() -> None:
    """Fed every event as it happens, the fold gives what rollup_day gives over the same
    events: at each day's end (day_rolled starts the next day) and mid-day, where taking
    the rollup leaves the fold going on unchanged."""
    hall, by_day, _ = run_scenario()
    days = list(by_day)
    live = LiveDay(hall, date.fromisoformat(days[0]))
    assert live.rollup() is None  # no events yet: no rollup (as load_report reads none)
    for d, events in by_day.items():
        day = date.fromisoformat(d)
        half = len(events) // 2
        for ev in events[:half]:
            live.apply(ev)
        assert live.day == day
        assert _json(live.rollup()) == _json(rollup_day(hall, day, events[:half]))
        for ev in events[half:]:
            live.apply(ev)
        assert _json(live.rollup()) == _json(rollup_day(hall, day, events))


async def _busy_today(hub: Any) -> None:
    """Today's activity at the hub: done, pending (a promised case), no-show, handoff,
    a rating, a pause left open."""
    s5, s3 = hub.hall.window(5).services[0], hub.hall.window(3).services[0]
    async with raw.connected(hub, "kiosk") as kiosk:
        issued = [await kiosk.ok("issue", service=s5) for _ in range(4)]
        await kiosk.ok("issue", service=s3)
    async with (
        raw.connected(hub, "counter", window=5) as c5,
        raw.connected(hub, "counter", window=3) as c3,
    ):
        await c5.ok("call_next")
        await c5.ok("start")
        await c5.ok("finish", outcome="done")
        await c5.ok("call_next")
        await c5.ok("no_show")
        await c5.ok("call_next")
        await c5.ok("start")
        await c5.ok("transfer", service=s3, reason="需规划部门办理")
        await c3.ok("call_next")
        await c3.ok("start")
        await c3.ok("finish", outcome="pending")
        async with raw.connected(hub, "citizen", ticket=issued[0]["token"]) as citizen:
            await citizen.ok("rate", level=4)
        await c5.ok("pause", reason="午休")


def _cli_report(db: Path, start: date, end: date, capsys: pytest.CaptureFixture[str]) -> Any:
    from cli.main import main

    capsys.readouterr()
    argv = ["report", "--from", str(start), "--to", str(end), "--format", "json", "--db", str(db)]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


async def _hub_report(hub: Any, start: date, end: date) -> Any:
    async with raw.connected(hub, "supervisor") as sup:
        return (await sup.ok("report", **{"from": str(start), "to": str(end)}))["report"]


def _refuse_events_of_day(
    hub: Any, monkeypatch: pytest.MonkeyPatch, today: date | None = None
) -> list[str]:
    """Make the hub's store fail a read of today's events (any day's when `today` is None:
    the closed days' rollups are still written from their events); the days refused."""
    asked: list[str] = []
    store = hub.server.store
    read = store.events_of_day

    def refuse(hall_id: str, day: str) -> Any:
        if today is not None and day != str(today):
            return read(hall_id, day)
        asked.append(day)
        raise AssertionError(f"the hub read the events of {day}")

    monkeypatch.setattr(store, "events_of_day", refuse)
    return asked


async def test_hub_report_to_today_equals_the_command(
    hub: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The /reports page's data for a period including today equals `hall report --format
    json` for the same period at the same seq, on SQLite; the hub never reads today's
    events for it (the store's read fails if asked), and a new event shows at once."""
    server = hub.server
    today = server.engine.day
    start = today - timedelta(days=6)
    await _busy_today(hub)
    seq = server.engine.seq
    assert hub.store.max_seq(hub.hall.id) == seq  # everything applied is stored
    asked = _refuse_events_of_day(hub, monkeypatch)
    page = await _hub_report(hub, start, today)
    again = await _hub_report(hub, start, today)  # the same seq: the same rollup
    assert asked == [] and server.engine.seq == seq
    monkeypatch.undo()  # the command (in this process) reads the store as it always does
    command = _cli_report(Path(hub.db), start, today, capsys)
    assert page == again == command
    h = page["hall"]
    assert (h["received"], h["completed"], h["open"], h["no_show"]) == (2, 1, 1, 1)
    assert h["ratings"] == 1 and h["handoffs_out"] == 1 and h["paused_s"] > 0
    assert [d["day"] for d in page["days"]] == [str(today)]

    # one more case completed: the live fold has it, still without a read of the events
    asked = _refuse_events_of_day(hub, monkeypatch)
    async with (
        raw.connected(hub, "kiosk") as kiosk,
        raw.connected(hub, "counter", window=3) as c3,
    ):
        await kiosk.ok("issue", service=hub.hall.window(3).services[0])
        await c3.ok("call_next")
        await c3.ok("start")
        await c3.ok("finish", outcome="done")
    later = await _hub_report(hub, start, today)
    assert asked == []
    assert later["hall"]["received"] == 3 and later["hall"]["completed"] == 2
    monkeypatch.undo()
    assert later == _cli_report(Path(hub.db), start, today, capsys)


async def test_restarted_hub_reports_today_as_the_command(
    hub: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hub restarted mid-day folds today's events once, as it restores its engine from
    them; its reports then come from that fold and equal the command's."""
    await _busy_today(hub)
    await hub.stop()
    await hub.start()
    today = hub.server.engine.day
    start = today.replace(day=1)
    asked = _refuse_events_of_day(hub, monkeypatch)
    page = await _hub_report(hub, start, today)
    assert asked == []
    monkeypatch.undo()
    assert page == _cli_report(Path(hub.db), start, today, capsys)
    assert page["hall"]["received"] == 2


async def test_hub_report_across_midnight(hub: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """At midnight the hub's fold starts the new day (its `day_rolled`): a period over
    yesterday and today gives what the store's fold gives (`load_report` without the live
    rollup, as `hall report` runs), yesterday from its stored rollup, today live."""
    from support.wait import wait_for

    from hub.report_out import hall_today

    tz = ZoneInfo(hub.hall.timezone)
    now = [datetime(2026, 11, 26, 9, 0, tzinfo=tz)]  # a Thursday, then the Friday
    await hub.stop()
    await hub.start(clock=lambda: now[0])
    server = hub.server
    day1 = server.engine.day
    assert day1 == date(2026, 11, 26)
    await _busy_today(hub)
    now[0] = datetime(2026, 11, 27, 9, 0, tzinfo=tz)
    await wait_for(lambda: server.engine.day == date(2026, 11, 27) or None, what="the day roll")
    day2 = server.engine.day
    assert hall_today(hub.hall, now[0]) == day2
    async with (
        raw.connected(hub, "kiosk") as kiosk,
        raw.connected(hub, "counter", window=3) as c3,
    ):
        await kiosk.ok("issue", service=hub.hall.window(3).services[0])
        await c3.ok("call_next")
        await c3.ok("start")
        await c3.ok("finish", outcome="done")
    asked = _refuse_events_of_day(hub, monkeypatch, today=day2)
    page = await _hub_report(hub, day1, day2)
    assert asked == []
    monkeypatch.undo()
    stored = _json(load_report(hub.store, hub.hall, day1, day2, day2))
    assert page == stored
    assert [d["day"] for d in page["days"]] == [str(day1), str(day2)]
    assert page["hall"]["received"] == 3
