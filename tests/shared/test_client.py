"""HubClient against small real websockets servers that play just enough of the hub.

Each test starts a ``MiniHub`` on 127.0.0.1 port 0 and overrides the part of
the hub side it exercises. When ``tests/conftest.py`` provides the real
``hub`` fixture, the tests at the end also run against the real hub.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Self

import pytest
from support.wait import wait_for
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from shared.client import HubClient, HubError
from shared.protocol import CLOSE_TOO_SLOW, MAX_IN_FLIGHT

KIOSK_HELLO: dict[str, Any] = {"role": "kiosk", "token": "tok-1"}


class MiniHub:
    """A tiny hub: welcomes every hello, echoes every request as ok, counts everything."""

    def __init__(self, welcome_seq: int = 10) -> None:
        self.welcome_seq = welcome_seq
        self.connections = 0
        self.connected_at: list[float] = []
        self.hellos: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []  # every request frame received, resends included
        self.sockets: list[ServerConnection] = []
        self.server: Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/ws"

    async def send(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        await ws.send(json.dumps(frame))

    def welcome(self, hello: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "welcome",
            "v": 1,
            "role": hello.get("role"),
            "seq": self.welcome_seq,
            "day": "2026-11-26",
            "hall": {"id": "demo"},
            "state": {"tickets": [], "windows": [], "waiting": {}},
        }

    async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
        """Answer the hello; False ends the connection."""
        await self.send(ws, self.welcome(hello))
        return True

    async def on_request(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        await self.send(ws, {"type": "ok", "re": frame["id"], "echo": frame})

    async def handler(self, ws: ServerConnection) -> None:
        self.connections += 1
        self.connected_at.append(time.monotonic())
        self.sockets.append(ws)
        try:
            hello = json.loads(await ws.recv())
            self.hellos.append(hello)
            if not await self.on_hello(ws, hello):
                return
            async for raw in ws:
                frame = json.loads(raw)
                self.requests.append(frame)
                await self.on_request(ws, frame)
        except ConnectionClosed:
            pass

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Self]:
        async with serve(self.handler, "127.0.0.1", 0, compression=None) as server:
            self.server = server
            yield self


@asynccontextmanager
async def client_running(
    url: str, hello: dict[str, Any] | None = None, **kwargs: Any
) -> AsyncIterator[tuple[HubClient, asyncio.Task[None]]]:
    """A HubClient with its run() task; closed on the way out."""
    kwargs.setdefault("min_backoff", 0.01)
    kwargs.setdefault("max_backoff", 0.05)
    client = HubClient(url, hello or KIOSK_HELLO, **kwargs)
    task = asyncio.create_task(client.run())
    try:
        yield client, task
    finally:
        await client.close()
        await asyncio.wait_for(task, 30)


class Recorder:
    """Collects every callback of a client, in order."""

    def __init__(self, client: HubClient) -> None:
        self.calls: list[tuple[str, Any]] = []
        client.on_welcome = lambda w: self.calls.append(("welcome", w))
        client.on_event = lambda e: self.calls.append(("event", e))
        client.on_status = lambda up: self.calls.append(("status", up))
        client.on_error = lambda err: self.calls.append(("error", err))

    def of(self, kind: str) -> list[Any]:
        return [arg for k, arg in self.calls if k == kind]


# --------------------------------------------------------------------------- hello / welcome


async def test_hello_then_welcome() -> None:
    async with MiniHub(welcome_seq=42).running() as hub:
        client = HubClient(hub.url, {"type": "bogus", "v": 9, "role": "display", "lang": "en"})
        rec = Recorder(client)
        task = asyncio.create_task(client.run())
        assert await client.wait_online(5)
        await wait_for(lambda: len(rec.of("welcome")) == 1)
        assert hub.hellos == [{"type": "hello", "v": 1, "role": "display", "lang": "en"}]
        assert client.online and client.seq == 42
        assert client.welcome is not None and client.welcome["state"]["waiting"] == {}
        assert rec.calls[0] == ("status", True)
        assert rec.of("welcome")[0]["seq"] == 42
        await client.close()
        await asyncio.wait_for(task, 30)
        assert not client.online
        assert rec.of("status") == [True, False]


async def test_wait_online_times_out_without_hub() -> None:
    client = HubClient("ws://127.0.0.1:9/ws", KIOSK_HELLO, min_backoff=0.01, max_backoff=0.05)
    task = asyncio.create_task(client.run())
    assert await client.wait_online(0.3) is False
    await client.close()
    await asyncio.wait_for(task, 30)
    assert await client.wait_online(1) is False  # closed: answers at once


# --------------------------------------------------------------------------- requests


async def test_replies_matched_by_re_when_out_of_order() -> None:
    class Reversing(MiniHub):
        def __init__(self) -> None:
            super().__init__()
            self.held: list[dict[str, Any]] = []

        async def on_request(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
            self.held.append(frame)
            if len(self.held) == 3:
                for f in reversed(self.held):
                    await self.send(ws, {"type": "ok", "re": f["id"], "n": f["n"]})

    async with Reversing().running() as hub, client_running(hub.url) as (client, _):
        replies = await asyncio.wait_for(
            asyncio.gather(*(client.request("issue", n=n, service="MZ-01") for n in range(3))), 5
        )
        assert [r["n"] for r in replies] == [0, 1, 2]
        ids = [f["id"] for f in hub.requests]
        assert len(set(ids)) == 3 and all(len(i) == 32 for i in ids)  # uuid4().hex
        assert all(f["type"] == "issue" and f["service"] == "MZ-01" for f in hub.requests)


async def test_error_reply_raises_hub_error_with_code() -> None:
    class Refusing(MiniHub):
        async def on_request(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
            await self.send(
                ws,
                {"type": "error", "re": frame["id"], "code": "queue_empty", "message": "无人等候"},
            )

    async with Refusing().running() as hub, client_running(hub.url) as (client, _):
        with pytest.raises(HubError) as info:
            await client.request("call_next", timeout=30)
        assert info.value.code == "queue_empty" and info.value.message == "无人等候"
        assert client.online  # an error reply changes nothing about the connection


async def test_request_made_before_run_is_sent_after_welcome() -> None:
    async with MiniHub().running() as hub:
        client = HubClient(hub.url, KIOSK_HELLO)
        req = asyncio.create_task(client.request("issue", service="MZ-01"))
        await asyncio.sleep(0.05)
        assert not req.done()
        task = asyncio.create_task(client.run())
        reply = await asyncio.wait_for(req, 30)
        assert reply["echo"]["service"] == "MZ-01"
        await client.close()
        await asyncio.wait_for(task, 30)


async def test_timeout_raises_and_forgets_the_request() -> None:
    class Silent(MiniHub):
        async def on_request(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
            pass

    async with Silent().running() as hub, client_running(hub.url) as (client, _):
        t0 = time.monotonic()
        with pytest.raises(HubError) as info:
            await client.request("issue", timeout=0.2, service="MZ-01")
        assert info.value.code == "timeout"
        assert time.monotonic() - t0 >= 0.15  # it waited its timeout (no upper budget)
        assert client._pending == {}  # not resent after a later reconnect


async def test_close_fails_pending_requests_with_closed() -> None:
    class Silent(MiniHub):
        async def on_request(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
            pass

    async with Silent().running() as hub:
        client = HubClient(hub.url, KIOSK_HELLO)
        task = asyncio.create_task(client.run())
        assert await client.wait_online(5)
        reqs = [asyncio.create_task(client.request("issue", service="MZ-01")) for _ in range(3)]
        await wait_for(lambda: len(hub.requests) == 3)
        await client.close()
        for r in reqs:
            with pytest.raises(HubError) as info:
                await r
            assert info.value.code == "closed"
        await asyncio.wait_for(task, 30)
        with pytest.raises(HubError) as info:
            await client.request("issue", service="MZ-01")
        assert info.value.code == "closed"


async def test_at_most_max_in_flight_unanswered_requests() -> None:
    class Slow(MiniHub):
        open_now = 0
        most_open = 0

        async def on_request(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
            self.open_now += 1
            self.most_open = max(self.most_open, self.open_now)

            async def answer() -> None:
                await asyncio.sleep(0.02)
                self.open_now -= 1
                await self.send(ws, {"type": "ok", "re": frame["id"]})

            asyncio.create_task(answer())

    async with Slow().running() as hub, client_running(hub.url) as (client, _):
        n = MAX_IN_FLIGHT + 9
        replies = await asyncio.wait_for(
            asyncio.gather(*(client.request("issue", service="MZ-01") for _ in range(n))), 10
        )
        assert len(replies) == n
        assert hub.most_open <= MAX_IN_FLIGHT


# --------------------------------------------------------------------------- drops and resends


class DropFirstRequest(MiniHub):
    """Drops the connection on the first request (no reply); answers resends once each."""

    def __init__(self) -> None:
        super().__init__()
        self.replied: list[str] = []

    async def on_request(self, ws: ServerConnection, frame: dict[str, Any]) -> None:
        if len(self.requests) == 1:
            await ws.close(1011, "hub crashed")
            return
        self.replied.append(frame["id"])
        await self.send(ws, {"type": "ok", "re": frame["id"], "ticket": {"number": "A001"}})


async def test_drop_with_request_in_flight_resends_same_id_once() -> None:
    async with DropFirstRequest().running() as hub, client_running(hub.url) as (client, _):
        rec = Recorder(client)
        assert await client.wait_online(5)
        reply = await client.request("issue", timeout=30, service="MZ-01")
        assert reply["ticket"] == {"number": "A001"}
        assert hub.connections == 2
        assert [f["id"] for f in hub.requests] == [reply["re"], reply["re"]]
        assert hub.replied == [reply["re"]]
        assert hub.requests[0] == hub.requests[1]  # the same frame, arguments and all
        await wait_for(lambda: rec.of("status") == [True, False, True])
        assert len(rec.of("welcome")) == 2  # the reconnect brings a fresh snapshot
        assert client._pending == {}


async def test_status_false_once_per_drop_true_once_per_welcome() -> None:
    class DropAfterWelcome(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            await self.send(ws, self.welcome(hello))
            if self.connections <= 3:
                await asyncio.sleep(0.05)
                return False  # the handler returns: connection closed
            return True

    async with DropAfterWelcome().running() as hub:
        client = HubClient(hub.url, KIOSK_HELLO, min_backoff=0.01, max_backoff=0.05)
        rec = Recorder(client)
        task = asyncio.create_task(client.run())
        await wait_for(lambda: hub.connections == 4 and client.online)
        await client.close()
        await asyncio.wait_for(task, 30)
        assert rec.of("status") == [True, False] * 4
        assert len(rec.of("welcome")) == 4
        # each welcome comes right after its status True
        kinds = [k for k, _ in rec.calls]
        assert kinds == ["status", "welcome", "status"] * 4


async def test_seq_gap_reconnects_for_a_fresh_welcome() -> None:
    class Gappy(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            if self.connections == 1:
                self.welcome_seq = 10
                await self.send(ws, self.welcome(hello))
                for seq in (9, 10, 11, 12, 14, 15):  # 9, 10: already in the snapshot
                    await self.send(ws, {"type": "ticket_issued", "seq": seq})
            else:
                self.welcome_seq = 15
                await self.send(ws, self.welcome(hello))
                await self.send(ws, {"type": "ticket_called", "seq": 16})
            return True

    async with Gappy().running() as hub, client_running(hub.url) as (client, _):
        rec = Recorder(client)
        # callbacks run in their own task, after client.seq moved: wait for the last one
        await wait_for(lambda: any(e["seq"] == 16 for e in rec.of("event")))
        assert client.seq == 16 and hub.connections == 2
        assert [e["seq"] for e in rec.of("event")] == [11, 12, 16]
        assert [w["seq"] for w in rec.of("welcome")] == [10, 15]
        assert rec.of("status") == [True, False, True]


async def test_display_accepts_gaps_but_skips_old_events() -> None:
    class Filtered(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            await self.send(ws, self.welcome(hello))
            for frame in (
                {"type": "ticket_called", "seq": 8},
                {"type": "ticket_called", "seq": 12},
                {"type": "position", "ahead": 3, "eta_min": 6},
                {"type": "notice", "seq": 20},
                {"type": "notice", "seq": 19},
            ):
                await self.send(ws, frame)
            return True

    async with Filtered().running() as hub:
        async with client_running(hub.url, {"role": "display"}) as (client, _):
            rec = Recorder(client)
            await wait_for(lambda: len(rec.of("event")) == 3)
            await asyncio.sleep(0.1)
            assert [e.get("seq") for e in rec.of("event")] == [12, None, 20]
            assert client.seq == 20 and hub.connections == 1


# --------------------------------------------------------------------------- fatal outcomes


async def test_auth_failed_reports_and_stops_without_retry() -> None:
    class WrongPin(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            await self.send(
                ws, {"type": "error", "code": "auth_failed", "message": "工号或密码错误"}
            )
            await ws.close(4001, "auth")
            return False

    async with WrongPin().running() as hub:
        hello = {"role": "counter", "staff": "c001", "pin": "0000", "window": 5}
        client = HubClient(hub.url, hello, min_backoff=0.01, max_backoff=0.02)
        rec = Recorder(client)
        queued = asyncio.create_task(client.request("call_next"))
        await asyncio.wait_for(client.run(), 30)  # returns by itself
        await asyncio.sleep(0.2)
        assert hub.connections == 1
        [err] = rec.of("error")
        assert err.code == "auth_failed" and err.message == "工号或密码错误"
        assert rec.of("status") == [] and not client.online
        with pytest.raises(HubError) as info:
            await queued
        assert info.value.code == "auth_failed"
        with pytest.raises(HubError) as info:
            await client.request("call_next")
        assert info.value.code == "closed"
        assert await client.wait_online(0.1) is False
        await asyncio.wait_for(client.run(), 30)  # stopped for good: returns by itself
        assert hub.connections == 1


@pytest.mark.parametrize(("close_code", "code"), [(4000, "bad_hello"), (4003, "forbidden")])
async def test_fatal_close_code_without_error_frame(close_code: int, code: str) -> None:
    class Closing(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            await ws.close(close_code, "no")
            return False

    async with Closing().running() as hub:
        client = HubClient(hub.url, KIOSK_HELLO, min_backoff=0.01, max_backoff=0.02)
        errors: list[HubError] = []
        client.on_error = errors.append
        await asyncio.wait_for(client.run(), 30)
        assert [e.code for e in errors] == [code] and hub.connections == 1


async def test_takeover_4002_reports_taken_over_and_stops() -> None:
    class TakenOver(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            await self.send(ws, self.welcome(hello))
            await asyncio.sleep(0.05)
            await ws.close(4002, "taken over")
            return False

    async with TakenOver().running() as hub:
        hello = {"role": "counter", "staff": "c001", "pin": "1234", "window": 5}
        client = HubClient(hub.url, hello, min_backoff=0.01, max_backoff=0.02)
        rec = Recorder(client)
        await asyncio.wait_for(client.run(), 30)
        await asyncio.sleep(0.1)
        assert hub.connections == 1
        assert [e.code for e in rec.of("error")] == ["taken_over"]
        assert rec.of("status") == [True, False]
        assert [k for k, _ in rec.calls] == ["status", "welcome", "status", "error"]


# --------------------------------------------------------------------------- backoff and callbacks


async def test_backoff_does_not_spin_when_hub_accepts_and_closes() -> None:
    class Slammer(MiniHub):
        async def handler(self, ws: ServerConnection) -> None:
            self.connections += 1
            self.connected_at.append(time.monotonic())
            await ws.close()

    async with Slammer().running() as hub:
        client = HubClient(hub.url, KIOSK_HELLO, min_backoff=0.05, max_backoff=0.2)
        task = asyncio.create_task(client.run())
        await asyncio.sleep(1.0)
        await wait_for(lambda: hub.connections >= 2)  # a loaded machine may be slower
        await client.close()
        await asyncio.wait_for(task, 30)
        # one connection per >= 50 ms at most (a tight loop makes hundreds)
        assert sum(t - hub.connected_at[0] < 1.0 for t in hub.connected_at) <= 21
        gaps = [b - a for a, b in zip(hub.connected_at, hub.connected_at[1:], strict=False)]
        assert min(gaps) >= 0.045


async def test_backoff_does_not_spin_when_hub_welcomes_and_closes() -> None:
    class WelcomeAndDrop(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            await self.send(ws, self.welcome(hello))
            return False

    async with WelcomeAndDrop().running() as hub:
        client = HubClient(hub.url, KIOSK_HELLO, min_backoff=0.05, max_backoff=0.4)
        task = asyncio.create_task(client.run())
        await asyncio.sleep(1.0)
        await wait_for(lambda: hub.connections >= 2)  # a loaded machine may be slower
        await client.close()
        await asyncio.wait_for(task, 30)
        # short-lived welcomes do not reset the backoff
        assert sum(t - hub.connected_at[0] < 1.0 for t in hub.connected_at) <= 12


def test_backoff_delays_grow_within_bounds() -> None:
    client = HubClient("ws://127.0.0.1:1/ws", KIOSK_HELLO, min_backoff=0.2, max_backoff=5.0)
    for attempt in range(40):
        for _ in range(20):
            d = client.backoff(attempt)
            assert 0.2 <= d <= min(5.0, 0.2 * 2 ** (attempt + 1))
    assert max(client.backoff(10) for _ in range(200)) > 2.5  # capped, still jittered
    with pytest.raises(ValueError):
        HubClient("ws://x/ws", KIOSK_HELLO, min_backoff=0)


async def test_async_and_failing_callbacks_do_not_kill_the_loop() -> None:
    class Pushing(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            await self.send(ws, self.welcome(hello))
            for seq in (11, 12, 13):
                await self.send(ws, {"type": "ticket_issued", "seq": seq})
            return True

    async with Pushing().running() as hub, client_running(hub.url) as (client, _):
        seen: list[int] = []
        replies: list[dict[str, Any]] = []

        async def on_welcome(w: dict[str, Any]) -> None:
            # a callback may itself await a request: replies keep flowing meanwhile
            replies.append(await client.request("issue", timeout=30, service="MZ-01"))

        async def on_event(e: dict[str, Any]) -> None:
            await asyncio.sleep(0)
            seen.append(e["seq"])
            if e["seq"] == 12:
                raise RuntimeError("app bug")

        def on_status(up: bool) -> None:
            raise ValueError("another app bug")

        client.on_welcome = on_welcome
        client.on_event = on_event
        client.on_status = on_status
        await wait_for(lambda: seen == [11, 12, 13] and len(replies) == 1)
        assert client.online and hub.connections == 1


# --------------------------------------------------------------------------- the real hub


@pytest.fixture
def real_hub(hub: Any) -> Any:
    """The real hub of tests/conftest.py."""
    return hub


def first_service(hub: Any) -> str:
    return str(hub.hall.services[0].code)


async def test_real_hub_kiosk_issue(real_hub: Any) -> None:
    async with client_running(real_hub.url, {"role": "kiosk", "token": real_hub.kiosk_token}) as (
        client,
        _,
    ):
        assert await client.wait_online(10)
        assert client.welcome is not None and client.welcome["role"] == "kiosk"
        reply = await client.request("issue", timeout=30, service=first_service(real_hub))
        assert reply["type"] == "ok"
        assert reply["ticket"]["service"] == first_service(real_hub)
        assert reply["ticket"]["state"] == "waiting"
        with pytest.raises(HubError) as info:
            await client.request("issue", timeout=30, service="NO-SUCH")
        assert info.value.code in ("not_found", "bad_args")


class LosesFirstReply(HubClient):
    """Drops the connection instead of taking the first ok reply (a reply lost in a drop)."""

    lost: dict[str, Any] | None = None

    def _on_reply(self, frame: dict[str, Any]) -> HubError | None:
        if self.lost is None and frame.get("type") == "ok":
            self.lost = frame
            assert self._ws is not None
            asyncio.get_running_loop().create_task(self._ws.close())
            return None
        return super()._on_reply(frame)


async def test_real_hub_resend_after_drop_returns_the_same_ticket(real_hub: Any) -> None:
    hello = {"role": "kiosk", "token": real_hub.kiosk_token}
    client = LosesFirstReply(real_hub.url, hello, min_backoff=0.01, max_backoff=0.05)
    statuses: list[bool] = []
    client.on_status = statuses.append
    task = asyncio.create_task(client.run())
    try:
        reply = await client.request("issue", timeout=30, service=first_service(real_hub))
        assert client.lost is not None
        assert reply["re"] == client.lost["re"]
        assert reply["ticket"]["id"] == client.lost["ticket"]["id"]  # issued once, not twice
        assert statuses[:3] == [True, False, True]
        welcome = client.welcome
        assert welcome is not None
        same = [t for t in welcome["state"]["tickets"] if t["id"] == reply["ticket"]["id"]]
        assert len(same) == 1
    finally:
        await client.close()
        await asyncio.wait_for(task, 30)


async def test_real_hub_wrong_pin_stops(real_hub: Any) -> None:
    window = real_hub.hall.windows[0].number
    staff, _pin = real_hub.clerk(window)
    hello = {"role": "counter", "staff": staff, "pin": "0000", "window": window}
    client = HubClient(real_hub.url, hello, min_backoff=0.01, max_backoff=0.05)
    errors: list[HubError] = []
    client.on_error = errors.append
    await asyncio.wait_for(client.run(), 30)
    assert [e.code for e in errors] == ["auth_failed"]


async def test_real_hub_retry_with_the_same_request_id_issues_once(real_hub: Any) -> None:
    async with client_running(real_hub.url, {"role": "kiosk", "token": real_hub.kiosk_token}) as (
        client,
        _,
    ):
        assert await client.wait_online(5)
        service = real_hub.hall.services[0].code
        first = await client.request("issue", service=service, request_id="tap-1", timeout=30)
        again = await client.request("issue", service=service, request_id="tap-1", timeout=30)
        other = await client.request("issue", service=service, timeout=30)
    assert again["ticket"]["id"] == first["ticket"]["id"]
    assert again["token"] == first["token"]
    assert other["ticket"]["id"] != first["ticket"]["id"]


async def test_too_slow_4008_reconnects_to_a_fresh_welcome() -> None:
    """The hub drops a client that leaves too much unread with 4008: not fatal, reconnect."""

    class DropsSlow(MiniHub):
        async def on_hello(self, ws: ServerConnection, hello: dict[str, Any]) -> bool:
            await self.send(ws, self.welcome(hello))
            if self.connections == 1:
                await ws.close(CLOSE_TOO_SLOW, "too slow")
                return False
            return True

    async with DropsSlow().running() as hub, client_running(hub.url) as (client, _):
        await wait_for(lambda: hub.connections == 2 and client.online)  # welcomed again
        assert client.error is None
