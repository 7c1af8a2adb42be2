"""The supervisor board's closing-time forecast line (from the `metrics` frame's `closing`)."""

from __future__ import annotations

from datetime import datetime

from display.state import BoardState
from display.widgets.metrics import closing_line

CLOSING = {
    "closes_at": "2026-12-01T17:30:00.000000+08:00",
    "waiting_at_close": 4,
    "finish_at": "2026-12-01T18:10:00.000000+08:00",
    "unserved": 0,
}


def test_the_line_in_both_languages() -> None:
    assert closing_line(CLOSING, "zh") == "17:30 闭厅时预计仍有 4 人等候，预计 18:10 办完"
    assert closing_line(CLOSING, "en") == (
        "At closing (17:30) about 4 still waiting, all done by about 18:10"
    )
    unserved = {**CLOSING, "finish_at": None, "unserved": 2}
    assert (
        closing_line(unserved, "zh") == "17:30 闭厅时预计仍有 4 人等候；其中 2 人的事项暂无窗口开放"
    )
    assert closing_line(None, "zh") == ""


def test_the_board_keeps_the_latest_forecast() -> None:
    state = BoardState()
    now = datetime.fromisoformat("2026-12-01T17:00:00+08:00")
    state.apply({"type": "metrics", "metrics": {"day": "2026-12-01"}, "closing": CLOSING}, now)
    assert state.closing == CLOSING
    state.apply({"type": "metrics", "metrics": {"day": "2026-12-01"}}, now)
    assert state.closing is None


def test_the_boards_know_todays_hours() -> None:
    state = BoardState()
    today = {
        "day": "2026-12-01",
        "hours": ["08:30-12:00", "13:30-17:30"],
        "issuing_until": "17:00",
        "closes_at": "17:30",
    }
    state.load_welcome({"type": "welcome", "hall": {}, "state": {"today": today}})
    assert state.hours_text("zh") == "今日办公 08:30-12:00、13:30-17:30 · 17:00 停止取号"
    assert state.hours_text("en") == "Open today 08:30-12:00, 13:30-17:30 · tickets until 17:00"
    state.apply({"type": "catalogue", "seq": 1, "hall": {}, "windows": [], "today": None})
    assert state.hours_text("zh") == ""
