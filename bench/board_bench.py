"""Call-to-board latency in a real browser: counter `ok` -> ticket number in the lobby board's DOM.

Runs a hub in a child process (its own event loop and core, as in a hall),
opens /board in Debian's chromium (headless), issues tickets with a kiosk and
calls them one by one from window 5. A MutationObserver on the board's
``#latest-number`` stamps each change with the wall clock
(``performance.timeOrigin + performance.now()``), which the bench compares
with the wall clock at which the counter sent ``call_next`` and got its
``ok``. Prints median / p90 / p99 / max over the calls.

    .venv/bin/python bench/board_bench.py [--calls 50] [--rate 50 --displays 200] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PIN = "1234"

OBSERVE = """
() => {
  window.__stamps = [];
  const el = document.getElementById('latest-number');
  new MutationObserver(() => window.__stamps.push([el.textContent, performance.timeOrigin + performance.now()]))
    .observe(el, {childList: true, characterData: true, subtree: true});
}
"""


async def serve(db_dir: str) -> None:
    """Child process: a hub with the demo hall, one clerk for window 5 and a kiosk; prints its details."""
    sys.path.insert(0, str(ROOT))
    from hub import auth
    from hub.catalogue import DEMO_PATH, load_catalogue
    from hub.server import HubServer
    from hub.store import Store

    store = Store(str(Path(db_dir) / "hall.db"))
    store.create_tables()
    hall = load_catalogue(DEMO_PATH)
    secret = auth.new_secret()
    store.save_hall(hall, DEMO_PATH.read_text(encoding="utf-8"), secret)
    clerk = next(s for s in hall.staff if 5 in s.windows)
    store.put_staff(hall.id, clerk.id, clerk.name, auth.hash_pin(PIN), list(clerk.windows), False)
    loader = next(s for s in hall.staff if 3 in s.windows)  # the load's counter cycles at window 3
    store.put_staff(
        hall.id, loader.id, loader.name, auth.hash_pin(PIN), list(loader.windows), False
    )
    token = auth.new_device_token()
    store.add_device(hall.id, "BENCH", "kiosk", auth.token_hash(token))
    window5 = hall.window(5)
    assert window5 is not None, "the demo hall has a window 5"
    server = HubServer(store, hall, secret, host="127.0.0.1", port=0)
    await server.start()
    info = {
        "url": server.url,
        "http": f"http://127.0.0.1:{server.port}",
        "token": token,
        "staff": clerk.id,
        "service": window5.services[0],
        "load_clerk": f"{loader.id}:{PIN}:3",
        "other_services": [x.code for x in hall.services if x.code not in window5.services],
    }
    print(json.dumps(info), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


class Client:
    """A minimal protocol client: hello, then request/reply (pushed frames are ignored)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read())
        self.ok_at: dict[str, float] = {}

    @classmethod
    async def open(cls, url: str, hello: dict[str, Any]) -> Client:
        from websockets.asyncio.client import connect

        ws = await connect(url, proxy=None, max_size=16 * 1024 * 1024)
        await ws.send(json.dumps({"type": "hello", "v": 1, **hello}))
        welcome = json.loads(await ws.recv())
        if welcome.get("type") != "welcome":
            raise SystemExit(f"hello refused: {welcome}")
        return cls(ws)

    async def _read(self) -> None:
        async for raw in self.ws:
            now = time.time() * 1000  # stamped on arrival, before any scheduling delay
            f = json.loads(raw)
            if f.get("type") in ("ok", "error"):
                self.ok_at[f.get("re") or ""] = now
                fut = self.waiters.pop(f.get("re") or "", None)
                if fut is not None:
                    fut.set_result(f)

    async def request(self, type_: str, **args: Any) -> tuple[dict[str, Any], float, float]:
        """Send a command; returns (reply, sent at ms, reply arrived at ms)."""
        rid = uuid.uuid4().hex
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiters[rid] = fut
        sent = time.time() * 1000
        await self.ws.send(json.dumps({"type": type_, "id": rid, **args}))
        reply = await asyncio.wait_for(fut, 10)
        if reply["type"] != "ok":
            raise SystemExit(f"{type_} failed: {reply}")
        return reply, sent, self.ok_at.pop(rid)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


async def bench(calls: int, chromium: str, rate: float, displays: int) -> None:
    from playwright.async_api import async_playwright

    db_dir = tempfile.mkdtemp(prefix="hall-bench-")
    loader: subprocess.Popen[str] | None = None
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", db_dir], stdout=subprocess.PIPE, text=True
    )
    try:
        line = await asyncio.to_thread(child.stdout.readline)  # type: ignore[union-attr]
        info = json.loads(line)
        if rate > 0 or displays > 0:
            # the same load as the terminal board's bench, in its own process
            loader = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "bench" / "display_bench.py"),
                    "--load",
                    info["url"],
                    info["token"],
                    ",".join(info["other_services"]),
                    str(rate),
                    str(displays),
                    info["load_clerk"],
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            await asyncio.to_thread(loader.stdout.readline)  # type: ignore[union-attr]
            print(
                f"load ready ({rate:g} issues/s, {displays} displays, a counter cycling at window 3)"
            )
        kiosk = await Client.open(info["url"], {"role": "kiosk", "token": info["token"]})
        numbers = []
        for _ in range(calls + 3):
            reply, _, _ = await kiosk.request("issue", service=info["service"])
            numbers.append(reply["ticket"]["number"])
        counter = await Client.open(
            info["url"], {"role": "counter", "staff": info["staff"], "pin": PIN, "window": 5}
        )

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = await (
                await browser.new_context(viewport={"width": 1920, "height": 1080})
            ).new_page()
            await page.goto(info["http"] + "/board?voice=off")
            await page.wait_for_selector("#stale", state="hidden")
            await page.evaluate(OBSERVE)
            from_ok: list[float] = []
            from_send: list[float] = []
            for i in range(calls + 3):
                reply, sent, ok = await counter.request("call_next")
                number = reply["ticket"]["number"]
                await page.wait_for_function(
                    "n => window.__stamps.some(s => s[0] === n)",
                    arg=number,
                    timeout=5000,
                    polling=5,
                )
                stamp = await page.evaluate("n => window.__stamps.find(s => s[0] === n)[1]", number)
                if i >= 3:  # the first calls warm up the page and the hub
                    from_ok.append(stamp - ok)
                    from_send.append(stamp - sent)
                await counter.request("no_show")
                await asyncio.sleep(0.05)
            await browser.close()
    finally:
        if loader is not None:
            loader.terminate()
            loader.wait(timeout=10)
        child.terminate()
        child.wait(timeout=10)

    print(
        f"call-to-board latency over {len(from_ok)} calls (hub in its own process, headless chromium)"
    )
    for name, v in (("counter ok -> DOM", from_ok), ("counter send -> DOM", from_send)):
        print(
            f"  {name:20s} median {statistics.median(v):6.1f} ms   p90 {pct(v, 90):6.1f} ms   "
            f"p99 {pct(v, 99):6.1f} ms   max {max(v):6.1f} ms   min {min(v):6.1f} ms"
        )
    print(
        "  (ok -> DOM can be negative: the hub may push the event to the board before the reply reaches the counter)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--chromium", default=os.environ.get("HALL_CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument(
        "--rate", type=float, default=0.0, help="tickets issued per second by a load process"
    )
    ap.add_argument(
        "--displays", type=int, default=0, help="extra display connections in the load process"
    )
    ap.add_argument("--serve", metavar="DB_DIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
    else:
        asyncio.run(bench(args.calls, args.chromium, args.rate, args.displays))


if __name__ == "__main__":
    main()
