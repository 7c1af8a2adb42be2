"""Group-commit benchmark: issue latency and durable tickets/s against the disk, same run.

The hub runs as its own process (`hall serve`, SQLite file, WAL,
synchronous=FULL); the kiosks run here, in another process. Each round
measures, one after the other:

1. the disk's single-commit rate: raw SQLite (WAL, synchronous=FULL), one
   small row per transaction, on the same filesystem as the hub's database;
2. `issue` latency with one kiosk sending requests one at a time (client side);
3. acknowledged durable tickets per second with 8 kiosks, each keeping
   `--in-flight` requests open (a reply is only sent after its batch committed).

    .venv/bin/python bench/commit_bench.py [--rounds 3] [--issues 1000] [--seconds 5]
    .venv/bin/python bench/commit_bench.py --rounds 1 --profile hub.prof  # the hub under cProfile

Targets (issue 10): latency median < 1 ms; 8 kiosks >= the disk's single-commit rate.
The machine is shared: the load average is printed with each round.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hub_bench import HALL, Requester, bench_throughput, hall, hello, pct

ROOT = Path(__file__).resolve().parent.parent


def disk_commit_rate(folder: str, seconds: float) -> float:
    """Commits per second: one small row per transaction, WAL + synchronous=FULL."""
    path = os.path.join(folder, "disk.db")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        con.execute("BEGIN")
        con.execute("INSERT INTO t (v) VALUES (?)", ("x" * 40,))
        con.execute("COMMIT")
        n += 1
    rate = n / (time.perf_counter() - t0)
    con.close()
    return rate


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (every thread)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_kiosk(url: str, token: str, services: list[str], n: int) -> list[float]:
    ws, _ = await hello(url, role="kiosk", token=token)
    r = Requester(ws)
    for service in services[:20]:  # warm up
        await r.request("issue", service=service)
    lat = []
    for i in range(n):
        t0 = time.perf_counter()
        reply = await r.request("issue", service=services[i % len(services)])
        lat.append((time.perf_counter() - t0) * 1000)
        assert reply["type"] == "ok", reply
    await ws.close()
    return lat


def start_hub(folder: str, profile: str | None) -> tuple[subprocess.Popen[str], str, str]:
    """A fresh hall (demo catalogue, one kiosk) served by `hall serve`: (process, url, kiosk token)."""
    db = os.path.join(folder, "hall.db")
    hall(db, "init", "--demo")
    token = hall(db, "device", "add", "--role", "kiosk", "--name", "BENCH").strip().splitlines()[-1]
    serve = [*HALL, "serve", "--db", db, "--port", "0"]
    if profile:
        serve = [sys.executable, "-m", "cProfile", "-o", profile, "-m", "cli.main", *serve[3:]]
    proc = subprocess.Popen(serve, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, line[line.index("ws://") :].split()[0], token


def stop_hub(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)  # a clean stop: cProfile writes its file
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.wait(10)


async def main(args: argparse.Namespace) -> None:
    from hub.catalogue import load_demo

    services = [s.code for s in load_demo().services]
    rows = []
    for rnd in range(1, args.rounds + 1):
        # a fresh hall each round, issues spread over every service: queues stay short,
        # so this measures the commit path, not the cost of long queues
        tmp = tempfile.mkdtemp(prefix="hall-commit-bench-")
        proc, url, token = start_hub(tmp, args.profile)
        try:
            load = os.getloadavg()
            disk = disk_commit_rate(tmp, args.disk_seconds)
            hub0 = cpu_seconds(proc.pid)
            lat = await one_kiosk(url, token, services, args.issues)
            hub1, here1 = cpu_seconds(proc.pid), time.process_time()
            done, elapsed = await bench_throughput(
                url, token, services, args.seconds, clients=args.kiosks, in_flight=args.in_flight
            )
            hub2, here2 = cpu_seconds(proc.pid), time.process_time()
        finally:
            stop_hub(proc)
        tps = done / elapsed
        rows.append((disk, statistics.median(lat), pct(lat, 99), tps))
        print(
            f"round {rnd} (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}), database {tmp}:\n"
            f"  disk single-commit rate: {disk:,.0f} commits/s ({1000 / disk:.3f} ms each)\n"
            f"  issue latency, one kiosk, n={len(lat)}: median {statistics.median(lat):.3f} ms,"
            f" p99 {pct(lat, 99):.3f} ms; hub CPU {(hub1 - hub0) / (len(lat) + 20) * 1e6:.0f} us/ticket\n"
            f"  {args.kiosks} kiosks x {args.in_flight} in flight: {done} tickets in {elapsed:.2f} s"
            f" = {tps:,.0f} durable tickets/s ({tps / disk:.0%} of the disk rate);"
            f" CPU per ticket: hub {(hub2 - hub1) / done * 1e6:.0f} us,"
            f" kiosks' process {(here2 - here1) / done * 1e6:.0f} us",
            flush=True,
        )
    print(
        "median of rounds: disk {:,.0f} commits/s; latency median {:.3f} ms, p99 {:.3f} ms;"
        " {:,.0f} tickets/s".format(*(statistics.median(c) for c in zip(*rows, strict=True)))
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--issues", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--disk-seconds", type=float, default=2.0)
    ap.add_argument("--kiosks", type=int, default=8)
    ap.add_argument("--in-flight", type=int, default=16)
    ap.add_argument("--profile", default=None, help="run the hub under cProfile, write this file")
    asyncio.run(main(ap.parse_args()))
