"""Display benchmark: call-to-board latency in the terminal board, with the hub under load.

The hub runs as its own process (`hall serve`, SQLite file, WAL, synchronous=FULL).
A load process keeps it busy: kiosks issuing tickets at a steady rate, a
second counter cycling call/start/finish, and many raw display connections
receiving every event. Here, in this process, the real lobby board
(`display.app.DisplayApp`, headless) is connected to the hub, and a counter
calls the next ticket at window 1 again and again. Latency is the time from
the counter's `ok` to the board's big ticket-number widget painting that
number (the widget's render hook), measured on one clock.

    .venv/bin/python bench/display_bench.py [--calls 200] [--rate 50] [--displays 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HALL = [sys.executable, "-m", "cli.main"]

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(name: str, ms: list[float]) -> str:
    return (
        f"{name}: n={len(ms)} median={statistics.median(ms):.2f} ms "
        f"p90={pct(ms, 90):.2f} ms p99={pct(ms, 99):.2f} ms max={max(ms):.2f} ms"
    )


def hall(db: str, *args: str) -> str:
    out = subprocess.run(
        [*HALL, *args, "--db", db], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout


async def hello(url: str, **h: Any) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(url, proxy=None, max_size=None, compression=None, open_timeout=60)
    await ws.send(json.dumps({"type": "hello", "v": 1, **h}))
    welcome = json.loads(await ws.recv())
    assert welcome["type"] == "welcome", welcome
    return ws, welcome


class Requester:
    """Sends requests on one connection and matches replies by id; events are dropped."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.waiting: dict[str, asyncio.Future[tuple[dict[str, Any], float]]] = {}
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            if isinstance(raw, str) and raw.startswith(('{"type":"ok"', '{"type":"error"')):
                at = time.perf_counter()
                msg = json.loads(raw)
                fut = self.waiting.pop(msg.get("re") or "", None)
                if fut is not None and not fut.done():
                    fut.set_result((msg, at))

    async def request(self, kind: str, **args: Any) -> tuple[dict[str, Any], float]:
        """The reply and the perf_counter() instant it arrived."""
        rid = uuid.uuid4().hex
        fut: asyncio.Future[tuple[dict[str, Any], float]] = (
            asyncio.get_running_loop().create_future()
        )
        self.waiting[rid] = fut
        await self.ws.send(json.dumps({"type": kind, "id": rid, **args}))
        return await fut


# ---------------------------------------------------------------------- the load process


async def load(
    url: str, token: str, services: list[str], rate: float, displays: int, clerk: str
) -> None:
    """Keep the hub busy until killed."""
    conns = []
    for _ in range(displays):
        ws, _ = await hello(url, role="display")
        conns.append(ws)

    async def drain(ws: ClientConnection) -> None:
        async for raw in ws:
            json.loads(raw)  # a real display parses every frame

    tasks = [asyncio.create_task(drain(ws)) for ws in conns]
    kiosk = Requester((await hello(url, role="kiosk", token=token))[0])

    async def issuing() -> None:
        period = 1.0 / rate
        next_at = time.perf_counter()
        while True:
            asyncio.create_task(kiosk.request("issue", service=random.choice(services)))
            next_at += period
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    async def counter_loop() -> None:
        staff, pin, window = clerk.split(":")
        counter = Requester(
            (await hello(url, role="counter", staff=staff, pin=pin, window=int(window)))[0]
        )
        while True:
            reply, _ = await counter.request("call_next")
            if reply["type"] == "ok":
                await counter.request("start")
                await counter.request("finish", outcome="done")
            await asyncio.sleep(0.2)

    tasks.append(asyncio.create_task(issuing()))
    tasks.append(asyncio.create_task(counter_loop()))
    print("load ready", flush=True)
    await asyncio.gather(*tasks)


# ---------------------------------------------------------------------- the measurement


