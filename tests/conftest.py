"""Shared fixtures: a real hub on 127.0.0.1 (port 0) with a real SQLite file and the demo hall."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hub import auth
from hub.catalogue import DEMO_PATH, Hall, load_catalogue
from hub.server import HubServer
from hub.store import Store

CLERK_PIN = "1234"
SUPERVISOR = ("s001", "9999")
# one salted hash per PIN for the whole run: scrypt is slow on purpose, tests need not pay it 32 times
_CLERK_HASH = auth.hash_pin(CLERK_PIN)
_SUPERVISOR_HASH = auth.hash_pin(SUPERVISOR[1])


class HubFixture:
    """A running hub in this process; restartable on the same port and database."""

    def __init__(self, db: Path | str) -> None:
        self.db = db
        self.store = Store(str(db))
        self.store.create_tables()
        self.hall: Hall = load_catalogue(DEMO_PATH)
        self.secret = auth.new_secret()
        self.store.save_hall(self.hall, DEMO_PATH.read_text(encoding="utf-8"), self.secret)
        self.store.put_staff_many(
            self.hall.id,
            [
                (
                    s.id,
                    s.name,
                    _SUPERVISOR_HASH if s.supervisor else _CLERK_HASH,
                    list(s.windows),
                    s.supervisor,
                )
                for s in self.hall.staff
            ],
        )
        self.kiosk_token = auth.new_device_token()
        self.store.add_device(self.hall.id, "K1", "kiosk", auth.token_hash(self.kiosk_token))
        self.port = 0
        self.server: HubServer | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def supervisor(self) -> tuple[str, str]:
        return SUPERVISOR

    def clerk(self, window: int) -> tuple[str, str]:
        """(staff id, PIN) of a clerk allowed at the window."""
        for s in self.hall.staff:
            if window in s.windows:
                return s.id, CLERK_PIN
        raise KeyError(window)

    async def start(self, **kwargs: object) -> HubServer:
        self.server = HubServer(
            self.store, self.hall, self.secret, host="127.0.0.1", port=self.port, **kwargs
        )  # type: ignore[arg-type]
        await self.server.start()
        self.port = self.server.port
        return self.server

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None


@pytest.fixture
def hub_db(tmp_path: Path) -> Path | str:
    """The database of the `hub` fixture: a SQLite file in tmp_path (override it for another URL)."""
    return tmp_path / "hall.db"


@pytest.fixture
async def hub(hub_db: Path | str) -> AsyncIterator[HubFixture]:
    """A running hub with the demo hall, clerks (PIN 1234), supervisor s001 (PIN 9999), kiosk token."""
    h = HubFixture(hub_db)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
        h.store.dispose()


PG_URL = os.environ.get("HALL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards: its SQLAlchemy URL.

    Connects to the database of ``HALL_TEST_PG`` (default: ``test`` on 127.0.0.1:5432
    as ``postgres``, falling back to ``root``) with autocommit to CREATE and DROP
    ``hall_test_<random>``, so runs never see each other's rows. No skip: where
    PostgreSQL is missing the test fails.
    """
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(PG_URL)
    users = list(dict.fromkeys([base.username or "postgres", "postgres", "root"]))
    errors = []
    for user in users:
        url = base.set(username=user)
        try:
            admin = psycopg.connect(
                host=url.host,
                port=url.port or 5432,
                user=user,
                password=url.password,
                dbname=url.database,
                autocommit=True,
            )
        except psycopg.OperationalError as e:
            errors.append(f"{user}: {e}")
            continue
        break
    else:
        raise RuntimeError(
            f"PostgreSQL at {base.host}:{base.port} refused every user: {'; '.join(errors)}"
        )
    name = f"hall_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
