"""District benchmark: N simulated halls shipping into one district, and the district's view.

Each simulated hall is what a township hall's hub does minus the sockets: the real
engine (`hub.engine.Engine.execute`) runs a day's commands (a kiosk issuing, clerks at
windows 13 and 14 calling, starting and finishing, every fifth a no-show), each batch is
committed to the hall's own SQLite store (`Store.commit`, WAL, synchronous=FULL, on
/dev/shm when there is one, so the shared machine's disk is not what is measured), and
the hall's `hub.ship.Shipper` ships it to the district's PostgreSQL, woken after each
commit as the hub wakes it. The halls run in a few worker processes (threads inside:
one shipper per hall, one engine loop per process); the shippers of a process share one
small connection pool (`--pool`), as a PgBouncer in front of a province's database would.

The district service (`hub.district.DistrictServer`) runs in this process and a district
page (a websocket client logged in as a district supervisor) receives its pushes.

For each N it measures, in order:

1. ingest: every hall has a backlog (`--backlog` commands, stored while its link was
   "down"); the shippers start together; events/s until the district service has
   applied every event (shipped, inserted, notified, read and replayed);
2. lag: every hall runs `--rate` commands/s for `--seconds`; for each push the page
   receives, for each hall whose seq moved, the age of the newest event it shows
   (page receive time minus the event's `at`): p50 / p99;
3. page load: GET /district, its script and style, then login and the first list of
   N halls over the websocket (median of 5).

    .venv/bin/python bench/district_bench.py [--halls 10 50 200] [--seconds 20]

A fresh database `hall_bench_<random>` is created on --pg and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("HALL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


# ---------------------------------------------------------------------- a simulated hall


class SimHall:
    """One hall: its engine, its SQLite store, its shipper; commands as the hub runs them."""

    def __init__(self, hall_id: str, folder: Path, target: Any) -> None:
        import re

        from hub.catalogue import DEMO_PATH, parse_catalogue
        from hub.engine import Actor
        from hub.ship import Shipper
        from hub.store import Store

        text = DEMO_PATH.read_text(encoding="utf-8")
        text = re.sub(r'^id = "demo"$', f'id = "{hall_id}"', text, count=1, flags=re.M)
        self.hall = parse_catalogue(text, hall_id)
        self.id = hall_id
        self.store = Store(str(folder / f"{hall_id}.db"))
        self.store.create_tables()
        self.store.save_hall(self.hall, text, "secret")
        now = datetime.now(UTC)
        self.engine = self.store.restore(self.hall, now.astimezone(self.engine_tz()).date())
        self.shipper = Shipper(self.store, hall_id, target, poll_s=0.5, backoff_s=(0.1, 2.0))
        self.kiosk = Actor("kiosk", "K1")
        self.clerks = [Actor("counter", f"c{w}", w) for w in (13, 14)]
        self.phase = {c.window: "idle" for c in self.clerks}
        self.done = 0
        self.rng = random.Random(hall_id)
        for c in self.clerks:
            self.run(c, {"type": "open_window"})

    def engine_tz(self) -> Any:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.hall.timezone)

    def run(self, actor: Any, cmd: dict[str, Any]) -> int:
        """Execute one command and commit its events as the hub's writer does; events made."""
        from hub.engine import EngineError
        from hub.store import encode_event

        now = datetime.now(UTC)
        day = self.engine.day
        events = self.engine.roll_day(now)
        try:
            _, evs = self.engine.execute(actor, cmd, now)
        except EngineError:
            evs = []
        events.extend(evs)
        if events:
            self.store.commit(self.id, day, events, [], [encode_event(e)[1] for e in events])
            self.shipper.wake()
        return len(events)

    def step(self) -> int:
        """One command of a realistic day: issue, or a clerk's next move."""
        waiting = sum(self.engine.waiting_counts().values())
        if waiting < 3 or self.rng.random() < 0.3:
            return self.run(
                self.kiosk,
                {"type": "issue", "service": self.rng.choice(["MZ-01", "MZ-02", "MZ-03"])},
            )
        c = self.rng.choice(self.clerks)
        phase = self.phase[c.window]
        if phase == "idle":
            n = self.run(c, {"type": "call_next"})
            if n:
                self.phase[c.window] = "called"
            return n
        if phase == "called":
            self.done += 1
            if self.done % 5 == 0:
                self.phase[c.window] = "idle"
                return self.run(c, {"type": "no_show"})
            self.phase[c.window] = "serving"
            return self.run(c, {"type": "start"})
        self.phase[c.window] = "idle"
        return self.run(c, {"type": "finish", "outcome": "done"})


