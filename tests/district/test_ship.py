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


def test_services_starting_at_once_on_a_new_database(tmp_path: Path, pg_url: str) -> None:
    """The district service, a hall's link and a hub on PostgreSQL create their tables on one
    new database at the same moment: none of them fails (they used to collide in pg_type)."""
    import threading

    from hub import district as district_mod

    src = Store(str(tmp_path / "hall.db"))
    src.create_tables()
    stores = [Store(pg_url) for _ in range(3)]
    ship = Shipper(src, "xiang-a", pg_url)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def run(f: Callable[[], object]) -> None:
        start.wait()
        try:
            f()
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    jobs = [
        lambda: district_mod.prepare(stores[0]),
        stores[1].create_tables,
        stores[2].create_tables,
        ship._prepare,
    ]
    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert errors == []
        assert ship.ready
        with stores[0].engine.connect() as conn:
            assert conn.execute(HALLS.select()).all() == []  # the tables are there, once
    finally:
        ship.stop()
        for s in (*stores, src):
            s.dispose()
