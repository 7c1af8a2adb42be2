"""BoardState: a welcome plus events gives the picture the boards draw."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from display_welcome import NOW, at, display_welcome, supervisor_welcome, ticket

from display.state import BoardState


def loaded(welcome: dict[str, Any] | None = None) -> BoardState:
    s = BoardState()
    s.load_welcome(welcome or display_welcome(), NOW)
    return s


def test_welcome_gives_latest_call_windows_waiting_notice() -> None:
    s = loaded()
    latest = s.latest_call()
    assert latest is not None and (latest.number, latest.window) == ("K012", 6)
    assert [c.number for c in s.recent_calls()] == ["K012", "R007", "G002", "A002", "G001", "A001"]
    assert s.window_current_number(2) == "A002" and s.window_current_state(2) == "serving"
    assert s.windows[4]["state"] == "paused" and s.windows[7]["state"] == "closed"
    counts = {d["code"]: n for d, n in s.waiting_by_department()}
    assert counts == {"MZ": 2, "GA": 1, "RS": 0, "SC": 1}
    assert s.notice_text(NOW) is not None
    assert s.notice_text(NOW + timedelta(hours=2)) is None  # until 12:00


def test_call_recall_start_finish() -> None:
    s = loaded()
    t = ticket("A004", "MZ-02", "called", window=1, queued=at(10, 15), called=at(10, 31))
    ch = s.apply(
        {
            "type": "ticket_called",
            "seq": 41,
            "ticket": t,
            "window": 1,
            "reason": "fifo",
            "at": at(10, 31),
            "waiting": {"MZ-02": 0},
        }
    )
    assert ch.call is not None and (ch.call.number, ch.call.window, ch.call.recalls) == (
        "A004",
        1,
        0,
    )
    assert s.latest_call() == ch.call and s.window_current_number(1) == "A004"
    assert s.waiting["MZ-02"] == 0
    assert s.call_is_current("20261126-A004", 1, 0)

    t2 = {**t, "recalls": 1}
    ch = s.apply(
        {
            "type": "ticket_recalled",
            "seq": 42,
            "ticket": t2,
            "window": 1,
            "at": at(10, 32),
            "waiting": {},
        }
    )
    assert ch.call is not None and ch.call.recalls == 1
    assert [c.number for c in s.recent_calls()].count("A004") == 1
    assert not s.call_is_current("20261126-A004", 1, 0)  # the first call is superseded
    assert s.call_is_current("20261126-A004", 1, 1)

    s.apply(
        {
            "type": "ticket_started",
            "seq": 43,
            "ticket": {**t2, "state": "serving"},
            "window": 1,
            "waiting": {},
        }
    )
    assert not s.call_is_current("20261126-A004", 1, 1)
    assert s.window_current_state(1) == "serving"
    ch = s.apply(
        {
            "type": "ticket_finished",
            "seq": 44,
            "ticket": {**t2, "state": "done"},
            "window": 1,
            "outcome": "done",
            "waiting": {},
        }
    )
    assert ch.call is None and ch.ticket == "20261126-A004"
    assert s.window_current_number(1) is None
    assert s.latest_call() is not None and s.latest_call().number == "A004"  # type: ignore[union-attr]
    assert s.seq == 44


def test_window_events_replace_the_window() -> None:
    s = loaded()
    w = {**s.windows[7], "state": "open"}
    s.apply({"type": "window_opened", "seq": 41, "window": w})
    assert s.windows[7]["state"] == "open"
    s.apply({"type": "window_changed", "seq": 42, "window": {**w, "services": ["GA-01"]}})
    assert s.windows[7]["services"] == ["GA-01"]


def test_notice_event_and_day_roll() -> None:
    s = loaded()
    s.apply({"type": "notice", "seq": 41, "text": "明天休息", "until": None})
    assert s.notice_text(NOW + timedelta(days=1)) == "明天休息"
    s.apply({"type": "day_rolled", "seq": 42, "day": "2026-11-27"})
    assert s.day == "2026-11-27" and s.recent == [] and s.tickets == {}
    assert all(n == 0 for n in s.waiting.values())


def test_supervisor_alerts() -> None:
    s = loaded(supervisor_welcome())
    kinds = [a.kind for a in s.alerts(NOW, "zh")]
    assert kinds == ["overdue", "paused", "rating", "printer", "complaint"]
    # Nobody serves SC-01 once windows 6 and 7 are not open.
    s.windows[6]["state"] = "paused"
    assert "unserved" in [a.kind for a in s.alerts(NOW, "en")]
    # Live complaints are flagged new.
    s.apply(
        {
            "type": "complaint",
            "seq": 41,
            "id": 2,
            "ticket": "20261126-A002",
            "number": "A002",
            "text": "太慢",
            "at": at(10, 31),
        }
    )
    new = [a for a in s.alerts(NOW, "zh") if a.new]
    assert len(new) == 1 and "太慢" in new[0].text


def test_metrics_frames_and_running_clocks() -> None:
    s = loaded(supervisor_welcome())
    rows = {r["window"]: r for r in s.window_metrics(NOW + timedelta(seconds=60))}
    assert rows[1]["on_duty_s"] == 5700 + 60  # open: on duty runs on
    assert rows[4]["paused_s"] == 1500 + 60  # paused: both run on
    assert rows[7]["on_duty_s"] == 0  # closed: stays
    metrics = {**supervisor_welcome()["state"]["metrics"], "hall": {"issued": 11}}
    ch = s.apply({"type": "metrics", "metrics": metrics}, NOW)
    assert ch.metrics and s.hall_metrics()["issued"] == 11
