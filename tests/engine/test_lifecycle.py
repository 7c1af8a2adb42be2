"""The ticket lifecycle of docs/DESIGN.md: every transition, and every other command refused unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from engine_helpers import KIOSK, SUPERVISOR, Desk, at, citizen, clerk, new_desk, state_of

from hub.engine import APPLY, CHANGES, EXPIRE, TRANSITIONS
from shared.protocol import EVENT_TYPES, OPEN_STATES, TICKET_STATES

# the case event a ticket event of these commands causes (a started ticket's case, hub/cases.py)
CASE_FOLLOWS = {
    "start": ["case_opened"],
    "finish_done": ["case_completed"],
    "finish_pending": ["case_changed"],  # the test hall's services are instant (no limit)
}

# --- the table itself ---------------------------------------------------------

# docs/DESIGN.md "Ticket lifecycle", one row per line: (from, command) -> to.
DESIGN_TABLE = {
    ("waiting", "call"): "called",
    ("waiting", "cancel"): "cancelled",
    ("called", "recall"): "called",
    ("called", "start"): "serving",
    ("called", "no_show"): "no_show",
    ("serving", "finish_done"): "done",
    ("serving", "finish_pending"): "pending",
    ("serving", "transfer"): "waiting",
    ("serving", "park"): "parked",
    ("parked", "unpark"): "serving",
    ("no_show", "requeue"): "waiting",
    # a visit's step finished with steps left: on to the next step (docs/DESIGN.md "Visits")
    ("done", "next_step"): "waiting",
    ("pending", "next_step"): "waiting",
    # a supervisor's close_window with the ticket at the window (its ticket_outcome)
    ("called", "close_requeue"): "waiting",
    ("serving", "close_requeue"): "waiting",
    ("serving", "close_done"): "done",
    ("called", "close_no_show"): "no_show",
    # at the end of the day, whatever is still open expires
    ("waiting", "expire"): "expired",
    ("called", "expire"): "expired",
    ("serving", "expire"): "expired",
    ("parked", "expire"): "expired",
}


def test_engine_table_is_the_design_table() -> None:
    assert {row: step.state for row, step in TRANSITIONS.items()} == DESIGN_TABLE


def test_every_row_is_recorded_by_a_ticket_event() -> None:
    for (state, command), (to, event) in TRANSITIONS.items():
        assert state in TICKET_STATES and to in TICKET_STATES
        assert event in EVENT_TYPES and event.startswith("ticket_"), (state, command)


def test_the_open_states_are_those_that_expire() -> None:
    assert {s for s, c in TRANSITIONS if c == EXPIRE} == OPEN_STATES


def test_every_command_says_what_it_may_change() -> None:
    assert set(CHANGES) == {c for _, c in TRANSITIONS}
    for command, fields in CHANGES.items():
        # the state is the table's; who a ticket is never changes
        assert not fields & {"state", "id", "number", "issued_at"}, command


def test_every_event_type_has_its_applier() -> None:
    assert set(APPLY) == set(EVENT_TYPES)


# --- building a ticket in a given state at window 1 ----------------------------


def ticket_in(state: str) -> tuple[Desk, str]:
    """A desk whose ticket A001 (MZ-01) is in `state`, handled at window 1 where it was."""
    d = new_desk()
    d.open(1, at("08:30:00"))
    tid = d.issue("MZ-01", at("09:00:00"))
    if state == "waiting":
        return d, tid
    if state == "cancelled":
        d.cancel(tid, at("09:01:00"))
        return d, tid
    if state == "expired":
        # The old day as a report replays it: everything stored under 2026-11-26
        # (the expired events), without the day_rolled that starts the 27th.
        rolled = d.engine.roll_day(at("00:00:00", d.engine.day.replace(day=27)))
        old = new_desk()
        for ev in [*d.events, *rolled]:
            if ev["type"] != "day_rolled":
                old.engine.apply(ev)
        return old, tid
    d.call(1, tid, at("09:02:00"))
    if state == "no_show":
        d.no_show(1, at("09:03:00"))
    if state in ("serving", "parked", "done", "pending"):
        d.start(1, at("09:03:00"))
    if state == "parked":
        d.park(1, at("09:04:00"))
    if state in ("done", "pending"):
        d.finish(1, at("09:05:00"), state)
    return d, tid


@pytest.mark.parametrize("state", TICKET_STATES)
def test_ticket_in_builds_each_state(state: str) -> None:
    d, tid = ticket_in(state)
    assert d.state(tid) == state


# Every ticket command as window 1's clerk (or the citizen) sends it, keyed like TRANSITIONS
# (the midnight's `expire` is tested on its own below).
COMMANDS: dict[str, Callable[[str], tuple[Any, dict[str, Any]]]] = {
    "call": lambda tid: (clerk(1), {"type": "call", "ticket": tid}),
    "cancel": lambda tid: (citizen(tid), {"type": "cancel"}),
    "recall": lambda tid: (clerk(1), {"type": "recall"}),
    "start": lambda tid: (clerk(1), {"type": "start"}),
    "no_show": lambda tid: (clerk(1), {"type": "no_show"}),
    "finish_done": lambda tid: (clerk(1), {"type": "finish", "outcome": "done"}),
    "finish_pending": lambda tid: (
        clerk(1),
        {"type": "finish", "outcome": "pending", "note": "缺件"},
    ),
    "transfer": lambda tid: (
        clerk(1),
        {"type": "transfer", "service": "GH-01", "reason": "规划事项"},
    ),
    "park": lambda tid: (clerk(1), {"type": "park", "reason": "回去取材料"}),
    "unpark": lambda tid: (clerk(1), {"type": "unpark", "ticket": tid}),
    "requeue": lambda tid: (clerk(1), {"type": "requeue", "ticket": tid}),
}

LEGAL = sorted((s, c) for s, c in TRANSITIONS if c in COMMANDS)
ILLEGAL = [(s, c) for s in TICKET_STATES for c in COMMANDS if (s, c) not in TRANSITIONS]
EXPIRING = sorted(s for s, c in TRANSITIONS if c == EXPIRE)
NOT_EXPIRING = [s for s in TICKET_STATES if (s, EXPIRE) not in TRANSITIONS]


# close_window's rows are exercised in tests/engine/test_engine_close_window.py
CLOSE = frozenset({"close_requeue", "close_done", "close_no_show"})


# a visit's next_step is exercised in tests/engine/test_visits.py
VISIT = frozenset({"next_step"})


def test_every_command_of_the_table_is_exercised() -> None:
    assert {c for _, c in TRANSITIONS} == {*COMMANDS, *CLOSE, *VISIT, EXPIRE}
    assert len(LEGAL) + len(ILLEGAL) == len(TICKET_STATES) * len(COMMANDS)
    assert len(EXPIRING) + len(NOT_EXPIRING) == len(TICKET_STATES)


@pytest.mark.parametrize(("state", "command"), LEGAL)
def test_legal_transition(state: str, command: str) -> None:
    d, tid = ticket_in(state)
    actor, cmd = COMMANDS[command](tid)
    before = dict(d.ticket(tid))
    result = d.run(actor, cmd, at("09:10:00"))
    after = d.ticket(tid)
    assert after["state"] == DESIGN_TABLE[(state, command)]
    assert result["ticket"] == after
    # one event of the row's type, carrying the ticket after the change, applied to the engine;
    # then what it does to the ticket's case (hub/cases.py): opened, completed or made promised
    case = CASE_FOLLOWS.get(command, [])
    assert [e["type"] for e in d.last] == [TRANSITIONS[(state, command)].event, *case]
    ev = d.last[0]
    assert ev["ticket"] == after
    assert ev["seq"] == d.engine.seq - len(case)
    assert ev["at"] == "2026-11-26T09:10:00.000000+08:00"
    # what the command may change on the Ticket (everything else stays)
    changes = CHANGES[command] | {"state"}
    assert {k: v for k, v in after.items() if k not in changes} == {
        k: v for k, v in before.items() if k not in changes
    }


@pytest.mark.parametrize(("state", "command"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(state: str, command: str) -> None:
    d, tid = ticket_in(state)
    actor, cmd = COMMANDS[command](tid)
    d.refuse(actor, cmd, at("09:10:00"), "invalid_state")
    assert d.state(tid) == state


# --- what each transition does to the ticket ------------------------------------


def test_call_next_then_recall_counts_recalls(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    assert d.call_next(1, at("09:01:00")) == (tid, "fifo")
    t = d.ticket(tid)
    assert (t["state"], t["window"], t["staff"], t["called_at"], t["recalls"]) == (
        "called",
        1,
        "c1",
        "2026-11-26T09:01:00.000000+08:00",
        0,
    )
    d.recall(1, at("09:02:00"))
    d.recall(1, at("09:03:00"))
    assert d.ticket(tid)["recalls"] == 2
    assert d.ticket(tid)["state"] == "called"
    assert [e["type"] for e in d.events[-2:]] == ["ticket_recalled", "ticket_recalled"]
    assert d.events[-1]["window"] == 1


def test_start_records_the_first_responsible_once(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:02:00"))
    assert d.ticket(tid)["first_responsible"] == {"staff": "c1", "window": 1}
    assert d.ticket(tid)["started_at"] == "2026-11-26T09:02:00.000000+08:00"
    d.transfer(1, at("09:05:00"), "GH-01", reason="规划事项")
    d.call_next(3, at("09:06:00"))
    d.start(3, at("09:07:00"))
    t = d.ticket(tid)
    # 首问责任制: the first responsible stays the first clerk
    assert t["first_responsible"] == {"staff": "c1", "window": 1}
    assert (t["staff"], t["window"], t["started_at"]) == (
        "c3",
        3,
        "2026-11-26T09:07:00.000000+08:00",
    )


def test_transfer_keeps_number_and_records_the_handoff(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.transfer(1, at("09:05:00"), "GH-01", to_window=3, reason="需规划许可")
    t = d.ticket(tid)
    handoff = {
        "from_window": 1,
        "from_staff": "c1",
        "to_service": "GH-01",
        "to_window": 3,
        "reason": "需规划许可",
        "at": "2026-11-26T09:05:00.000000+08:00",
    }
    assert t["handoffs"] == [handoff]
    assert (t["id"], t["number"], t["state"], t["service"], t["department"]) == (
        "20261126-A001",
        "A001",
        "waiting",
        "GH-01",
        "GH",
    )
    assert (t["queued_at"], t["issued_at"]) == (
        "2026-11-26T09:05:00.000000+08:00",
        "2026-11-26T09:00:00.000000+08:00",
    )
    assert (t["window"], t["staff"], t["called_at"], t["target_window"]) == (None, None, None, 3)
    ev = d.last[0]
    assert ev["handoff"] == handoff and ev["window"] == 1
    assert ev["waiting"] == {"MZ-01": 0, "GH-01": 1}
    assert d.engine.windows[1]["current"] is None
    # a second handoff is appended: the chain is kept (内转外不转)
    d.call_next(3, at("09:06:00"))
    d.start(3, at("09:07:00"))
    d.transfer(3, at("09:08:00"), "MZ-02", reason="回民政")
    assert [h["from_window"] for h in d.ticket(tid)["handoffs"]] == [1, 3]
    assert d.ticket(tid)["target_window"] is None


def test_park_and_unpark_at_the_same_window(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    other = d.issue("MZ-01", at("09:00:30"))
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.park(1, at("09:03:00"), "回去取身份证")
    assert d.state(tid) == "parked"
    assert d.last[0]["reason"] == "回去取身份证"
    assert d.engine.windows[1]["current"] is None
    # the window is free meanwhile
    d.call(1, other, at("09:04:00"))
    d.refuse(clerk(1), {"type": "unpark", "ticket": tid}, at("09:05:00"), "window_busy")
    d.start(1, at("09:05:00"))
    d.refuse(clerk(1), {"type": "unpark", "ticket": tid}, at("09:06:00"), "window_busy")
    d.finish(1, at("09:07:00"))
    # only at the window where it was parked
    d.refuse(clerk(2), {"type": "unpark", "ticket": tid}, at("09:08:00"), "invalid_state")
    d.unpark(1, tid, at("09:08:00"))
    t = d.ticket(tid)
    assert (t["state"], t["window"], t["staff"]) == ("serving", 1, "c1")
    assert d.engine.windows[1]["current"] == tid
    d.finish(1, at("09:09:00"))
    assert d.state(tid) == "done"


def test_parked_ticket_survives_a_change_of_clerk(desk: Desk) -> None:
    d = desk
    d.open(1, at("08:30:00"))
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.park(1, at("09:03:00"))
    d.logout(1, at("09:04:00"))
    d.open(1, at("09:05:00"), staff="c9")
    d.run(clerk(1, "c9"), {"type": "unpark", "ticket": tid}, at("09:06:00"))
    assert (d.state(tid), d.ticket(tid)["staff"]) == ("serving", "c9")


def test_no_show_then_requeue_waits_again(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    d.call(1, tid, at("09:01:00"))
    d.no_show(1, at("09:03:00"))
    t = d.ticket(tid)
    assert (t["state"], t["ended_at"]) == ("no_show", "2026-11-26T09:03:00.000000+08:00")
    assert d.engine.windows[1]["current"] is None
    d.requeue(1, tid, at("09:20:00"))
    t = d.ticket(tid)
    assert (t["state"], t["queued_at"], t["called_at"], t["ended_at"], t["window"], t["staff"]) == (
        "waiting",
        "2026-11-26T09:20:00.000000+08:00",
        None,
        None,
        None,
        None,
    )
    assert t["issued_at"] == "2026-11-26T09:00:00.000000+08:00"
    assert d.last[0]["waiting"] == {"MZ-01": 1}


def test_requeue_only_where_it_belongs(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-02", at("09:00:00"))
    d.call(1, tid, at("09:01:00"))
    d.no_show(1, at("09:03:00"))
    # window 3 serves neither MZ-02 nor was the no-show there
    d.refuse(clerk(3), {"type": "requeue", "ticket": tid}, at("09:04:00"), "invalid_state")
    d.requeue(1, tid, at("09:04:00"))


def test_cancel_only_while_waiting(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    d.cancel(tid, at("09:01:00"))
    t = d.ticket(tid)
    assert (t["state"], t["ended_at"]) == ("cancelled", "2026-11-26T09:01:00.000000+08:00")
    assert d.last[0]["waiting"] == {"MZ-01": 0}
    d.refuse(clerk(1), {"type": "call_next"}, at("09:02:00"), "queue_empty")


@pytest.mark.parametrize("state", EXPIRING)
def test_open_tickets_expire_at_the_end_of_the_day(state: str) -> None:
    d, tid = ticket_in(state)
    old = dict(d.ticket(tid))
    events = d.roll(at("00:00:00", d.engine.day.replace(day=27)))
    # a started ticket's case stays open: an instant one becomes promised (case_changed)
    case = ["case_changed"] if state in ("serving", "parked") else []
    assert [e["type"] for e in events] == [TRANSITIONS[(state, EXPIRE)].event, *case, "day_rolled"]
    expired = events[0]["ticket"]
    assert expired["id"] == tid and expired["state"] == DESIGN_TABLE[(state, EXPIRE)]
    assert expired["ended_at"] == "2026-11-27T00:00:00.000000+08:00"
    changes = CHANGES[EXPIRE] | {"state"}
    assert {k: v for k, v in expired.items() if k not in changes} == {
        k: v for k, v in old.items() if k not in changes
    }


@pytest.mark.parametrize("state", NOT_EXPIRING)
def test_final_and_no_show_tickets_do_not_expire(state: str) -> None:
    d, _ = ticket_in(state)
    events = d.roll(at("00:00:00", d.engine.day.replace(day=27)))
    assert [e["type"] for e in events] == ["day_rolled"]


# --- window states and the documented error codes ------------------------------


def test_call_next_on_an_empty_queue(hall_open: Desk) -> None:
    d = hall_open
    d.issue("GH-02", at("09:00:00"))  # not served at window 1
    d.refuse(clerk(1), {"type": "call_next"}, at("09:01:00"), "queue_empty")


@pytest.mark.parametrize("state", ["called", "serving"])
def test_a_busy_window_cannot_call_pause_or_log_out(state: str) -> None:
    d, _ = ticket_in(state)
    spare = d.issue("MZ-01", at("09:06:00"))
    now = at("09:10:00")
    d.refuse(clerk(1), {"type": "call_next"}, now, "window_busy")
    d.refuse(clerk(1), {"type": "call", "ticket": spare}, now, "window_busy")
    d.refuse(clerk(1), {"type": "pause", "reason": "午休"}, now, "window_busy")
    d.refuse(clerk(1), {"type": "logout"}, now, "window_busy")
    # a supervisor may still close it (tests/engine/test_engine_close_window.py)


def test_a_parked_ticket_does_not_keep_the_window_busy() -> None:
    d, tid = ticket_in("parked")
    spare = d.issue("MZ-01", at("09:06:00"))
    assert d.call_next(1, at("09:10:00")) == (spare, "fifo")
    d.no_show(1, at("09:11:00"))
    d.pause(1, at("09:12:00"))
    d.refuse(clerk(1), {"type": "unpark", "ticket": tid}, at("09:13:00"), "window_paused")
    d.resume(1, at("09:14:00"))
    d.unpark(1, tid, at("09:15:00"))


def test_a_paused_window(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    d.pause(1, at("09:01:00"), "系统维护")
    w = d.engine.windows[1]
    assert (w["state"], w["pause_reason"], w["staff"]) == ("paused", "系统维护", "c1")
    assert d.last[0]["type"] == "window_paused"
    now = at("09:02:00")
    d.refuse(clerk(1), {"type": "call_next"}, now, "window_paused")
    d.refuse(clerk(1), {"type": "call", "ticket": tid}, now, "window_paused")
    d.refuse(clerk(1), {"type": "pause", "reason": "again"}, now, "invalid_state")
    d.resume(1, at("09:03:00"))
    assert d.last[0]["type"] == "window_resumed"
    assert (d.engine.windows[1]["state"], d.engine.windows[1]["pause_reason"]) == ("open", None)
    d.refuse(clerk(1), {"type": "resume"}, at("09:04:00"), "invalid_state")
    assert d.call_next(1, at("09:05:00")) == (tid, "fifo")


def test_a_paused_window_may_log_out(hall_open: Desk) -> None:
    d = hall_open
    d.pause(1, at("09:01:00"))
    d.logout(1, at("09:02:00"))
    w = d.engine.windows[1]
    assert (w["state"], w["staff"], w["pause_reason"], w["current"]) == ("closed", None, None, None)
    assert d.last[0]["type"] == "window_closed"


def test_open_window_sessions(desk: Desk) -> None:
    d = desk
    d.open(1, at("08:30:00"))
    assert d.last[0]["type"] == "window_opened"
    w = d.engine.windows[1]
    assert (w["state"], w["staff"], w["opened_at"]) == (
        "open",
        "c1",
        "2026-11-26T08:30:00.000000+08:00",
    )
    # the same clerk again (a reconnect): nothing happens
    assert d.open(1, at("08:31:00")) == {}
    assert d.last == []
    # another clerk: refused
    d.refuse(clerk(1, "c9"), {"type": "open_window"}, at("08:32:00"), "window_taken")
    d.refuse(clerk(99), {"type": "open_window"}, at("08:32:00"), "not_found")


@pytest.mark.parametrize(
    "cmd",
    [
        {"type": "call_next"},
        {"type": "recall"},
        {"type": "start"},
        {"type": "no_show"},
        {"type": "finish", "outcome": "done"},
        {"type": "pause", "reason": "x"},
        {"type": "resume"},
        {"type": "logout"},
        {"type": "unpark", "ticket": "20261126-A001"},
        {"type": "requeue", "ticket": "20261126-A001"},
        {"type": "call", "ticket": "20261126-A001"},
        {"type": "transfer", "service": "GH-01", "reason": "x"},
        {"type": "park", "reason": "x"},
    ],
)
def test_counter_commands_need_the_window_open_by_this_clerk(
    cmd: dict[str, Any], desk: Desk
) -> None:
    d = desk
    d.issue("MZ-01", at("09:00:00"))
    d.refuse(clerk(1), cmd, at("09:01:00"), "invalid_state")  # window 1 closed
    d.open(1, at("09:02:00"))
    d.refuse(clerk(1, "c9"), cmd, at("09:03:00"), "invalid_state")  # held by c1, not c9


def test_not_found_and_bad_args(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    now = at("09:01:00")
    d.refuse(KIOSK, {"type": "issue", "service": "XX-99"}, now, "not_found")
    d.refuse(clerk(1), {"type": "call", "ticket": "20261126-A999"}, now, "not_found")
    d.refuse(clerk(1), {"type": "unpark", "ticket": "nope"}, now, "not_found")
    d.refuse(clerk(1), {"type": "requeue", "ticket": "nope"}, now, "not_found")
    d.refuse(citizen("20261126-Z001"), {"type": "cancel"}, now, "not_found")
    d.refuse(citizen("20261126-Z001"), {"type": "rate", "level": 5}, now, "not_found")
    d.refuse(
        SUPERVISOR, {"type": "set_window", "window": 1, "services": ["XX-99"]}, now, "not_found"
    )
    d.refuse(
        SUPERVISOR, {"type": "set_window", "window": 9, "services": ["MZ-01"]}, now, "not_found"
    )
    d.refuse(SUPERVISOR, {"type": "close_window", "window": 9}, now, "not_found")
    d.refuse(SUPERVISOR, {"type": "close_window", "window": 4}, now, "invalid_state")
    d.refuse(KIOSK, {"type": "teleport"}, now, "unknown_type")
    d.call(1, tid, now)
    d.start(1, at("09:02:00"))
    later = at("09:03:00")
    d.refuse(clerk(1), {"type": "transfer", "service": "XX-99", "reason": "x"}, later, "not_found")
    d.refuse(
        clerk(1),
        {"type": "transfer", "service": "GH-01", "window": 9, "reason": "x"},
        later,
        "not_found",
    )
    # window 1 does not serve GH-01: a handoff there could never be called
    d.refuse(
        clerk(1),
        {"type": "transfer", "service": "GH-01", "window": 1, "reason": "x"},
        later,
        "bad_args",
    )


def test_call_only_what_the_window_serves(hall_open: Desk) -> None:
    d = hall_open
    gh = d.issue("GH-02", at("09:00:00"))
    d.refuse(clerk(1), {"type": "call", "ticket": gh}, at("09:01:00"), "invalid_state")


def test_ratings_once_per_visit(hall_open: Desk) -> None:
    d = hall_open
    tid = d.issue("MZ-01", at("09:00:00"))
    me = citizen(tid)
    d.refuse(me, {"type": "rate", "level": 5}, at("09:00:30"), "invalid_state")  # not served yet
    d.call(1, tid, at("09:01:00"))
    d.start(1, at("09:02:00"))
    d.refuse(me, {"type": "rate", "level": 5}, at("09:02:30"), "invalid_state")  # still serving
    d.transfer(1, at("09:03:00"), "GH-01")
    d.refuse(me, {"type": "rate", "level": 2}, at("09:03:10"), "bad_args")  # 1 or 2 need a reason
    d.refuse(me, {"type": "rate", "level": 1, "reason": "   "}, at("09:03:10"), "bad_args")
    d.rate(tid, 2, at("09:03:20"), "让我跑两个窗口")
    assert d.last[0]["window"] == 1 and d.last[0]["level"] == 2
    # that visit is rated
    d.refuse(me, {"type": "rate", "level": 5}, at("09:03:30"), "invalid_state")
    d.call_next(3, at("09:04:00"))
    d.start(3, at("09:05:00"))
    d.finish(3, at("09:06:00"))
    d.rate(tid, 5, at("09:07:00"))
    assert d.last[0]["window"] == 3
    d.refuse(me, {"type": "rate", "level": 4}, at("09:08:00"), "invalid_state")
    assert [(r["window"], r["level"]) for r in d.engine.ratings] == [(1, 2), (3, 5)]


def test_set_window_and_close_window(hall_open: Desk) -> None:
    d = hall_open
    gh = d.issue("GH-02", at("09:00:00"))
    d.run(
        SUPERVISOR,
        {"type": "set_window", "window": 1, "services": ["GH-02", "GH-02", "MZ-01"]},
        at("09:01:00"),
    )
    assert d.engine.windows[1]["services"] == ["GH-02", "MZ-01"]
    assert d.last[0]["type"] == "window_changed"
    assert d.call_next(1, at("09:02:00")) == (gh, "fifo")
    d.no_show(1, at("09:03:00"))
    d.run(SUPERVISOR, {"type": "close_window", "window": 1}, at("09:04:00"))
    assert d.engine.windows[1]["state"] == "closed"
    assert d.last[0]["type"] == "window_closed"


def test_queries_do_not_change_anything(hall_open: Desk) -> None:
    d = hall_open
    d.issue("MZ-01", at("09:00:00"))
    now = at("09:05:00")
    before = state_of(d.engine, now)
    result, events = d.engine.execute(SUPERVISOR, {"type": "metrics"}, now)
    assert events == [] and result["metrics"] == d.engine.metrics(now)
    result, events = d.engine.execute(clerk(1), {"type": "metrics"}, now)
    assert events == []
    d.engine.position("20261126-A001")
    d.engine.waiting_counts()
    d.engine.rate_window("20261126-A001")
    assert state_of(d.engine, now) == before


def test_seq_increases_by_one_per_event(hall_open: Desk) -> None:
    d = hall_open
    for i in range(3):
        tid = d.issue("MZ-01", at(f"09:0{i}:00"))
        d.call(1, tid, at(f"09:0{i}:10"))
        d.start(1, at(f"09:0{i}:20"))
        d.finish(1, at(f"09:0{i}:30"))
    assert [e["seq"] for e in d.events] == list(range(1, len(d.events) + 1))
    assert d.engine.seq == len(d.events)


def test_an_engine_is_pure_of_the_clock() -> None:
    # Same commands, same instants: same events, whatever the wall clock says.
    runs = []
    for _ in range(2):
        d = new_desk()
        d.open(1, at("08:30:00"))
        tid = d.issue("MZ-01", at("09:00:00"), priority="priority")
        d.call_next(1, at("09:01:00"))
        d.start(1, at("09:02:00"))
        d.finish(1, at("09:03:00"), "pending")
        runs.append((d.events, tid))
    assert runs[0] == runs[1]
