"""The counter's state without a terminal: snapshot + events, calling order, enabled actions, texts."""

from __future__ import annotations

import string

from counter_welcome import NOW, welcome

from counter.model import CounterState, clip, fmt_duration, fmt_rate
from counter.strings import TEXTS, error_text, preset_text, t
from counter.widgets.current import handoff_lines
from counter.widgets.figures import figure_values


def state_for(current: str | None = None) -> CounterState:
    state = CounterState(window_no=5, staff="c001")
    state.load_welcome(welcome(current))
    return state


def test_queue_in_calling_order_with_reasons() -> None:
    state = state_for()
    order = [(t["number"], reason) for t, reason in state.queue(NOW)]
    # handoff first, then overdue, then priority, then the rest in turn; GH-01 is not ours
    assert order == [
        ("D004", "transferred"),
        ("A011", "overdue"),
        ("A014", "priority"),
        ("A013", "fifo"),
        ("A015", "fifo"),
    ]
    assert [t["number"] for t in state.parked()] == ["A009"]
    assert [t["number"] for t in state.no_shows()] == ["A010"]


def test_enabled_actions_follow_the_state() -> None:
    idle = state_for()
    assert idle.enabled(online=True, busy=False, now=NOW) == {
        "call_next",
        "call",
        "unpark",
        "requeue",
        "pause_resume",
        "logout",
    }
    called = state_for("called")
    assert called.enabled(online=True, busy=False, now=NOW) == {
        "recall",
        "start",
        "no_show",
        "requeue",
    }
    serving = state_for("serving")
    assert serving.enabled(online=True, busy=False, now=NOW) == {
        "finish_done",
        "finish_pending",
        "transfer",
        "park",
        "requeue",
    }
    # offline or waiting for a reply: nothing
    assert serving.enabled(online=False, busy=False, now=NOW) == set()
    assert serving.enabled(online=True, busy=True, now=NOW) == set()


def test_events_move_the_state() -> None:
    state = state_for()
    a013 = dict(state.tickets["20261126-A013"], state="called", window=5, called_at=NOW.isoformat())
    state.apply_event(
        {
            "type": "ticket_called",
            "seq": 121,
            "ticket": a013,
            "window": 5,
            "reason": "chosen",
            "waiting": {"MZ-01": 3},
        }
    )
    assert state.current() == a013 and state.call_reason(a013) == "chosen"
    assert state.waiting["MZ-01"] == 3 and state.seq == 121
    assert state.enabled(online=True, busy=False, now=NOW) == {
        "recall",
        "start",
        "no_show",
        "requeue",
    }
    paused = dict(state.window(), state="paused", pause_reason="会议")
    state.apply_event({"type": "window_paused", "seq": 122, "window": paused})
    assert state.window_state == "paused"
    state.apply_event({"type": "metrics", "metrics": {"windows": [{"window": 5, "received": 9}]}})
    assert state.figures() == {"window": 5, "received": 9}
    # a priority call at this window counts towards the priority run
    a014 = dict(state.tickets["20261126-A014"], state="called", window=5)
    state.apply_event(
        {
            "type": "ticket_called",
            "seq": 123,
            "ticket": a014,
            "window": 5,
            "reason": "priority",
            "waiting": {},
        }
    )
    assert state.window()["priority_streak"] == 1


def test_handoff_lines_and_figures() -> None:
    state = state_for("serving")
    cur = state.current()
    assert cur is not None and state.call_reason(cur) == "transferred"
    assert handoff_lines(state, cur, "zh") == [
        "10:05 9号窗口（c009）→ 社会团体成立登记：需民政局先行登记"
    ]
    assert handoff_lines(state, cur, "en")[0].startswith(
        "10:05 Window 9 (c009) → Social organisation"
    )
    values = dict(figure_values(state.figures(), "en"))
    assert values["Received"] == "6" and values["Completion rate"] == "66.7%"
    assert values["Avg wait"] == "6:52" and values["Ratings"] == "3 · avg 4.7"
    assert all(v == "—" for _, v in figure_values(None, "zh"))


def test_formatting() -> None:
    assert (
        fmt_duration(None) == "—" and fmt_duration(65) == "1:05" and fmt_duration(3725) == "1:02:05"
    )
    assert fmt_rate(None) == "—" and fmt_rate(0.5) == "50.0%"
    assert clip("社会团体成立登记", 9) == "社会团体…" and clip("abc", 9) == "abc"


def test_texts_exist_in_both_languages_with_the_same_fields() -> None:
    fields = string.Formatter()
    for key, (zh, en) in TEXTS.items():
        assert zh and en, key
        names_zh = {f for _, f, _, _ in fields.parse(zh) if f}
        names_en = {f for _, f, _, _ in fields.parse(en) if f}
        assert names_zh == names_en, key
    assert t("window_n", "en", n=5) == "Window 5"
    assert preset_text("午休", "en") == "lunch" and preset_text("培训", "en") == "培训"
    # the hub words its refusals; the counter words only what happens here
    assert error_text("queue_empty", "无人等候", "en") == "无人等候"
    assert error_text("timeout", "no reply to 'call_next' within 10 s", "en") == t(
        "e_timeout", "en"
    )
    assert error_text("strange", "", "en") == "The hub refused: strange"


def test_the_clerks_name_comes_from_the_welcome() -> None:
    state = CounterState(window_no=5, staff="c001")
    w = welcome(None)
    state.load_welcome(w)
    assert state.staff_name == ""
    w["state"]["me"] = {"staff": "c001", "name": "张敏"}
    state.load_welcome(w)
    assert state.staff_name == "张敏"
    w["state"]["me"] = {"staff": "c002", "name": "王芳"}  # someone else's: never shown
    other = CounterState(window_no=5, staff="c001")
    other.load_welcome(w)
    assert other.staff_name == ""
