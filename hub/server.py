"""The hub's websocket server: a thin shell around the engine and the store.

Decode a frame, validate it, hand it to the single writer, which runs it
through the engine, commits the batch, then broadcasts events and replies.
All sends are synchronous writes in event-loop order (``broadcast``), so a
client always gets its ``welcome`` before the events that follow it.
Group commit: requests that arrive while a transaction is being written
form the next batch, so durability costs one fsync per batch, not per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from hub import auth
from hub.catalogue import Hall
from hub.engine import Actor, Engine, EngineError
from hub.store import Store
from hub.validate import SCHEMA, BadArgs, request_id, validate
from shared.protocol import (
    CLOSE_AUTH,
    CLOSE_BAD_HELLO,
    CLOSE_FORBIDDEN,
    CLOSE_TAKEN_OVER,
    COMMANDS,
    MAX_CLIENT_FRAME,
    PRIVATE_EVENTS,
    VERSION,
    W_CLOSED,
    dumps,
    public_ticket,
    public_window,
)

log = logging.getLogger("hall.hub")
WEB = Path(__file__).parent / "web"
MAX_PENDING = (
    64  # requests awaiting replies per connection before rate_limited (the protocol promises 16)
)
MAX_BATCH = 512
HELLO_TIMEOUT = 10.0
_DUMMY_HASH = auth.hash_pin(secrets.token_hex(8))
RECENT_FOR_PUBLIC = 20


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class Client:
    """One connection after its hello."""

    ws: ServerConnection
    role: str
    identity: str  # idempotency identity: "kiosk:K1", "staff:c001", "ticket:<id>", "display:<n>"
    lang: str = "zh"
    staff: str | None = None
    staff_name: str | None = None
    window: int | None = None
    ticket: str | None = None
    device: str | None = None
    in_flight: int = 0
    position: tuple[int, int] | None = None
    actor: Actor | None = None


@dataclass(eq=False)
class Pending:
    """A request waiting for the writer."""

    client: Client | None
    cmd: dict[str, Any]
    rid: str | None
    done: asyncio.Future[dict[str, Any]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def _error(re: str | None, code: str, zh: str, en: str, lang: str) -> dict[str, Any]:
    return {"type": "error", "re": re, "code": code, "message": en if lang == "en" else zh}


class HubServer:
    """One hall's hub: engine + store + websockets + pages."""

    def __init__(
        self,
        store: Store,
        hall: Hall,
        secret: str,
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        public_url: str | None = None,
        clock: Callable[[], datetime] = _now,
        ping_interval: float | None = 10.0,
    ) -> None:
        self.store = store
        self.hall = hall
        self.secret = secret
        self.host = host
        self.port = port
        self.public_url = public_url
        self.clock = clock
        self.ping_interval = ping_interval
        self.hall_wire = hall.to_wire()
        self.engine: Engine = self._restore()
        self.replies: dict[tuple[str, str], dict[str, Any]] = {}
        self.replies_day = self.engine.day
        self.replies.update(self.store.replies_of_day(hall.id, self.engine.day.isoformat()))
        self.clients: set[Client] = set()
        self.window_clients: dict[int, Client] = {}
        self.in_progress: dict[tuple[str, str], Pending] = {}
        self.queue: asyncio.Queue[Pending] = asyncio.Queue()
        self.server: Server | None = None
        self.writer: asyncio.Task[None] | None = None
        self.ticker: asyncio.Task[None] | None = None
        self.metrics_task: asyncio.Task[None] | None = None
        self.stopping = False
        self._logins: dict[str, tuple[asyncio.Lock, list[int]]] = {}  # staff id -> (lock, users)

    def _restore(self) -> Engine:
        today = self.clock().astimezone(ZoneInfo(self.hall.timezone)).date()
        eng = self.store.restore(self.hall, today)
        eng.token_hash_of = self._token_hash
        return eng

    def _token_hash(self, ticket_id: str) -> str:
        return auth.token_hash(auth.ticket_token(self.secret, self.hall.id, ticket_id))

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    async def start(self) -> None:
        """Listen; with port 0 a free port is picked (see `port`)."""
        self.stopping = False
        # a hub started the morning after: expire yesterday before the first welcome
        day_before = self.engine.day
        rolled = self.engine.roll_day(self.clock())
        if rolled:
            await asyncio.to_thread(
                self.store.commit, self.hall.id, day_before, rolled, [], self.engine.windows
            )
            self.replies, self.replies_day = {}, self.engine.day
        self.server = await serve(
            self._handler,
            self.host,
            self.port,
            process_request=self._http,
            max_size=MAX_CLIENT_FRAME,
            compression=None,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            max_queue=64,
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.writer = asyncio.create_task(self._write_loop())
        self.ticker = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        """Drain in-flight requests, then close every client with 1001 (going away)."""
        self.stopping = True
        if self.server is not None:
            self.server.close(close_connections=False)
        # let what was accepted be answered
        for _ in range(200):
            if self.queue.empty() and not self.in_progress:
                break
            await asyncio.sleep(0.01)
        for t in (self.writer, self.ticker, self.metrics_task):
            if t is not None:
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
        if self.server is not None:
            # The first close() above fixed close_connections=False (a second call is a no-op),
            # so close the open connections here: clients see 1001 and reconnect to the next hub.
            closing = [
                asyncio.create_task(ws.close(1001, "going away")) for ws in self.server.connections
            ]
            if closing:
                await asyncio.wait(closing, timeout=5)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 5)
        self.server = None
        self.clients.clear()
        self.window_clients.clear()

    async def _tick(self) -> None:
        """Roll the day at local midnight even when nobody sends anything."""
        while True:
            await asyncio.sleep(1.0)
            if self.engine.local_day(self.clock()) > self.engine.day:
                p = Pending(None, {"type": "_roll"}, None)
                await self.queue.put(p)
                with contextlib.suppress(Exception):
                    await p.done

    # ------------------------------------------------------------------ HTTP

    def _http(self, conn: ServerConnection, request: Request) -> Response | None:
        path, _, query = request.path.partition("?")
        if path == "/ws":
            return None
        if path == "/healthz":
            body = json.dumps(
                {
                    "status": "ok",
                    "seq": self.engine.seq,
                    "day": self.engine.day.isoformat(),
                    "clients": len(self.clients),
                }
            )
            return self._response(200, body.encode(), "application/json")
        if path in ("/board", "/board/"):
            return self._file("board.html")
        if path.startswith("/t/"):
            token = path[3:]
            if self._ticket_for_token(token) is not None:
                return self._file("ticket.html")
            return self._file("notfound.html", status=404)
        if path.startswith("/static/"):
            name = path[len("/static/") :]
            if "/" in name or "\\" in name or name.startswith("."):
                return self._response(404, b"not found\n", "text/plain")
            return self._file(name)
        if path == "/":
            return self._response(302, b"", "text/plain", extra=[("Location", "/board")])
        return self._response(404, "未找到 / Not found\n".encode(), "text/plain")

    def _file(self, name: str, status: int = 200) -> Response:
        f = WEB / name
        if not f.is_file():
            return self._response(404, "未找到 / Not found\n".encode(), "text/plain")
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return self._response(status, f.read_bytes(), ctype)

    def _response(
        self, status: int, body: bytes, ctype: str, extra: list[tuple[str, str]] | None = None
    ) -> Response:
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        headers = Headers(
            [
                ("Content-Type", ctype),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
                (
                    "Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                    "connect-src 'self' ws: wss:; img-src 'self' data:; media-src 'self' data:",
                ),
                ("Connection", "close"),
                *(extra or []),
            ]
        )
        return Response(status, HTTPStatus(status).phrase, headers, body)

    def _ticket_for_token(self, token: str) -> dict[str, Any] | None:
        if not token or len(token) > 100:
            return None
        h = auth.token_hash(token)
        tid = self.engine.tokens.get(h)
        if tid is not None:
            return self.engine.tickets.get(tid)
        return self.store.ticket_by_token(self.hall.id, h)

    # ------------------------------------------------------------------ connections

    async def _handler(self, ws: ServerConnection) -> None:
        try:
            raw = await asyncio.wait_for(ws.recv(), HELLO_TIMEOUT)
        except (TimeoutError, ConnectionClosed):
            return
        client = await self._hello(ws, raw)
        if client is None:
            return
        try:
            async for message in ws:
                await self._on_frame(client, message)
        except ConnectionClosed:
            pass
        finally:
            self.clients.discard(client)
            if client.window is not None and self.window_clients.get(client.window) is client:
                del self.window_clients[client.window]

    async def _refuse(
        self, ws: ServerConnection, code: str, zh: str, en: str, lang: str, close: int
    ) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(dumps(_error(None, code, zh, en, lang)))
            await ws.close(close, code)

    async def _hello(self, ws: ServerConnection, raw: str | bytes) -> Client | None:
        try:
            hello = json.loads(raw)
        except (ValueError, TypeError):
            hello = None
        lang = "en" if isinstance(hello, dict) and hello.get("lang") == "en" else "zh"
        if not isinstance(hello, dict) or hello.get("type") != "hello":
            await self._refuse(
                ws,
                "bad_hello",
                "第一帧应为 hello",
                "The first frame must be a hello",
                lang,
                CLOSE_BAD_HELLO,
            )
            return None
        if type(hello.get("v")) is not int or hello.get("v") != VERSION:  # not True, not 1.0
            await self._refuse(
                ws,
                "unsupported_version",
                f"不支持的协议版本：{hello.get('v')}",
                f"Unsupported protocol version: {hello.get('v')}",
                lang,
                CLOSE_BAD_HELLO,
            )
            return None
        role = hello.get("role")
        if self.stopping:
            await ws.close(1001, "going away")
            return None
        if role == "display":
            client = Client(ws, "display", f"display:{secrets.token_hex(4)}", lang)
        elif role == "kiosk":
            token = hello.get("token")
            dev = (
                await asyncio.to_thread(
                    self.store.device_by_token, self.hall.id, auth.token_hash(token)
                )
                if isinstance(token, str) and token
                else None
            )
            if dev is None or dev["role"] != "kiosk":
                await self._refuse(
                    ws, "auth_failed", "设备令牌无效", "Invalid device token", lang, CLOSE_AUTH
                )
                return None
            client = Client(ws, "kiosk", f"kiosk:{dev['name']}", lang, device=dev["name"])
            client.actor = Actor("kiosk", dev["name"])
        elif role in ("counter", "supervisor"):
            staff = await self._staff_login(ws, hello, lang)
            if staff is None:
                return None
            client = Client(
                ws, role, f"staff:{staff['id']}", lang, staff=staff["id"], staff_name=staff["name"]
            )
            if role == "counter":
                window = hello.get("window")
                if not isinstance(window, int) or isinstance(window, bool):
                    await self._refuse(
                        ws,
                        "bad_hello",
                        "请指定窗口号",
                        "A counter hello needs a window number",
                        lang,
                        CLOSE_BAD_HELLO,
                    )
                    return None
                if self.hall.window(window) is None or window not in (staff["windows"] or []):
                    await self._refuse(
                        ws,
                        "forbidden",
                        f"您无权使用 {window} 号窗口",
                        f"You may not use window {window}",
                        lang,
                        CLOSE_FORBIDDEN,
                    )
                    return None
                client.window = window
                client.actor = Actor("counter", staff["id"], window)
                w = self.engine.windows[window]
                if w["state"] != W_CLOSED and w["staff"] != staff["id"]:
                    await self._refuse(
                        ws,
                        "window_taken",
                        f"{window} 号窗口已由其他工作人员登录",
                        f"Window {window} is held by another staff member",
                        lang,
                        CLOSE_FORBIDDEN,
                    )
                    return None
                reply = await self._submit(Pending(client, {"type": "open_window"}, None))
                if reply["type"] == "error":
                    await self._refuse(
                        ws, reply["code"], reply["_zh"], reply["_en"], lang, CLOSE_FORBIDDEN
                    )
                    return None
                old = self.window_clients.get(window)
                if old is not None and old.ws is not ws:
                    self.clients.discard(old)
                    asyncio.create_task(old.ws.close(CLOSE_TAKEN_OVER, "taken over"))
                self.window_clients[window] = client
            else:
                if not staff["supervisor"]:
                    await self._refuse(
                        ws,
                        "forbidden",
                        "您不是值班主管",
                        "You are not a supervisor",
                        lang,
                        CLOSE_FORBIDDEN,
                    )
                    return None
                client.actor = Actor("supervisor", staff["id"])
        elif role == "citizen":
            token = hello.get("ticket")
            ticket = self._ticket_for_token(token) if isinstance(token, str) else None
            if ticket is None:
                await self._refuse(
                    ws,
                    "auth_failed",
                    "票据无效或已过期",
                    "Unknown or expired ticket",
                    lang,
                    CLOSE_AUTH,
                )
                return None
            client = Client(ws, "citizen", f"ticket:{ticket['id']}", lang, ticket=ticket["id"])
            client.actor = Actor("citizen", ticket["id"])
            if (
                ticket["id"] not in self.engine.tickets
            ):  # a past day's ticket: show it, nothing more
                state = {
                    "ticket": public_ticket(ticket),
                    "ahead": 0,
                    "eta_min": 0,
                    "can_rate": False,
                    "rate_window": None,
                    "tickets": [],
                    "windows": [],
                    "waiting": {},
                }
                self._send(
                    client,
                    {
                        "type": "welcome",
                        "v": VERSION,
                        "role": "citizen",
                        "seq": self.engine.seq,
                        "day": self.engine.day.isoformat(),
                        "hall": self.hall_wire,
                        "state": state,
                    },
                )
                self.clients.add(client)
                return client
        else:
            await self._refuse(
                ws, "bad_hello", f"未知角色：{role}", f"Unknown role: {role}", lang, CLOSE_BAD_HELLO
            )
            return None
        # snapshot and registration in one step: every later event reaches this client after its welcome
        welcome: dict[str, Any] = {
            "type": "welcome",
            "v": VERSION,
            "role": client.role,
            "seq": self.engine.seq,
            "day": self.engine.day.isoformat(),
            "hall": self.hall_wire,
            "state": self._snapshot(client),
        }
        if client.role == "citizen":
            client.position = (welcome["state"]["ahead"], welcome["state"]["eta_min"])
        self._send(client, welcome)
        self.clients.add(client)
        return client

    async def _staff_login(
        self, ws: ServerConnection, hello: dict[str, Any], lang: str
    ) -> dict[str, Any] | None:
        sid, pin = hello.get("staff"), hello.get("pin")
        if (
            not isinstance(sid, str)
            or not isinstance(pin, str)
            or not sid
            or len(sid) > 64
            or len(pin) > 64
        ):
            await self._refuse(
                ws,
                "bad_hello",
                "请提供工号和密码",
                "A staff hello needs staff and pin strings",
                lang,
                CLOSE_BAD_HELLO,
            )
            return None
        # One check at a time per staff id: the failure count is read, the PIN checked (slow) and the
        # count written back, so parallel guesses must queue or each would see the same old count.
        entry = self._logins.setdefault(sid, (asyncio.Lock(), [0]))
        entry[1][0] += 1
        try:
            async with entry[0]:
                staff, refusal = await self._check_login(sid, pin)
        finally:
            entry[1][0] -= 1
            if not entry[1][0]:
                del self._logins[sid]
        if refusal is not None:
            code, zh, en = refusal
            await self._refuse(ws, code, zh, en, lang, CLOSE_AUTH)
            return None
        return staff

    async def _check_login(
        self, sid: str, pin: str
    ) -> tuple[dict[str, Any] | None, tuple[str, str, str] | None]:
        """(staff, None) when the PIN is right, else (None, (code, zh, en)); counts failures, locks."""
        staff = await asyncio.to_thread(self.store.get_staff, self.hall.id, sid)
        now = self.clock()
        if staff is not None and staff["locked_until"] is not None and staff["locked_until"] > now:
            mins = max(1, round((staff["locked_until"] - now).total_seconds() / 60))
            return None, (
                "locked",
                f"密码错误次数过多，账号已锁定，请 {mins} 分钟后再试",
                f"Too many failed attempts: locked, try again in {mins} min",
            )
        # an unknown id costs the same scrypt check, so timing does not tell which ids exist
        stored = staff["pin_hash"] if staff is not None else _DUMMY_HASH
        ok = await asyncio.to_thread(auth.check_pin, pin, stored) and staff is not None
        if not ok:
            if staff is not None:
                failures = staff["failures"] + 1
                until = None
                if failures >= auth.LOCK_AFTER:
                    until, failures = now + timedelta(minutes=auth.LOCK_MINUTES), 0
                await asyncio.to_thread(
                    self.store.set_staff_failures, self.hall.id, sid, failures, until
                )
                if until is not None:
                    return None, (
                        "locked",
                        "密码错误次数过多，账号已锁定 5 分钟",
                        "Too many failed attempts: locked for 5 minutes",
                    )
            return None, ("auth_failed", "工号或密码错误", "Wrong staff id or PIN")
        assert staff is not None
        if staff["failures"] or staff["locked_until"] is not None:
            await asyncio.to_thread(self.store.set_staff_failures, self.hall.id, sid, 0, None)
        return staff, None

    # ------------------------------------------------------------------ snapshots

    def _snapshot(self, client: Client) -> dict[str, Any]:
        eng = self.engine
        if client.role == "citizen":
            assert client.ticket is not None
            t = eng.tickets[client.ticket]
            ahead, eta = eng.position(client.ticket)
            rw = eng.rate_window(client.ticket)
            return {
                "ticket": public_ticket(t),
                "ahead": ahead,
                "eta_min": eta,
                "can_rate": rw is not None,
                "rate_window": rw,
                "notice": eng.notice,
                "waiting": eng.waiting_counts(),
                "tickets": [],
                "windows": [],
            }
        state: dict[str, Any] = {
            "waiting": eng.waiting_counts(),
            "notice": eng.notice,
            "recent_calls": list(eng.recent_calls),
        }
        if client.role in ("counter", "supervisor"):
            state["tickets"] = list(eng.tickets.values())
            state["windows"] = list(eng.windows.values())
            state["me"] = {"staff": client.staff, "name": client.staff_name}
        else:
            recent = {c["ticket"] for c in list(eng.recent_calls)[:RECENT_FOR_PUBLIC]}
            tickets = [
                t
                for t in eng.tickets.values()
                if t["state"] in ("waiting", "called", "serving", "parked") or t["id"] in recent
            ]
            if client.role == "display":
                state["tickets"] = [public_ticket(t) for t in tickets]
                state["windows"] = [public_window(w) for w in eng.windows.values()]
            else:
                state["tickets"] = tickets
                state["windows"] = list(eng.windows.values())
        if client.role == "supervisor":
            now = self.clock()
            state["metrics"] = eng.metrics(now)
            state["complaints"] = list(eng.complaints)
            state["ratings"] = list(eng.ratings)
            state["printer_faults"] = list(eng.printer_faults)
        return state

    # ------------------------------------------------------------------ requests

    def _send(self, client: Client, frame: dict[str, Any]) -> None:
        broadcast([client.ws], dumps(frame))

    async def _on_frame(self, client: Client, message: str | bytes) -> None:
        lang = client.lang
        try:
            frame = json.loads(message)
        except (ValueError, TypeError):
            frame = None
        if not isinstance(frame, dict):
            self._send(
                client,
                _error(
                    None, "bad_message", "消息应为 JSON 对象", "A frame must be a JSON object", lang
                ),
            )
            return
        rid_raw = frame.get("id")
        re = rid_raw if isinstance(rid_raw, str) else None
        kind = frame.get("type")
        if not isinstance(kind, str):
            self._send(
                client,
                _error(re, "bad_message", "消息缺少 type", "A frame needs a string 'type'", lang),
            )
            return
        if kind not in SCHEMA:
            self._send(
                client,
                _error(
                    re,
                    "unknown_type",
                    f"未知的请求类型：{kind}",
                    f"Unknown request type: {kind}",
                    lang,
                ),
            )
            return
        if kind not in COMMANDS.get(client.role, ()):
            self._send(
                client,
                _error(
                    re,
                    "forbidden",
                    "您的角色不能执行此操作",
                    f"A {client.role} may not send {kind}",
                    lang,
                ),
            )
            return
        try:
            rid = request_id(frame)
            cmd = validate(frame)
        except BadArgs as e:
            self._send(client, _error(re, "bad_args", e.zh, e.en, lang))
            return
        key = (client.identity, rid)
        stored = self.replies.get(key)
        if stored is not None:
            self._send(client, self._finish_reply(stored, rid))
            return
        if kind == "ping":  # liveness check for watchdogs: answered at once, stores nothing
            self._send(client, {"type": "ok", "re": rid, "seq": self.engine.seq})
            return
        if kind == "metrics":
            self._send(client, self._metrics_reply(rid, cmd, lang))
            return
        if client.in_flight >= MAX_PENDING:
            self._send(
                client,
                _error(
                    rid,
                    "rate_limited",
                    "请求过多，请稍候",
                    "Too many requests awaiting replies",
                    lang,
                ),
            )
            return
        pending = self.in_progress.get(key)
        if pending is None:
            pending = Pending(client, cmd, rid)
            self.in_progress[key] = pending
            await self.queue.put(pending)
        client.in_flight += 1
        asyncio.create_task(self._reply_when_done(client, pending, rid))

    async def _reply_when_done(self, client: Client, pending: Pending, rid: str) -> None:
        try:
            reply = await pending.done
        finally:
            client.in_flight -= 1
        self._send(client, self._finish_reply(reply, rid, client.lang))
        if reply.get("type") == "ok" and pending.cmd["type"] == "logout":
            with contextlib.suppress(Exception):
                await client.ws.close(1000, "logged out")

    def _finish_reply(self, reply: dict[str, Any], rid: str, lang: str = "zh") -> dict[str, Any]:
        out = dict(reply, re=rid)
        if out.get("type") == "error" and "_zh" in out:
            out["message"] = out["_en"] if lang == "en" else out["_zh"]
        out.pop("_zh", None)
        out.pop("_en", None)
        if out.get("type") == "ok" and "_issued" in out:
            tid = out.pop("_issued")
            token = auth.ticket_token(self.secret, self.hall.id, tid)
            out["token"] = token
            out["url"] = f"{self.base_url}/t/{token}"
        return out

    def _metrics_reply(self, rid: str, cmd: dict[str, Any], lang: str) -> dict[str, Any]:
        day = cmd.get("day")
        if day is None or day == self.engine.day.isoformat():
            return {"type": "ok", "re": rid, "metrics": self.engine.metrics(self.clock())}
        past = self.store.replay_day(self.hall, day)
        if past is None:
            return _error(rid, "not_found", f"{day} 没有记录", f"No records for {day}", lang)
        end = past.day_start(past.day + timedelta(days=1))
        return {"type": "ok", "re": rid, "metrics": past.metrics(end)}

    async def _submit(self, pending: Pending) -> dict[str, Any]:
        await self.queue.put(pending)
        return await pending.done

    # ------------------------------------------------------------------ the writer

    async def _write_loop(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self.queue.get_nowait())
            try:
                await self._run_batch(batch)
            except Exception:  # never let the writer die
                log.exception("batch failed")
                for p in batch:
                    if not p.done.done():
                        p.done.set_result(
                            {
                                "type": "error",
                                "code": "unavailable",
                                "message": "hub error",
                                "_zh": "服务暂时不可用，请重试",
                                "_en": "The hub could not store this: try again",
                            }
                        )

    async def _run_batch(self, batch: list[Pending]) -> None:
        eng = self.engine
        now = self.clock()
        day_before = eng.day
        events = eng.roll_day(now)
        results: list[tuple[Pending, dict[str, Any]]] = []
        to_store: list[tuple[str, str, dict[str, Any]]] = []
        for p in batch:
            if p.cmd["type"] == "_roll":
                results.append((p, {"type": "ok"}))
                continue
            assert p.client is not None and p.client.actor is not None
            key = (p.client.identity, p.rid) if p.rid else None
            if key is not None and key in self.replies:
                results.append((p, self.replies[key]))
                continue
            cmd = dict(p.cmd)
            try:
                result, evs = eng.execute(p.client.actor, cmd, now)
            except EngineError as e:
                results.append(
                    (
                        p,
                        {
                            "type": "error",
                            "code": e.code,
                            "message": e.en,
                            "_zh": e.zh,
                            "_en": e.en,
                        },
                    )
                )
                continue
            events.extend(evs)
            reply: dict[str, Any] = {"type": "ok", **result}
            if p.client.role == "citizen" and isinstance(reply.get("ticket"), dict):
                # a citizen sees its own ticket as its events show it: no staff, notes or handoff reasons
                reply["ticket"] = public_ticket(reply["ticket"])
            if cmd["type"] == "issue":
                reply["_issued"] = result["ticket"]["id"]
            if key is not None:
                to_store.append((key[0], key[1], reply))
            results.append((p, reply))
        if events or to_store:
            try:
                await asyncio.to_thread(
                    self.store.commit, self.hall.id, day_before, events, to_store, eng.windows
                )
            except Exception:
                log.exception("commit failed: reloading state from the database")
                self.engine = self._restore()
                for p, _ in results:
                    if not p.done.done():
                        p.done.set_result(
                            {
                                "type": "error",
                                "code": "unavailable",
                                "message": "",
                                "_zh": "服务暂时无法保存，请重试",
                                "_en": "The hub could not store this: try again",
                            }
                        )
                    if p.client and p.rid:
                        self.in_progress.pop((p.client.identity, p.rid), None)
                for c in list(
                    self.clients
                ):  # what they saw may not have been stored: resync everyone
                    asyncio.create_task(c.ws.close(1011, "resync"))
                return
        if eng.day != self.replies_day:
            self.replies = {}
            self.replies_day = eng.day
        for ident, rid, reply in to_store:
            self.replies[(ident, rid)] = reply
        self._fan_out(events)
        for p, reply in results:
            if p.client and p.rid:
                self.in_progress.pop((p.client.identity, p.rid), None)
            if not p.done.done():
                p.done.set_result(reply)
        if events:
            self._after_events(events)

    # ------------------------------------------------------------------ fan-out

    def _fan_out(self, events: list[dict[str, Any]]) -> None:
        if not events or not self.clients:
            return
        staff = [c.ws for c in self.clients if c.role in ("kiosk", "counter", "supervisor")]
        displays = [c.ws for c in self.clients if c.role == "display"]
        citizens = [c for c in self.clients if c.role == "citizen"]
        for ev in events:
            out = {k: v for k, v in ev.items() if not k.startswith("_")}
            if staff:
                broadcast(staff, dumps(out))
            if displays and ev["type"] not in PRIVATE_EVENTS:
                broadcast(displays, dumps(self._public_event(out)))
            if citizens:
                self._to_citizens(citizens, out)

    @staticmethod
    def _public_event(ev: dict[str, Any]) -> dict[str, Any]:
        out = dict(ev)
        t = out.get("ticket")
        if isinstance(t, dict):
            out["ticket"] = public_ticket(t)
        w = out.get("window")
        if isinstance(w, dict):
            out["window"] = public_window(w)
        if "handoff" in out and isinstance(out["handoff"], dict):
            out["handoff"] = {
                k: out["handoff"].get(k) for k in ("from_window", "to_service", "to_window", "at")
            }
        if ev["type"] == "day_rolled":
            out["windows"] = [public_window(w) for w in ev["windows"]]
        out.pop("staff", None)
        if ev["type"] == "ticket_parked":
            out.pop("reason", None)  # why a citizen was parked is not for the lobby
        return out

    def _to_citizens(self, citizens: list[Client], ev: dict[str, Any]) -> None:
        kind = ev["type"]
        if kind == "notice":
            broadcast(
                [c.ws for c in citizens], dumps({k: v for k, v in ev.items() if k != "staff"})
            )
            return
        t = ev.get("ticket")
        if not isinstance(t, dict):
            return
        mine = [c.ws for c in citizens if c.ticket == t["id"]]
        if not mine:
            return
        if kind == "ticket_rated":
            out = {k: ev[k] for k in ("type", "seq", "at", "window", "level")}
            out["ticket"] = public_ticket(t)
        else:
            out = self._public_event(ev)  # handoffs already reduced to their public fields
            out["waiting"] = {k: v for k, v in ev.get("waiting", {}).items() if k == t["service"]}
        rate_window = self.engine.rate_window(t["id"])
        out["can_rate"] = rate_window is not None
        out["rate_window"] = rate_window
        broadcast(mine, dumps(out))

    def _after_events(self, events: list[dict[str, Any]]) -> None:
        # position frames for citizens whose place in line changed
        citizens = [
            c for c in self.clients if c.role == "citizen" and c.ticket in self.engine.tickets
        ]
        if citizens:
            services = {self.engine.tickets[c.ticket]["service"] for c in citizens if c.ticket}
            places: dict[str, dict[str, int]] = {}
            for s in services:
                places[s] = {t["id"]: i for i, t in enumerate(self.engine.queue_of(s))}
            for c in citizens:
                assert c.ticket is not None
                t = self.engine.tickets[c.ticket]
                if t["state"] == "waiting":
                    ahead = places[t["service"]].get(t["id"], 0)
                    pos = (ahead, self.engine.eta(t["service"], ahead))
                else:
                    pos = (0, 0)
                if pos != c.position:
                    c.position = pos
                    self._send(c, {"type": "position", "ahead": pos[0], "eta_min": pos[1]})
        # supervisors' and counters' figures, coalesced
        for ev in events:
            if ev["type"] == "window_closed":
                n = ev["window"]["number"]
                holder = self.window_clients.pop(n, None)
                if holder is not None:
                    self.clients.discard(holder)
                    asyncio.create_task(holder.ws.close(CLOSE_TAKEN_OVER, "window closed"))
        if self.metrics_task is None or self.metrics_task.done():
            self.metrics_task = asyncio.create_task(self._push_metrics())

    async def _push_metrics(self) -> None:
        await asyncio.sleep(0.25)
        targets = [c.ws for c in self.clients if c.role in ("supervisor", "counter")]
        if targets:
            t0 = time.perf_counter()
            broadcast(
                targets, dumps({"type": "metrics", "metrics": self.engine.metrics(self.clock())})
            )
            log.debug("metrics pushed in %.1f ms", (time.perf_counter() - t0) * 1000)
