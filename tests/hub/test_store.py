"""The durable store, on SQLite (a real file) and on PostgreSQL (a fresh database).

Each scenario runs commands through the pure engine and commits every batch
with ``Store.commit`` the way the hub's writer does; then ``Store.restore()``
(on a new ``Store``, as after a restart) must give back an engine with the
same tickets, windows, numbering and metrics. The last tests do the same
through a real ``HubServer`` and its websockets.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hub_scenario import walk
from sqlalchemy import event, select
from sqlalchemy.exc import ArgumentError, IntegrityError
from support import raw

from hub import auth
from hub.catalogue import Hall, load_demo
from hub.engine import Actor
from hub.engine import Engine as QueueEngine
from hub.store import DEVICES, EVENTS, REQUESTS, TICKETS, WINDOWS, Store, encode_event
from hub.views import staff_event
from shared.protocol import PRIVATE_EVENT_FIELDS, Event

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 26)
SECRET = "5e" * 32
KIOSK = Actor("kiosk", "K1")
SUPERVISOR = Actor("supervisor", "s001")


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    """A hall-local instant."""
    return datetime.combine(day, time(hh, mm, ss), tzinfo=TZ)


def clerk(window: int) -> Actor:
    """The demo clerk of a window (c001 holds window 1, c002 window 2, ...)."""
    return Actor("counter", f"c{window:03d}", window)


def citizen(ticket_id: str) -> Actor:
    return Actor("citizen", ticket_id)


def identity(actor: Actor) -> str:
    """The idempotency identity the hub uses for an actor."""
    return (
        {"kiosk": "kiosk", "counter": "staff", "supervisor": "staff", "citizen": "ticket"}[
            actor.role
        ]
        + ":"
        + actor.identity
    )


@pytest.fixture(scope="module")
def hall() -> Hall:
    return load_demo()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database of one test: a SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "hall.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(url: str, hall: Hall) -> Iterator[Store]:
    """A store with its tables and the demo hall."""
    s = Store(url)
    s.create_tables()
    s.save_hall(hall, "", SECRET)
    yield s
    s.dispose()


@contextmanager
def reopened(store: Store) -> Iterator[Store]:
    """A second Store on the same database: what a restarted hub gets."""
    again = Store(store.url)
    try:
        yield again
    finally:
        again.dispose()


class Driver:
    """Runs commands through the engine and commits each batch as the hub's writer does."""

    def __init__(self, store: Store, hall: Hall, day: date = DAY) -> None:
        self.store = store
        self.hall = hall
        self.engine = QueueEngine(hall, day, token_hash_of=self.token_hash)
        self.replies: dict[tuple[str, str], dict[str, Any]] = {}
        self.events: list[Event] = []

    def token_hash(self, ticket_id: str) -> str:
        return auth.token_hash(auth.ticket_token(SECRET, self.hall.id, ticket_id))

    def batch(self, now: datetime, *commands: tuple[Actor, dict[str, Any]]) -> list[dict[str, Any]]:
        """One batch: roll the day if `now` is past midnight, run the commands, commit, return the results."""
        day_before = self.engine.day
        events = self.engine.roll_day(now)
        results, replies = [], []
        for actor, cmd in commands:
            result, evs = self.engine.execute(actor, cmd, now)
            events.extend(evs)
            rid = uuid.uuid4().hex
            reply = {"type": "ok", **copy.deepcopy(result)}
            replies.append((identity(actor), rid, reply))
            self.replies[(identity(actor), rid)] = reply
            results.append(result)
        # each event encoded once, for the database and the fan-out, as the hub does
        stored = [encode_event(ev)[1] for ev in events]
        self.store.commit(self.hall.id, day_before, events, replies, stored)
        self.events.extend(events)
        return results

    def run(self, now: datetime, actor: Actor, type_: str, **args: Any) -> dict[str, Any]:
        return self.batch(now, (actor, {"type": type_, **args}))[0]

    def issue(self, now: datetime, service: str, priority: str = "normal") -> dict[str, Any]:
        return self.run(now, KIOSK, "issue", service=service, priority=priority)["ticket"]