async def measure(
    url: str, token: str, service: str, calls: int
) -> tuple[list[float], list[float], list[float]]:
    from display.app import DisplayApp
    from display.widgets.windows import WindowCell
    from shared.ui.bigtext import BigText

    kiosk = Requester((await hello(url, role="kiosk", token=token))[0])
    for _ in range(calls + 1):
        reply, _ = await kiosk.request("issue", service=service)
        assert reply["type"] == "ok", reply
    counter = Requester((await hello(url, role="counter", staff="c001", pin="1234", window=1))[0])

    app = DisplayApp(url, stale_seconds=3600)
    handled_at: dict[str, float] = {}  # number -> when the app's handler got its ticket_called
    original_handler = DisplayApp.on_hub_message

    def timed_handler(self: DisplayApp, message: Any) -> None:
        payload = message.payload
        if isinstance(payload, dict) and payload.get("type") == "ticket_called":
            handled_at.setdefault(str(payload["ticket"]["number"]), time.perf_counter())
        original_handler(self, message)

    # Textual looks handlers up on the class.
    DisplayApp.on_hub_message = timed_handler  # type: ignore[method-assign]
    big_at: dict[str, float] = {}  # number -> when the big latest-call widget painted it
    cell_at: dict[str, float] = {}  # number -> when window 1's cell painted it
    cell_painted = asyncio.Event()

    def on_big(text: str) -> None:
        big_at.setdefault(text, time.perf_counter())

    from_ok: list[float] = []
    from_send: list[float] = []
    big_from_ok: list[float] = []
    to_app: list[float] = []  # counter ok -> the board's handler has the event
    in_app: list[float] = []  # the board's handler -> painted
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(500):
            if app.state.loaded:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        if not app.state.loaded:
            raise SystemExit("the board got no welcome from the hub")
        app.board.query_one("#call-number", BigText).on_shown = on_big
        cell = app.board.query_one("#window-1", WindowCell)
        cell_render = cell.render

        def render_cell() -> Any:
            shown = cell._shown[0] if cell._shown else ""
            number = shown.split()[1] if len(shown.split()) > 1 else ""
            if number and number not in cell_at:
                cell_at[number] = time.perf_counter()
                cell_painted.set()
            return cell_render()

        cell.render = render_cell  # type: ignore[method-assign]
        for i in range(calls):
            t_send = time.perf_counter()
            reply, t_ok = await counter.request("call_next")
            assert reply["type"] == "ok", reply
            number = reply["ticket"]["number"]
            deadline = time.monotonic() + 10
            while number not in cell_at:
                cell_painted.clear()
                if time.monotonic() > deadline:
                    raise SystemExit(f"the board did not show {number} within 10 s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(cell_painted.wait(), 0.5)
            from_ok.append((cell_at[number] - t_ok) * 1000)
            if number in handled_at:
                to_app.append((handled_at[number] - t_ok) * 1000)
                in_app.append((cell_at[number] - handled_at[number]) * 1000)
            from_send.append((cell_at[number] - t_send) * 1000)
            if number in big_at:
                big_from_ok.append((big_at[number] - t_ok) * 1000)
            await counter.request("start")
            await counter.request("finish", outcome="done")
            await asyncio.sleep(0.05 + random.random() * 0.05)
            if (i + 1) % 50 == 0:
                print(f"  {i + 1} calls", flush=True)
    await counter.ws.close()
    await kiosk.ws.close()
    DisplayApp.on_hub_message = original_handler  # type: ignore[method-assign]
    print(summary("  of which: counter ok -> the board's handler gets the event", to_app))
    print(summary("  of which: the board's handler -> window 1's cell painted", in_app))
    return from_ok, from_send, big_from_ok


async def main(args: argparse.Namespace) -> None:
    tmp = tempfile.mkdtemp(prefix="hall-display-bench-")
    db = os.path.join(tmp, "hall.db")
    hall(db, "init", "--demo")
    token = hall(db, "device", "add", "--role", "kiosk", "--name", "BENCH").strip().splitlines()[-1]
    hall(db, "staff", "add", "--id", "c001", "--name", "bench", "--pin", "1234", "--windows", "1")
    hall(db, "staff", "add", "--id", "c003", "--name", "load", "--pin", "1234", "--windows", "3")
    from hub.catalogue import load_demo

    conf = load_demo()
    w1 = conf.window(1)
    assert w1 is not None
    service = w1.services[0]
    others = [s.code for s in conf.services if s.code not in w1.services]
    hub = subprocess.Popen(
        [*HALL, "serve", "--db", db, "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    loader: subprocess.Popen[str] | None = None
    assert hub.stdout is not None
    line = hub.stdout.readline()
    url = line[line.index("ws://") :].split()[0]
    print(f"hub at {url}, database {db}")
    try:
        if args.rate > 0 or args.displays > 0:
            loader = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--load",
                    url,
                    token,
                    ",".join(others),
                    str(args.rate),
                    str(args.displays),
                    "c003:1234:3",
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert loader.stdout is not None
            print(
                loader.stdout.readline().strip(),
                f"({args.rate:g} issues/s, {args.displays} displays, a counter cycling)",
            )
            await asyncio.sleep(1.0)
        from_ok, from_send, big = await measure(url, token, service, args.calls)
    finally:
        if loader is not None:
            loader.send_signal(signal.SIGTERM)
            loader.wait(10)
        hub.terminate()
        try:
            hub.wait(10)
        except subprocess.TimeoutExpired:
            hub.kill()
            hub.wait()
    print(summary("counter ok -> window 1's cell on the board paints the number", from_ok))
    print(summary("counter sends call_next -> the same", from_send))
    print(
        summary("counter ok -> the big latest-call widget paints the number", big)
        + (
            f" ({len(big)} of {len(from_ok)} calls; the others were overtaken by a call at"
            " another window before the next paint)"
            if len(big) < len(from_ok)
            else ""
        )
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        _, _, url, token, services, rate, displays, clerk = sys.argv
        try:
            asyncio.run(load(url, token, services.split(","), float(rate), int(displays), clerk))
        except KeyboardInterrupt:
            pass
        sys.exit(0)
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument(
        "--rate", type=float, default=50.0, help="tickets issued per second by the load"
    )
    ap.add_argument("--displays", type=int, default=200, help="extra raw display connections")
    asyncio.run(main(ap.parse_args()))
