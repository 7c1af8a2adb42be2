"""Period report benchmark: a year of history, then the year's report by window.

Generates `--days` working days (default 250) of `--tickets` tickets a day (default 3,000)
in the demo hall. `--templates` days (default 3) run through the real engine (arrival curve with a morning and an afternoon
peak, weighted services, no-shows, handoffs, 承诺件 left pending, ratings, pauses); the
year repeats them with dates, ticket ids and seqs moved (the engine takes about a minute
to run a 3,000-ticket day, so 250 of them would take hours). It stores the events and the closed days' rollups, and the `cases` rows of the promised cases (as
`Store.commit` writes them) (some completed on time, some late, some still open), in SQLite and in
PostgreSQL (127.0.0.1:5432: a database `bench_reports_<pid>` created and dropped). Then
it times the year's report by window (`load_report` + JSON rendering, in process; and the
`hall report --from … --to … --by window --format json` command, a new process each run).

    .venv/bin/python bench/report_bench.py [--days 250] [--tickets 3000] [--runs 20] [--no-pg]
        [--cache tpl.json] [--keep DIR] [--today]

`--keep DIR` keeps the generated year (DIR/year-<days>x<tickets>.db, and the PostgreSQL
database `bench_reports_<days>x<tickets>`, not dropped) and reuses it on the next run, so a
re-measurement after a code change skips the minutes of generating.

`--today` also stores the first template day as the hall's today (live, no rollup) and
times the `/reports` page's request for the 30 days up to today: the view a supervisor
opens most, whose today part the hub takes from its live state.

Target: the year's report under 2 s (docs/REPORTS.md, bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from hub.catalogue import DEMO_PATH, Hall, load_catalogue  # noqa: E402
from hub.engine import Actor, Engine  # noqa: E402
from hub.report_out import hall_today, load_report, render  # noqa: E402
from hub.reports import rollup_day, time_limit_days  # noqa: E402
from hub.store import CASES, Store, case_row  # noqa: E402

KIOSK = Actor("kiosk", "K1")


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def arrivals(rng: random.Random, day: date, n: int, tz: ZoneInfo) -> list[datetime]:
    """`n` arrival times 09:00-17:00, a morning peak near 10:00 and a smaller one near 15:00."""
    out = []
    while len(out) < n:
        peak = 10.0 if rng.random() < 0.62 else 15.0
        h = rng.gauss(peak, 1.1)
        if 9.0 <= h < 17.0 and not (12.0 <= h < 13.5 and rng.random() < 0.7):
            out.append(datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=h))
    return sorted(out)


def one_day(eng: Engine, hall: Hall, day: date, n: int, rng: random.Random) -> list[Any]:
    tz = ZoneInfo(hall.timezone)
    events: list[Any] = []

    def run(actor: Actor, cmd: dict[str, Any], now: datetime) -> dict[str, Any]:
        res, evs = eng.execute(actor, cmd, now)
        events.extend(evs)
        return res

    events.extend(eng.roll_day(datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=7)))
    services = [s.code for s in hall.services]
    weights = [1 + (7 * i) % 11 for i in range(len(services))]
    staff_of = {w.number: f"k{w.number:03d}" for w in hall.windows}  # one clerk per window
    opening = datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=8, minutes=55)
    windows = [w for w in hall.windows if w.number in staff_of]
    open_windows = []
    for w in windows:
        # window 31 is staffed one day in five (a 长期空岗 candidate); others 96% of days
        if rng.random() < (0.2 if w.number == windows[-1].number else 0.96):
            run(Actor("counter", staff_of[w.number], w.number), {"type": "open_window"}, opening)
            open_windows.append(w)
    free = {w.number: opening for w in open_windows}
    queues: dict[str, list[tuple[datetime, str]]] = {}
    for at in arrivals(rng, day, n, tz):
        svc = rng.choices(services, weights)[0]
        if not any(svc in w.services for w in open_windows):
            continue
        t = run(KIOSK, {"type": "issue", "service": svc}, at)["ticket"]
        queues.setdefault(svc, []).append((at, t["id"]))
    # serve: each window takes the longest-waiting ticket it may serve when it is free
    pending = sum(len(q) for q in queues.values())
    paused: set[int] = set()
    while pending:
        w = min(open_windows, key=lambda w: free[w.number])
        now = free[w.number]
        actor = Actor("counter", staff_of[w.number], w.number)
        best = min(((q[0][0], s) for s in w.services if (q := queues.get(s))), default=None)
        if best is None:
            free[w.number] = now + timedelta(days=1)  # nothing it serves is left
            if all(free[o.number] > now + timedelta(hours=20) for o in open_windows):
                break
            continue
        queued, svc = best
        now = max(now, queued)
        if w.number not in paused and now.hour >= 11 and rng.random() < 0.01:
            run(actor, {"type": "pause", "reason": "临时离开"}, now)
            now += timedelta(minutes=rng.randint(3, 15))
            run(actor, {"type": "resume"}, now)
            paused.add(w.number)
        _, tid = queues[svc].pop(0)
        pending -= 1
        run(actor, {"type": "call", "ticket": tid}, now)
        if rng.random() < 0.04:
            now += timedelta(minutes=3)
            run(actor, {"type": "no_show"}, now)
            free[w.number] = now
            continue
        now += timedelta(seconds=rng.randint(20, 90))
        run(actor, {"type": "start"}, now)
        now += timedelta(seconds=max(60, rng.gauss(hall.service(svc).minutes * 60, 120)))  # type: ignore[union-attr]
        r = rng.random()
        others = [s for o in open_windows for s in o.services if s != svc]
        if r < 0.03 and others:
            to = rng.choice(others)
            run(actor, {"type": "transfer", "service": to, "reason": "非本窗口事项"}, now)
            queues.setdefault(to, []).append((now, tid))
            pending += 1
        else:
            outcome = "pending" if r < 0.13 else "done"
            run(actor, {"type": "finish", "outcome": outcome}, now)
            if rng.random() < 0.2:
                level = rng.choices([5, 4, 3, 2, 1], [70, 18, 6, 4, 2])[0]
                cmd: dict[str, Any] = {"type": "rate", "level": level}
                if level <= 2:
                    cmd["reason"] = "等候时间长"
                run(Actor("citizen", tid), cmd, now + timedelta(seconds=30))
        free[w.number] = now
    for w in open_windows:
        end = (
            max(free[w.number], opening)
            if free[w.number] < opening + timedelta(hours=12)
            else opening + timedelta(hours=8)
        )
        end = max(end, datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=17))
        run(Actor("counter", staff_of[w.number], w.number), {"type": "logout"}, end)
    return events


def templates(hall: Hall, days: list[date], n: int, count: int, seed: int = 13) -> list[str]:
    """`count` days run through the real engine, as JSON text (the year repeats them)."""
    rng = random.Random(seed)
    eng = Engine(hall, days[0])
    out = []
    for day in days[:count]:
        t0 = time.perf_counter()
        evs = one_day(eng, hall, day, n, rng)
        out.append(json.dumps(evs, ensure_ascii=False))
        print(f"  template {day}: {len(evs)} events, {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def shifted(tpl: str, src: date, day: date, seq0: int) -> list[Any]:
    """A template day's events moved to `day` (dates, ticket ids), numbered from seq0 + 1."""
    text_ = tpl.replace(src.isoformat(), day.isoformat()).replace(
        src.strftime("%Y%m%d-"), day.strftime("%Y%m%d-")
    )
    evs: list[Any] = json.loads(text_)
    for i, ev in enumerate(evs, 1):
        ev["seq"] = seq0 + i
    return evs


