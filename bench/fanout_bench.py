"""Fan-out benchmark: a call to 10,000 displays, hub against an ideal relay, in one run.

The hub runs as its own process (`hall serve`, SQLite file, WAL,
synchronous=FULL). Here, in this process, N raw display connections say hello
and read; a counter calls the next ticket (then starts and finishes it) again
and again. Latency is the counter's `call_next` sent -> the last of the N
displays received the `ticket_called` frame. Then the same N clients connect
to an ideal relay (its own process: a minimal websockets server that, on "go",
broadcasts one prepared frame of the same size with `websockets.broadcast`)
and the same is measured. Both servers report their memory: the resident set
before and after the N idle connections, divided by N.

    .venv/bin/python bench/fanout_bench.py [--displays 10000] [--calls 100] [--db-dir /dev/shm]

Targets (docs/DESIGN.md): hub p99 <= 1.25 x the relay's p99; <= 16 KB per idle
display connection.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
HALL = [sys.executable, "-m", "cli.main"]


def raise_nofile() -> None:
    """Room for N sockets here and in the servers (children inherit the limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(name: str, ms: list[float]) -> str:
    return (
        f"{name}: n={len(ms)} p50={statistics.median(ms):.1f} ms p99={pct(ms, 99):.1f} ms"
        f" max={max(ms):.1f} ms"
    )


def hall(db: str, *args: str) -> str:
    out = subprocess.run(
        [*HALL, *args, "--db", db], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout


class Round:
    """One trigger: when it started, how many lean clients saw the marker since, the last one."""

    def __init__(self, marker: bytes) -> None:
        self.marker = marker
        self.number = 0
        self.expected = 0
        self.seen = 0
        self.last = 0.0
        self.done = asyncio.Event()

    def start(self, expected: int) -> None:
        self.number += 1
        self.expected, self.seen, self.last = expected, 0, 0.0
        self.done.clear()

    def saw(self) -> None:
        self.seen += 1
        self.last = time.perf_counter()
        if self.seen == self.expected:
            self.done.set()


class Lean(asyncio.Protocol):
    """A display as lean as a websocket client gets, so that N of them in this process
    cost little next to the server measured: handshake, optional hello, then it only
    finds the marker in text frames and answers pings (client frames masked with a
    zero key, which leaves the payload as it is)."""

    def __init__(self, host: str, hello: bytes | None, rnd: Round) -> None:
        self.host, self.hello, self.round = host, hello, rnd
        self.buf = bytearray()
        self.upgraded = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.counted = 0  # the last round this client was counted in
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(
            f"GET /ws HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def send(self, opcode: int, payload: bytes) -> None:
        n = len(payload)
        if n < 126:
            head = bytes([0x80 | opcode, 0x80 | n])
        else:
            head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
        self.transport.write(head + b"\0\0\0\0" + payload)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            assert self.buf.startswith(b"HTTP/1.1 101"), bytes(self.buf[:80])
            del self.buf[: end + 4]
            self.upgraded = True
            if self.hello is None:
                self.ready.set_result(None)
            else:
                self.send(0x1, self.hello)
        while len(self.buf) >= 2:
            opcode, n, at = self.buf[0] & 0x0F, self.buf[1] & 0x7F, 2
            if n == 126:
                n, at = int.from_bytes(self.buf[2:4], "big"), 4
            elif n == 127:
                n, at = int.from_bytes(self.buf[2:10], "big"), 10
            if len(self.buf) < at + n:
                return
            payload = bytes(self.buf[at : at + n])
            del self.buf[: at + n]
            if opcode == 0x9:
                self.send(0xA, payload)
            elif opcode == 0x8:
                self.closed = True
            elif not self.ready.done():
                self.ready.set_result(None)  # the welcome
            elif self.round.marker in payload and self.counted != self.round.number:
                self.counted = self.round.number
                self.round.saw()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before the welcome"))


async def open_lean(url: str, n: int, hello: dict[str, Any] | None, rnd: Round) -> list[Lean]:
    host, port = url.split("//")[1].split("/")[0].split(":")
    data = json.dumps(hello).encode() if hello is not None else None
    loop = asyncio.get_running_loop()
    out: list[Lean] = []
    sem = asyncio.Semaphore(200)

    async def one() -> None:
        async with sem:
            _, proto = await loop.create_connection(
                lambda: Lean(f"{host}:{port}", data, rnd), host, int(port)
            )
            await asyncio.wait_for(proto.ready, 300)
            out.append(proto)

    await asyncio.gather(*(one() for _ in range(n)))
    return out


async def settle_rss(pid: int) -> int:
    """The server's resident set once it stopped moving."""
    last = rss_kb(pid)
    for _ in range(20):
        await asyncio.sleep(0.5)
        now = rss_kb(pid)
        if abs(now - last) < 64:
            return now
        last = now
    return last


async def measure(
    clients: list[Lean], rnd: Round, trigger: Callable[[], Awaitable[None]], calls: int
) -> list[float]:
    """Trigger `calls` times: ms from the trigger to the last client that got a frame with marker."""
    lat: list[float] = []
    for _ in range(calls):
        rnd.start(len(clients))
        t0 = time.perf_counter()
        await trigger()
        await asyncio.wait_for(rnd.done.wait(), 60)
        lat.append((rnd.last - t0) * 1000)
        dropped = sum(c.closed for c in clients)
        assert not dropped, f"{dropped} clients dropped"
        await asyncio.sleep(0.05)
    return lat


class Requester:
    """Requests on one connection, replies matched by id; everything else is dropped."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.frames: list[str] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            assert isinstance(raw, str)
            if raw.startswith(('{"type":"ok"', '{"type":"error"')):
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


async def hello(url: str, **fields: Any) -> ClientConnection:
    ws = await connect(url, proxy=None, max_size=None, compression=None, ping_interval=None)
    await ws.send(json.dumps({"type": "hello", "v": 1, **fields}))
    assert json.loads(await ws.recv())["type"] == "welcome"
    return ws


def close_all(clients: list[Lean]) -> None:
    for c in clients:
        c.transport.close()


async def bench_hub(n: int, calls: int, db_dir: str | None) -> tuple[list[float], float, int]:
    """(latencies, KB per idle display, size of the displays' ticket_called frame)."""
    tmp = tempfile.mkdtemp(prefix="hall-fanout-bench-", dir=db_dir)
    db = os.path.join(tmp, "hall.db")
    hall(db, "init", "--demo")
    token = hall(db, "device", "add", "--role", "kiosk", "--name", "BENCH").strip().splitlines()[-1]
    hall(db, "staff", "add", "--id", "c001", "--name", "bench", "--pin", "1234", "--windows", "1")
    from hub.catalogue import load_demo

    w1 = load_demo().window(1)
    assert w1 is not None
    proc = subprocess.Popen(
        [*HALL, "serve", "--db", db, "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    url = line[line.index("ws://") :].split()[0]
    try:
        kiosk = Requester(await hello(url, role="kiosk", token=token))
        for _ in range(calls):
            assert (await kiosk.request("issue", service=w1.services[0]))["type"] == "ok"
        counter = Requester(
            await hello(url, role="counter", staff="c001", pin="1234", window=w1.number)
        )
        before = await settle_rss(proc.pid)
        t0 = time.perf_counter()
        rnd = Round(b'"ticket_called"')
        displays = await open_lean(url, n, {"type": "hello", "v": 1, "role": "display"}, rnd)
        print(f"hub: {n} displays welcomed in {time.perf_counter() - t0:.1f} s")
        gc.collect()
        after = await settle_rss(proc.pid)
        per_conn = (after - before) / n
        print(
            f"hub: RSS {before / 1024:.0f} MB -> {after / 1024:.0f} MB = {per_conn:.1f} KB per idle display"
        )

        acked: list[float] = []

        async def trigger() -> None:
            t0 = time.perf_counter()
            reply = await counter.request("call_next")
            assert reply["type"] == "ok", reply
            acked.append((time.perf_counter() - t0) * 1000)
            await counter.request("start")
            await counter.request("finish", outcome="done")

        lat = await measure(displays, rnd, trigger, calls)
        # the size of what each display got for a call (the relay sends as much)
        size = await frame_size(url, counter, kiosk, w1.services[0])
        close_all(displays)
        print(
            summary(
                "hub: call_next sent -> its ok arrived (commit, fan-out written, read here among the displays)",
                acked,
            )
        )
        return lat, per_conn, size
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.wait, 30)  # the loop goes on: clients answer the closes


async def frame_size(url: str, counter: Requester, kiosk: Requester, service: str) -> int:
    d = await hello(url, role="display")
    assert (await kiosk.request("issue", service=service))["type"] == "ok"
    await d.recv()  # ticket_issued
    assert (await counter.request("call_next"))["type"] == "ok"
    while True:
        raw = await d.recv()
        if '"ticket_called"' in raw:
            await d.close()
            return len(raw.encode())


async def bench_relay(n: int, calls: int, size: int) -> tuple[list[float], float]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--relay", str(size)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    try:
        trig = await connect(url, proxy=None, ping_interval=None)
        before = await settle_rss(proc.pid)
        rnd = Round(b"ticket_called")
        clients = await open_lean(url, n, None, rnd)
        after = await settle_rss(proc.pid)
        per_conn = (after - before) / n
        print(
            f"relay: RSS {before / 1024:.0f} MB -> {after / 1024:.0f} MB = {per_conn:.1f} KB per idle client"
        )

        async def trigger() -> None:
            await trig.send("go")

        lat = await measure(clients, rnd, trigger, calls)
        close_all(clients)
        await trig.close()
        return lat, per_conn
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.wait, 30)  # the loop goes on: clients answer the closes


def run_relay(size: int) -> None:
    head = json.dumps({"type": "ticket_called", "seq": 1, "pad": ""})
    frame = json.dumps({"type": "ticket_called", "seq": 1, "pad": "x" * max(0, size - len(head))})

    async def main() -> None:
        conns: set[ServerConnection] = set()

        async def handler(ws: ServerConnection) -> None:
            conns.add(ws)
            try:
                async for msg in ws:
                    if msg == "go":
                        broadcast([c for c in conns if c is not ws], frame)
            except ConnectionClosed:
                pass  # the lean clients just hang up
            finally:
                conns.discard(ws)

        async with serve(handler, "127.0.0.1", 0, compression=None) as server:
            port = server.sockets[0].getsockname()[1]
            print(f"ws://127.0.0.1:{port}/", flush=True)
            await asyncio.Future()

    asyncio.run(main())


async def main(args: argparse.Namespace) -> None:
    raise_nofile()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} load average {os.getloadavg()}")
    hub_lat, hub_kb, size = await bench_hub(args.displays, args.calls, args.db_dir)
    print(summary(f"call_next sent -> last of {args.displays} displays (hub)", hub_lat))
    relay_lat, relay_kb = await bench_relay(args.displays, args.calls, size)
    print(summary(f"go sent -> last of {args.displays} clients (ideal relay, {size} B)", relay_lat))
    print(
        f"hub / relay: p50 {statistics.median(hub_lat) / statistics.median(relay_lat):.2f}x,"
        f" p99 {pct(hub_lat, 99) / pct(relay_lat, 99):.2f}x (target <= 1.25x);"
        f" memory per idle connection: hub {hub_kb:.1f} KB, relay {relay_kb:.1f} KB (target <= 16 KB)"
    )
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--relay":
        run_relay(int(sys.argv[2]))
        sys.exit(0)
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--displays", type=int, default=10_000)
    ap.add_argument("--calls", type=int, default=100)
    ap.add_argument(
        "--db-dir",
        help="where the hub's SQLite file goes (default: the temp dir; /dev/shm: no disk)",
    )
    asyncio.run(main(ap.parse_args()))
