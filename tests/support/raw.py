"""Raw protocol clients for the hub tests: hello, request/reply, pushed frames, HTTP.

Plain ``websockets.asyncio.client.connect(url, proxy=None)``, no project client
code, so the tests see exactly what goes over the wire. Every wait has a
timeout: a test fails, it never hangs.
"""

from __future__ import annotations

import asyncio
import http.client
import itertools
import json
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TIMEOUT = 5.0
_ids = itertools.count(1)

Frame = dict[str, Any]


class Refused(Exception):
    """The hub answered a hello with an error frame (and closed)."""

    def __init__(self, frame: Frame, close_code: int | None) -> None:
        super().__init__(f"{frame.get('code')} (close {close_code}): {frame.get('message')}")
        self.frame = frame
        self.code = frame.get("code")
        self.close_code = close_code


class Conn:
    """One connection after its welcome: replies matched by id, everything else queued."""

    def __init__(self, ws: ClientConnection, welcome: Frame) -> None:
        self.ws = ws
        self.welcome = welcome
        self.frames: list[Frame] = [welcome]  # every frame received, in order
        self.pushed: asyncio.Queue[Frame] = asyncio.Queue()  # events, position, notice, metrics
        self.stray: asyncio.Queue[Frame] = asyncio.Queue()  # replies nobody waits for (re null …)
        self._waiting: dict[str, asyncio.Future[Frame]] = {}
        self.closed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @property
    def seq(self) -> int:
        return int(self.welcome["seq"])

    @property
    def state(self) -> Frame:
        return self.welcome["state"]  # type: ignore[no-any-return]

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                self.frames.append(frame)
                if frame.get("type") in ("ok", "error") and "re" in frame:
                    fut = (
                        self._waiting.pop(frame["re"], None)
                        if isinstance(frame["re"], str)
                        else None
                    )
                    if fut is not None and not fut.done():
                        fut.set_result(frame)
                    else:
                        self.stray.put_nowait(frame)
                else:
                    self.pushed.put_nowait(frame)
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            for fut in self._waiting.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("connection closed before the reply"))

    # --- requests

    async def send_request(
        self, kind: str, /, rid: str | None = None, **args: Any
    ) -> asyncio.Future[Frame]:
        """Send a request; the future gets its reply."""
        rid = rid or f"r{next(_ids)}"
        fut: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._waiting[rid] = fut
        await self.ws.send(json.dumps({"type": kind, "id": rid, **args}))
        return fut

    async def request(self, kind: str, /, rid: str | None = None, **args: Any) -> Frame:
        """Send a request and return its reply (ok or error)."""
        fut = await self.send_request(kind, rid, **args)
        return await asyncio.wait_for(fut, TIMEOUT)

    async def ok(self, kind: str, /, rid: str | None = None, **args: Any) -> Frame:
        """Send a request that must succeed; return the ok reply."""
        reply = await self.request(kind, rid, **args)
        assert reply["type"] == "ok", f"{kind} {args}: {reply}"
        return reply

    async def error(self, kind: str, code: str, /, rid: str | None = None, **args: Any) -> Frame:
        """Send a request that must fail with `code`; return the error reply."""
        reply = await self.request(kind, rid, **args)
        assert reply["type"] == "error", f"{kind} {args}: expected {code}, got {reply}"
        assert reply["code"] == code, f"{kind} {args}: expected {code}, got {reply}"
        assert isinstance(reply["message"], str) and reply["message"], reply
        return reply

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    # --- pushed frames

    async def next(self, kind: str | Callable[[Frame], bool], timeout: float = TIMEOUT) -> Frame:
        """The next pushed frame of that type (or matching the predicate); earlier others are skipped."""
        pred = (lambda f: f.get("type") == kind) if isinstance(kind, str) else kind

        async def find() -> Frame:
            while True:
                f = await self.pushed.get()
                if pred(f):
                    return f

        return await asyncio.wait_for(find(), timeout)

    async def settle(self, seconds: float = 0.15) -> None:
        """Give frames already on their way time to arrive."""
        await asyncio.sleep(seconds)

    def events(self) -> list[Frame]:
        """Every event received so far (frames with a seq, welcome excluded)."""
        return [f for f in self.frames[1:] if "seq" in f]

    async def wait_closed(self, timeout: float = TIMEOUT) -> int | None:
        """Wait until the hub closed the connection; its close code."""
        await asyncio.wait_for(self.closed.wait(), timeout)
        return self.ws.close_code

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.wait_for(self.closed.wait(), TIMEOUT)


async def open_raw(url: str) -> ClientConnection:
    return await asyncio.wait_for(connect(url, proxy=None, max_size=16 * 1024 * 1024), TIMEOUT)


async def hello(url: str, **fields: Any) -> Conn:
    """Connect with a v1 hello of these fields; the Conn after its welcome, or Refused."""
    frame = {"type": "hello", "v": 1, **fields}
    ws = await open_raw(url)
    await ws.send(json.dumps(frame))
    try:
        first = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    except ConnectionClosed:
        raise Refused({"code": None}, ws.close_code) from None
    if first.get("type") != "welcome":
        await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
        raise Refused(first, ws.close_code)
    assert first["v"] == 1 and first["role"] == fields.get("role"), first
    return Conn(ws, first)


