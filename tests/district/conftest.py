"""Fixtures of the district tests: halls of the demo catalogue under other ids, a district store."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from support.tcpproxy import TcpProxy

from hub import auth
from hub.catalogue import DEMO_PATH, parse_catalogue
from hub.server import HubServer
from hub.store import Store

CLERK_PIN = "1234"
SUPERVISOR = ("s001", "9999")
_HASHES: dict[str, str] = {}


def _hash(pin: str) -> str:
    if pin not in _HASHES:  # scrypt is slow on purpose: once per PIN per run
        _HASHES[pin] = auth.hash_pin(pin)
    return _HASHES[pin]


def demo_text(hall_id: str, name: str | None = None) -> str:
    """The demo catalogue as hall `hall_id` (and named `name`)."""
    text = DEMO_PATH.read_text(encoding="utf-8")
    text = re.sub(r'^id = "demo"$', f'id = "{hall_id}"', text, count=1, flags=re.M)
    if name:
        text = re.sub(r'^name = ".*"$', f'name = "{name}"', text, count=1, flags=re.M)
    return text


class HallFixture:
    """A hub of the demo hall under its own id, on its own database (a SQLite file or PostgreSQL);
    the same credentials as tests/conftest.py's HubFixture, so support.raw's roles work on it."""

    def __init__(self, db: Path | str, hall_id: str, name: str | None = None) -> None:
        self.db = db
        self.store = Store(str(db))
        self.store.create_tables()
        text = demo_text(hall_id, name)
        self.hall = parse_catalogue(text, f"<demo as {hall_id}>")
        self.secret = auth.new_secret()
        self.store.save_hall(self.hall, text, self.secret)
        self.store.put_staff_many(
            self.hall.id,
            [
                (
                    s.id,
                    s.name,
                    _hash(SUPERVISOR[1]) if s.supervisor else _hash(CLERK_PIN),
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
    def supervisor(self) -> tuple[str, str]:
        return SUPERVISOR

    def clerk(self, window: int) -> tuple[str, str]:
        """(staff id, PIN) of a clerk allowed at the window."""
        for s in self.hall.staff:
            if window in s.windows:
                return s.id, CLERK_PIN
        raise KeyError(window)

    async def start(self, **kwargs: Any) -> HubServer:
        self.server = HubServer(
            self.store, self.hall, self.secret, host="127.0.0.1", port=self.port, **kwargs
        )
        await self.server.start()
        self.port = self.server.port
        return self.server

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None


@pytest.fixture
async def make_hall() -> AsyncIterator[Callable[..., HallFixture]]:
    """A factory of hall fixtures (not started); each is stopped and disposed afterwards."""
    made: list[HallFixture] = []

    def make(db: Path | str, hall_id: str, name: str | None = None) -> HallFixture:
        h = HallFixture(db, hall_id, name)
        made.append(h)
        return h

    yield make
    for h in made:
        await h.stop()
        h.store.dispose()


@pytest.fixture
async def pg_proxy(pg_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A cuttable TCP link to the test's PostgreSQL database, and the database's URL through it."""
    u = make_url(pg_url)
    proxy = TcpProxy(u.host or "127.0.0.1", u.port or 5432)
    await proxy.start()
    try:
        yield proxy, u.set(port=proxy.port).render_as_string(hide_password=False)
    finally:
        await proxy.close()
