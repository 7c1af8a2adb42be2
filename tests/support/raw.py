"""The raw protocol client of the tests: hello, request/reply, pushed frames, plain HTTP.

Plain ``websockets.asyncio.client.connect(url, proxy=None)``, no project client
code, so a test sees exactly what goes over the wire (``shared.client.HubClient``,
the apps' own client, is what ``support.hubclient`` runs). Every wait has a
timeout: a test fails, it never hangs. The timeouts are generous on purpose
(a loaded CI machine), they bound a failure and measure nothing.
"""

from __future__ import annotations

import asyncio
import http.client
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from shared.protocol import MAX_HUB_FRAME, VERSION

TIMEOUT = 10.0
_ids = itertools.count(1)

Frame = dict[str, Any]


class Refused(Exception):
    """The hub answered a hello with an error frame (and closed)."""

    def __init__(self, frame: Frame, close_code: int | None) -> None:
        super().__init__(f"{frame.get('code')} (close {close_code}): {frame.get('message')}")
        self.frame = frame
        self.code = frame.get("code")
        self.message = frame.get("message")  # the hub's own words for the refusal
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

    @property
    def in_flight(self) -> int:
        """Requests sent and not answered yet."""
        return len(self._waiting)

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
    """A websocket to the hub, nothing sent yet."""
    return await asyncio.wait_for(connect(url, proxy=None, max_size=MAX_HUB_FRAME), TIMEOUT)


async def hello(url: str, **fields: Any) -> Conn:
    """Connect with a hello of these fields; the Conn after its welcome, or Refused."""
    frame = {"type": "hello", "v": VERSION, **fields}
    ws = await open_raw(url)
    await ws.send(json.dumps(frame))
    try:
        first = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    except ConnectionClosed:
        raise Refused({"code": None}, ws.close_code) from None
    if first.get("type") != "welcome":
        await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
        raise Refused(first, ws.close_code)
    assert first["v"] == VERSION and first["role"] == fields.get("role"), first
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


# --- roles on the test hub (hub: the HubFixture of tests/conftest.py)


def hello_fields(hub: Any, role: str, **fields: Any) -> Frame:
    """A hello's fields for `role` on the test hub: its credentials filled in, `fields` win.

    A kiosk gets the fixture's device token, a supervisor s001 and its PIN, a
    counter (``window=`` required) the clerk of that window and the clerks' PIN.
    """
    found: Frame = {}
    if role == "kiosk":
        found = {"token": hub.kiosk_token}
    elif role == "supervisor":
        found = dict(zip(("staff", "pin"), hub.supervisor, strict=True))
    elif role == "counter":
        found = dict(zip(("staff", "pin"), hub.clerk(fields["window"]), strict=True))
    return {"role": role, **found, **fields}


@asynccontextmanager
async def connected(hub: Any, role: str, /, **fields: Any) -> AsyncIterator[Conn]:
    """A welcomed connection of `role` (credentials as `hello_fields`), closed on the way out."""
    conn = await hello(hub.url, **hello_fields(hub, role, **fields))
    try:
        yield conn
    finally:
        await conn.close()


async def kiosk(hub: Any) -> Conn:
    return await hello(hub.url, **hello_fields(hub, "kiosk"))


async def display(hub: Any) -> Conn:
    return await hello(hub.url, role="display")


async def counter(hub: Any, window: int, staff: str | None = None, pin: str | None = None) -> Conn:
    given = {k: v for k, v in (("staff", staff), ("pin", pin)) if v is not None}
    return await hello(hub.url, **hello_fields(hub, "counter", window=window, **given))


async def supervisor(hub: Any) -> Conn:
    return await hello(hub.url, **hello_fields(hub, "supervisor"))


async def citizen(hub: Any, token: str) -> Conn:
    return await hello(hub.url, role="citizen", ticket=token)


async def refusal(hub: Any, role: str, /, **fields: Any) -> str:
    """The hub's own words refusing a hello of `role` (credentials as `hello_fields`)."""
    frame, _ = await refused(
        hub.url, {"type": "hello", "v": VERSION, **hello_fields(hub, role, **fields)}
    )
    return str(frame["message"])


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
    """The hub's /healthz answer (it must be a 200 JSON one)."""
    status, ctype, body = await http_get(hub, "/healthz")
    assert status == 200 and ctype.startswith("application/json"), (status, ctype)
    return json.loads(body)  # type: ignore[no-any-return]


async def hub_seq(hub: Any) -> int:
    """The seq of the hub's last event."""
    return int((await healthz(hub))["seq"])
