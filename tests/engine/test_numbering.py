"""Numbering per prefix per hall-local day, and the roll at local midnight (Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from engine_helpers import (
    DAY,
    KIOSK,
    Desk,
    at,
    citizen,
    clerk,
    make_hall,
    new_desk,
    state_of,
    via_json,
)

from hub.engine import Engine

# 2026-11-27 00:00 in Shanghai while UTC is still on the 26th
MIDNIGHT_UTC = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
JUST_BEFORE_UTC = datetime(2026, 11, 26, 15, 59, 59, 999999, tzinfo=UTC)
NEXT_DAY = date(2026, 11, 27)


def test_numbers_per_prefix_start_at_001_without_gap(desk: Desk) -> None:
    d = desk
    services = ["MZ-01", "MZ-02", "GH-01", "GH-02", "MZ-01", "GH-01", "GH-02", "MZ-02"]
    issued = [d.issue(s, at(f"09:{i:02d}:00")) for i, s in enumerate(services)]
    # MZ-01 and MZ-02 share their department's prefix A; GH-02 has its own prefix C
    assert [d.ticket(t)["number"] for t in issued] == [
        "A001",
        "A002",
        "B001",
        "C001",
        "A003",
        "B002",
        "C002",
        "A004",
    ]
    assert all(t == f"20261126-{d.ticket(t)['number']}" for t in issued)
    assert d.engine.numbers == {"A": 4, "B": 2, "C": 2}


def test_numbers_are_never_reused(hall_open: Desk) -> None:
    d = hall_open
    a1 = d.issue("MZ-01", at("09:00:00"))
    d.cancel(a1, at("09:01:00"))
    a2 = d.issue("MZ-01", at("09:02:00"))
    d.call(1, a2, at("09:03:00"))
    d.no_show(1, at("09:04:00"))
    a3 = d.issue("MZ-01", at("09:05:00"))
    assert (a1, a2, a3) == ("20261126-A001", "20261126-A002", "20261126-A003")


def test_numbers_go_past_999(desk: Desk) -> None:
    d = desk
    for i in range(1000):
        last = d.issue("GH-02", at(f"09:{i // 60 % 60:02d}:{i % 60:02d}"))
    assert last == "20261126-C1000"
    assert d.issue("GH-02", at("10:00:00")) == "20261126-C1001"
    replayed = Engine(make_hall(), DAY)
    for ev in via_json(d.events):
        replayed.apply(ev)
    assert replayed.numbers == {"C": 1001}


def test_issue_reply_and_event(desk: Desk) -> None:
    d = desk
    result = d.run(
        KIOSK,
        {"type": "issue", "service": "MZ-01", "priority": "priority", "lang": "en"},
        at("09:00:00"),
    )
    t = result["ticket"]
    assert t == {
        "id": "20261126-A001",
        "number": "A001",
        "service": "MZ-01",
        "department": "MZ",
        "priority": "priority",
        "state": "waiting",
        "issued_at": "2026-11-26T09:00:00.000000+08:00",
        "queued_at": "2026-11-26T09:00:00.000000+08:00",
        "queued_seq": 1,
        "called_at": None,
        "started_at": None,
        "ended_at": None,
        "window": None,
        "staff": None,
        "target_window": None,
        "recalls": 0,
        "first_responsible": None,
        "handoffs": [],
        "note": None,
        "lang": "en",
        "case": None,
    }
    assert (result["ahead"], result["eta_min"]) == (0, None)  # no window open
    ev = d.last[0]
    assert ev["type"] == "ticket_issued" and ev["ticket"] == t and ev["seq"] == 1
    assert ev["waiting"] == {"MZ-01": 1}


def test_times_are_written_with_the_hall_offset(desk: Desk) -> None:
    d = desk
    tid = d.issue("MZ-01", datetime(2026, 11, 26, 1, 2, 3, 456789, tzinfo=UTC))
    assert d.ticket(tid)["issued_at"] == "2026-11-26T09:02:03.456789+08:00"
    assert d.last[0]["at"] == "2026-11-26T09:02:03.456789+08:00"


# --- the day roll ------------------------------------------------------------------------


def busy_evening() -> tuple[Desk, dict[str, str]]:
    """The 26th at 23:30: a ticket in every state, windows 1 and 2 open, 3 paused, 4 closed."""
    d = new_desk()
    for n in (1, 2, 3):
        d.open(n, at("08:30:00"))
    t = {}
    for name, service in [
        ("done", "MZ-01"),
        ("pending", "MZ-01"),
        ("no_show", "MZ-01"),
        ("cancelled", "MZ-01"),
        ("parked", "MZ-02"),
        ("serving", "MZ-01"),
        ("called", "MZ-01"),
        ("waiting", "GH-01"),
    ]:
        t[name] = d.issue(service, at("23:00:00"))
    d.cancel(t["cancelled"], at("23:01:00"))
    for outcome in ("done", "pending"):
        d.call(1, t[outcome], at("23:02:00"))
        d.start(1, at("23:03:00"))
        d.finish(1, at("23:04:00"), outcome)
    d.call(1, t["no_show"], at("23:05:00"))
    d.no_show(1, at("23:06:00"))
    d.call(1, t["parked"], at("23:07:00"))
    d.start(1, at("23:08:00"))
    d.park(1, at("23:09:00"))
    d.call(2, t["serving"], at("23:10:00"))
    d.start(2, at("23:11:00"))
    d.call(1, t["called"], at("23:12:00"))
    d.pause(3, at("23:20:00"), "夜间值守")
    return d, t


def test_nothing_happens_while_it_is_the_same_local_day() -> None:
    d, _ = busy_evening()
    before = state_of(d.engine, JUST_BEFORE_UTC)
    # UTC says 15:59:59.999999 on the 26th; Shanghai says 23:59:59.999999 on the 26th
    assert d.engine.roll_day(JUST_BEFORE_UTC) == []
    assert d.engine.roll_day(at("00:00:01")) == []  # the morning of the same day
    assert state_of(d.engine, JUST_BEFORE_UTC) == before
    assert d.issue("MZ-01", JUST_BEFORE_UTC) == "20261126-A008"


def test_roll_at_local_midnight_while_utc_is_still_the_day_before() -> None:
    d, t = busy_evening()
    old_tickets = {tid: dict(d.ticket(tid)) for tid in t.values()}
    events = d.roll(MIDNIGHT_UTC)
    kinds = [e["type"] for e in events if not e["type"].startswith("case_")]
    assert kinds == ["ticket_expired"] * 4 + ["day_rolled"]
    # waiting, called, serving and parked expire; no_show, done, pending, cancelled do not
    expired = [e["ticket"] for e in events[:-1] if "ticket" in e]
    assert sorted(x["id"] for x in expired) == sorted(
        t[s] for s in ("waiting", "called", "serving", "parked")
    )
    for x in expired:
        assert x["state"] == "expired"
        assert x["ended_at"] == "2026-11-27T00:00:00.000000+08:00"
        # history: the old ticket as it was, with its old day's id
        assert {k: v for k, v in x.items() if k not in ("state", "ended_at")} == {
            k: v for k, v in old_tickets[x["id"]].items() if k not in ("state", "ended_at")
        }
        assert x["id"].startswith("20261126-")
    rolled = events[-1]
    assert rolled["day"] == "2026-11-27"
    assert rolled["at"] == "2026-11-27T00:00:00.000000+08:00"
    n = len(events)  # the four expiries, the cases they leave open (promised), day_rolled
    assert [e["seq"] for e in events] == list(range(events[0]["seq"], events[0]["seq"] + n))
    # windows go on (staff stay logged in, a pause stays) with nothing current
    assert [
        (w["number"], w["state"], w["staff"], w["current"], w["priority_streak"])
        for w in rolled["windows"]
    ] == [
        (1, "open", "c1", None, 0),
        (2, "open", "c2", None, 0),
        (3, "paused", "c3", None, 0),
        (4, "closed", None, None, 0),
    ]
    eng = d.engine
    assert eng.day == NEXT_DAY
    assert eng.tickets == {} and eng.numbers == {}
    assert eng.waiting_counts() == {"MZ-01": 0, "MZ-02": 0, "GH-01": 0, "GH-02": 0}
    assert [w["state"] for w in eng.windows.values()] == ["open", "open", "paused", "closed"]


def test_numbering_restarts_the_next_local_day() -> None:
    d, _ = busy_evening()
    d.roll(MIDNIGHT_UTC)
    a = d.issue("MZ-01", MIDNIGHT_UTC)
    b = d.issue("GH-01", datetime(2026, 11, 26, 16, 5, tzinfo=UTC))
    a2 = d.issue("MZ-02", datetime(2026, 11, 26, 16, 6, tzinfo=UTC))
    assert (a, b, a2) == ("20261127-A001", "20261127-B001", "20261127-A002")
    assert d.ticket(a)["issued_at"] == "2026-11-27T00:00:00.000000+08:00"
    # a second roll the same local day does nothing
    assert d.roll(datetime(2026, 11, 27, 15, 59, tzinfo=UTC)) == []


def test_the_new_day_starts_with_fresh_metrics() -> None:
    d, _ = busy_evening()
    d.roll(MIDNIGHT_UTC)
    m = d.engine.metrics(at("00:10:00", NEXT_DAY))
    assert m["day"] == "2026-11-27"
    assert m["hall"] == {
        "issued": 0,
        "waiting": 0,
        "received": 0,
        "completed": 0,
        "pending": 0,
        "no_show": 0,
        "cancelled": 0,
        "completion_rate": None,
        "first_responsibility_closure_rate": None,
        "avg_wait_s": None,
        "max_wait_s": None,
        "avg_service_s": None,
        "ratings": {"count": 0, "avg": None},
        "visits": 0,
        "one_trip": 0,
        "windows_per_visit": None,
    }
    # open sessions count from local midnight on the new day
    duty = {w["window"]: (w["on_duty_s"], w["paused_s"]) for w in m["windows"]}
    assert duty == {1: (600.0, 0.0), 2: (600.0, 0.0), 3: (600.0, 600.0), 4: (0.0, 0.0)}
    # and the old day's counted up to its midnight, not beyond
    old = Engine(make_hall(), DAY)
    for ev in via_json(d.events):
        if ev["type"] != "day_rolled":
            old.apply(ev)
    old_duty = {
        w["window"]: (w["on_duty_s"], w["paused_s"])
        for w in old.metrics(at("00:10:00", NEXT_DAY))["windows"]
    }
    assert old_duty == {1: (55800.0, 0.0), 2: (55800.0, 0.0), 3: (55800.0, 2400.0), 4: (0.0, 0.0)}


def test_the_old_day_is_kept_in_its_events() -> None:
    d, t = busy_evening()
    d.roll(MIDNIGHT_UTC)
    # What the store keeps under 2026-11-26: everything before day_rolled.
    old = Engine(make_hall(), DAY)
    for ev in via_json(d.events):
        if ev["type"] == "day_rolled":
            break
        old.apply(ev)
    assert old.day == DAY
    assert {tid: x["state"] for tid, x in old.tickets.items()} == {
        t["done"]: "done",
        t["pending"]: "pending",
        t["no_show"]: "no_show",
        t["cancelled"]: "cancelled",
        t["parked"]: "expired",
        t["serving"]: "expired",
        t["called"]: "expired",
        t["waiting"]: "expired",
    }
    assert old.metrics(at("00:00:00", NEXT_DAY))["hall"]["issued"] == 8


def test_roll_noticed_late_expires_at_the_midnight_that_ended_the_day() -> None:
    d, t = busy_evening()
    late = at("00:07:30", NEXT_DAY)
    events = d.roll(late)
    assert events[0]["ticket"]["ended_at"] == "2026-11-27T00:00:00.000000+08:00"
    assert events[0]["at"] == "2026-11-27T00:00:00.000000+08:00"
    assert events[-1]["day"] == "2026-11-27"


def test_roll_over_several_days() -> None:
    d, _ = busy_evening()
    events = d.roll(at("08:00:00", date(2026, 11, 30)))
    assert events[-1]["day"] == "2026-11-30"
    assert d.issue("GH-02", at("08:01:00", date(2026, 11, 30))) == "20261130-C001"


def test_restart_on_the_new_day_replays_from_day_rolled() -> None:
    d, _ = busy_evening()
    d.roll(MIDNIGHT_UTC)
    d.issue("MZ-01", at("00:01:00", NEXT_DAY))
    d.call_next(1, at("00:02:00", NEXT_DAY))
    # the store's restore: the newest day's events (they begin with day_rolled)
    events = via_json(d.events)
    first = next(i for i, e in enumerate(events) if e["type"] == "day_rolled")
    restored = Engine(make_hall(), NEXT_DAY)
    restored.cases.load(d.engine.cases.open.values())  # what the store's `cases` table holds
    for ev in events[first:]:
        restored.apply(ev)
    now = at("00:30:00", NEXT_DAY)
    assert state_of(restored, now) == state_of(d.engine, now)
    assert Desk(restored).issue("MZ-01", at("00:31:00", NEXT_DAY)) == "20261127-A002"


def test_yesterdays_tickets_are_gone_from_the_live_engine() -> None:
    d, t = busy_evening()
    d.roll(MIDNIGHT_UTC)
    now = at("08:00:00", NEXT_DAY)
    # a no-show of yesterday cannot be requeued today; nor can anything else be done to it
    d.refuse(clerk(1), {"type": "requeue", "ticket": t["no_show"]}, now, "not_found")
    d.refuse(clerk(1), {"type": "unpark", "ticket": t["parked"]}, now, "not_found")
    d.refuse(clerk(1), {"type": "call", "ticket": t["waiting"]}, now, "not_found")
    d.refuse(citizen(t["waiting"]), {"type": "cancel"}, now, "not_found")
    d.refuse(clerk(1), {"type": "call_next"}, now, "queue_empty")
    d.refuse(clerk(1), {"type": "recall"}, now, "invalid_state")
