"""The district service: three halls (two shipping from SQLite, one direct on PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.district import district_seqs, payloads, serve_tickets
from support.tcpproxy import TcpProxy
from support.wait import wait_for
from websockets.asyncio.client import connect

from hub import auth, district
from hub.district import DistrictServer, per_hall
from hub.ship import Shipper
from hub.store import Store

# three hubs, a district service and a database per test: a loaded machine needs time
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

FAST = {"poll_s": 0.2, "heartbeat_s": 0.3, "backoff_s": (0.05, 0.3)}
PIN = "2468"


class Page:
    """A district page's websocket: the last `halls` and `hall` frames."""

    def __init__(self, ws: Any, welcome: dict[str, Any]) -> None:
        self.ws = ws
        self.welcome = welcome
        self.halls = {h["id"]: h for h in welcome["halls"]}
        self.detail: dict[str, Any] | None = None
        self.errors: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            f = json.loads(raw)
            if f["type"] == "halls":
                self.halls = {h["id"]: h for h in f["halls"]}
            elif f["type"] == "hall":
                self.detail = f["hall"]
            elif f["type"] == "error":
                self.errors.append(f)

    async def close(self) -> None:
        await self.ws.close()
        self.task.cancel()


async def page(server: DistrictServer, staff: str, pin: str = PIN, lang: str = "zh") -> Page:
    ws = await connect(f"ws://127.0.0.1:{server.port}/district/ws", proxy=None)
    await ws.send(json.dumps({"type": "hello", "staff": staff, "pin": pin, "lang": lang}))
    first = json.loads(await asyncio.wait_for(ws.recv(), 30))
    if first["type"] != "welcome":
        await ws.close()
        raise PermissionError(first)
    return Page(ws, first)


@pytest.fixture
async def three(
    tmp_path: Path, pg_url: str, pg_proxy: tuple[TcpProxy, str], make_hall: Callable[..., Any]
) -> AsyncIterator[tuple[Any, ...]]:
    """Halls xiang-a and jie-b shipping from SQLite through a cuttable link, hall zhongxin
    direct on the district database, and the district service (stale after 4 s)."""
    proxy, via = pg_proxy
    store = Store(pg_url)
    district.prepare(store)
    a = make_hall(tmp_path / "a.db", "xiang-a", "甲乡便民服务中心")
    b = make_hall(tmp_path / "b.db", "jie-b", "乙街道便民服务中心")
    c = make_hall(pg_url, "zhongxin", "区政务服务中心")
    await a.start(link=Shipper(a.store, "xiang-a", via, **FAST))
    await b.start(link=Shipper(b.store, "jie-b", via, **FAST))
    await c.start(link=Shipper(c.store, "zhongxin", None, **FAST))
    hashed = auth.hash_pin(PIN)
    district.add_staff(store, "d001", "区主管", hashed, None)
    district.add_staff(store, "d002", "甲乡专管", hashed, ["xiang-a"])
    server = DistrictServer(store, port=0, stale_after=4.0, safety_poll=1.0)
    await server.start()
    try:
        yield a, b, c, server, proxy, store
    finally:
        await server.stop()
        store.dispose()


MISSES: dict[str, str] = {}  # hall id -> why its figures differed at the last look


def same_figures(server: DistrictServer, hall: Any) -> bool:
    hid, seq = hall.hall.id, hall.server.engine.seq
    view = server.halls.get(hid)
    if view is None or view.seq != seq:
        MISSES[hid] = f"district at seq {view and view.seq}, hall at {seq}"
        return False
    now = datetime.now(UTC)
    theirs, ours = view.engine.metrics(now), hall.server.engine.metrics(now)
    MISSES[hid] = f"same seq {seq}, figures differ: {theirs!r:.800} != {ours!r:.800}"
    return bool(theirs == ours)


async def wait_same_figures(server: DistrictServer, hall: Any, what: str) -> None:
    """Wait until the district's view of the hall equals the hall; on failure say how it differed."""
    try:
        await wait_for(lambda: same_figures(server, hall), 30, what)
    except AssertionError as e:
        raise AssertionError(f"{e} ({MISSES.get(hall.hall.id)})") from None


def line_matches(p: Page, hall: Any) -> bool:
    line = p.halls.get(hall.hall.id)
    m = hall.server.engine.metrics(datetime.now(UTC))["hall"]
    return (
        line is not None
        and line["seq"] == hall.server.engine.seq
        and all(
            line[k] == m[k]
            for k in ("received", "completed", "waiting", "issued", "completion_rate")
        )
    )