def generate(
    store: Store, hall: Hall, days: list[date], tpls: list[str], src: list[date], seed: int = 13
) -> None:
    """The year: day i is template i % len(tpls) (run on the day src[k]) moved to days[i]."""
    rng = random.Random(seed)
    store.create_tables()
    cal = hall.calendar
    seq = 0
    # each template's rollup, computed once by rollup_day; a moved day's rollup is the same
    # figures with its dates moved and its promised cases' due dates recomputed
    rolls = [json.dumps(rollup_day(hall, src[k], json.loads(t))) for k, t in enumerate(tpls)]
    for i, day in enumerate(days):
        t0 = time.perf_counter()
        k = i % len(tpls)
        evs = shifted(tpls[k], src[k], day, seq)
        seq += len(evs)
        store.commit(hall.id, day, evs, [])
        roll = json.loads(
            rolls[k]
            .replace(src[k].isoformat(), day.isoformat())
            .replace(src[k].strftime("%Y%m%d-"), day.strftime("%Y%m%d-"))
        )
        for c in roll["promised"]:
            c["due"] = cal.add_working_days(day, time_limit_days(hall, c["service"])).isoformat()
        store.put_rollup(hall.id, roll)
        rows = []
        for c in roll["promised"]:
            r = rng.random()
            due = date.fromisoformat(c["due"])
            if r < 0.8 and due <= days[-1]:  # completed: most on time, some late
                back = rng.randint(0, max(0, cal.working_days_between(day, due)))
                done = cal.add_working_days(due, -back if r < 0.72 else 2)
                c.update(state="completed", completed_at=f"{done}T16:00:00+08:00")
            elif r < 0.83:
                c.update(state="returned", reason="材料不全", completed_at=f"{due}T15:00:00+08:00")
            rows.append(case_row(hall.id, c))  # the cases table as Store.commit writes it
        if rows:  # Store.commit wrote them open (case events); later days close most
            with store.engine.begin() as conn:
                ids = [r["id"] for r in rows]
                conn.execute(CASES.delete().where(CASES.c.hall_id == hall.id, CASES.c.id.in_(ids)))
                conn.execute(CASES.insert(), rows)
        if i % 25 == 0:
            print(f"  day {day}: {len(evs)} events, {time.perf_counter() - t0:.2f} s", flush=True)


