"""BoardState: a welcome plus events gives the picture the boards draw.

The welcome and the events come from the real engine and views (`support.scenes`):
the busy morning of `lobby_day` at 10:30, then commands run on from there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from support.scenes import LOBBY_NOW, Day, at, demo_hall, lobby_day

from display.state import BoardState


def loaded(day: Day, role: str = "display") -> BoardState:
    s = BoardState()
    s.load_welcome(day.welcome(role, "10:30"), LOBBY_NOW)
    return s


def apply_pushed(s: BoardState, day: Day, role: str = "display") -> list[Any]:
    """Apply what the last command pushed to a board of `role`; the changes."""
    return [s.apply(frame) for frame in day.pushed(role)]


def test_welcome_gives_latest_call_windows_waiting_notice() -> None:
    s = loaded(lobby_day())
    latest = s.latest_call()
    assert latest is not None and (latest.number, latest.window) == ("G002", 6)
    assert [c.number for c in s.recent_calls()] == ["G002", "G001", "H003", "H001", "H002", "F001"]
    assert s.window_current_number(2) == "H001" and s.window_current_state(2) == "serving"
    assert s.windows[4]["state"] == "paused" and s.windows[7]["state"] == "closed"
    counts = {d["code"]: n for d, n in s.waiting_by_department()}
    assert counts == dict.fromkeys((d.code for d in demo_hall().departments), 0) | {
        "JS": 3,
        "WT": 1,
        "SR": 1,
    }
    assert s.notice_text(LOBBY_NOW) is not None
    assert s.notice_text(LOBBY_NOW + timedelta(hours=2)) is None  # until 12:00


def test_call_recall_start_finish() -> None:
    day = lobby_day()
    s = loaded(day)
    tid = day.counter(1, "10:31", "call_next")["ticket"]["id"]
    [ch] = apply_pushed(s, day)
    assert ch.call is not None and (ch.call.number, ch.call.window, ch.call.recalls) == (
        "F002",
        1,
        0,
    )
    assert s.latest_call() == ch.call and s.window_current_number(1) == "F002"
    assert s.waiting["JS-01"] == 0
    assert s.call_is_current(tid, 1, 0)

    day.counter(1, "10:32", "recall")
    [ch] = apply_pushed(s, day)
    assert ch.call is not None and ch.call.recalls == 1
    assert [c.number for c in s.recent_calls()].count("F002") == 1
    assert not s.call_is_current(tid, 1, 0)  # the first call is superseded
    assert s.call_is_current(tid, 1, 1)

    day.counter(1, "10:33", "start")
    apply_pushed(s, day)
    assert not s.call_is_current(tid, 1, 1)
    assert s.window_current_state(1) == "serving"
    day.counter(1, "10:45", "finish", outcome="done")
    [ch] = apply_pushed(s, day)
    assert ch.call is None and ch.ticket == tid
    assert s.window_current_number(1) is None
    assert s.latest_call() is not None and s.latest_call().number == "F002"  # type: ignore[union-attr]
    # the finish's case_completed (the last event) is for staff only: a lobby never gets it
    assert s.seq == day.engine.seq - 1


def test_window_events_replace_the_window() -> None:
    day = lobby_day()
    s = loaded(day)
    day.counter(7, "10:31", "open_window")
    apply_pushed(s, day)
    assert s.windows[7]["state"] == "open"
    day.supervisor("10:32", "set_window", window=7, services=["JG-01"])
    apply_pushed(s, day)
    assert s.windows[7]["services"] == ["JG-01"]


def test_notice_event_and_day_roll() -> None:
    day = lobby_day()
    s = loaded(day)
    day.supervisor("10:31", "notice", text="明天休息")
    apply_pushed(s, day)
    assert s.notice_text(LOBBY_NOW + timedelta(days=1)) == "明天休息"
    day.roll(at("00:00:30") + timedelta(days=1))
    apply_pushed(s, day)
    assert s.day == "2026-11-27" and s.recent == [] and s.tickets == {}
    assert all(n == 0 for n in s.waiting.values())


def test_supervisor_alerts() -> None:
    day = lobby_day()
    s = loaded(day, "supervisor")
    kinds = [a.kind for a in s.alerts(LOBBY_NOW, "zh")]
    # the bad rating's follow-up complaint, then the page's complaint
    assert kinds == ["overdue", "paused", "rating", "printer", "complaint", "complaint"]
    # Nobody serves SR-03 (G003 waits) once windows 5 and 6 are not open.
    s.windows[5]["state"] = s.windows[6]["state"] = "paused"
    assert "unserved" in [a.kind for a in s.alerts(LOBBY_NOW, "en")]
    # Live complaints are flagged new.
    day.citizen(day.id_of("F001"), "10:31", "complain", text="太慢")
    apply_pushed(s, day, "supervisor")
    new = [a for a in s.alerts(LOBBY_NOW, "zh") if a.new]
    assert len(new) == 1 and "太慢" in new[0].text


def test_metrics_frames_and_running_clocks() -> None:
    day = lobby_day()
    s = loaded(day, "supervisor")
    rows = {r["window"]: r for r in s.window_metrics(LOBBY_NOW + timedelta(seconds=60))}
    assert rows[1]["on_duty_s"] == 5700 + 60  # open since 08:55: on duty runs on
    assert rows[4]["paused_s"] == 1500 + 60  # paused since 10:05: both run on
    assert rows[7]["on_duty_s"] == 0  # closed: stays
    day.issue("10:31", "JS-01")
    ch = s.apply(day.metrics("10:31"), LOBBY_NOW)
    assert ch.metrics and s.hall_metrics()["issued"] == 12


def test_supervisor_case_alerts_and_counts_per_department() -> None:
    """Open cases (办件) from the welcome and the case events: alerts and per-department counts."""
    day = lobby_day()
    s = loaded(day, "supervisor")

    def case(cid: str, due: str, soon: str, dept: str = "WT") -> dict[str, Any]:
        return {"id": cid, "service": "WT-01", "department": dept, "state": "open",
                "kind": "promised", "due": due, "due_soon_from": soon}  # fmt: skip

    assert s.cases  # the scene's pending visits left cases open
    s.cases.clear()
    s.day = "2026-12-07"
    s.apply(
        {"type": "case_opened", "seq": s.seq + 1, "case": case("x1", "2026-12-03", "2026-12-01")}
    )
    s.apply(
        {"type": "case_opened", "seq": s.seq + 1, "case": case("x2", "2026-12-08", "2026-12-04")}
    )
    s.apply(
        {
            "type": "case_opened",
            "seq": s.seq + 1,
            "case": case("x3", "2026-12-30", "2026-12-28", "MZ"),
        }
    )
    kinds = [
        (a.kind, a.key, a.severity) for a in s.alerts(LOBBY_NOW, "zh") if a.kind.startswith("case")
    ]
    assert kinds == [
        ("case_overdue", "case_overdue:x1", "error"),
        ("case_due_soon", "case_due_soon:x2", "warning"),
    ]
    text = next(a.text for a in s.alerts(LOBBY_NOW, "zh") if a.kind == "case_overdue")
    assert text.startswith("办件超期 · x1") and "2026-12-03" in text
    counts = {d.get("code"): n for d, n in s.case_counts()}
    assert counts == {
        "MZ": {"open": 1, "due_soon": 0, "overdue": 0},
        "WT": {"open": 2, "due_soon": 1, "overdue": 1},
    }
    done = {**case("x1", "2026-12-03", "2026-12-01"), "state": "completed"}
    s.apply({"type": "case_completed", "seq": s.seq + 1, "case": done})
    assert "x1" not in s.cases
    assert {d.get("code"): n for d, n in s.case_counts()}["WT"]["overdue"] == 0
