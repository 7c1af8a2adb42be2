"""Shipping a hall's events from its SQLite store to the district's PostgreSQL (hub/ship.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.district import district_seqs, payloads, serve_tickets
from support.raw import kiosk
from support.tcpproxy import TcpProxy
from support.wait import wait_for

from hub.ship import LINKS, Shipper
from hub.store import HALLS, Store

# three hubs, a district service and a database per test: a loaded machine needs time
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

FAST = {"poll_s": 0.2, "heartbeat_s": 0.5, "backoff_s": (0.05, 0.3)}


async def test_ship_under_load_and_through_an_outage(
    tmp_path: Path, pg_url: str, pg_proxy: tuple[TcpProxy, str], make_hall: Callable[..., object]
) -> None:
    proxy, via_proxy = pg_proxy
    district = Store(pg_url)
    hall = make_hall(tmp_path / "a.db", "xiang-a", "甲乡便民服务中心")
    link = Shipper(hall.store, hall.hall.id, via_proxy, **FAST)  # type: ignore[attr-defined]
    await hall.start(link=link)  # type: ignore[attr-defined]
    try:
        await serve_tickets(hall, 30)
        local = hall.store.max_seq(hall.hall.id)  # type: ignore[attr-defined]
        await wait_for(lambda: district_seqs(district, "xiang-a") == list(range(1, local + 1)), 20)
        with district.engine.connect() as conn:
            cat = conn.execute(HALLS.select().where(HALLS.c.id == "xiang-a")).mappings().one()
            ln = conn.execute(LINKS.select().where(LINKS.c.hall_id == "xiang-a")).mappings().one()
        assert cat["secret"] == ""  # the district never gets the hall's signing secret
        assert "甲乡便民服务中心" in cat["catalogue"]
        assert ln["mode"] == "ship" and ln["shipped_seq"] == local

        # the link drops: the hall goes on issuing and calling, nothing reaches the district
        await proxy.cut()
        before = len(district_seqs(district, "xiang-a"))
        await serve_tickets(hall, 20)
        await wait_for(lambda: link.failures >= 2, 20, "the shipper noticing the outage")
        k = await kiosk(hall)
        for _ in range(5):
            await k.ok("issue", service="MZ-02")  # the queue never waits on the district
        await k.close()
        assert len(district_seqs(district, "xiang-a")) == before
        local = hall.store.max_seq(hall.hall.id)  # type: ignore[attr-defined]
        assert local > before

        # the link is back: every event arrives exactly once, equal to the hall's own
        await proxy.restore()
        await wait_for(lambda: district_seqs(district, "xiang-a") == list(range(1, local + 1)), 30)
        assert payloads(district, "xiang-a") == payloads(hall.store, "xiang-a")  # type: ignore[attr-defined]
        await wait_for(lambda: link.failures == 0, 60)
    finally:
        await hall.stop()  # type: ignore[attr-defined]
        district.dispose()


async def test_resend_changes_nothing_and_the_cursor_is_the_districts(
    tmp_path: Path, pg_url: str, make_hall: Callable[..., object]
) -> None:
    """A step whose acknowledgement was lost is sent again: nothing doubles; a shipper that
    starts afresh (its memory lost) takes the district's max seq as its cursor."""
    district = Store(pg_url)
    hall = make_hall(tmp_path / "b.db", "xiang-b")
    await hall.start()  # type: ignore[attr-defined]
    try:
        await serve_tickets(hall, 8)
        src = hall.store  # type: ignore[attr-defined]
        s1 = Shipper(src, "xiang-b", pg_url, batch=10)
        while s1.step():
            pass
        total = src.max_seq("xiang-b")
        assert s1.shipped == total == district_seqs(district, "xiang-b")[-1]
        s1.cursor = 0  # as if every acknowledgement had been lost: all of it again
        while s1.step():
            pass
        assert district_seqs(district, "xiang-b") == list(range(1, total + 1))
        assert s1.shipped == total
        await serve_tickets(hall, 3)
        s2 = Shipper(src, "xiang-b", pg_url)
        s2.step()
        assert s2.cursor == src.max_seq("xiang-b")
        assert s2.shipped == src.max_seq("xiang-b") - total  # only what was new
        for s in (s1, s2):
            s.stop()
    finally:
        await hall.stop()  # type: ignore[attr-defined]
        district.dispose()