def time_report(
    store: Store, hall: Hall, url: str, first: date, last: date, runs: int
) -> dict[str, Any]:
    today = last + timedelta(days=1)
    t0 = time.perf_counter()
    load_report(store, hall, first, last, today)  # the first run merges and stores the months
    cold = 1000 * (time.perf_counter() - t0)
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        rep = load_report(store, hall, first, last, today)
        render(rep, "window", "json")
        ms.append(1000 * (time.perf_counter() - t0))
    cli = []
    for _ in range(max(3, runs // 4)):
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cli.main",
                "report",
                "--from",
                first.isoformat(),
                "--to",
                last.isoformat(),
                "--by",
                "window",
                "--format",
                "json",
                "--db",
                url,
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        cli.append(1000 * (time.perf_counter() - t0))
    return {
        "received": rep["hall"]["received"],
        "cold_ms": cold,
        "in_process_ms": (statistics.median(ms), pct(ms, 99)),
        "cli_ms": (statistics.median(cli), pct(cli, 99)),
    }


def time_page(
    store: Store, hall: Hall, first: date, last: date, runs: int, fresh: bool = False
) -> tuple[float, float]:
    """The `/reports` page's data request: a supervisor's `report` {from, to} over the hub's
    websocket (a real hub on this database, a real client), reply received and decoded; ms
    median and p99. The hub answers it with `load_report` in a worker thread, then sends
    the report as JSON: the page's wait before it draws anything.

    `fresh`: the hub's rollup of today is dropped before each request, as when an event
    came between two requests (a busy hall): today's rollup is finished anew each time."""
    import asyncio

    import websockets

    from hub import auth
    from hub.server import HubServer
    from shared.protocol import VERSION

    store.put_staff(hall.id, "bench-sup", "报表主管", auth.hash_pin("9999"), [], True)

    async def run() -> list[float]:
        server = HubServer(store, hall, "bench", host="127.0.0.1", port=0, ping_interval=None)
        await server.start()
        ms = []
        try:
            async with websockets.connect(server.url, max_size=None) as ws:
                hello = {"type": "hello", "v": VERSION, "role": "supervisor"}
                await ws.send(json.dumps({**hello, "staff": "bench-sup", "pin": "9999"}))
                assert json.loads(await ws.recv())["type"] == "welcome"
                for i in range(runs + 1):  # the first: warm-up (the hub's first report)
                    if fresh and hasattr(server, "_today_cache"):
                        server._today_cache = None
                    t0 = time.perf_counter()
                    ask = {"type": "report", "id": f"r{i}"}
                    await ws.send(json.dumps({**ask, "from": str(first), "to": str(last)}))
                    while True:
                        frame = json.loads(await ws.recv())
                        if frame.get("re") == f"r{i}":
                            break
                    assert frame["type"] == "ok", frame
                    if i:
                        ms.append(1000 * (time.perf_counter() - t0))
        finally:
            await server.stop()
        return ms

    ms = asyncio.run(run())
    return statistics.median(ms), pct(ms, 99)


def add_today(store: Store, hall: Hall, tpl: str, src: date) -> None:
    """A template day stored as the hall's today (not closed: no rollup), unless kept already."""
    today = hall_today(hall)
    if store.events_of_day(hall.id, today.isoformat()):
        return
    evs = shifted(tpl, src, today, store.max_seq(hall.id))
    store.commit(hall.id, today, evs, [])
    print(f"  today {today}: {len(evs)} events stored", flush=True)


def kept(store: Store) -> bool:
    """Whether a kept database holds a whole generated year (its hall is saved last)."""
    try:
        store.load_hall()
    except LookupError:
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--tickets", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--templates", type=int, default=3, help="distinct engine-run days")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--cache", default=None, help="keep the template days in this JSON file")
    ap.add_argument("--keep", default=None, help="keep (and reuse) the generated year in this dir")
    ap.add_argument(
        "--today",
        action="store_true",
        help="also store a template day as today and time the page's request for the 30 days to today",
    )
    args = ap.parse_args()
    hall = load_catalogue(DEMO_PATH)
    # the year's working days end before the hall's today, so every day is closed (the
    # `hall report` command reads the real clock: a year reaching today would fold today's
    # live events at every run, which the in-process timing, given today = the day after
    # the last, does not)
    days, d = [], hall_today(hall) - timedelta(days=1)
    while len(days) < args.days:
        if hall.calendar.is_working_day(d):
            days.insert(0, d)
        d -= timedelta(days=1)
    targets: list[tuple[str, str]] = []
    tmp = tempfile.TemporaryDirectory()
    keep = Path(args.keep) if args.keep else None
    size = f"{args.days}x{args.tickets}"
    if not args.no_sqlite:
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            targets.append(("SQLite", str(keep / f"year-{size}.db")))
        else:
            targets.append(("SQLite", str(Path(tmp.name) / "year.db")))
    pg_db = None
    if not args.no_pg:
        import psycopg

        name = f"bench_reports_{size}" if keep is not None else None
        with psycopg.connect(
            host="127.0.0.1", user="postgres", dbname="test", autocommit=True
        ) as c:
            exists = (
                name is not None
                and c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            )
            if not exists:
                c.execute(f"CREATE DATABASE {name or f'bench_reports_{os.getpid()}'}")
        pg_db = None if name else f"bench_reports_{os.getpid()}"  # dropped at the end
        targets.append(
            ("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name or pg_db}")
        )
    cache = Path(args.cache) if args.cache else None
    cached = json.loads(cache.read_text(encoding="utf-8")) if cache and cache.is_file() else None
    if isinstance(cached, dict):  # {"days": the days the templates ran on, "templates": …}
        src, tpls = [date.fromisoformat(x) for x in cached["days"]], cached["templates"]
    elif isinstance(cached, list):  # an older cache: run on the first days from 2025-12-01
        src, tpls = [date(2025, 12, 1), date(2025, 12, 2), date(2025, 12, 3)], cached
    else:
        print(f"running {args.templates} template days through the engine", flush=True)
        src = days[: args.templates]
        tpls = templates(hall, days, args.tickets, args.templates)
        if cache is not None:
            keep_ = {"days": [x.isoformat() for x in src], "templates": tpls}
            cache.write_text(json.dumps(keep_), encoding="utf-8")
    try:
        for name, url in targets:
            store = Store(url)
            if keep is not None and kept(store):
                print(f"{name}: reusing the year kept in {url}", flush=True)
                store.create_tables()  # as the hub's start: what a newer version adds
            else:
                print(f"{name}: generating {len(days)} days x {args.tickets} tickets", flush=True)
                t0 = time.perf_counter()
                generate(store, hall, days, tpls, src)
                store.save_hall(hall, DEMO_PATH.read_text(encoding="utf-8"), "bench")
                print(f"{name}: generated in {time.perf_counter() - t0:.0f} s", flush=True)
            if args.today:
                add_today(store, hall, tpls[0], src[0])
                load0 = os.getloadavg()[0]
                today = hall_today(hall)
                month = today - timedelta(days=29), today
                page = time_page(store, hall, *month, args.runs)
                fresh = time_page(store, hall, *month, args.runs, fresh=True)
                print(
                    f"{name}: /reports page's `report` request for the 30 days to today (today "
                    f"{args.tickets} tickets, live): median {page[0]:.0f} ms p99 {page[1]:.0f} ms; "
                    f"today's rollup finished anew at each request: median {fresh[0]:.0f} ms "
                    f"p99 {fresh[1]:.0f} ms (load average {load0:.2f} at the start, "
                    f"{os.getloadavg()[0]:.2f} at the end)",
                    flush=True,
                )
            load0 = os.getloadavg()[0]
            r = time_report(store, hall, url, days[0], days[-1], args.runs)
            page = time_page(store, hall, days[0], days[-1], args.runs)
            print(
                f"{name}: year's report by window ({r['received']} received): first run "
                f"{r['cold_ms']:.0f} ms (stores the month spans, unless kept); then in process median "
                f"{r['in_process_ms'][0]:.0f} ms p99 {r['in_process_ms'][1]:.0f} ms; "
                f"`hall report` command median {r['cli_ms'][0]:.0f} ms p99 {r['cli_ms'][1]:.0f} ms; "
                f"/reports page's `report` request median {page[0]:.0f} ms p99 {page[1]:.0f} ms "
                f"(load average {load0:.2f} at the start, {os.getloadavg()[0]:.2f} at the end)",
                flush=True,
            )
            store.dispose()
    finally:
        tmp.cleanup()
        if pg_db:
            import psycopg

            with psycopg.connect(
                host="127.0.0.1", user="postgres", dbname="test", autocommit=True
            ) as c:
                c.execute(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")


if __name__ == "__main__":
    main()
