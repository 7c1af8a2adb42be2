"""Shared fixtures: a real hub on 127.0.0.1 (port 0) with a real SQLite file and the demo hall."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub import auth
from hub.catalogue import DEMO_PATH, Hall, load_catalogue
from hub.server import HubServer
from hub.store import Store

CLERK_PIN = "1234"
SUPERVISOR = ("s001", "9999")


class HubFixture:
    """A running hub in this process; restartable on the same port and database."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.store = Store(str(db))
        self.store.create_tables()
        self.hall: Hall = load_catalogue(DEMO_PATH)
        self.secret = auth.new_secret()
        self.store.save_hall(self.hall, DEMO_PATH.read_text(encoding="utf-8"), self.secret)
        for s in self.hall.staff:
            pin = SUPERVISOR[1] if s.supervisor else CLERK_PIN
            self.store.put_staff(self.hall.id, s.id, s.name, auth.hash_pin(pin), list(s.windows), s.supervisor)
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
        self.server = HubServer(self.store, self.hall, self.secret, host="127.0.0.1", port=self.port, **kwargs)  # type: ignore[arg-type]
        await self.server.start()
        self.port = self.server.port
        return self.server

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubFixture]:
    """A running hub with the demo hall, clerks (PIN 1234), supervisor s001 (PIN 9999), kiosk token."""
    h = HubFixture(tmp_path / "hall.db")
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
        h.store.dispose()


PG_URL = os.environ.get("HALL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
