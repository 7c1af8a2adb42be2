"""The counter's state without a terminal: snapshot + events, calling order, enabled actions, texts."""

from __future__ import annotations

import string

from support.scenes import COUNTER_NOW as NOW
from support.scenes import COUNTER_WINDOW, counter_day, counter_welcome

from counter.model import CounterState, clip, fmt_duration, fmt_rate
from counter.strings import TEXTS, error_text, preset_text, t
from counter.widgets.current import handoff_lines
from counter.widgets.figures import figure_values


def state_for(current: str | None = None) -> CounterState:
    state = CounterState(window_no=COUNTER_WINDOW, staff="c013")
    state.load_welcome(counter_welcome(current))
    return state


def test_queue_in_calling_order_with_reasons() -> None:
    state = state_for()
    order = [(t["number"], reason) for t, reason in state.queue(NOW)]
    # handoffs first, then overdue, then priority, then the rest in turn; GH-01 is not ours
    assert order == [
        ("D001", "transferred"),
        ("D002", "transferred"),
        ("A004", "overdue"),
        ("A007", "priority"),
        ("A005", "fifo"),
        ("A006", "fifo"),
        ("A008", "fifo"),
    ]
    assert [t["number"] for t in state.parked()] == ["A002"]
    assert [t["number"] for t in state.no_shows()] == ["A003"]


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
    day = counter_day()
    state = CounterState(window_no=COUNTER_WINDOW, staff="c013")
    state.load_welcome(day.welcome("counter", "10:30", window=COUNTER_WINDOW))

    def pushed() -> None:
        for frame in day.pushed("counter"):
            state.apply_event(frame)

    a005 = day.counter(COUNTER_WINDOW, "10:31", "call", ticket=day.id_of("A005"))["ticket"]
    [called] = day.pushed("counter")
    pushed()
    assert state.current() == a005 and state.call_reason(a005) == "chosen"
    assert state.waiting["MZ-01"] == called["waiting"]["MZ-01"] == 5
    assert state.seq == day.engine.seq
    assert state.enabled(online=True, busy=False, now=NOW) == {
        "recall",
        "start",
        "no_show",
        "requeue",
    }
    # a priority call at this window counts towards the priority run
    day.counter(COUNTER_WINDOW, "10:32", "no_show")
    pushed()
    day.counter(COUNTER_WINDOW, "10:33", "call", ticket=day.id_of("A007"))
    pushed()
    assert state.window()["priority_streak"] == 1
    day.counter(COUNTER_WINDOW, "10:34", "no_show")
    pushed()
    day.counter(COUNTER_WINDOW, "10:35", "pause", reason="会议")
    pushed()
    assert state.window_state == "paused"
    metrics = day.metrics("10:35")
    state.apply_event(metrics)
    mine = [w for w in metrics["metrics"]["windows"] if w["window"] == COUNTER_WINDOW]
    assert [state.figures()] == mine and mine[0]["no_show"] == 3


def test_handoff_lines_and_figures() -> None:
    state = state_for("serving")
    cur = state.current()
    assert cur is not None and state.call_reason(cur) == "transferred"
    assert handoff_lines(state, cur, "zh") == ["10:05 11号窗口（c011）→ 社团审批：需民政局先行登记"]
    assert handoff_lines(state, cur, "en")[0].startswith(
        "10:05 Window 11 (c011) → Approval of social organisations"
    )
    values = dict(figure_values(state.figures(), "en"))
    # received A001, A002 (parked) and D001, completed A001; its four calls waited 10, 10, 15, 13 min
    assert values["Received"] == "3" and values["Completion rate"] == "33.3%"
    assert values["Avg wait"] == "12:00" and values["Ratings"] == "1 · avg 5.0"
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
    state = CounterState(window_no=COUNTER_WINDOW, staff="c013")
    w = counter_welcome()
    assert w["state"]["me"] == {"staff": "c013", "name": "马超"}
    state.load_welcome(w)
    assert state.staff_name == "马超"
    w["state"]["me"] = {"staff": "c002", "name": "王芳"}  # someone else's: never shown
    other = CounterState(window_no=COUNTER_WINDOW, staff="c013")
    other.load_welcome(w)
    assert other.staff_name == ""
