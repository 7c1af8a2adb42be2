"""Issue 19 through the real hub, on SQLite and PostgreSQL: numbers crossing 999 inside one
group commit are called, and told their place, in the order the hub acknowledged them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from support.raw import counter, kiosk

from hub.cli import ticket_rows
from shared.calling import number_key

KIOSKS = 8
IN_FLIGHT = 5  # per kiosk: 40 requests at once, so a batch holds many tickets


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The `hub` fixture on a SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "hall.db")
    return str(request.getfixturevalue("pg_url"))


async def test_numbers_cross_999_within_one_batch(hub: Any) -> None:
    window = 13
    service = hub.hall.window(window).services[0]
    prefix = hub.hall.service(service).prefix
    assert hub.server is not None
    hub.server.engine.numbers[prefix] = 985  # the 15th ticket is the 1000th
    kiosks = [await kiosk(hub) for _ in range(KIOSKS)]
    futures = [
        await k.send_request("issue", service=service) for _ in range(IN_FLIGHT) for k in kiosks
    ]
    replies = await asyncio.wait_for(asyncio.gather(*futures), 60)
    assert all(r["type"] == "ok" for r in replies), replies
    tickets = [r["ticket"] for r in replies]
    assert sorted(t["number"] for t in tickets) == sorted(
        f"{prefix}{n}" for n in range(986, 986 + KIOSKS * IN_FLIGHT)
    )
    by_number = {t["number"]: t for t in tickets}
    # 999 and 1000 were acknowledged in one group commit: the same queued_at
    assert by_number[f"{prefix}999"]["queued_at"] == by_number[f"{prefix}1000"]["queued_at"]
    # the order of acknowledgement (queued_seq) is the numeric order, and every `ahead` follows it
    acked = sorted(replies, key=lambda r: r["ticket"]["queued_seq"])
    assert [r["ticket"]["number"] for r in acked] == sorted(by_number, key=number_key)
    assert [r["ahead"] for r in acked] == list(range(len(acked)))
    # the report lists them by number as an integer
    rows = ticket_rows(hub.server.engine.tickets.values(), 45)
    assert [r["number"] for r in rows] == sorted(by_number, key=number_key)
    # and the window calls them in that order
    c = await counter(hub, window)
    called = []
    for _ in acked:
        called.append((await c.ok("call_next"))["ticket"]["number"])
        await c.ok("no_show")
    assert called == [r["ticket"]["number"] for r in acked]
    for conn in (*kiosks, c):
        await conn.close()
