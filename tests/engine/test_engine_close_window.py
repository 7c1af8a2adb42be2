"""A supervisor's close_window on a busy window: the rows close_requeue / close_done /
close_no_show of the lifecycle table, the ticket first in line again, a parked ticket kept."""

from __future__ import annotations

from typing import Any

import pytest
from engine_helpers import SUPERVISOR, Desk, at, clerk, new_desk
from test_lifecycle import DESIGN_TABLE

from hub.engine import CHANGES, CLOSED_BY_SUPERVISOR, TRANSITIONS

CLOSE_ROWS = sorted((s, c) for s, c in TRANSITIONS if c.startswith("close_"))


def close(d: Desk, window: int, clock: str, outcome: str | None = None) -> dict[str, Any]:
    cmd: dict[str, Any] = {"type": "close_window", "window": window}
    if outcome is not None:
        cmd["ticket_outcome"] = outcome
    return d.run(SUPERVISOR, cmd, at(clock))


def at_window_1(state: str) -> tuple[Desk, str]:
    """Window 1 open with A001 (MZ-01) called or serving there."""
    d = new_desk()
    d.open(1, at("08:30:00"))
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call(1, tid, at("09:02:00"))
    if state == "serving":
        d.start(1, at("09:03:00"))
    return d, tid


def test_the_close_rows_are_the_design_rows() -> None:
    assert {(s, c) for s, c in DESIGN_TABLE if c.startswith("close_")} == set(CLOSE_ROWS)


@pytest.mark.parametrize(("state", "command"), CLOSE_ROWS)
def test_close_window_moves_the_ticket_by_its_row(state: str, command: str) -> None:
    d, tid = at_window_1(state)
    before = dict(d.ticket(tid))
    result = close(d, 1, "09:10:00", command.removeprefix("close_"))
    after = d.ticket(tid)
    assert after["state"] == DESIGN_TABLE[(state, command)]
    assert result["ticket"] == after
    assert result["window"]["state"] == "closed"
    # the row's ticket event (then its case's, when done), then the window closes (naming the
    # supervisor)
    case = ["case_completed"] if command == "close_done" else []
    row = TRANSITIONS[(state, command)].event
    assert [e["type"] for e in d.last] == [row, *case, "window_closed"]
    assert d.last[0]["ticket"] == after and d.last[0]["window"] == 1
    assert d.last[-1]["staff"] == "s1"
    changes = CHANGES[command] | {"state"}
    assert {k: v for k, v in after.items() if k not in changes} == {
        k: v for k, v in before.items() if k not in changes
    }
    w = d.engine.windows[1]
    assert (w["state"], w["staff"], w["current"]) == ("closed", None, None)


@pytest.mark.parametrize(("state", "outcome"), [("called", "done"), ("serving", "no_show")])
def test_an_outcome_that_does_not_fit_is_refused_and_changes_nothing(
    state: str, outcome: str
) -> None:
    d, tid = at_window_1(state)
    err = d.refuse(
        SUPERVISOR,
        {"type": "close_window", "window": 1, "ticket_outcome": outcome},
        at("09:10:00"),
        "invalid_state",
    )
    assert "A001" in err.zh and "A001" in err.en
    assert d.state(tid) == state and d.engine.windows[1]["state"] == "open"


def test_a_requeued_ticket_is_the_next_one_called_for_its_service() -> None:
    d = new_desk()
    for n in (1, 2):
        d.open(n, at("08:30:00"))
    first = d.issue("MZ-01", at("09:00:00"))
    # others wait meanwhile: older and newer, a priority ticket, and an older handoff
    older_handoff = d.issue("MZ-02", at("08:59:00"))
    d.call(1, older_handoff, at("09:00:30"))
    d.start(1, at("09:00:40"))
    d.transfer(1, at("09:00:50"), "MZ-01", reason="转民政")
    d.issue("MZ-01", at("09:00:55"))
    d.call(1, first, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.issue("MZ-01", at("09:03:00"), priority="priority")
    d.issue("MZ-01", at("09:04:00"))
    close(d, 1, "09:10:00")
    t = d.ticket(first)
    assert (t["state"], t["window"], t["staff"], t["called_at"]) == ("waiting", None, None, None)
    assert t["queued_at"] == "2026-11-26T09:10:00.000000+08:00"
    assert t["handoffs"][-1] == {
        "from_window": 1,
        "from_staff": "s1",
        "to_service": "MZ-01",
        "to_window": None,
        "reason": CLOSED_BY_SUPERVISOR,
        "at": "2026-11-26T09:10:00.000000+08:00",
        "front": True,
    }
    assert t["first_responsible"] == {"staff": "c1", "window": 1}  # 首问 is kept
    # window 2 (MZ-01, GH-01) calls it before everything else, even the older handoff
    assert d.call_next(2, at("09:11:00")) == (first, "transferred")


def test_a_ticket_handed_to_the_closed_window_can_be_called_elsewhere() -> None:
    d = new_desk()
    for n in (1, 2, 3):
        d.open(n, at("08:30:00"))
    tid = d.issue("GH-01", at("09:00:00"))
    d.call(3, tid, at("09:01:00"))
    d.start(3, at("09:02:00"))
    d.transfer(3, at("09:03:00"), "MZ-01", to_window=1, reason="民政")
    d.call(1, tid, at("09:04:00"))
    close(d, 1, "09:05:00")
    assert d.ticket(tid)["target_window"] is None
    assert d.call_next(2, at("09:06:00")) == (tid, "transferred")


def test_a_parked_ticket_stays_parked_for_the_window() -> None:
    d = new_desk()
    d.open(1, at("08:30:00"))
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.park(1, at("09:03:00"))
    close(d, 1, "09:04:00")
    assert [e["type"] for e in d.last] == ["window_closed"]
    assert d.state(tid) == "parked" and d.ticket(tid)["window"] == 1
    # the next clerk at window 1 resumes it
    d.open(1, at("09:10:00"), staff="c9")
    d.run(clerk(1, "c9"), {"type": "unpark", "ticket": tid}, at("09:11:00"))
    assert d.state(tid) == "serving"


def test_close_window_needs_an_open_window() -> None:
    d = new_desk()
    d.refuse(SUPERVISOR, {"type": "close_window", "window": 1}, at("09:00:00"), "invalid_state")
    d.refuse(SUPERVISOR, {"type": "close_window", "window": 99}, at("09:00:00"), "not_found")


def test_the_metrics_count_a_requeue_as_a_handoff_out_and_a_done_as_completed() -> None:
    d, _ = at_window_1("serving")
    close(d, 1, "09:10:00")
    row = next(r for r in d.engine.metrics(at("09:11:00"))["windows"] if r["window"] == 1)
    assert (row["transferred_out"], row["completed"]) == (1, 0)
    d, _ = at_window_1("serving")
    close(d, 1, "09:10:00", "done")
    row = next(r for r in d.engine.metrics(at("09:11:00"))["windows"] if r["window"] == 1)
    assert (row["transferred_out"], row["completed"]) == (0, 1)


def test_a_clerk_holds_one_window_at_a_time() -> None:
    d = new_desk()
    d.open(1, at("08:30:00"), staff="c9")
    err = d.refuse(clerk(2, "c9"), {"type": "open_window"}, at("08:31:00"), "forbidden")
    assert "1 号窗口" in err.zh and "window 1" in err.en
    # the same window again is a reconnect; once window 1 is closed, window 2 opens
    d.open(1, at("08:32:00"), staff="c9")
    close(d, 1, "08:33:00")
    d.open(2, at("08:34:00"), staff="c9")
    assert d.engine.windows[2]["staff"] == "c9"
