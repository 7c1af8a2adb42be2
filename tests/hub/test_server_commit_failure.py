"""A commit that fails because of one request fails that request alone, on SQLite and PostgreSQL.

Validation refuses the text a database cannot store (tests/hub/test_server_abuse.py),
so to make one request's commit fail this uses a Store whose commit refuses any
batch holding a complaint with a marker text, and that takes its time so that
requests sent together form one batch. The other requests of that batch must
be acknowledged and stored, nobody is disconnected, and the seq moves only with
what was acknowledged.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from support.raw import TIMEOUT, citizen, display, healthz, kiosk

from hub.engine import Event
from hub.store import Store

pytestmark = [pytest.mark.timeout(90)]

MARKER = "请让这次提交失败"


class FailingStore(Store):
    """A Store that fails every commit holding the marker; slow, so that batches form."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.batches: list[tuple[int, bool]] = []  # (events, failed) per commit
        self.down = False  # fail every commit, as a full disk would

    def commit(
        self,
        hall_id: str,
        day: date,
        events: Iterable[Event],
        replies: Iterable[tuple[str, str, dict[str, Any]]],
        payloads: Sequence[str] | None = None,
    ) -> None:
        events = list(events)
        time.sleep(0.05)
        failed = self.down or any(MARKER in json.dumps(ev, ensure_ascii=False) for ev in events)
        self.batches.append((len(events), failed))
        if failed:
            raise RuntimeError("the database refused this batch")
        super().commit(hall_id, day, events, replies, payloads)


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return tmp_path / "hall.db"


async def test_a_failing_request_fails_alone(hub) -> None:
    await hub.stop()
    hub.store.dispose()
    hub.store = store = FailingStore(str(hub.db))
    await hub.start()
    k = await kiosk(hub)
    first = await k.ok("issue", service="WT-01")
    z = await citizen(hub, first["token"])
    d = await display(hub)
    # one slow commit under way; what follows forms the next batch, the culprit among them
    head = await k.send_request("issue", service="WT-01")
    await asyncio.sleep(0.01)
    before = [await k.send_request("issue", service="WT-01") for _ in range(5)]
    culprit = await z.send_request("complain", text=MARKER)
    after = [await k.send_request("issue", service="WT-01") for _ in range(5)]
    fine = await z.send_request("complain", text="正常的投诉")
    replies = await asyncio.wait_for(asyncio.gather(head, *before, *after, fine), TIMEOUT * 2)
    assert all(r["type"] == "ok" for r in replies), replies
    bad = await asyncio.wait_for(culprit, TIMEOUT)
    assert (bad["type"], bad["code"]) == ("error", "unavailable"), bad
    assert any(n > 1 and failed for n, failed in store.batches), store.batches
    # nobody was disconnected; the display saw every acknowledged ticket, the kiosk
    # every event, seq without gaps
    await asyncio.sleep(0.3)
    for conn in (k, z, d):
        assert not conn.closed.is_set()
    assert len([f for f in d.events() if f["type"] == "ticket_issued"]) == 11
    seqs = [f["seq"] for f in k.events()]
    assert seqs == list(range(k.seq + 1, k.seq + 1 + len(seqs))), seqs
    assert [f["type"] for f in k.events()].count("complaint") == 1
    # the seq is that of the acknowledged requests, in the hub and in the database
    seq = (await healthz(hub))["seq"]
    assert seq == seqs[-1] == store.max_seq(hub.hall.id)
    # and a restarted hub has exactly that
    await hub.stop()
    await hub.start()
    again = await kiosk(hub)
    assert again.seq == seq
    assert len(again.state["tickets"]) == 12
    # the culprit can be sent again (not cached as a reply) and fails again, alone
    z2 = await citizen(hub, first["token"])
    assert (await z2.request("complain", text=MARKER))["code"] == "unavailable"
    await again.ok("issue", service="WT-01")
    for conn in (k, z, d, again, z2):
        await conn.close()


async def test_a_failing_database_fails_the_batch_without_closing_anyone(hub) -> None:
    await hub.stop()
    hub.store.dispose()
    hub.store = store = FailingStore(str(hub.db))
    await hub.start()
    k = await kiosk(hub)
    d = await display(hub)
    await k.ok("issue", service="WT-01")
    seq = (await healthz(hub))["seq"]
    store.down = True
    head = await k.send_request("issue", service="WT-01")
    await asyncio.sleep(0.01)
    rest = [await k.send_request("issue", service="WT-01") for _ in range(8)]
    replies = await asyncio.wait_for(asyncio.gather(head, *rest), TIMEOUT * 2)
    assert {(r["type"], r["code"]) for r in replies} == {("error", "unavailable")}, replies
    # once two fail in a row, the rest of a failing batch is not tried one by one
    # (one by one, the 8 would take 1 + 1 + 8 commits)
    assert len(store.batches) < 10, store.batches
    assert (await healthz(hub))["seq"] == seq == store.max_seq(hub.hall.id)
    # the database is back: the same requests (same ids) go through; nobody was closed
    store.down = False
    again = [await k.request("issue", rid=r["re"], service="WT-01") for r in replies]
    assert all(r["type"] == "ok" for r in again), again
    await asyncio.sleep(0.2)
    assert not k.closed.is_set() and not d.closed.is_set()
    assert len([f for f in d.events() if f["type"] == "ticket_issued"]) == 10
    assert (await healthz(hub))["seq"] == seq + 9 == store.max_seq(hub.hall.id)
    for conn in (k, d):
        await conn.close()