async def test_district_follows_three_halls_through_an_outage(three: tuple[Any, ...]) -> None:
    a, b, c, server, proxy, store = three
    p = await page(server, "d001")
    assert p.welcome["me"] == {"staff": "d001", "name": "区主管", "halls": None}
    await asyncio.gather(serve_tickets(a, 25), serve_tickets(b, 15), serve_tickets(c, 20))
    for h in (a, b, c):
        await wait_same_figures(server, h, f"{h.hall.id} figures")
        await wait_for(lambda h=h: line_matches(p, h), 30, f"{h.hall.id} line")
    await wait_for(lambda: not any(p.halls[h]["stale"] for h in p.halls), 30, "all fresh")
    assert p.halls["zhongxin"]["mode"] == "direct" and p.halls["xiang-a"]["mode"] == "ship"
    assert p.halls["xiang-a"]["windows_open"] == 2  # windows 13 and 14 stay open (no logout)
    assert p.halls["xiang-a"]["completed"] > 0

    # the link of the two township halls drops: they go on; the page marks them stale
    await proxy.cut()
    last = {h.hall.id: h.server.engine.seq for h in (a, b)}
    await asyncio.gather(serve_tickets(a, 10), serve_tickets(b, 10), serve_tickets(c, 5))
    await wait_for(lambda: p.halls["xiang-a"]["stale"] and p.halls["jie-b"]["stale"], 30, "stale")
    assert not p.halls["zhongxin"]["stale"]
    assert p.halls["xiang-a"]["seq"] == last["xiang-a"]  # what the district had, with its time
    assert p.halls["xiang-a"]["last_event_at"] is not None
    await wait_for(lambda: line_matches(p, c), 30, "the direct hall goes on")

    # the link returns: every event exactly once, the figures equal the halls' own again
    await proxy.restore()
    for h in (a, b, c):
        n = h.store.max_seq(h.hall.id)
        await wait_for(
            lambda h=h, n=n: district_seqs(store, h.hall.id) == list(range(1, n + 1)), 30
        )
        await wait_same_figures(server, h, f"{h.hall.id} figures after")
        await wait_for(lambda h=h: line_matches(p, h), 30, f"{h.hall.id} line after")
    for h in (a, b):
        assert payloads(store, h.hall.id) == payloads(h.store, h.hall.id)
    await wait_for(lambda: not p.halls["xiang-a"]["stale"], 30, "fresh again")

    # drill-down: the hall's read-only supervisor view, with its own metrics
    await p.ws.send(json.dumps({"type": "watch", "hall": "jie-b"}))
    await wait_for(lambda: p.detail is not None and p.detail["summary"]["id"] == "jie-b", 30)
    assert p.detail is not None
    hub_m = b.server.engine.metrics(datetime.now(UTC))
    assert p.detail["metrics"]["hall"]["received"] == hub_m["hall"]["received"]
    assert len(p.detail["windows"]) == len(b.hall.windows)
    await p.ws.send(json.dumps({"type": "call_next"}))
    await wait_for(lambda: p.errors, 30)
    assert p.errors[-1]["code"] == "read_only" and p.errors[-1]["message"] == "区级看板只读"
    await p.close()


async def test_supervisors_see_their_halls_only(three: tuple[Any, ...]) -> None:
    a, b, c, server, proxy, store = three
    await wait_for(lambda: set(server.halls) == {"xiang-a", "jie-b", "zhongxin"}, 30)
    p = await page(server, "d002", lang="en")
    assert [h["id"] for h in p.welcome["halls"]] == ["xiang-a"]
    await p.ws.send(json.dumps({"type": "watch", "hall": "zhongxin"}))
    await wait_for(lambda: p.errors, 30)
    assert p.errors[-1] == {
        "type": "error",
        "code": "forbidden",
        "message": "You may not see this hall",
    }
    await p.close()
    with pytest.raises(PermissionError) as e:
        await page(server, "d001", pin="0000")
    assert e.value.args[0]["code"] == "auth_failed"
    assert e.value.args[0]["message"] == "工号或密码错误"


async def test_per_hall_reports_seam(three: tuple[Any, ...]) -> None:
    """`per_hall` runs a hall's own report over each hall of the district store: with the day
    metrics as the report, each equals what the hall reports on its own store."""
    a, b, c, server, proxy, store = three
    await asyncio.gather(serve_tickets(a, 4), serve_tickets(c, 3))
    n = a.store.max_seq("xiang-a")
    await wait_for(lambda: district_seqs(store, "xiang-a") == list(range(1, n + 1)), 30)
    day = a.server.engine.day.isoformat()
    end = datetime.now(UTC)

    def day_report(s: Store, hall: Any, period: str) -> Any:
        eng = s.replay_day(hall, period)
        return None if eng is None else eng.metrics(end)

    got = per_hall(store, day_report, day)
    assert set(got) == {"xiang-a", "jie-b", "zhongxin"}
    assert got["xiang-a"] == day_report(a.store, a.hall, day)
    assert got["zhongxin"] == day_report(c.store, c.hall, day)
    assert got["jie-b"] is None  # no events that day
    assert set(per_hall(store, day_report, day, halls=["zhongxin"])) == {"zhongxin"}


async def test_a_hall_first_seen_while_it_ships_is_followed_whole(
    tmp_path: Path, pg_url: str, make_hall: Callable[..., Any]
) -> None:
    """The district first reads a hall (its newest day's events) while the hall goes on
    shipping: the events that land between that read and the next are applied, never skipped.
    The interleaving is forced: the rest is shipped right after the district read the day."""
    a = make_hall(tmp_path / "a.db", "xiang-a", "甲乡便民服务中心")
    await a.start()
    await serve_tickets(a, 6)
    store = Store(pg_url)
    ship = Shipper(a.store, "xiang-a", pg_url, batch=10)
    ship.step()  # the catalogue and the first 10 events
    read_day = store.events_of_day

    def read_then_ship(hall_id: str, day: str) -> Any:
        events = read_day(hall_id, day)
        while ship.step():  # the hall ships the rest before the district reads on
            pass
        return events

    store.events_of_day = read_then_ship  # type: ignore[method-assign]
    server = DistrictServer(store, port=0, safety_poll=0.2)
    try:
        await server.start()
        assert ship.shipped == a.store.max_seq("xiang-a") > 10
        await wait_same_figures(server, a, "xiang-a figures")
        view = server.halls["xiang-a"]
        assert view.engine.tickets == a.server.engine.tickets
    finally:
        await server.stop()
        ship.stop()
        store.dispose()
