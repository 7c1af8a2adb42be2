"""Kill the hub while bookings stream in: every acknowledged booking is there after a restart.

``hall serve`` runs as its own process on the real clock; visitors book the
demo hall's bookable slots (MZ-03, GH-03, the coming working days) as fast as
they can with 16 requests in flight, the hub gets SIGKILL mid-stream, and a
new hub on the same database must show every booking whose ``ok`` reached a
visitor, in its slot, with its code, and count its place (no slot over its
capacity). On a SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import raw
from test_crash import HALL, Hub, hall, hall_env
from websockets.exceptions import ConnectionClosed

SERVICES = ("MZ-03", "GH-03")
IN_FLIGHT = 16


class BookingHub(Hub):
    """`hall serve` with visitors hardly limited (the flood comes from one address)."""

    async def start(self) -> str:
        self.proc = None
        with self.log.open("ab") as err:
            self.proc = await asyncio.create_subprocess_exec(
                *HALL, "serve", "--db", self.db, "--port", "0", "--visitor-limit", "1000000",
                stdout=asyncio.subprocess.PIPE, stderr=err, env=hall_env(),
            )  # fmt: skip
        assert self.proc.stdout is not None
        async with asyncio.timeout(60):
            while True:
                line = (await self.proc.stdout.readline()).decode()
                assert line, f"the hub exited before listening: {self.log.read_text()}"
                if "ws://" in line:
                    self.url = line[line.index("ws://") :].split()[0]
                    return self.url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hall.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def booking_hub(db: str, tmp_path: Path) -> AsyncIterator[BookingHub]:
    hall("init", "--demo", "--db", db)
    h = BookingHub(db, tmp_path / "hub.log")
    try:
        yield h
    finally:
        await h.close()


async def open_slots(v: raw.Conn) -> list[tuple[str, str]]:
    """(service, start) of every slot with places, on the days the hub offers."""
    out = []
    d0 = date.fromisoformat(v.welcome["day"])
    for service in SERVICES:
        for i in range(12):
            day = (d0 + timedelta(days=i)).isoformat()
            slots = (await v.ok("slots", service=service, day=day))["slots"]
            out += [(service, s["start"]) for s in slots for _ in range(s["left"])]
    return out


@pytest.mark.timeout(300)
async def test_acknowledged_bookings_survive_sigkill(booking_hub: BookingHub) -> None:
    await booking_hub.start()
    v = await raw.hello(booking_hub.url, role="visitor")
    places = await open_slots(v)
    await v.close()
    assert len(places) > 200
    acked: dict[str, dict[str, Any]] = {}
    run = os.urandom(4).hex()
    phone = itertools.count(1)
    queue = iter(places)
    conn = await raw.hello(booking_hub.url, role="visitor", client=f"crash-test-{run}")

    async def worker() -> None:
        for service, start in queue:
            rid = f"{run}-{next(phone)}"
            mobile = f"137{int(rid.split('-')[1]):08d}"
            try:
                fut = await conn.send_request(
                    "book", rid, service=service, start=start, name="测试", mobile=mobile
                )
                reply = await fut
            except (ConnectionClosed, ConnectionError):
                return
            assert reply["type"] == "ok", reply
            acked[reply["booking"]["id"]] = reply["booking"]

    workers = [asyncio.create_task(worker()) for _ in range(IN_FLIGHT)]
    async with asyncio.timeout(60):
        while len(acked) < 50 or not conn.in_flight:
            assert not any(w.done() for w in workers), [w.result() for w in workers if w.done()]
            await asyncio.sleep(0.005)
    await booking_hub.kill()  # requests are in flight right now
    await asyncio.wait_for(asyncio.gather(*workers), 30)

    await booking_hub.start()
    v = await raw.hello(booking_hub.url, role="visitor")
    lost = []
    for bid, b in acked.items():
        seen = await v.request("booking", token=b["token"])
        if seen["type"] != "ok":
            lost.append(bid)
            continue
        got = seen["booking"]
        assert (got["id"], got["start"], got["code"], got["state"]) == (
            b["id"],
            b["start"],
            b["code"],
            "booked",
        )
    assert not lost, f"{len(lost)} acknowledged bookings lost, e.g. {lost[:5]}"
    # every slot's places: capacity less what is booked, never below zero
    taken: dict[tuple[str, str], int] = {}
    for b in acked.values():
        taken[(b["service"], b["start"])] = taken.get((b["service"], b["start"]), 0) + 1
    for service in SERVICES:
        days = {s for (svc, s) in taken if svc == service}
        for day in {s[:10] for s in days}:
            for s in (await v.ok("slots", service=service, day=day))["slots"]:
                assert s["left"] <= s["capacity"] - taken.get((service, s["start"]), 0)
    await v.close()