async def refused(url: str, data: str | Frame) -> tuple[Frame, int | None]:
    """Send a first frame the hub must refuse: (its error frame, the close code)."""
    ws = await open_raw(url)
    await ws.send(data if isinstance(data, str) else json.dumps(data))
    first = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    assert first["type"] == "error", f"not refused: {str(first)[:200]}"
    assert first["re"] is None, first
    assert isinstance(first["message"], str) and first["message"], first
    await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
    return first, ws.close_code


# --- role shortcuts (hub: the HubFixture of tests/conftest.py)


async def kiosk(hub: Any) -> Conn:
    return await hello(hub.url, role="kiosk", token=hub.kiosk_token)


async def display(hub: Any) -> Conn:
    return await hello(hub.url, role="display")


async def counter(hub: Any, window: int, staff: str | None = None, pin: str | None = None) -> Conn:
    sid, default_pin = hub.clerk(window)
    return await hello(
        hub.url, role="counter", staff=staff or sid, pin=pin or default_pin, window=window
    )


async def supervisor(hub: Any) -> Conn:
    sid, pin = hub.supervisor
    return await hello(hub.url, role="supervisor", staff=sid, pin=pin)


async def citizen(hub: Any, token: str) -> Conn:
    return await hello(hub.url, role="citizen", ticket=token)


# --- a scenario


async def busy_day(hub: Any, k: Conn) -> tuple[dict[str, Frame], list[Conn]]:
    """A scenario touching every kind of event a request can cause.

    Tickets a, b (MZ-01), c (MZ-02), d (GH-01): a is handed off 13 -> 11 and done there, then
    rated 2 and complained about by its citizen; b is a no-show, requeued, parked, unparked and
    left pending; c is cancelled by its citizen; d is handed off from 11 to MZ-03 and waits. Returns the issue replies by name and
    the two citizen connections (of a and c), still open.
    """
    s = await supervisor(hub)
    c13 = await counter(hub, 13)
    c11 = await counter(hub, 11)
    issued = {
        n: await k.ok("issue", service=svc)
        for n, svc in (("a", "MZ-01"), ("b", "MZ-01"), ("c", "MZ-02"), ("d", "GH-01"))
    }
    za = await citizen(hub, issued["a"]["token"])
    zc = await citizen(hub, issued["c"]["token"])
    await c13.ok("call_next")
    await c13.ok("recall")
    await c13.ok("start")
    await c13.ok("transfer", service="GH-02", window=11, reason="规划手续请到11号窗口")
    await c11.ok("call_next")  # the transferred ticket first
    await c11.ok("start")
    await c11.ok("finish", outcome="done", note="已核发许可证，证号 2026-117")
    await za.ok("rate", level=2, reason="第一个窗口让我白等")
    await za.ok("complain", text="13号窗口工作人员态度冷淡")
    await c13.ok("call_next")
    await c13.ok("no_show")
    await c13.ok("requeue", ticket=issued["b"]["ticket"]["id"])
    await c13.ok("call", ticket=issued["b"]["ticket"]["id"])
    await c13.ok("start")
    await c13.ok("park", reason="回家取身份证")
    await c13.ok("unpark", ticket=issued["b"]["ticket"]["id"])
    await c13.ok("finish", outcome="pending", note="缺验资报告，承诺件")
    await zc.ok("cancel")
    await c13.ok("pause", reason="午休")
    await c13.ok("resume")
    await s.ok("notice", text="今日下午系统维护", minutes=30)
    await s.ok("set_window", window=11, services=["GH-01", "GH-02", "MZ-03"])
    await k.ok("printer_status", ok=False, kind="paper_out", message="缺纸")
    await c11.ok("call_next")
    await c11.ok("start")
    await c11.ok("transfer", service="MZ-03", reason="另需办理福利机构审批")
    await c11.ok("logout")
    c14 = await counter(hub, 14)
    await s.ok("close_window", window=14)
    await c11.wait_closed()
    await c14.wait_closed()
    for conn in (s, c13):
        await conn.close()
    return issued, [za, zc]


def assert_gap_free(conn: Conn, last: int) -> None:
    seqs = [e["seq"] for e in conn.events()]
    assert seqs == list(range(conn.seq + 1, last + 1)), seqs


# --- HTTP


def _get(port: int, path: str) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type") or "", resp.read()
    finally:
        conn.close()


async def http_get(hub: Any, path: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a plain GET on the hub's port."""
    return await asyncio.wait_for(asyncio.to_thread(_get, hub.port, path), TIMEOUT)


async def healthz(hub: Any) -> Frame:
    status, ctype, body = await http_get(hub, "/healthz")
    assert status == 200 and ctype.startswith("application/json"), (status, ctype)
    return json.loads(body)  # type: ignore[no-any-return]


async def hub_seq(hub: Any) -> int:
    return int((await healthz(hub))["seq"])


# --- frames


def walk(obj: Any, path: str = "$") -> list[tuple[str, Any, Any]]:
    """Every (path, key, value) of the nested dicts in a frame."""
    out: list[tuple[str, Any, Any]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append((path, k, v))
            out.extend(walk(v, f"{path}.{k}"))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(walk(v, f"{path}[{i}]"))
    return out


def ticket_objects(frame: Frame) -> list[Frame]:
    """Every Ticket object anywhere in a frame."""
    return [
        v
        for _, _, v in walk({"f": frame})
        if isinstance(v, dict) and "number" in v and "state" in v and "id" in v
    ]