def state(eng: QueueEngine, now: datetime) -> dict[str, Any]:
    """Everything a restart must bring back, as plain data."""
    return {
        "day": eng.day,
        "seq": eng.seq,
        "tickets": eng.tickets,
        "windows": eng.windows,
        "numbers": eng.numbers,
        "waiting": eng.waiting_counts(),
        "tokens": eng.tokens,
        "recent_calls": list(eng.recent_calls),
        "notice": eng.notice,
        "complaints": eng.complaints,
        "ratings": eng.ratings,
        "printer_faults": eng.printer_faults,
        "rate_windows": {tid: eng.rate_window(tid) for tid in eng.tickets},
        "positions": {tid: eng.position(tid) for tid in eng.tickets},
        "metrics": eng.metrics(now),
    }


def snapshot(eng: QueueEngine) -> QueueEngine:
    """A deep copy of an engine (without its token hasher, which holds the store)."""
    hasher, eng.token_hash_of = eng.token_hash_of, None
    try:
        return copy.deepcopy(eng)
    finally:
        eng.token_hash_of = hasher


def busy_day(d: Driver, day: date = DAY) -> datetime:
    """A morning that touches every kind of event; returns the instant it ends."""
    d.run(at(day, 8, 55), clerk(1), "open_window")
    d.run(at(day, 8, 56), clerk(3), "open_window")
    d.run(at(day, 8, 57), clerk(13), "open_window")
    d.run(at(day, 8, 58), clerk(9), "open_window")
    f1 = d.issue(at(day, 9, 0), "JS-01")
    d.issue(at(day, 9, 1), "JS-02")
    d.issue(at(day, 9, 2), "JS-01", priority="priority")
    h1 = d.issue(at(day, 9, 3), "WT-01")
    a1 = d.issue(at(day, 9, 4), "MZ-01")
    b1 = d.issue(at(day, 9, 5), "TJ-01")
    d.issue(at(day, 9, 6), "TJ-02")
    d.run(at(day, 9, 7), SUPERVISOR, "notice", text="系统维护：11:00 暂停社保业务", minutes=60)
    # window 1: the priority ticket first, done; then a ticket handed off to WT-01
    called = d.run(at(day, 9, 10), clerk(1), "call_next")
    assert called["reason"] == "priority"
    d.run(at(day, 9, 11), clerk(1), "start")
    d.run(at(day, 9, 20), clerk(1), "finish", outcome="done", note="已办结")
    assert d.run(at(day, 9, 21), clerk(1), "call_next")["ticket"]["id"] == f1["id"]
    d.run(at(day, 9, 22), clerk(1), "recall")
    d.run(at(day, 9, 23), clerk(1), "start")
    d.run(at(day, 9, 30), clerk(1), "transfer", service="WT-02", reason="属于水务事项")
    # window 3: the handed-off ticket comes first; parked, resumed, accepted for later
    assert d.run(at(day, 9, 31), clerk(3), "call_next")["reason"] == "transferred"
    d.run(at(day, 9, 32), clerk(3), "start")
    d.run(at(day, 9, 35), clerk(3), "park", reason="回家取户口本")
    d.run(at(day, 9, 50), clerk(3), "unpark", ticket=f1["id"])
    d.run(at(day, 9, 58), clerk(3), "finish", outcome="pending")
    # window 3 again: a no-show who comes back
    assert d.run(at(day, 10, 0), clerk(3), "call_next")["ticket"]["id"] == h1["id"]
    d.run(at(day, 10, 3), clerk(3), "no_show")
    d.run(at(day, 10, 9), clerk(3), "requeue", ticket=h1["id"])
    # window 13 serves MZ-01 and then pauses for lunch
    d.run(at(day, 10, 10), clerk(13), "call_next")
    d.run(at(day, 10, 11), clerk(13), "start")
    d.run(at(day, 10, 40), clerk(13), "finish", outcome="done")
    d.run(at(day, 10, 41), clerk(13), "pause", reason="午餐")
    # citizens: ratings, a complaint, a cancellation
    d.run(at(day, 10, 42), citizen(a1["id"]), "rate", level=2, reason="等得太久")
    d.run(at(day, 10, 43), citizen(f1["id"]), "rate", level=5)
    d.run(at(day, 10, 44), citizen(a1["id"]), "complain", text="叫号声音太小")
    d.run(at(day, 10, 45), citizen(b1["id"]), "cancel")
    # kiosk printer, supervisor re-assigns and closes windows
    d.run(at(day, 10, 46), KIOSK, "printer_status", ok=False, kind="paper_out", message="缺纸")
    d.run(at(day, 10, 47), SUPERVISOR, "set_window", window=31, services=["SR-01", "JS-01"])
    d.run(at(day, 10, 48), SUPERVISOR, "close_window", window=9)
    # a last ticket issued and called out of turn in the same batch: window 1 is left calling it
    d.batch(
        at(day, 10, 50),
        (KIOSK, {"type": "issue", "service": "JS-03"}),
        (clerk(1), {"type": "call", "ticket": f"{day:%Y%m%d}-F004"}),
    )
    return at(day, 11, 0)