def worker(
    ids: list[str], folder: str, pg: str, pool: int, backlog: int, rate: float, seconds: float,
    ready: Any, go: Any, live: Any, out: Any,
) -> None:  # fmt: skip
    """A worker process: build its halls, make their backlog, ship on `go`, run live on `live`."""
    from sqlalchemy import create_engine

    target = create_engine(pg, pool_size=pool, max_overflow=0, pool_pre_ping=True)
    halls = [SimHall(i, Path(folder), target) for i in ids]
    for _ in range(backlog):
        for h in halls:
            h.step()
    out.put(("ready", sum(h.engine.seq for h in halls)))
    go.wait()
    for h in halls:
        h.shipper.start()
    live.wait()
    period = 1.0 / (rate * len(halls))
    made = 0
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < seconds:
        made += halls[i % len(halls)].step()
        i += 1
        delay = t0 + i * period - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    out.put(("live", made, sum(h.engine.seq for h in halls)))
    deadline = time.monotonic() + 120  # let the shippers finish what is stored
    while time.monotonic() < deadline and any(h.shipper.cursor != h.engine.seq for h in halls):
        time.sleep(0.1)
    for h in halls:
        h.shipper.stop()
        h.store.dispose()
    target.dispose()


# ---------------------------------------------------------------------- the district side


def make_db(pg: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(pg)
    name = f"hall_bench_{secrets.token_hex(4)}"
    with psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, dbname=u.database, autocommit=True
    ) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return u.set(database=name).render_as_string(hide_password=False)


