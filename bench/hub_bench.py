"""Hub benchmark: issue latency, durable throughput, call fan-out to 1,000 displays.

The hub runs as its own process (`hall serve`, SQLite file, WAL, synchronous=FULL);
the load runs here, in a separate process. Fan-out is compared with an ideal
broadcast server (it only relays one prepared frame) measured with the same
1,000 clients on the same machine.

    .venv/bin/python bench/hub_bench.py [--displays 1000] [--calls 100] [--issues 500] [--seconds 5]

Budgets (docs/DESIGN.md): issue median < 10 ms; fan-out p99 < ideal + 50 ms at
1,000 displays; >= 500 durable commands/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, broadcast, serve

ROOT = Path(__file__).resolve().parent.parent
HALL = [sys.executable, "-m", "cli.main"]


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(name: str, ms: list[float]) -> str:
    return f"{name}: n={len(ms)} median={statistics.median(ms):.2f} ms p99={pct(ms, 99):.2f} ms max={max(ms):.2f} ms"


def hall(db: str, *args: str) -> str:
    out = subprocess.run(
        [*HALL, *args, "--db", db], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout


async def hello(url: str, **h: Any) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(
        url, proxy=None, max_size=None, compression=None, ping_interval=None, open_timeout=60
    )
    await ws.send(json.dumps({"type": "hello", "v": 1, **h}))
    welcome = json.loads(await ws.recv())
    assert welcome["type"] == "welcome", welcome
    return ws, welcome


class Requester:
    """Sends requests on one connection and matches replies by id."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            # events are not parsed: a real client would, but this one only measures the hub
            if isinstance(raw, str) and raw.startswith(('{"type":"ok"', '{"type":"error"')):
                msg = json.loads(raw)
                fut = self.waiting.pop(msg.get("re") or "", None)
                if fut is not None:
                    fut.set_result(msg)

    async def request(self, kind: str, **args: Any) -> dict[str, Any]:
        rid = uuid.uuid4().hex
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[rid] = fut
        await self.ws.send(json.dumps({"type": kind, "id": rid, **args}))
        return await fut


async def bench_issue(url: str, token: str, service: str, n: int) -> list[float]:
    ws, _ = await hello(url, role="kiosk", token=token)
    r = Requester(ws)
    lat = []
    for _ in range(n):
        t0 = time.perf_counter()
        reply = await r.request("issue", service=service)
        lat.append((time.perf_counter() - t0) * 1000)
        assert reply["type"] == "ok", reply
    await ws.close()
    return lat


async def bench_throughput(
    url: str, token: str, services: list[str], seconds: float, clients: int = 4, in_flight: int = 16
) -> tuple[int, float]:
    conns = [Requester((await hello(url, role="kiosk", token=token))[0]) for _ in range(clients)]
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(r: Requester, k: int) -> None:
        nonlocal done
        i = 0
        while time.perf_counter() < deadline:
            reply = await r.request("issue", service=services[(k + i) % len(services)])
            assert reply["type"] == "ok", reply
            done += 1
            i += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(r, k) for r in conns for k in range(in_flight)))
    elapsed = time.perf_counter() - t0
    for r in conns:
        await r.ws.close()
    return done, elapsed


async def open_displays(
    url: str, n: int, hello_frame: dict[str, Any] | None
) -> list[ClientConnection]:
    out: list[ClientConnection] = []
    sem = asyncio.Semaphore(100)

    async def one() -> None:
        async with sem:
            ws = await connect(
                url,
                proxy=None,
                max_size=None,
                compression=None,
                ping_interval=None,
                open_timeout=120,
            )
            if hello_frame is not None:
                await ws.send(json.dumps(hello_frame))
                await ws.recv()
            out.append(ws)

    await asyncio.gather(*(one() for _ in range(n)))
    return out


async def measure_fanout(
    displays: list[ClientConnection], marker: str, trigger: Any, calls: int
) -> list[float]:
    """Trigger `calls` times; latency = trigger sent -> the last display received a frame with marker."""
    lat: list[float] = []
    for _ in range(calls):
        got: list[float] = []
        done = asyncio.Event()

        async def wait_one(
            ws: ClientConnection, got: list[float] = got, done: asyncio.Event = done
        ) -> None:
            while True:
                raw = await ws.recv()
                if marker in raw:
                    got.append(time.perf_counter())
                    if len(got) == len(displays):
                        done.set()
                    return

        waiters = [asyncio.create_task(wait_one(ws)) for ws in displays]
        await asyncio.sleep(0)
        t0 = time.perf_counter()
        await trigger()
        await asyncio.wait_for(done.wait(), 30)
        lat.append((max(got) - t0) * 1000)
        for w in waiters:
            w.cancel()
        await asyncio.sleep(0.02)
    return lat


