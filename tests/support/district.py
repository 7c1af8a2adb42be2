"""Load on a test hall and look-ups in the district database, for the district tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import func, select

from hub.store import EVENTS, Store
from support.raw import Conn, counter, kiosk


async def serve_tickets(hall: Any, n: int, windows: tuple[int, ...] = (13, 14)) -> int:
    """Issue `n` MZ-01 tickets at a kiosk while clerks at `windows` call, start and finish them
    (done, or every fifth a no-show); the tickets issued."""
    k = await kiosk(hall)
    clerks = [await counter(hall, w) for w in windows]
    issued = 0

    async def issue() -> None:
        nonlocal issued
        for _ in range(n):
            await k.ok("issue", service="MZ-01")
            issued += 1

    async def work(c: Conn) -> None:
        done = 0
        while True:
            r = await c.request("call_next")
            if r["type"] == "error":
                assert r["code"] == "queue_empty", r
                if issued == n:
                    return
                await asyncio.sleep(0.01)
                continue
            done += 1
            if done % 5 == 0:
                await c.ok("no_show")
                continue
            await c.ok("start")
            await c.ok("finish", outcome="done")

    await asyncio.gather(issue(), *(work(c) for c in clerks))
    for c in (k, *clerks):
        await c.close()
    return issued


def district_seqs(store: Store, hall_id: str) -> list[int]:
    """Every seq of the hall the district database holds, in order (duplicates would show)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(EVENTS.c.seq).where(EVENTS.c.hall_id == hall_id).order_by(EVENTS.c.seq)
        ).all()
    return [r[0] for r in rows]


def payloads(store: Store, hall_id: str) -> list[tuple[int, Any]]:
    """(seq, decoded payload) of every stored event of the hall."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(EVENTS.c.seq, EVENTS.c.payload)
            .where(EVENTS.c.hall_id == hall_id)
            .order_by(EVENTS.c.seq)
        ).all()
    return [(r[0], json.loads(r[1])) for r in rows]


def count_events(store: Store, hall_id: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(EVENTS).where(EVENTS.c.hall_id == hall_id)
            ).scalar()
            or 0
        )
