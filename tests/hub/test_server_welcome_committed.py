"""A welcome shows exactly the committed state at its seq, and no event at or below it follows.

The store's commit is slowed down (it sleeps before writing), so a hello that
arrives while the single writer awaits a commit always finds the engine one
batch ahead of the database: the hub must not build the welcome from that.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

import pytest
from support.raw import Conn, display, kiosk

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(60)]

COMMIT_DELAY = 0.03


def slow_commits(hub: Any) -> dict[str, int]:
    """Make the running hub's commits sleep first; the dict holds the last seq actually stored."""
    store = hub.server.store
    real = store.commit
    committed = {"seq": hub.server.engine.seq}

    def commit(
        hall_id: str, day: Any, events: Iterable[dict[str, Any]], *rest: Any, **kw: Any
    ) -> None:
        events = list(events)
        time.sleep(COMMIT_DELAY)  # the batch is not in the database yet
        real(hall_id, day, events, *rest, **kw)
        if events:
            committed["seq"] = max(committed["seq"], max(int(e["seq"]) for e in events))

    store.commit = commit
    return committed


async def test_welcomes_come_from_committed_state_only(hub) -> None:
    committed = slow_commits(hub)
    k = await kiosk(hub)
    stop = asyncio.Event()

    async def issuing() -> None:
        while not stop.is_set():
            await k.ok("issue", service="MZ-01")

    issuer = asyncio.create_task(issuing())
    displays: list[tuple[Conn, int]] = []
    try:
        for _ in range(30):
            d = await display(hub)
            # the welcome is read before anything else the hub did after sending it
            displays.append((d, committed["seq"]))
            await asyncio.sleep(COMMIT_DELAY / 3)
        await asyncio.sleep(0.3)
    finally:
        stop.set()
        await issuer
    seen_after = 0
    for d, stored in displays:
        assert d.seq <= stored, (
            f"welcome at seq {d.seq} while only {stored} was committed: it shows a batch not yet stored"
        )
        numbers = {t["number"] for t in d.state["tickets"]}
        events = d.events()
        assert all(e["seq"] > d.seq for e in events), (
            f"welcome seq {d.seq}, then events {[e['seq'] for e in events][:5]}"
        )
        for e in events:
            assert e["ticket"]["number"] not in numbers, f"{e['ticket']['number']} twice"
        seen_after += len(events)
        await d.close()
    assert seen_after > 0  # the displays did get the issues that followed their welcomes