def drop_db(pg: str, url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u, name = make_url(pg), make_url(url).database
    with psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, dbname=u.database, autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def page_load(port: int, n: int) -> float:
    from websockets.asyncio.client import connect

    def get(path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
            return bytes(r.read())

    t0 = time.perf_counter()
    for path in ("/district", "/static/district.js", "/static/district.css"):
        await asyncio.to_thread(get, path)
    async with connect(f"ws://127.0.0.1:{port}/district/ws", proxy=None, max_size=None) as ws:
        await ws.send(json.dumps({"type": "hello", "staff": "bench", "pin": "2468"}))
        welcome = json.loads(await ws.recv())
    assert welcome["type"] == "welcome" and len(welcome["halls"]) == n, welcome.get("type")
    return (time.perf_counter() - t0) * 1000


async def run_one(n: int, args: argparse.Namespace) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    from hub import auth, district
    from hub.store import Store

    url = make_db(args.pg)
    store = Store(url)
    district.prepare(store)
    district.add_staff(store, "bench", "bench", auth.hash_pin("2468"), None)
    server = district.DistrictServer(store, port=0)
    await server.start()
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    ready, go, live = ctx.Event(), ctx.Event(), ctx.Event()
    ids = [f"hall-{i:04d}" for i in range(n)]
    nw = min(args.workers, n)
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    folder = tempfile.mkdtemp(prefix="district-bench-", dir=shm)
    procs = [
        ctx.Process(
            target=worker,
            args=(
                ids[i::nw],
                folder,
                url,
                args.pool,
                args.backlog,
                args.rate,
                args.seconds,
                ready,
                go,
                live,
                out,
            ),
        )  # fmt: skip
        for i in range(nw)
    ]
    for p in procs:
        p.start()
    try:
        total = 0
        for _ in procs:
            kind, seqs = await asyncio.to_thread(out.get, True, 600)
            total += seqs
        # 1. ingest: the backlogs shipped at once
        t0 = time.perf_counter()
        go.set()
        while sum(v.seq for v in server.halls.values()) < total or len(server.halls) < n:
            await asyncio.sleep(0.02)
        ingest_s = time.perf_counter() - t0
        # 2. lag: live halls, a district page watching
        lags: list[float] = []
        seen: dict[str, int] = {}
        ws = await connect(f"ws://127.0.0.1:{server.port}/district/ws", proxy=None, max_size=None)
        await ws.send(json.dumps({"type": "hello", "staff": "bench", "pin": "2468"}))
        first = json.loads(await ws.recv())
        seen = {h["id"]: h["seq"] for h in first["halls"]}

        async def watch() -> None:
            async for raw in ws:
                now = datetime.now(UTC)
                f = json.loads(raw)
                if f.get("type") != "halls":
                    continue
                for h in f["halls"]:
                    if h["seq"] > seen.get(h["id"], 0) and h["last_event_at"]:
                        seen[h["id"]] = h["seq"]
                        at = datetime.fromisoformat(h["last_event_at"])
                        lags.append((now - at).total_seconds() * 1000)

        watcher = asyncio.create_task(watch())
        cpu0 = os.times()
        live.set()
        made = 0
        final = 0
        for _ in procs:
            kind, m, seqs = await asyncio.to_thread(out.get, True, 600)
            made += m
            final += seqs
        drain0 = time.perf_counter()
        while sum(v.seq for v in server.halls.values()) < final:
            if time.perf_counter() - drain0 > 150:
                raise RuntimeError("the district did not catch up within 150 s")
            await asyncio.sleep(0.02)
        drain_s = time.perf_counter() - drain0
        await asyncio.sleep(1.0)  # the last push
        cpu1 = os.times()
        watcher.cancel()
        await ws.close()
        # 3. page load
        loads = [await page_load(server.port, n) for _ in range(5)]
        return {
            "halls": n,
            "backlog_events": total,
            "ingest_s": ingest_s,
            "ingest_eps": total / ingest_s,
            "live_events": made,
            "live_eps": made / args.seconds,
            "lag_p50_ms": pct(lags, 50),
            "lag_p99_ms": pct(lags, 99),
            "lag_samples": len(lags),
            "drain_s": drain_s,
            "page_load_ms": statistics.median(loads),
            "district_cpu_pct": 100
            * ((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system))
            / max(0.001, cpu1.elapsed - cpu0.elapsed),
        }
    finally:
        for p in procs:
            p.join(30)
            if p.is_alive():
                p.kill()
        await server.stop()
        store.dispose()
        drop_db(args.pg, url)
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--halls", type=int, nargs="+", default=[10, 50, 200])
    ap.add_argument("--seconds", type=float, default=20.0, help="live phase per run")
    ap.add_argument("--rate", type=float, default=1.0, help="commands/s per hall in the live phase")
    ap.add_argument("--backlog", type=int, default=100, help="commands per hall before shipping")
    ap.add_argument("--workers", type=int, default=3, help="hall processes")
    ap.add_argument("--pool", type=int, default=4, help="district connections per hall process")
    ap.add_argument("--pg", default=PG)
    args = ap.parse_args()
    print(f"district bench, load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    for n in args.halls:
        r = asyncio.run(run_one(n, args))
        print(
            f"N={r['halls']:>4}: ingest {r['backlog_events']} events in {r['ingest_s']:.1f} s "
            f"= {r['ingest_eps']:.0f} events/s; live {r['live_eps']:.0f} events/s, lag p50 "
            f"{r['lag_p50_ms']:.0f} ms p99 {r['lag_p99_ms']:.0f} ms ({r['lag_samples']} samples), "
            f"district service CPU {r['district_cpu_pct']:.0f}%, caught up {r['drain_s']:.1f} s after "
            f"the halls stopped; page load {r['page_load_ms']:.0f} ms "
            f"(load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
