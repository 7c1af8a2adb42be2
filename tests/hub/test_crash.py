"""Kill the hub at any instant: every acknowledged ticket is there after a restart.

The hub runs as its own process (``hall serve``); a kiosk issues tickets as
fast as it can with 16 requests in flight, the hub gets SIGKILL in the middle
of the stream, and a new hub on the same database must hold every ticket
whose ``ok`` reached the kiosk, with the same number, and go on numbering
without a gap or a duplicate. Three kills per test, on a SQLite file and on
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from support import raw
from websockets.exceptions import ConnectionClosed

SCRIPT = Path(sys.executable).with_name("hall")
HALL = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli.main"]
SERVICES = ["JS-01", "WT-01", "MZ-01", "TJ-01"]  # prefixes F, H, A, B
IN_FLIGHT = 16
KILLS = 3
WS_LINE = re.compile(r"ws://[^\s/]+/ws")


def hall_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HALL_DB", "HALL_HUB")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def hall(*args: str) -> str:
    """Run a `hall` command to completion; its stdout."""
    done = subprocess.run(
        [*HALL, *args], capture_output=True, text=True, env=hall_env(), timeout=60
    )
    assert done.returncode == 0, f"hall {' '.join(args)}: {done.stderr}"
    return done.stdout


class Hub:
    """`hall serve --port 0` as a child process."""

    def __init__(self, db: str, log: Path) -> None:
        self.db = db
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> str:
        with self.log.open("ab") as err:
            self.proc = await asyncio.create_subprocess_exec(
                *HALL, "serve", "--db", self.db, "--port", "0",
                stdout=asyncio.subprocess.PIPE, stderr=err, env=hall_env(),
            )  # fmt: skip
        assert self.proc.stdout is not None
        async with asyncio.timeout(60):
            while True:
                line = (await self.proc.stdout.readline()).decode()
                assert line, f"the hub exited before listening: {self.log.read_text()}"
                m = WS_LINE.search(line)
                if m:
                    self.url = m.group(0)
                    return self.url

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(self.proc.wait(), 30) == -signal.SIGKILL

    async def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hall.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def hub(db: str, tmp_path: Path) -> AsyncIterator[tuple[Hub, str]]:
    """A hub process on a fresh demo hall, and a kiosk token made with the CLI."""
    hall("init", "--demo", "--db", db)
    token = hall("device", "add", "--role", "kiosk", "--name", "K1", "--db", db).splitlines()[-1]
    hall(*"staff add --id c001 --name 张敏 --pin 1234 --windows 1".split(), "--db", db)
    h = Hub(db, tmp_path / "hub.log")
    try:
        yield h, token
    finally:
        await h.close()


async def kiosk(url: str, token: str) -> raw.Conn:
    return await raw.hello(url, role="kiosk", token=token)


async def flood_until_killed(hub: Hub, token: str, acked: dict[str, str]) -> int:
    """Issue as fast as possible (16 in flight), SIGKILL the hub mid-stream; how many were acked."""
    k = await kiosk(hub.url, token)
    rid = itertools.count()
    run = os.urandom(4).hex()  # request ids are unique per kiosk for the day: never reuse one
    acked_here = 0

    async def worker(n: int) -> None:
        nonlocal acked_here
        for i in itertools.count(n):
            r = f"{run}-{next(rid)}"
            try:
                fut = await k.send_request("issue", r, service=SERVICES[i % len(SERVICES)])
                reply = await fut
            except (ConnectionClosed, ConnectionError):  # the hub is gone
                return
            assert reply["type"] == "ok", reply  # never rate_limited, never unavailable
            t = reply["ticket"]
            assert t["id"] not in acked, f"{t['id']} issued twice"
            acked[t["id"]] = t["number"]
            acked_here += 1

    workers = [asyncio.create_task(worker(n)) for n in range(IN_FLIGHT)]
    deadline = time.monotonic() + random.uniform(0.5, 1.0)
    async with asyncio.timeout(60):
        # until requests are in flight: right after a batch's replies every worker may be
        # between its reply and its next request
        while time.monotonic() < deadline or acked_here < IN_FLIGHT or not k.in_flight:
            assert not any(w.done() for w in workers), [w.result() for w in workers if w.done()]
            await asyncio.sleep(0.001 if time.monotonic() >= deadline else 0.01)
    await hub.kill()  # mid-stream: requests are in flight right now
    await asyncio.wait_for(asyncio.gather(*workers), 30)
    await k.wait_closed(30)
    return acked_here


def numbers_by_prefix(tickets: list[dict[str, Any]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for t in tickets:
        out[t["number"][0]].append(int(t["number"][1:]))
    return {p: sorted(ns) for p, ns in out.items()}


@pytest.mark.timeout(300)
async def test_acknowledged_tickets_survive_sigkill(hub: tuple[Hub, str]) -> None:
    h, token = hub
    acked: dict[str, str] = {}
    await h.start()
    # a clerk opens window 1 before the first kill: windows come back too
    clerk = {"role": "counter", "staff": "c001", "pin": "1234", "window": 1}
    await raw.hello(h.url, **clerk)  # left open: the kill closes it
    for round_ in range(KILLS):
        n = await flood_until_killed(h, token, acked)
        assert n >= IN_FLIGHT

        await h.start()  # the same database
        k = await kiosk(h.url, token)
        welcome = k.welcome
        tickets = welcome["state"]["tickets"]
        by_id = {t["id"]: t for t in tickets}
        # every acknowledged ticket is back, with its number, still waiting
        lost = sorted(set(acked) - set(by_id))
        assert not lost, (
            f"round {round_ + 1}: {len(lost)} acknowledged tickets lost, e.g. {lost[:5]}"
        )
        for tid, number in acked.items():
            assert by_id[tid]["number"] == number
        assert {t["state"] for t in tickets} == {"waiting"}
        w1 = next(w for w in welcome["state"]["windows"] if w["number"] == 1)
        assert (w1["state"], w1["staff"]) == ("open", "c001")
        # numbering: per prefix exactly 1..N, no gap, no duplicate
        numbers = numbers_by_prefix(tickets)
        assert set(numbers) == {"F", "H", "A", "B"}
        for prefix, ns in numbers.items():
            assert ns == list(range(1, len(ns) + 1)), (
                f"round {round_ + 1}: prefix {prefix} numbers {ns}"
            )
        # the events are window 1's opening and one ticket_issued per ticket: no gap in seq either
        assert welcome["seq"] == len(tickets) + 1
        # the next ticket of each prefix gets the next number
        for i, service in enumerate(SERVICES):
            t = (await k.ok("issue", f"after-{round_}-{i}", service=service))["ticket"]
            prefix = t["number"][0]
            assert int(t["number"][1:]) == len(numbers[prefix]) + 1, (
                t["number"],
                len(numbers[prefix]),
            )
            acked[t["id"]] = t["number"]
        await k.close()
    assert len(acked) >= KILLS * (IN_FLIGHT + len(SERVICES))
    await h.close()


async def test_open_cases_survive_sigkill(hub: tuple[Hub, str]) -> None:
    """An acknowledged case (办件) is in the `cases` table: a SIGKILL keeps it open, completable."""
    h, token = hub
    await h.start()
    clerk = {"role": "counter", "staff": "c001", "pin": "1234", "window": 1}
    k = await kiosk(h.url, token)
    w1 = await raw.hello(h.url, **clerk)
    first = (await k.ok("issue", service="JS-01"))["ticket"]
    second = (await k.ok("issue", service="JS-02"))["ticket"]
    for _ in range(2):
        await w1.ok("call_next")
        started = await w1.ok("start")
        await w1.ok("finish", outcome="pending")  # 即办 by the catalogue, left pending: promised
    assert started["case"] == second["id"]
    await h.kill()

    await h.start()
    w1 = await raw.hello(h.url, **clerk)
    cases = {c["id"]: c for c in w1.welcome["state"]["cases"]}
    assert set(cases) == {first["id"], second["id"]}
    assert {(c["kind"], c["state"]) for c in cases.values()} == {("promised", "open")}
    # due the day received: JS-01 has no time limit (a 即办件 left pending is due at once)
    assert all(c["due"] == c["day"] for c in cases.values())
    done = await w1.ok("complete_case", case=first["id"])
    assert done["case"]["state"] == "completed"
    await h.kill()

    await h.start()
    w1 = await raw.hello(h.url, **clerk)
    assert [c["id"] for c in w1.welcome["state"]["cases"]] == [second["id"]]
    await w1.error("complete_case", "case_closed", case=first["id"])
    await h.close()