# --- restore ---------------------------------------------------------------------


def test_restore_gives_back_the_same_engine(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    now = busy_day(d)
    live = d.engine
    assert live.numbers == {"F": 4, "H": 1, "A": 1, "B": 2}
    assert live.notice and live.complaints and live.ratings and live.printer_faults

    with reopened(store) as again:
        restored = again.restore(hall, DAY, d.token_hash)  # as the hub restores
        assert state(restored, now) == state(live, now)
        # and the same future: the next commands give the same events on both
        for actor, cmd in [
            (KIOSK, {"type": "issue", "service": "JS-01"}),
            (KIOSK, {"type": "issue", "service": "MZ-02"}),
            (clerk(1), {"type": "start"}),
            (clerk(13), {"type": "resume"}),
            (clerk(3), {"type": "call_next"}),
        ]:
            got = restored.execute(actor, cmd, now)
            want = live.execute(actor, cmd, now)
            assert got == want
        assert restored.tickets[f"{DAY:%Y%m%d}-F005"]["number"] == "F005"
        assert restored.tickets[f"{DAY:%Y%m%d}-A002"]["number"] == "A002"


def test_rows_follow_the_events(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    busy_day(d)
    eng = d.engine
    with store.engine.connect() as conn:
        tickets = {r.id: r for r in conn.execute(select(TICKETS)).all()}
        windows = {r.number: r for r in conn.execute(select(WINDOWS)).all()}
        seqs = [r[0] for r in conn.execute(select(EVENTS.c.seq).order_by(EVENTS.c.seq)).all()]
    assert seqs == list(range(1, eng.seq + 1))
    assert set(tickets) == set(eng.tickets)
    for tid, row in tickets.items():
        assert json.loads(row.data) == eng.tickets[tid]
        assert (row.number, row.service, row.state, row.day) == (
            eng.tickets[tid]["number"],
            eng.tickets[tid]["service"],
            eng.tickets[tid]["state"],
            DAY.isoformat(),
        )
    assert set(windows) == {1, 3, 9, 13, 31}  # the windows some event changed
    for n, row in windows.items():
        assert json.loads(row.data) == eng.windows[n]
        assert (row.state, row.staff) == (eng.windows[n]["state"], eng.windows[n]["staff"])


def test_stored_events_are_the_staff_text_plus_the_store_only_fields(
    store: Store, hall: Hall
) -> None:
    d = Driver(store, hall)
    busy_day(d)
    assert store.events_of_day(hall.id, DAY.isoformat()) == d.events
    private = 0
    for ev in d.events:
        staff, stored = encode_event(ev)
        assert json.loads(staff) == staff_event(ev)  # what staff are sent
        assert json.loads(stored) == ev
        assert stored.startswith(staff[:-1])  # one encoding serves both
        private += stored != staff
    assert private > 10  # issued tickets carry their token hash, calls their window


def test_one_batch_writes_every_row_with_one_statement_per_table(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    d.run(at(DAY, 8, 55), clerk(1), "open_window")
    d.issue(at(DAY, 8, 56), "JS-01")  # called in the batch: its row changes without its token
    statements: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        statements.append(sql.split()[2])  # INSERT INTO <table>

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        d.batch(
            at(DAY, 9, 0),
            *[(KIOSK, {"type": "issue", "service": "JS-01"}) for _ in range(20)],
            (clerk(1), {"type": "call_next"}),
            (KIOSK, {"type": "issue", "service": "MZ-01"}),
        )
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    # events, issued tickets (with their token hash), the called one, window 1, replies
    assert sorted(statements) == ["events", "requests", "tickets", "tickets", "windows"]
    with reopened(store) as again:
        restored = again.restore(hall, DAY, d.token_hash)
        assert state(restored, at(DAY, 9, 1)) == state(d.engine, at(DAY, 9, 1))
        assert again.replies_of_day(hall.id, DAY.isoformat()) == d.replies
    assert len(d.replies) == 2 + 22
    with store.engine.connect() as conn:
        assert len(conn.execute(select(TICKETS)).all()) == 1 + 21
        assert len(conn.execute(select(EVENTS)).all()) == 2 + 22


def test_ticket_rows_carry_the_token_hash(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    busy_day(d)
    with store.engine.connect() as conn:
        rows = conn.execute(select(TICKETS.c.id, TICKETS.c.token_hash)).all()
    assert rows
    for tid, token_hash in rows:
        # the hash of the citizen token, never the token itself
        assert token_hash == d.token_hash(tid)
        token = auth.ticket_token(SECRET, hall.id, tid)
        assert token not in token_hash
        found = store.ticket_by_token(hall.id, auth.token_hash(token))
        # the row holds the ticket as it is now, not as it was issued
        assert found == d.engine.tickets[tid]
    assert store.ticket_by_token(hall.id, auth.token_hash("no such token")) is None
    assert store.ticket_by_token("another-hall", d.token_hash(rows[0][0])) is None
    # a ticket issued and called in the same batch keeps its token hash
    last = f"{DAY:%Y%m%d}-F004"
    assert d.engine.tickets[last]["state"] == "called"
    assert store.ticket_by_token(hall.id, d.token_hash(last)) == d.engine.tickets[last]


def test_replies_survive_a_restart(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    busy_day(d)
    assert len(d.replies) > 30
    with reopened(store) as again:
        assert again.replies_of_day(hall.id, DAY.isoformat()) == d.replies
        assert again.replies_of_day(hall.id, (DAY - timedelta(days=1)).isoformat()) == {}
        assert again.replies_of_day("another-hall", DAY.isoformat()) == {}


def test_restore_of_a_new_hall_is_an_empty_day(store: Store, hall: Hall) -> None:
    eng = store.restore(hall, DAY)
    assert (eng.day, eng.seq, eng.tickets, eng.numbers) == (DAY, 0, {}, {})
    assert all(w["state"] == "closed" for w in eng.windows.values())
    assert store.last_day(hall.id) is None
    assert store.days(hall.id) == []


def test_a_failed_commit_stores_nothing(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    d.issue(at(DAY, 9, 0), "JS-01")
    ev = {
        "type": "ticket_issued",
        "seq": 1,
        "at": at(DAY, 9, 1).isoformat(),
        "ticket": d.engine.tickets[f"{DAY:%Y%m%d}-F001"],
    }
    with pytest.raises(IntegrityError):  # seq 1 is taken: the whole batch is refused
        store.commit(hall.id, DAY, [ev], [("kiosk:K1", "dup", {"type": "ok"})])
    assert store.max_seq(hall.id) == 1
    assert ("kiosk:K1", "dup") not in store.replies_of_day(hall.id, DAY.isoformat())


# --- time -------------------------------------------------------------------------


def test_datetimes_come_back_aware_in_utc(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    t0 = at(DAY, 9, 0, 1).replace(microsecond=123456)
    d.issue(t0, "JS-01")
    with store.engine.connect() as conn:
        (got,) = conn.execute(select(EVENTS.c.at)).one()
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)
    assert got == t0

    until = datetime(2026, 11, 26, 9, 30, 15, 250000, tzinfo=TZ)
    store.set_staff_failures(hall.id, "c001", 3, until)
    row = store.get_staff(hall.id, "c001")
    assert row is not None
    assert row["failures"] == 3
    assert row["locked_until"] == until and row["locked_until"].utcoffset() == timedelta(0)
    assert row["locked_until"] > datetime.now(UTC) - timedelta(
        days=3650
    )  # comparable with aware datetimes

    store.add_device(hall.id, "K1", "kiosk", auth.token_hash("t"))
    (dev,) = store.list_devices(hall.id)
    assert dev["created_at"].utcoffset() == timedelta(0)
    assert abs(dev["created_at"] - datetime.now(UTC)) < timedelta(minutes=5)

    with pytest.raises(Exception, match="naive"):
        store.set_staff_failures(hall.id, "c001", 0, datetime(2026, 11, 26, 9, 30))


def test_sqlite_is_durable(tmp_path: Path, hall: Hall) -> None:
    store = Store(str(tmp_path / "hall.db"))
    try:
        store.create_tables()
        store.save_hall(hall, "", SECRET)
        Driver(store, hall).issue(at(DAY, 9, 0), "JS-01")
        # several pooled connections at once: each has the pragmas
        conns = [store.engine.connect() for _ in range(3)]
        try:
            for conn in conns:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:
            for conn in conns:
                conn.close()
        assert (tmp_path / "hall.db-wal").exists()
    finally:
        store.dispose()


def test_db_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.store import db_url, make_engine

    assert db_url(str(tmp_path / "a" / "b.db")) == f"sqlite:///{tmp_path}/a/b.db"
    assert (tmp_path / "a").is_dir()  # the folder of a new SQLite file is created
    monkeypatch.setenv("HALL_DB", "postgresql+psycopg://u@h/db")
    assert db_url(None) == "postgresql+psycopg://u@h/db"
    assert db_url("sqlite:///x.db") == "sqlite:///x.db"
    # PostgreSQL goes through psycopg 3 whatever the URL says; other databases are refused plainly
    assert make_engine("postgres://u@h/db").dialect.driver == "psycopg"
    assert make_engine("postgresql://u@h/db").dialect.driver == "psycopg"
    with pytest.raises(ArgumentError, match="unsupported database 'mysql'"):
        make_engine("mysql://u@h/db")


# --- days -------------------------------------------------------------------------


def test_replay_of_a_past_day(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    end = busy_day(d)
    live = snapshot(d.engine)
    next_day = DAY + timedelta(days=1)
    rolled = at(next_day, 0, 0, 5)
    d.batch(rolled)
    d.run(at(next_day, 8, 30), KIOSK, "issue", service="JS-01")
    assert store.days(hall.id) == [DAY.isoformat(), next_day.isoformat()]

    past = store.replay_day(hall, DAY.isoformat())
    assert past is not None
    # the past day ends with its open tickets expired at the midnight that ended it; all else is as it was
    midnight = at(next_day, 0, 0)
    expected = copy.deepcopy(live.tickets)
    for t in expected.values():
        if t["state"] in ("waiting", "called", "serving", "parked"):
            t.update(state="expired", ended_at=midnight.isoformat(timespec="microseconds"))
    assert past.day == DAY
    assert past.tickets == expected
    assert past.numbers == live.numbers
    assert past.complaints == live.complaints and past.ratings == live.ratings
    m_past, m_live = past.metrics(midnight), live.metrics(midnight)
    assert m_past["windows"] == m_live["windows"]
    assert m_past["hall"] == dict(m_live["hall"], waiting=0)
    assert m_live["hall"]["waiting"] > 0
    assert past.metrics(end)["hall"]["issued"] == 8
    assert store.replay_day(hall, "2020-01-01") is None


def test_day_rollover_is_stored_and_restored(store: Store, hall: Hall) -> None:
    d = Driver(store, hall)
    busy_day(d)
    old = snapshot(d.engine)
    next_day = DAY + timedelta(days=1)
    # the hub's ticker rolls the day a few seconds after local midnight (a batch of no command)
    midnight = at(next_day, 0, 0, 5)
    assert d.batch(midnight) == []
    assert d.engine.day == next_day
    assert store.last_day(hall.id) == next_day.isoformat()
    # a new day: numbering starts again at 1
    new = d.issue(at(next_day, 8, 31), "JS-01")
    assert new["number"] == "F001" and new["id"] == f"{next_day:%Y%m%d}-F001"
    d.run(at(next_day, 8, 32), clerk(1), "call_next")
    now = at(next_day, 8, 40)

    with reopened(store) as again:
        restored = again.restore(hall, next_day)
        assert state(restored, now) == state(d.engine, now)
        assert restored.day == next_day
        assert restored.numbers == {"F": 1}
        assert set(restored.tickets) == {new["id"]}
        # the windows stay as they were at midnight (open, paused, closed), with nobody at the counter
        for n, w in old.windows.items():
            rw = restored.windows[n]
            assert (rw["state"], rw["staff"], rw["services"]) == (
                w["state"],
                w["staff"],
                w["services"],
            )
        assert (
            restored.windows[13]["state"] == "paused" and restored.windows[9]["state"] == "closed"
        )
        assert restored.windows[1]["current"] == new["id"]
        assert restored.windows[3]["current"] is None
        # the notice outlives midnight; the day's replies start empty and the old day's stay
        assert restored.notice == old.notice
        assert again.replies_of_day(hall.id, next_day.isoformat())
        assert (
            len(again.replies_of_day(hall.id, DAY.isoformat())) == len([k for k in d.replies]) - 2
        )
        # numbering continues after the restart
        issued, _ = restored.execute(KIOSK, {"type": "issue", "service": "JS-02"}, now)
        assert issued["ticket"]["number"] == "F002"
        # history is kept: the old day replays, its tickets are still found by token
        past = again.replay_day(hall, DAY.isoformat())
        assert past is not None and set(past.tickets) == set(old.tickets)
        assert {t["state"] for t in past.tickets.values()} >= {
            "expired",
            "done",
            "pending",
            "cancelled",
        }
        old_id = f"{DAY:%Y%m%d}-F002"
        found = again.ticket_by_token(hall.id, d.token_hash(old_id))
        assert found is not None and found["state"] == "expired"
        assert again.days(hall.id) == [DAY.isoformat(), next_day.isoformat()]
        assert again.max_seq(hall.id) == d.engine.seq


def test_restore_after_a_night_off(store: Store, hall: Hall) -> None:
    """The hub was down over midnight: restore gives the last stored day; the next batch rolls it."""
    d = Driver(store, hall)
    busy_day(d)
    next_day = DAY + timedelta(days=1)
    with reopened(store) as again:
        restored = again.restore(hall, next_day)
        assert restored.day == DAY
        d2 = Driver(again, hall)
        d2.engine = restored
        first = d2.issue(at(next_day, 8, 0), "JS-01")
        assert first["number"] == "F001"
        assert again.last_day(hall.id) == next_day.isoformat()
        with reopened(again) as third:
            assert third.restore(hall, next_day).numbers == {"F": 1}


# --- through the server -----------------------------------------------------------


@pytest.fixture
def hub_db(url: str) -> str:
    """The `hub` fixture on this test's database (SQLite file or fresh PostgreSQL)."""
    return url


async def supervisor_view(h: Any) -> dict[str, Any]:
    """What a supervisor's welcome holds: seq, day and the whole state."""
    c = await raw.supervisor(h)
    await c.close()
    return {k: c.welcome[k] for k in ("seq", "day", "state")}


async def test_restart_recovery_through_the_server(hub: Any) -> None:
    instant = [datetime(2026, 11, 26, 1, 30, tzinfo=UTC)]  # 09:30 in the hall

    def clock() -> datetime:
        return instant[0]

    await hub.stop()
    await hub.start(clock=clock)
    kiosk = await raw.kiosk(hub)
    issued = [
        await kiosk.ok("issue", rid=f"i{i}", service=s)
        for i, s in enumerate(["JS-01", "JS-02", "WT-01", "JS-01"])
    ]
    assert [r["ticket"]["number"] for r in issued] == ["F001", "F002", "H001", "F003"]
    counter = await raw.counter(hub, 1)
    instant[0] += timedelta(minutes=3)
    called = await counter.ok("call_next")
    instant[0] += timedelta(minutes=1)
    await counter.ok("start")
    instant[0] += timedelta(minutes=4)
    await counter.ok("finish", outcome="done")
    await counter.ok("call_next")
    instant[0] += timedelta(minutes=1)
    await counter.ok("start")
    before = await supervisor_view(hub)
    await kiosk.close()
    await counter.close()

    await hub.stop()
    await hub.start(clock=clock)

    after = await supervisor_view(hub)
    assert after == before
    tickets = {t["id"]: t for t in after["state"]["tickets"]}
    assert tickets[called["ticket"]["id"]]["state"] == "done"
    assert after["state"]["metrics"]["hall"]["completed"] == 1
    # the clerk comes back to the same session: the window is open, its ticket in service
    counter = await raw.counter(hub, 1)
    w1 = next(w for w in counter.state["windows"] if w["number"] == 1)
    assert (w1["state"], w1["staff"]) == ("open", hub.clerk(1)[0])
    assert tickets[w1["current"]]["state"] == "serving"
    assert counter.seq == before["seq"]  # reconnecting opened nothing new
    # a resent issue gets its first reply again, and nothing happens twice
    kiosk = await raw.kiosk(hub)
    again = await kiosk.ok("issue", rid="i2", service="WT-01")
    assert again["ticket"] == issued[2]["ticket"]
    assert again["token"] == issued[2]["token"]
    assert await raw.hub_seq(hub) == before["seq"]
    # numbering goes on after the restart
    nxt = await kiosk.ok("issue", service="JS-03")
    assert nxt["ticket"]["number"] == "F004"
    assert await raw.hub_seq(hub) == before["seq"] + 1
    await kiosk.close()
    await counter.close()


async def test_the_citizen_token_is_never_stored_nor_sent_in_events(hub: Any) -> None:
    # The issue reply carries the token, yet the stored reply, event and ticket row
    # hold only its hash: the hub adds the token when it sends the reply.
    watcher = await raw.supervisor(hub)
    kiosk = await raw.kiosk(hub)
    issued = await kiosk.ok("issue", rid="t1", service="JS-01")
    again = await kiosk.ok("issue", rid="t1", service="JS-01")  # answered from the stored reply
    counter = await raw.counter(hub, 1)
    await counter.ok("call_next")
    await watcher.next("ticket_called")
    for c in (watcher, kiosk, counter):
        await c.close()
    token = issued["token"]
    assert again["token"] == token and token in issued["url"]
    # the fields events carry for the store never reach a client, not even staff
    for frame in watcher.frames + kiosk.frames + counter.frames:
        assert not {key for _, key, _ in walk(frame)} & PRIVATE_EVENT_FIELDS, frame
    with hub.store.engine.connect() as conn:
        everything = json.dumps(
            [[list(r) for r in conn.execute(select(t)).all()] for t in (EVENTS, TICKETS, REQUESTS)],
            default=str,
        )
    assert token not in everything
    assert auth.token_hash(token) in everything


async def test_device_rows_are_hashed(store: Store, hall: Hall) -> None:
    token = auth.new_device_token()
    store.add_device(hall.id, "K9", "kiosk", auth.token_hash(token))
    with store.engine.connect() as conn:
        (stored,) = conn.execute(select(DEVICES.c.token_hash).where(DEVICES.c.name == "K9")).one()
    assert stored == auth.token_hash(token) and token not in stored
    assert store.device_by_token(hall.id, auth.token_hash(token))["name"] == "K9"  # type: ignore[index]
    with pytest.raises(ValueError):
        store.add_device(hall.id, "K9", "kiosk", auth.token_hash("other"))
    assert store.revoke_device(hall.id, "K9")
    assert store.device_by_token(hall.id, auth.token_hash(token)) is None
    assert not store.revoke_device(hall.id, "nobody")
