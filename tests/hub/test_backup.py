"""`hall backup` while kiosks issue, `hall restore` refused while a hub runs, then restored.

A real `hall serve` process on a SQLite file; a kiosk keeps 8 requests in
flight the whole time. The backup is taken in the middle of the stream: the
restored hall holds every ticket acknowledged before the backup started, with
its number, and its numbering has no gap (one consistent snapshot).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_crash import HALL, SERVICES, Hub, hall, hall_env, kiosk, numbers_by_prefix

IN_FLIGHT = 8


async def hall_async(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a `hall` command without blocking the event loop (the kiosk goes on issuing)."""
    proc = await asyncio.create_subprocess_exec(
        *HALL, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=hall_env(),
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return subprocess.CompletedProcess(args, proc.returncode or 0, out.decode(), err.decode())


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Hub, str, str]]:
    db = str(tmp_path / "hall.db")
    hall("init", "--demo", "--db", db)
    token = hall("device", "add", "--name", "K1", "--db", db).splitlines()[-1]
    h = Hub(db, tmp_path / "hub.log")
    try:
        yield h, db, token
    finally:
        await h.close()


async def issue_until(url: str, token: str, acked: dict[str, str], stop: asyncio.Event) -> None:
    """Keep IN_FLIGHT issues in flight until `stop`; every ok goes into `acked`."""
    k = await kiosk(url, token)
    rid = itertools.count()
    run = os.urandom(4).hex()

    async def worker(n: int) -> None:
        for i in itertools.count(n):
            if stop.is_set():
                return
            fut = await k.send_request("issue", f"{run}-{next(rid)}", service=SERVICES[i % 4])
            reply = await asyncio.wait_for(fut, 30)
            assert reply["type"] == "ok", reply
            t = reply["ticket"]
            assert isinstance(t, dict)
            acked[t["id"]] = t["number"]

    await asyncio.gather(*(worker(n) for n in range(IN_FLIGHT)))
    await k.close()


@pytest.mark.timeout(300)
async def test_backup_under_load_restores_every_acknowledged_ticket(
    served: tuple[Hub, str, str], tmp_path: Path
) -> None:
    h, db, token = served
    backup = tmp_path / "nightly.db"
    url = await h.start()
    acked: dict[str, str] = {}
    stop = asyncio.Event()
    flood = asyncio.create_task(issue_until(url, token, acked, stop))
    async with asyncio.timeout(60):
        while len(acked) < 100:
            await asyncio.sleep(0.01)
    before = dict(acked)  # acknowledged before the backup started
    done = await hall_async("backup", "--db", db, str(backup))
    assert done.returncode == 0, done.stderr
    after_backup = len(acked)
    async with asyncio.timeout(60):  # the hub went on issuing during and after the backup
        while len(acked) < after_backup + 50:
            await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(flood, 60)
    assert not flood.exception()

    # while the hub runs: restore is refused and changes nothing, a second hub too
    refused = await hall_async("restore", "--db", db, str(backup))
    assert refused.returncode == 2
    assert "a hub is using" in refused.stderr and "Traceback" not in refused.stderr
    second = await hall_async("serve", "--db", db, "--port", "0")
    assert second.returncode == 2 and "another hub is using" in second.stderr
    k = await kiosk(url, token)
    assert {t["id"] for t in k.state["tickets"]} == set(acked)  # nothing lost
    await k.close()

    await h.close()
    done = await hall_async("restore", "--db", db, str(backup))
    assert done.returncode == 0, done.stderr
    url = await h.start()
    k = await kiosk(url, token)
    tickets = {t["id"]: t for t in k.state["tickets"]}
    lost = sorted(set(before) - set(tickets))
    assert not lost, f"{len(lost)} tickets acknowledged before the backup are missing: {lost[:5]}"
    assert all(tickets[tid]["number"] == n for tid, n in before.items())
    assert set(tickets) <= set(acked)
    for prefix, ns in numbers_by_prefix(list(tickets.values())).items():
        assert ns == list(range(1, len(ns) + 1)), (prefix, ns)  # one consistent snapshot
    await k.close()


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    db = str(tmp_path / "hall.db")
    hall("init", "--demo", "--db", db)
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    before = Path(db).read_bytes()
    for file, says in ((junk, "not a hall backup"), (tmp_path / "none.db", "no backup file")):
        done = subprocess.run(
            [*HALL, "restore", "--db", db, str(file)], capture_output=True, text=True,
            env=hall_env(), timeout=60,
        )  # fmt: skip
        assert done.returncode == 2 and says in done.stderr, done.stderr
    assert Path(db).read_bytes() == before


def test_postgresql_backup_names_pg_dump(pg_url: str, tmp_path: Path) -> None:
    out = hall("backup", "--db", pg_url, str(tmp_path / "hall.dump"))
    assert "pg_dump " in out and "--format=custom" in out
    assert "pg_restore " in hall("restore", "--db", pg_url, str(tmp_path / "hall.dump"))
