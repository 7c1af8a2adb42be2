"""Queue-length benchmark: issue throughput with 10 vs 10,000 tickets waiting in one service.

Issue 10's target: with 8 kiosks issuing into one service, the durable tickets per
second with 10,000 waiting there are at least 80% of those with 10 waiting, in the
same run. Each side gets a fresh hub process (`hall serve`, SQLite WAL,
synchronous=FULL) with window 13 open for the service (so every `issue` reply
carries a real place in line and estimated wait, docs/DESIGN.md "Place in line"),
the queue filled first, then `--issues` tickets issued by 8 kiosks with
`--in-flight` requests each, timed. The sides alternate for `--rounds`.

    .venv/bin/python bench/queue_bench.py [--issues 2000] [--in-flight 1] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time

from hub_bench import HALL, ROOT, Requester, hall, hello, raise_nofile

WINDOW = 13  # serves MZ-01 in the demo hall
KIOSKS = 8


async def issue_many(url: str, token: str, service: str, n: int, in_flight: int) -> float:
    """Issue `n` tickets with KIOSKS kiosks x `in_flight`; the seconds it took."""
    conns = [Requester((await hello(url, role="kiosk", token=token))[0]) for _ in range(KIOSKS)]
    left = n

    async def worker(r: Requester) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            reply = await r.request("issue", service=service)
            assert reply["type"] == "ok", reply
            assert isinstance(reply["ahead"], int) and isinstance(reply["eta_min"], int), reply

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(r) for r in conns for _ in range(in_flight)))
    elapsed = time.perf_counter() - t0
    for r in conns:
        await r.ws.close()
    return elapsed


async def one_side(waiting: int, issues: int, in_flight: int) -> float:
    """Tickets per second issuing into a service with `waiting` tickets already waiting."""
    tmp = tempfile.mkdtemp(prefix="hall-queue-bench-")
    db = os.path.join(tmp, "hall.db")
    hall(db, "init", "--demo")
    token = hall(db, "device", "add", "--role", "kiosk", "--name", "BENCH").strip().splitlines()[-1]
    hall(db, "staff", "add", "--id", "c001", "--name", "bench", "--pin", "1234", "--windows", "13")
    from hub.catalogue import load_demo

    w = load_demo().window(WINDOW)
    assert w is not None
    service = w.services[0]
    proc = subprocess.Popen(
        [*HALL, "serve", "--db", db, "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    url = line[line.index("ws://") :].split()[0]
    try:
        counter, _ = await hello(url, role="counter", staff="c001", pin="1234", window=WINDOW)
        await issue_many(url, token, service, waiting, 16)  # fill the queue
        elapsed = await issue_many(url, token, service, issues, in_flight)
        await counter.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return issues / elapsed


async def main(args: argparse.Namespace) -> None:
    raise_nofile()
    rates: dict[int, list[float]] = {10: [], 10_000: []}
    for r in range(args.rounds):
        for waiting in rates:
            rate = await one_side(waiting, args.issues, args.in_flight)
            rates[waiting].append(rate)
            print(f"round {r + 1}: {waiting:>6} waiting: {rate:7.0f} tickets/s", flush=True)
    short, long = statistics.median(rates[10]), statistics.median(rates[10_000])
    print(
        f"median of {args.rounds} rounds: {short:.0f} tickets/s with 10 waiting, "
        f"{long:.0f} with 10,000 waiting: {long / short:.0%} "
        f"({KIOSKS} kiosks x {args.in_flight} in flight, {args.issues} issues timed)"
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--issues", type=int, default=2000)
    p.add_argument("--in-flight", type=int, default=1)
    p.add_argument("--rounds", type=int, default=2)
    asyncio.run(main(p.parse_args()))
