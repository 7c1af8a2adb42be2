"""What only PostgreSQL has: several halls in one database, session time zones, URL forms.

The scenario tests of ``test_store.py`` run on PostgreSQL too (parametrized);
these are the cases SQLite does not meet. Each test gets a fresh database
(``pg_url`` in ``tests/conftest.py``); they run wherever the tests run, never skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from hub import auth
from hub.catalogue import DEMO_PATH, Hall, load_demo, parse_catalogue
from hub.engine import Actor
from hub.engine import Engine as QueueEngine
from hub.store import EVENTS, Store

pytestmark = pytest.mark.postgres

DAY = date(2026, 11, 26)
KIOSK = Actor("kiosk", "K1")
SECRET = "a7" * 32


def second_hall() -> tuple[Hall, str]:
    """A township hall: the demo catalogue under another id."""
    text_ = DEMO_PATH.read_text(encoding="utf-8").replace('id = "demo"', 'id = "xiaojing"', 1)
    return parse_catalogue(text_, "xiaojing.toml"), text_


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    s = Store(pg_url)
    s.create_tables()
    yield s
    s.dispose()


def issue(store: Store, eng: QueueEngine, service: str, now: datetime, rid: str) -> dict[str, Any]:
    day_before = eng.day
    events = eng.roll_day(now)
    result, evs = eng.execute(KIOSK, {"type": "issue", "service": service}, now)
    events += evs
    store.commit(eng.hall.id, day_before, events, [("kiosk:K1", rid, {"type": "ok", **result})])
    return dict(result["ticket"])


def test_halls_share_one_database(store: Store) -> None:
    """The scale path: one hub per hall against one PostgreSQL database, every row with its hall id."""
    demo = load_demo()
    town, town_text = second_hall()
    assert store.save_hall(demo, DEMO_PATH.read_text(encoding="utf-8"), SECRET)
    assert store.save_hall(town, town_text, SECRET)
    assert not store.save_hall(town, town_text, "other")  # a second init changes nothing

    def hasher(hall: Hall) -> Any:
        return lambda tid: auth.token_hash(auth.ticket_token(SECRET, hall.id, tid))

    engines = {h.id: QueueEngine(h, DAY, token_hash_of=hasher(h)) for h in (demo, town)}
    now = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    for i in range(6):  # interleaved, as two hubs would write
        for eng in engines.values():
            issue(
                store, eng, "JS-01" if i % 2 else "WT-01", now + timedelta(seconds=i), rid=f"r{i}"
            )
    issue(store, engines["demo"], "MZ-01", now + timedelta(minutes=1), rid="extra")

    for h in (demo, town):
        again = Store(store.url)
        try:
            restored = again.restore(h, DAY)
            live = engines[h.id]
            assert restored.tickets == live.tickets
            assert restored.numbers == live.numbers
            assert restored.seq == live.seq  # each hall numbers its own events from 1
            replies = again.replies_of_day(h.id, DAY.isoformat())
            assert set(replies) == {
                ("kiosk:K1", rid)
                for rid in [*(f"r{i}" for i in range(6)), *(["extra"] if h.id == "demo" else [])]
            }
            assert again.days(h.id) == [DAY.isoformat()]
            # a ticket's token only opens it in its own hall
            tid = f"{DAY:%Y%m%d}-H001"
            own = auth.token_hash(auth.ticket_token(SECRET, h.id, tid))
            assert again.ticket_by_token(h.id, own) == live.tickets[tid]
            other = "xiaojing" if h.id == "demo" else "demo"
            assert again.ticket_by_token(other, own) is None
        finally:
            again.dispose()
    assert engines["demo"].numbers == {"H": 3, "F": 3, "A": 1}
    assert engines["xiaojing"].numbers == {"H": 3, "F": 3}

    # with two halls stored, the CLI and the hub must be told which one
    with pytest.raises(LookupError, match="--hall"):
        store.load_hall()
    assert store.load_hall("xiaojing")[0].id == "xiaojing"
    assert store.load_hall("demo")[1] == SECRET


def test_datetimes_are_utc_whatever_the_session_time_zone(pg_url: str) -> None:
    """timestamptz columns; values come back aware, in UTC, equal to what was stored."""
    for tz in ("America/New_York", "Asia/Shanghai"):
        url = (
            make_url(pg_url)
            .update_query_dict({"options": f"-c timezone={tz}"})
            .render_as_string(hide_password=False)
        )
        store = Store(url)
        try:
            store.create_tables()
            store.save_hall(load_demo(), "", SECRET)  # the second time round: already there
            with store.engine.connect() as conn:
                assert conn.execute(text("SHOW timezone")).scalar() == tz
                kinds = dict(
                    conn.execute(
                        text(
                            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events'"
                        )
                    ).all()
                )
            assert kinds["at"] == "timestamp with time zone"
            instant = datetime(
                2026, 11, 26, 23, 59, 59, 999999, tzinfo=UTC
            )  # the next local day in Shanghai
            store.set_staff_failures("demo", "c001", 1, instant)
            row = store.get_staff("demo", "c001")
            assert row is not None
            got = row["locked_until"]
            assert got == instant and got.tzinfo is not None and got.utcoffset() == timedelta(0)
            eng = QueueEngine(load_demo(), DAY)
            local = datetime(2026, 11, 26, 9, 0, 0, 1, tzinfo=eng.tz)
            day = eng.day
            evs = eng.execute(KIOSK, {"type": "issue", "service": "JS-01"}, local)[1]
            store.commit("demo", day, evs, [])
            with store.engine.connect() as conn:
                (got,) = conn.execute(select(EVENTS.c.at)).one()
            assert got == local and got.utcoffset() == timedelta(0)
        finally:
            with store.engine.begin() as conn:
                conn.execute(text("DELETE FROM events"))
            store.dispose()


def test_plain_postgresql_urls_use_psycopg(pg_url: str) -> None:
    url = make_url(pg_url)
    plain = f"postgresql://{quote(url.username or '')}@{url.host}:{url.port}/{url.database}"
    store = Store(plain)
    try:
        assert store.engine.dialect.driver == "psycopg"
        store.create_tables()
        assert store.save_hall(load_demo(), DEMO_PATH.read_text(encoding="utf-8"), SECRET)
        assert store.load_hall()[0].id == "demo"
    finally:
        store.dispose()