async def ideal_server(n: int, calls: int) -> list[float]:
    """An ideal broadcast server (a child process, like the hub): on 'go' it relays one prepared frame."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--ideal-server"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    try:
        displays = await open_displays(url, n, None)
        trig = await connect(url, proxy=None, ping_interval=None)

        async def trigger() -> None:
            await trig.send("go")

        lat = await measure_fanout(displays, "ticket_called", trigger, calls)
        for ws in displays:
            await ws.close()
        await trig.close()
        return lat
    finally:
        proc.terminate()
        proc.wait()


def run_ideal_server() -> None:
    raise_nofile()
    frame = json.dumps({"type": "ticket_called", "seq": 1, "pad": "x" * 600})

    async def main() -> None:
        conns: set[ServerConnection] = set()

        async def handler(ws: ServerConnection) -> None:
            conns.add(ws)
            try:
                async for msg in ws:
                    if msg == "go":
                        broadcast([c for c in conns if c is not ws], frame)
            finally:
                conns.discard(ws)

        async with serve(handler, "127.0.0.1", 0, compression=None, ping_interval=None) as server:
            port = server.sockets[0].getsockname()[1]
            print(f"ws://127.0.0.1:{port}/", flush=True)
            await asyncio.Future()

    asyncio.run(main())


async def bench_fanout(
    url: str, token: str, clerk: tuple[str, str], window: int, service: str, n: int, calls: int
) -> list[float]:
    kiosk = Requester((await hello(url, role="kiosk", token=token))[0])
    for _ in range(calls):
        assert (await kiosk.request("issue", service=service))["type"] == "ok"
    counter_ws, _ = await hello(url, role="counter", staff=clerk[0], pin=clerk[1], window=window)
    counter = Requester(counter_ws)
    displays = await open_displays(url, n, {"type": "hello", "v": 1, "role": "display"})

    async def trigger() -> None:
        reply = await counter.request("call_next")
        assert reply["type"] == "ok", reply
        await counter.request("start")
        await counter.request("finish", outcome="done")

    # the marker is the event type; the next call's frame is only sent after the trigger
    lat = await measure_fanout(displays, '"ticket_called"', trigger, calls)
    for ws in displays:
        await ws.close()
    await counter_ws.close()
    await kiosk.ws.close()
    return lat


async def main(args: argparse.Namespace) -> None:
    raise_nofile()
    tmp = tempfile.mkdtemp(prefix="hall-bench-")
    db = os.path.join(tmp, "hall.db")
    hall(db, "init", "--demo")
    token = hall(db, "device", "add", "--role", "kiosk", "--name", "BENCH").strip().splitlines()[-1]
    hall(db, "staff", "add", "--id", "c001", "--name", "bench", "--pin", "1234", "--windows", "1")
    from hub.catalogue import load_demo

    hall_conf = load_demo()
    w1 = hall_conf.window(1)
    assert w1 is not None
    service = w1.services[0]
    services = [s.code for s in hall_conf.services]
    proc = subprocess.Popen(
        [*HALL, "serve", "--db", db, "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    url = line[line.index("ws://") :].split()[0]
    print(f"hub at {url}, database {db}")
    try:
        lat = await bench_issue(url, token, services[1], args.issues)
        print(summary("issue latency (one kiosk, sequential, durable)", lat))
        done, elapsed = await bench_throughput(url, token, services, args.seconds)
        print(
            f"throughput: {done} durable issue commands in {elapsed:.2f} s = {done / elapsed:.0f} commands/s (4 kiosks x 16 in flight)"
        )
        hub_lat = await bench_fanout(
            url, token, ("c001", "1234"), 1, service, args.displays, args.calls
        )
        print(summary(f"call -> last of {args.displays} displays (hub)", hub_lat))
    finally:
        proc.terminate()
        proc.wait(10)
    ideal = await ideal_server(args.displays, args.calls)
    print(
        summary(
            f"prepared frame -> last of {args.displays} clients (ideal broadcast server)", ideal
        )
    )
    over = [h - i for h, i in zip(sorted(hub_lat), sorted(ideal), strict=False)]
    print(
        f"hub minus ideal: p50 {statistics.median(over):.2f} ms, p99 {pct(hub_lat, 99) - pct(ideal, 99):.2f} ms"
    )


if __name__ == "__main__":
    if "--ideal-server" in sys.argv:
        run_ideal_server()
        sys.exit(0)
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--displays", type=int, default=1000)
    ap.add_argument("--calls", type=int, default=100)
    ap.add_argument("--issues", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=5.0)
    asyncio.run(main(ap.parse_args()))
