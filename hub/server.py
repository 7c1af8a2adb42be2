"""The hub's websocket server: the I/O shell around the engine, the store and the views.

Decode a frame, validate it, hand it to the single writer, which runs it
through the engine, commits the batch, then fans the events out and replies.
What is decided here is only what needs the sockets, the queue or the
store: who a hello is (`hub.session`), who sees what (`hub.views`), the
HTTP pages (`hub.pages`) and the refusals' words (`hub.errors`) live beside.

All sends are synchronous writes in event-loop order, so a client always gets
its ``welcome`` before the events that follow it. Group commit: requests that
arrive while a transaction is being written form the next batch, so
durability costs one fsync per batch, not per request.

Welcomes come from committed state only. The writer applies a batch to the
engine before its commit, so during the commit the engine is ahead of the
database. A hello is therefore admitted here but welcomed by the writer
between batches (``WELCOME`` through the queue, `_welcome`): the engine then
holds exactly what is stored, and the client joins the fan-out in the same
step, so it never sees an event at or below its welcome's ``seq`` and never a
ticket a crash mid-commit would lose.

Fan-out and slow clients: each event is encoded once per audience into a
ready websocket frame (`_prepared`) and written into each connection's
transport without an await (`_write`). After each write, a connection whose
unsent bytes pass its cap (`SEND_CAP` plus its welcome's size) is closed
with 4008 "too slow" (`_drop`), and cut after `DROP_GRACE` if it does not
read up to the close frame; this counts every frame, refusals included, so
the hub's memory stays bounded whatever a client does. The transport's
high-water mark is set to that cap, so the keepalive ping (every
``ping_interval``, pong due within as long again) is never stuck behind a
buffer that stopped moving: a client that stalls below its cap is closed by
the ping timeout. Incoming traffic is bounded: ``max_size`` per frame,
``max_queue`` frames read ahead, `MAX_PENDING` requests awaiting replies.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import io
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State

from hub import auth, views
from hub.auth import STAFF_REMOVED
from hub.bookings import Booking, BookingRefused, digest
from hub.catalogue import CatalogueError, Hall, parse_catalogue
from hub.engine import Actor, BookingKeys, Engine, EngineError, Event
from hub.errors import Error, ErrorFrame, RequestError, error_frame, request_lang
from hub.pages import Health, Pages
from hub.reports import Rollup
from hub.session import (
    LOGIN_FAILURES,
    LOGIN_WINDOW,
    VISITOR_LIMIT,
    VISITOR_WINDOW,
    Gate,
    LoginLimit,
    RateLimit,
    Refusal,
    Session,
    logged_out_reason,
    read_hello,
    refusal,
)
from hub.ship import APPLIED, DISTRICT_COMMANDS, REFUSED, Outcome, Shipper
from hub.store import Store, encode_event
from hub.validate import Command, check_request, parse_frame, reply_to
from shared.i18n import pick
from shared.protocol import (
    CLOSE_FORBIDDEN,
    CLOSE_TAKEN_OVER,
    CLOSE_TOO_SLOW,
    COMPLAINT_EVENTS,
    MAX_CLIENT_FRAME,
    W_CLOSED,
    dumps,
    is_window_event,
    iso,
)
from shared.qr import qr_svg

log = logging.getLogger("hall.hub")
MAX_PENDING = (
    64  # requests awaiting replies per connection before rate_limited (the protocol promises 16)
)
MAX_BATCH = 512
HELLO_TIMEOUT = 10.0
# Bytes a connection may have queued for sending (its transport's write buffer) past its
# welcome before it is dropped with CLOSE_TOO_SLOW (docs/protocol.md, "Slow clients").
SEND_CAP = {"display": 1 << 20, "citizen": 1 << 20}
STAFF_SEND_CAP = 8 << 20  # kiosks, counters, supervisors: every event, metrics
DROP_GRACE = 5.0  # seconds a dropped client has to read up to the close frame before the abort
OPEN_WINDOW: Command = {"type": "open_window"}  # what a counter's hello runs through the writer
LOGOUT: Command = {"type": "logout"}  # a disabled clerk's window, closed for them
STAFF_POLL_S = 1.0  # how often the hub reads the staff table (see _watch_staff)
LOGGED_OUT = {  # why `hall staff` ended a session: logged_out's code and its words
    "disabled": ("您的账号已被停用，已退出登录", "Your account was disabled: you are logged out"),
    "removed": ("您的账号已被删除，已退出登录", "Your account was removed: you are logged out"),
    "window_removed": (
        "您已无权使用本窗口，已退出登录",
        "You may no longer use this window: you are logged out",
    ),
    "not_supervisor": (
        "您已不再是值班主管，已退出登录",
        "You are no longer a supervisor: you are logged out",
    ),
    "not_desk": (
        "您已不再是咨询台工作人员，已退出登录",
        "You are no longer desk staff: you are logged out",
    ),
}
STAFF_REQUESTS = frozenset({"change_pin", "unlock_staff"})  # the staff table, not the day's log
ROLL: Command = {"type": "_roll"}  # the midnight tick's request: roll_day does the work
WELCOME: Command = {"type": "_welcome"}  # a hello's welcome, built by the writer between batches
UNATTENDED_AFTER = 60.0  # seconds an open window's terminal may be away before supervisors are told

# An ok reply: {"type": "ok", "re": id, ...the command's result}; the writer keeps them by
# (identity, request id) so a resent request gets the same reply.
Reply = dict[str, object]


def _now() -> datetime:
    return datetime.now(UTC)


def _prepared(frame: object) -> bytes:
    """A frame as the hub puts it on the wire: JSON text in one unmasked, uncompressed
    websocket frame, the same bytes for every connection (the hub serves with
    ``compression=None``)."""
    return _text_frame(dumps(frame))


def _text_frame(text: str) -> bytes:
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def _unavailable(zh: str) -> RequestError:
    return RequestError("unavailable", zh, "The hub could not store this: try again")


@dataclass(eq=False, slots=True)
class Client:
    """One connection after its hello."""

    ws: ServerConnection
    session: Session
    in_flight: int = 0
    position: views.Position | None = None  # the last one a citizen was sent
    cap: int = 0  # bytes it may have queued for sending (set with its welcome)
    locked_sent: list[dict[str, object]] | None = None  # the last `locked_staff` (supervisors)


@dataclass(eq=False)
class Pending:
    """A request waiting for the writer; its outcome is a reply or an error."""

    session: Session | None  # None: the hub's own midnight tick
    cmd: Command
    rid: str | None
    done: asyncio.Future[Reply | Error] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    client: Client | None = None  # WELCOME: the connection to welcome


def _applied(reply: Mapping[str, Any]) -> Outcome:
    """A district command's outcome from the hub's reply: the complaint after the step."""
    record = reply.get("record")
    seq = record.get("updated_seq") if isinstance(record, dict) else None
    return {"status": APPLIED, "result": record, "applied_seq": seq}


def _refused(e: Error) -> Outcome:
    """A district command's outcome when the hall refused it: the error in both languages."""
    return {"status": REFUSED, "result": {"code": e.code, "zh": e.zh, "en": e.en}}


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
        unattended_after: float = UNATTENDED_AFTER,
        login_failures: int = LOGIN_FAILURES,
        login_window: float = LOGIN_WINDOW,
        link: Shipper | None = None,
        visitor_limit: int = VISITOR_LIMIT,
        visitor_window: float = VISITOR_WINDOW,
    ) -> None:
        self.store = store
        # the district link (hub/ship.py): ships the committed events, or writes presence only
        self.link = link
        self.loop: asyncio.AbstractEventLoop | None = None  # the link's commands run on it
        self.hall = hall
        self.secret = secret
        self.host = host
        self.port = port
        self.public_url = public_url
        self.clock = clock
        self.ping_interval = ping_interval
        self.unattended_after = unattended_after
        # open windows without a terminal: the timer until they count as unattended, and those
        # that do (window -> since when its terminal is away, ISO); not events of the day's log
        self.away: dict[int, asyncio.TimerHandle] = {}
        self.unattended: dict[int, str] = {}
        self.hall_version = store.catalogue_head(hall.id)  # `hall` is the newest catalogue
        self.fresh_tokens: dict[str, str] = {}  # ticket id -> citizen token, until its reply
        self.engine: Engine = self._restore()
        self.gate = Gate(
            store,
            hall,
            clock,
            LoginLimit(login_failures, login_window),
            RateLimit(visitor_limit, visitor_window),
        )
        self._set_hall()  # the catalogue the day's `catalogue` events left
        self.replies: dict[tuple[str, str], Reply] = {}
        self.replies_day = self.engine.day
        self.replies.update(self.store.replies_of_day(hall.id, self.engine.day.isoformat()))
        self.clients: set[Client] = set()
        self.window_clients: dict[int, Client] = {}
        self.in_progress: dict[tuple[str, str], Pending] = {}
        self.queue: asyncio.Queue[Pending] = asyncio.Queue()
        self.server: Server | None = None
        self.writer: asyncio.Task[None] | None = None
        self.ticker: asyncio.Task[None] | None = None
        self.staff_watch: asyncio.Task[None] | None = None
        self.metrics_task: asyncio.Task[None] | None = None
        self.estimates_sent: views.EstimatesFrame | None = None  # the last one sent to kiosks
        self.stopping = False
        self.stale = False  # a commit failed: the engine may hold what the database does not
        self.catalogue_watch: asyncio.Task[None] | None = None
        self.catalogue_refused = 0  # a stored version the hub could not use (logged once)
        self._rollup_task: asyncio.Future[None] | None = None  # closed days' report rollups
        # today's report rollup by (day, seq): a request in the same state reuses it
        self._today_cache: tuple[tuple[date, int], asyncio.Future[Rollup | None]] | None = None
        self.pages = Pages(self._health, self._ticket_known, self._booking_known, self._booking_qr)

    def _restore(self) -> Engine:
        today = self.clock().astimezone(ZoneInfo(self.hall.timezone)).date()
        return self.store.restore(
            self.hall,
            today,
            self._token_hash,
            self.hall_version,
            self._booking_keys(),
            live_rollup=True,
        )

    def _set_hall(self) -> None:
        """Serve the engine's catalogue: welcomes, logins (after a `catalogue` event)."""
        self.hall = self.engine.hall
        self.hall_version = self.engine.catalogue_version
        self.hall_wire = self.engine.hall_wire()
        self.hall_json = dumps(self.hall_wire)  # most of a welcome's bytes: encoded once
        self.gate.hall = self.hall

    def _token_hash(self, ticket_id: str) -> str:
        token = auth.ticket_token(self.secret, self.hall.id, ticket_id)
        self.fresh_tokens[ticket_id] = token  # its reply needs it next: computed once
        return auth.token_hash(token)

    def _booking_keys(self) -> BookingKeys:
        def credentials(booking_id: str, attempt: int) -> tuple[str, str]:
            token = auth.booking_token(self.secret, self.hall.id, booking_id)
            code = auth.booking_code(self.secret, self.hall.id, booking_id, attempt)
            return digest(token), digest(code)

        def mobile(digits: str) -> str:
            return auth.mobile_hash(self.secret, self.hall.id, digits)

        return BookingKeys(credentials, mobile)

    def _booking_of(self, token: str) -> Booking | None:
        """The booking a token opens: live (today on), else of an earlier day (stored)."""
        if not token or len(token) > 100:
            return None
        b = self.engine.bookings.by_token_of(token)
        if b is None:
            b = cast(Booking | None, self.store.booking_by_token(self.hall.id, digest(token)))
        return b

    def _booking_known(self, token: str) -> bool:
        return self._booking_of(token) is not None

    def _booking_qr(self, token: str) -> str | None:
        """The QR code (SVG) of a booking's page, drawn here: nothing is fetched from outside."""
        if self._booking_of(token) is None:
            return None
        return qr_svg(f"{self.base_url}/b/{token}")

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def _write_rollups(self) -> None:
        """The closed days' report rollups (docs/REPORTS.md), written off the request path."""

        def write() -> None:
            try:
                self.store.ensure_rollups(self.hall, self.engine.day.isoformat())
            except Exception:  # a report computes a missing rollup itself
                log.exception("writing the daily rollups failed")

        if self._rollup_task is None or self._rollup_task.done():
            self._rollup_task = asyncio.get_running_loop().run_in_executor(None, write)

    async def start(self) -> None:
        """Listen; with port 0 a free port is picked (see `port`)."""
        self.stopping = False
        # a hub started the morning after: expire yesterday before the first welcome
        day_before = self.engine.day
        rolled = self.engine.roll_day(self.clock())
        if rolled:
            await asyncio.to_thread(self.store.commit, self.hall.id, day_before, rolled, [])
            self.replies, self.replies_day = {}, self.engine.day
        # a catalogue version applied while the hub was down: in use before the first welcome
        cmd = await asyncio.to_thread(self._catalogue_command)
        if cmd is not None:
            await self._run_batch([Pending(None, cmd, None)])
        self._write_rollups()
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
        for n, w in self.engine.windows.items():  # open since before a restart: nobody there yet
            if w["state"] != W_CLOSED:
                self._watch_window(n)
        self.staff_watch = asyncio.create_task(self._watch_staff())
        self.catalogue_watch = asyncio.create_task(self._watch_catalogue())
        if self.link is not None:
            self.loop = asyncio.get_running_loop()
            self.link.on_command = self._district_command_from_link
            self.link.set_unattended({})
            self.link.start()

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
        for t in (
            self.writer,
            self.ticker,
            self.staff_watch,
            self.catalogue_watch,
            self.metrics_task,
        ):
            if t is not None:
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
        if self._rollup_task is not None:  # a thread: let it finish with the database
            with contextlib.suppress(Exception):
                await self._rollup_task
        while not self.queue.empty():  # hellos that came too late: nobody will answer them
            p = self.queue.get_nowait()
            if not p.done.done():
                p.done.set_result(_unavailable("服务正在停止"))
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
        for timer in self.away.values():
            timer.cancel()
        self.away.clear()
        self.unattended.clear()
        if self.link is not None:
            await asyncio.to_thread(self.link.stop)

    async def _tick(self) -> None:
        """Roll the day at local midnight even when nobody sends anything; tell kiosks when a
        service opens or stops issuing (hours, cut-off: each new minute, without an event)."""
        minute = None
        while True:
            await asyncio.sleep(1.0)
            now = self.clock()
            if (now.hour, now.minute) != minute:
                minute = (now.hour, now.minute)
                self._push_estimates()
            due = self.engine.bookings.next_due()
            if self.engine.local_day(now) > self.engine.day or (due is not None and due <= now):
                p = Pending(None, ROLL, None)
                await self.queue.put(p)
                with contextlib.suppress(Exception):
                    await p.done

    async def _watch_staff(self) -> None:
        """Log out, within a second, staff whom `hall staff` disabled, removed or moved.

        The CLI writes the staff table while the hub runs; the hub reads every
        staff member's status once a second while staff are connected (one
        small query) and ends the sessions it no longer allows.
        """
        while True:
            await asyncio.sleep(STAFF_POLL_S)
            if not any(c.session.staff for c in self.clients):
                continue
            try:
                status = await asyncio.to_thread(self.store.staff_status, self.hall.id)
            except Exception:  # the database is away for a moment: try again next time
                log.exception("cannot read the staff table")
                continue
            for c in list(self.clients):
                reason = logged_out_reason(c.session, status.get(c.session.staff or ""))
                if c.session.staff and reason:
                    await self._log_out(c, reason)
            await self._tell_locked()

    async def _tell_locked(self) -> None:
        """Supervisors see who is locked out after wrong PINs (to unlock them): the frame
        `locked_staff` (no `seq`), sent after the welcome and whenever the list changes."""
        boards = [c for c in self.clients if c.session.role == "supervisor"]
        if not boards:
            return
        try:
            rows = await asyncio.to_thread(self.store.locked_staff, self.hall.id, self.clock())
        except Exception:
            log.exception("cannot read the locked staff")
            return
        tz = self.engine.tz
        locked: list[dict[str, object]] = [
            {
                "id": r["id"],
                "name": r["name"],
                "locked_until": iso(r["locked_until"].astimezone(tz)),
            }
            for r in rows
        ]
        for c in boards:
            if c.locked_sent != locked:
                c.locked_sent = locked
                self._send(c, {"type": "locked_staff", "staff": locked})

    async def _staff_request(self, session: Session, rid: str, cmd: Command) -> Reply:
        """`change_pin` (a clerk's own PIN) and `unlock_staff` (a supervisor): the staff table
        and the reply written in one transaction (durable before the ok; a resend gets it)."""
        hid = self.hall.id
        if cmd["type"] == "change_pin":
            sid = session.staff or ""
            row = await asyncio.to_thread(self.store.get_staff, hid, sid)
            if row is None:
                raise RequestError("auth_failed", "工号不存在", "Unknown staff id")
            now = self.clock()
            mins = auth.minutes_locked(row["locked_until"], now)
            if mins:
                raise RequestError(
                    "locked",
                    f"密码错误次数过多，请 {mins} 分钟后再试",
                    f"Too many wrong PINs: try again in {mins} min",
                )
            stored = row["pin_hash"] or auth.dummy_hash()
            if not await asyncio.to_thread(auth.check_pin, cmd["old"], stored):
                failures, until = auth.after_failure(row["failures"], now)
                await asyncio.to_thread(self.store.set_staff_failures, hid, sid, failures, until)
                raise RequestError(
                    "wrong_pin",
                    "原密码不正确，密码未修改",
                    "The old PIN is wrong: the PIN was not changed",
                )
            if cmd["new"] == cmd["old"]:
                raise RequestError(
                    "bad_args", "新密码不能与原密码相同", "The new PIN must differ from the old one"
                )
            new_hash = await asyncio.to_thread(auth.hash_pin, cmd["new"])
            values: dict[str, object] = {"pin_hash": new_hash, "failures": 0, "locked_until": None}
            reply: Reply = {"type": "ok"}
        else:  # unlock_staff
            sid = cmd["staff"]
            row = await asyncio.to_thread(self.store.get_staff, hid, sid)
            if row is None or row["status"] == STAFF_REMOVED:
                raise RequestError("not_found", f"没有工作人员 {sid}", f"No staff member {sid}")
            values = {"failures": 0, "locked_until": None}
            reply = {"type": "ok", "staff": sid}
        day = self.engine.day.isoformat()
        await asyncio.to_thread(
            self.store.staff_request, hid, sid, values, day, session.identity, rid, reply
        )
        self.replies[(session.identity, rid)] = reply
        if cmd["type"] == "unlock_staff":
            await self._tell_locked()
        return reply

    async def _watch_catalogue(self) -> None:
        """Apply, within a second, the catalogue version `hall catalogue apply` stored.

        The CLI writes the new version to the database; the hub reads the newest
        version number once a second and, when it is not the one in use, runs it
        through the writer as the event `catalogue` (in the day's log, fanned out
        like any event; connections stay open). At start this runs at once, so a
        version applied while the hub was down is in use before the first welcome.
        """
        while True:
            await asyncio.sleep(STAFF_POLL_S)
            try:
                cmd = await asyncio.to_thread(self._catalogue_command)
            except Exception:  # the database is away for a moment: try again next time
                log.exception("cannot read the catalogue versions")
                continue
            if cmd is not None and not self.stopping:
                await self._submit(Pending(None, cmd, None))

    def _catalogue_command(self) -> Command | None:
        """The writer's request for the newest catalogue version, or None when it is in use."""
        hid = self.hall.id
        head = self.store.catalogue_head(hid)
        if head in (self.engine.catalogue_version, self.catalogue_refused):
            return None
        entry = self.store.catalogue_entry(hid, head)
        if entry is None:
            return None
        try:
            hall = parse_catalogue(entry["catalogue"], f"<catalogue version {head}>")
            if hall.id != hid:
                raise CatalogueError(f"catalogue version {head} is of hall {hall.id}, not {hid}")
        except CatalogueError:
            log.exception("catalogue version %d cannot be used", head)
            self.catalogue_refused = head
            return None
        cmd: Command = {
            "type": "_catalogue",
            "hall": hall,
            "text": entry["catalogue"],
            "version": head,
            "by": entry["applied_by"] or None,
        }
        return cmd

    async def _log_out(self, client: Client, code: str) -> None:
        """End a staff member's session: `logged_out`, close 4003, their window closed for them.

        A window where a ticket is still called or served stays open (the
        engine refuses the logout): supervisors are told it is unattended and
        close it with the ticket's outcome."""
        self.clients.discard(client)
        window = client.session.window
        if window is not None and self.window_clients.get(window) is client:
            del self.window_clients[window]
        zh, en = LOGGED_OUT[code]
        frame: dict[str, object] = {
            "type": "logged_out",
            "reason": pick(client.session.lang, zh, en),
            "code": code,
        }
        if window is not None:
            frame["window"] = window
        self._send(client, frame)
        asyncio.create_task(client.ws.close(CLOSE_FORBIDDEN, "logged out"))
        if window is not None:
            await self._submit(Pending(client.session, LOGOUT, None))
            self._watch_window(window)

    # ------------------------------------------------------------------ HTTP

    def _http(self, conn: ServerConnection, request: Request) -> Response | None:
        return self.pages.route(request.path)

    def _health(self) -> Health:
        return {
            "status": "ok",
            "seq": self.engine.seq,
            "day": self.engine.day.isoformat(),
            "clients": len(self.clients),
        }

    def _ticket_known(self, token: str) -> bool:
        return self.gate.ticket_for_token(self.engine, token) is not None

    # ------------------------------------------------------------------ connections

    async def _handler(self, ws: ServerConnection) -> None:
        try:
            raw = await asyncio.wait_for(ws.recv(), HELLO_TIMEOUT)
        except (TimeoutError, ConnectionClosed):
            return
        client = await self._open(ws, raw)
        if client is None:
            return
        try:
            async for message in ws:
                await self._on_frame(client, message)
        except ConnectionClosed:
            pass
        finally:
            self.clients.discard(client)
            window = client.session.window
            if window is not None and self.window_clients.get(window) is client:
                del self.window_clients[window]
                self._watch_window(window)

    async def _open(self, ws: ServerConnection, raw: str | bytes) -> Client | None:
        """Admit a hello: the client after its welcome, or None after a refusal (closed)."""
        hello = read_hello(raw)
        if isinstance(hello, Refusal):
            await self._refuse(ws, hello)
            return None
        if self.stopping:
            await ws.close(1001, "going away")
            return None
        peer = ws.remote_address
        session = await self.gate.admit(hello, self.engine, str(peer[0]) if peer else "")
        if isinstance(session, Refusal):
            await self._refuse(ws, session)
            return None
        client = Client(ws, session)
        if session.window is not None and not await self._open_window(client):
            return None
        if isinstance(await self._submit(Pending(session, WELCOME, None, client=client)), Error):
            with contextlib.suppress(ConnectionClosed):
                await ws.close(1001, "going away")  # the hub stopped before the welcome
            return None
        return client

    def _welcome(self, client: Client) -> None:
        """Snapshot and registration in one step, by the writer between batches.

        The engine then holds exactly what is committed (the last batch is stored
        and fanned out, the next one not begun), so the welcome shows nothing that
        is not durable, and every later event (seq above the welcome's) reaches
        this client after it.
        """
        session = client.session
        now = self.clock()
        welcome = views.welcome(self.engine, self.hall_wire, session, now, self.unattended)
        if session.ticket is not None and session.past_ticket is None:
            client.position = self.engine.position(session.ticket, now)  # as its welcome says
        rest = dumps({k: v for k, v in welcome.items() if k != "hall"})
        data = _text_frame(f'{rest[:-1]},"hall":{self.hall_json}}}')
        client.cap = SEND_CAP.get(session.role, STAFF_SEND_CAP) + len(data)
        # the transport pauses writers (the keepalive's ping) only past the cap, where the
        # client is dropped: a ping never waits forever behind a buffer that stopped moving
        client.ws.transport.set_write_buffer_limits(high=client.cap)
        self._write([client], data)
        self.clients.add(client)

    async def _open_window(self, client: Client) -> bool:
        """Open a counter's window through the writer; take it over from an older connection."""
        outcome = await self._submit(Pending(client.session, OPEN_WINDOW, None))
        if isinstance(outcome, Error):
            await self._refuse(client.ws, refusal(outcome, client.session.lang))
            return False
        window = client.session.window
        assert window is not None
        old = self.window_clients.get(window)
        if old is not None and old.ws is not client.ws:
            self.clients.discard(old)
            asyncio.create_task(old.ws.close(CLOSE_TAKEN_OVER, "taken over"))
        self.window_clients[window] = client
        self._window_attended(window)
        return True

    # ------------------------------------------------------------------ unattended windows

    def _watch_window(self, number: int) -> None:
        """An open window lost its terminal: unattended once it stays away `unattended_after` s."""
        if self.stopping or number in self.away:
            return
        if self.engine.windows[number]["state"] == W_CLOSED:
            return
        since = iso(self.clock().astimezone(self.engine.tz))
        loop = asyncio.get_running_loop()
        self.away[number] = loop.call_later(
            self.unattended_after, self._mark_unattended, number, since
        )

    def _mark_unattended(self, number: int, since: str) -> None:
        self.away.pop(number, None)
        if number in self.window_clients or self.engine.windows[number]["state"] == W_CLOSED:
            return
        self.unattended[number] = since
        self._tell_supervisors("window_unattended", number, since)
        if self.link is not None:
            self.link.set_unattended(self.unattended)

    def _window_attended(self, number: int) -> None:
        """A terminal is back at the window, or the window closed."""
        timer = self.away.pop(number, None)
        if timer is not None:
            timer.cancel()
        if self.unattended.pop(number, None) is not None:
            self._tell_supervisors("window_attended", number, None)
            if self.link is not None:
                self.link.set_unattended(self.unattended)

    def _tell_supervisors(self, kind: str, number: int, since: str | None) -> None:
        targets = [c for c in self.clients if c.session.role == "supervisor"]
        if targets:
            window = {"number": number, "unattended_since": since}
            self._write(targets, _prepared({"type": kind, "window": window}))

    async def _refuse(self, ws: ServerConnection, refused: Refusal) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(dumps(error_frame(None, refused.error, refused.lang)))
            await ws.close(refused.close, refused.error.code)

    # ------------------------------------------------------------------ requests

    def _send(self, client: Client, frame: object) -> None:
        self._write([client], _prepared(frame))

    def _write(self, clients: Iterable[Client], data: bytes) -> None:
        """Queue prepared frames on each open connection; drop any past its send cap.

        No await, no per-client encoding: the bytes go straight to each transport,
        in event-loop order (what ``websockets.broadcast`` does, minus framing the
        same payload once per connection).
        """
        for c in clients:
            ws = c.ws
            if ws.protocol.state is not State.OPEN:
                continue
            transport = ws.transport
            transport.write(data)
            if transport.get_write_buffer_size() > c.cap:
                self._drop(c)

    def _drop(self, client: Client) -> None:
        """Close a client that does not read what it is sent: 4008 after what it has queued."""
        self.clients.discard(client)
        ws = client.ws
        log.warning(
            "%s %s: %d bytes unread, dropped",
            client.session.role,
            ws.remote_address,
            ws.transport.get_write_buffer_size(),
        )
        with contextlib.suppress(Exception):
            ws.protocol.send_close(CLOSE_TOO_SLOW, "too slow")
            ws.send_data()
        asyncio.create_task(self._abort_later(ws))

    async def _abort_later(self, ws: ServerConnection) -> None:
        """A client that reads its close frame in time closes cleanly; else the socket is cut."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ws.wait_closed(), DROP_GRACE)
        ws.transport.abort()

    def _error(self, client: Client, re: str | None, error: Error, lang: str | None = None) -> None:
        self._send(client, error_frame(re, error, lang or client.session.lang))

    async def _on_frame(self, client: Client, message: str | bytes) -> None:
        session = client.session
        re: str | None = None
        lang = session.lang
        try:
            frame = parse_frame(message)
            re = reply_to(frame)
            lang = request_lang(frame, session.lang)  # a kiosk's citizen may switch language
            rid, cmd = check_request(frame, session.role)
        except RequestError as e:
            self._error(client, re, e, lang)
            return
        key = (session.identity, rid)
        stored = self.replies.get(key)
        if stored is not None:
            self._send(client, self._reply_frame(stored, rid, lang))
            return
        if cmd["type"] == "ping":  # liveness check for watchdogs: answered at once, stores nothing
            self._send(client, {"type": "ok", "re": rid, "seq": self.engine.seq})
            return
        if cmd["type"] == "metrics":
            self._send(client, self._metrics_reply(rid, cmd, lang))
            return
        if cmd["type"] in STAFF_REQUESTS:
            try:
                self._send(
                    client,
                    self._reply_frame(await self._staff_request(session, rid, cmd), rid, lang),
                )
            except RequestError as e:
                self._error(client, rid, e, lang)
            return
        if session.role == "visitor":
            try:
                self.gate.visitors.hit(session.address)
            except RequestError as e:
                self._error(client, rid, e, lang)
                return
            if cmd["type"] in ("slots", "booking"):  # read-only: answered at once
                self._send(client, self._booking_query(rid, cmd, lang))
                return
        if cmd["type"] == "report":  # read-only: answered from the store, off the batch path
            asyncio.create_task(self._report_reply(client, rid, cmd, lang))
            return
        if client.in_flight >= MAX_PENDING:
            self._error(
                client,
                rid,
                RequestError(
                    "rate_limited", "请求过多，请稍候", "Too many requests awaiting replies"
                ),
                lang,
            )
            return
        pending = self.in_progress.get(key)
        if pending is None:
            pending = Pending(session, cmd, rid)
            self.in_progress[key] = pending
            await self.queue.put(pending)
        client.in_flight += 1
        asyncio.create_task(self._reply_when_done(client, pending, rid, lang))

    async def _reply_when_done(self, client: Client, pending: Pending, rid: str, lang: str) -> None:
        try:
            outcome = await pending.done
        finally:
            client.in_flight -= 1
        self._send(client, self._reply_frame(outcome, rid, lang))
        if not isinstance(outcome, Error) and pending.cmd["type"] == "logout":
            with contextlib.suppress(Exception):
                await client.ws.close(1000, "logged out")

    def _reply_frame(self, outcome: Reply | Error, rid: str, lang: str) -> Reply | ErrorFrame:
        """The frame answering request `rid`: the error in the client's language, or the reply."""
        if isinstance(outcome, Error):
            return error_frame(rid, outcome, lang)
        out = dict(outcome, re=rid)
        issued = out.pop("_issued", None)
        if isinstance(issued, str):
            token = self.fresh_tokens.pop(issued, None) or auth.ticket_token(
                self.secret, self.hall.id, issued
            )
            out["token"] = token
            out["url"] = f"{self.base_url}/t/{token}"
        booked = out.pop("_booking", None)
        if isinstance(booked, str) and isinstance(out.get("booking"), dict):
            # the visitor's own booking: its credentials, derived (never stored in clear)
            token = auth.booking_token(self.secret, self.hall.id, booked)
            b = dict(cast(dict[str, object], out["booking"]))
            b["code"] = self._booking_code(booked)
            b["token"] = token
            b["url"] = f"{self.base_url}/b/{token}"
            ticket = b.get("ticket")
            if isinstance(ticket, str):
                b["ticket_url"] = (
                    f"{self.base_url}/t/{auth.ticket_token(self.secret, self.hall.id, ticket)}"
                )
            out["booking"] = b
        return out

    def _booking_code(self, booking_id: str) -> str:
        """A booking's code, derived again: the attempt that made it unique (hub/bookings.py)."""

        def code(attempt: int) -> str:
            return auth.booking_code(self.secret, self.hall.id, booking_id, attempt)

        return code(self.engine.bookings.code_attempt(booking_id, lambda n: digest(code(n))))

    def _booking_query(self, rid: str, cmd: Command, lang: str) -> Reply | ErrorFrame:
        """A visitor's `slots` or `booking`: read from the engine, nothing stored."""
        books = self.engine.bookings
        now = self.clock().astimezone(self.engine.tz)
        try:
            if cmd["type"] == "slots":
                slots = books.slots(cmd["service"], date.fromisoformat(cmd["day"]), now)
                return {"type": "ok", "re": rid, "slots": list(slots)}
            b = self._booking_of(cmd["token"])
            if b is None:
                raise BookingRefused("not_found", "没有这个预约", "No such booking")
        except BookingRefused as e:
            return error_frame(rid, EngineError(e.code, e.zh, e.en, **e.extra), lang)
        return self._reply_frame({"type": "ok", "booking": b, "_booking": b["id"]}, rid, lang)

    def _metrics_reply(self, rid: str, cmd: Command, lang: str) -> Reply | ErrorFrame:
        day = cmd.get("day")
        if day is None or day == self.engine.day.isoformat():
            return {"type": "ok", "re": rid, "metrics": self.engine.metrics(self.clock())}
        past = self.store.replay_day(self.hall, day)
        if past is None:
            return error_frame(
                rid, RequestError("not_found", f"{day} 没有记录", f"No records for {day}"), lang
            )
        end = past.day_start(past.day + timedelta(days=1))
        return {"type": "ok", "re": rid, "metrics": past.metrics(end)}

    async def _today_rollup(self) -> Rollup | None:
        """Today's report rollup from the engine's live fold (docs/REPORTS.md): the fold is
        copied here, on the loop, at the current seq (a few milliseconds), and finished in a
        worker thread; requests at the same seq share one computation."""
        live = self.engine.live_rollup
        if live is None:  # pragma: no cover - the hub's engine always keeps one
            return None
        key = (live.day, self.engine.seq)
        cached = self._today_cache
        if cached is None or cached[0] != key:
            loop = asyncio.get_running_loop()
            snap = live.snapshot()
            if snap is not None:
                fut: asyncio.Future[Rollup | None] = loop.run_in_executor(None, snap.finish)
            else:
                fut = loop.create_future()
                fut.set_result(None)
            cached = self._today_cache = (key, fut)
        return await asyncio.shield(cached[1])

    async def _report_reply(self, client: Client, rid: str, cmd: Command, lang: str) -> None:
        """A supervisor's period report (docs/REPORTS.md): JSON, or CSV text / xlsx base64."""
        from hub.report_out import hall_today, load_report, render

        start, end = date.fromisoformat(cmd["from"]), date.fromisoformat(cmd["to"])
        if end < start:
            self._send(
                client,
                error_frame(
                    rid,
                    RequestError(
                        "bad_args", "时段结束早于开始", "The period ends before it starts"
                    ),
                    lang,
                ),
            )
            return
        today = hall_today(self.hall, self.clock())
        live: Callable[[], Rollup | None] | None = None

        def build() -> dict[str, Any]:
            report = load_report(self.store, self.hall, start, end, today, today_rollup=live)
            fmt = cmd.get("format", "json")
            if fmt == "csv":
                return {"csv": render(report, cmd.get("by", "window"), "csv")}
            if fmt == "xlsx":
                from hub.report_xlsx import write_xlsx

                buf = io.BytesIO()
                write_xlsx(report, buf)
                return {"xlsx": base64.b64encode(buf.getvalue()).decode("ascii")}
            return {"report": report}

        try:
            if start <= today <= end and self.engine.day == today:
                # today from the engine's own fold, never re-read: the rollup as of this seq
                rollup = await self._today_rollup()
                live = lambda: rollup  # noqa: E731
            body = await asyncio.to_thread(build)
        except Exception:
            log.exception("report failed")
            failed = RequestError(
                "unavailable",
                "报表暂时无法生成，请重试",
                "The report could not be built: try again",
            )
            self._send(client, error_frame(rid, failed, lang))
            return
        self._send(client, {"type": "ok", "re": rid, **body})

    # ------------------------------------------------------------------ district commands

    def _district_command_from_link(self, row: Mapping[str, Any]) -> Outcome:
        """The link's thread hands a district command to the event loop and waits for its
        outcome; raises when the hub is stopping or cannot store (the link retries later)."""
        assert self.loop is not None
        fut = asyncio.run_coroutine_threadsafe(self.district_command(row), self.loop)
        while True:
            try:
                return fut.result(timeout=0.5)
            except concurrent.futures.TimeoutError:
                if self.stopping or (self.link is not None and self.link.stopping):
                    fut.cancel()
                    raise RuntimeError("the hub is stopping") from None

    async def district_command(self, row: Mapping[str, Any]) -> Outcome:
        """Run a district supervisor's command (a row of ``district_commands``) as a
        supervisor command of this hall whose actor is ``district:<staff>``.

        Exactly once: the request id is ``district-<row id>`` and the writer stores its
        reply with the events, in one transaction; a command whose reply is stored (the
        hub stopped after its commit and before the link wrote the outcome back) is not
        run again: its stored reply is the outcome. A refusal changes nothing and is
        stored nowhere: running it again refuses it again, or applies it once."""
        identity = f"district:{row['staff']}"
        rid = f"district-{row['id']}"
        created = row["created_at"]
        since = (created.date() - timedelta(days=1)).isoformat()  # any timezone's local day
        stored = self.replies.get((identity, rid)) or await asyncio.to_thread(
            self.store.reply_of, self.hall.id, identity, rid, since
        )
        if stored is not None:
            return _applied(stored)
        try:
            if row["command"] not in DISTRICT_COMMANDS:
                raise RequestError(
                    "forbidden",
                    f"区级主管不能执行 {row['command']}",
                    f"A district supervisor may not send {row['command']}",
                )
            args = json.loads(row["args"])
            if not isinstance(args, dict):
                raise ValueError(row["args"])
            _, cmd = check_request({**args, "type": row["command"], "id": rid}, "supervisor")
        except RequestError as e:
            return _refused(e)
        except ValueError:
            return _refused(RequestError("bad_args", "参数无法读取", "Unreadable arguments"))
        cmd["district_command"] = row["id"]
        actor = Actor("supervisor", identity)
        session = Session("supervisor", identity, actor=actor, staff=identity)
        outcome = await self._submit(Pending(session, cmd, rid))
        if isinstance(outcome, Error):
            if outcome.code == "unavailable":
                raise RuntimeError(outcome.en)  # not stored: the link tries again
            return _refused(outcome)
        return _applied(outcome)

    async def _submit(self, pending: Pending) -> Reply | Error:
        await self.queue.put(pending)
        return await pending.done

    # ------------------------------------------------------------------ the writer

    async def _write_loop(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self.queue.get_nowait())
            try:
                # welcomes first: the engine is what the last batch committed
                for p in batch:
                    if p.client is not None:
                        self._welcome(p.client)
                        p.done.set_result({"type": "ok"})
                batch = [p for p in batch if p.client is None]
                if batch:
                    await self._run_batch(batch)
            except Exception:  # never let the writer die
                log.exception("batch failed")
                for p in batch:
                    self._fail(p, _unavailable("服务暂时不可用，请重试"))

    def _fail(self, p: Pending, error: Error) -> None:
        """Answer a request of a batch that was not stored with `error` (it may be sent again)."""
        if p.session and p.rid:
            self.in_progress.pop((p.session.identity, p.rid), None)
        if not p.done.done():
            p.done.set_result(error)

    def _reload(self) -> None:
        """The engine as the database has it (after a failed commit)."""
        self.fresh_tokens.clear()
        self.engine = self._restore()
        self.stale = False

    async def _run_batch(self, batch: list[Pending]) -> bool:
        """Run a batch through the engine, commit it, then fan out and answer; False when
        the commit failed.

        A failed commit leaves the engine ahead of the database (`stale`) until it
        is rebuilt from the database, at once or, if the database cannot be read
        either, before the next batch. A failed batch of several requests is run
        again one request at a time, so a request the database refuses fails alone
        (``unavailable``) and the others are stored and answered; after two failures
        in a row the database is failing, not one request, and the rest of the batch
        gets ``unavailable`` untried. Nothing of a failed commit was sent to anyone,
        so no client is closed.
        """
        if self.stale:
            self._reload()
        eng = self.engine
        now = self.clock()
        day_before = eng.day
        events = eng.roll_day(now)
        events += eng.sweep(now)  # bookings whose check-in closed: no-shows
        results: list[tuple[Pending, Reply | Error]] = []
        to_store: list[tuple[str, str, Reply]] = []
        for p in batch:
            if p.session is None:  # the midnight tick: roll_day above did the work
                c = p.cmd
                if c["type"] == "_catalogue":  # a new catalogue version (_watch_catalogue)
                    events.extend(
                        eng.change_catalogue(c["hall"], c["text"], c["version"], now, c["by"])
                    )
                results.append((p, {"type": "ok"}))
                continue
            assert p.session.actor is not None
            key = (p.session.identity, p.rid) if p.rid else None
            if key is not None and key in self.replies:
                results.append((p, self.replies[key]))
                continue
            cmd = dict(p.cmd)
            try:
                result, evs = eng.execute(p.session.actor, cmd, now)
            except EngineError as e:
                results.append((p, e))
                continue
            events.extend(evs)
            reply = views.ok_reply(p.session, result)
            if cmd["type"] in ("issue", "check_in"):
                reply["_issued"] = result["ticket"]["id"]
            if p.session.role == "visitor" and "booking" in result:
                reply["_booking"] = result["booking"]["id"]
            if key is not None:
                to_store.append((key[0], key[1], reply))
            results.append((p, reply))
        texts = [encode_event(ev) for ev in events]  # (staff, stored): each event encoded once
        if events or to_store:
            try:
                await asyncio.to_thread(
                    self.store.commit,
                    self.hall.id,
                    day_before,
                    events,
                    to_store,
                    [stored for _, stored in texts],
                )
            except Exception:
                self.stale = True
                self._reload()
                if len(batch) > 1:
                    log.warning("commit of %d requests failed: one at a time now", len(batch))
                    in_a_row = 0
                    for p in batch:
                        if in_a_row == 2:
                            self._fail(p, _unavailable("服务暂时无法保存，请重试"))
                            continue
                        in_a_row = 0 if await self._run_batch([p]) else in_a_row + 1
                    return False
                log.exception("commit failed: %s", batch[0].cmd["type"])
                self._fail(batch[0], _unavailable("服务暂时无法保存，请重试"))
                return False
        if events and self.link is not None:
            self.link.wake()
        if eng.day != self.replies_day:
            self.replies = {}
            self.replies_day = eng.day
            self._write_rollups()
        for ident, rid, reply in to_store:
            self.replies[(ident, rid)] = reply
        if eng.catalogue_version != self.hall_version:
            self._set_hall()
        self._fan_out(events, [staff for staff, _ in texts])
        for p, outcome in results:
            if p.session and p.rid:
                self.in_progress.pop((p.session.identity, p.rid), None)
            if not p.done.done():
                p.done.set_result(outcome)
        if events:
            self._after_events(events)
        return True

    # ------------------------------------------------------------------ fan-out

    def _fan_out(self, events: list[Event], staff_texts: list[str]) -> None:
        """Each event encoded once per audience; a batch's frames go to a connection in one write."""
        if not events or not self.clients:
            return
        staff = [c for c in self.clients if c.session.role in views.SEES_EVERY_EVENT]
        # kiosks, counters, the desk: every event, complaints as clerk_event shows them (a
        # frame per connection, only for a batch that holds a complaint event)
        clerks: list[Client] = []
        if any(ev["type"] in COMPLAINT_EVENTS for ev in events):
            clerks = [c for c in staff if c.session.role not in views.SEES_COMPLAINT_TEXT]
            staff = [c for c in staff if c.session.role in views.SEES_COMPLAINT_TEXT]
        to_clerks: dict[Client, list[bytes]] = {c: [] for c in clerks}
        displays = [c for c in self.clients if c.session.role == "display"]
        citizens: dict[str, list[Client]] = {}
        for c in self.clients:
            if c.session.ticket is not None:
                citizens.setdefault(c.session.ticket, []).append(c)
        to_staff: list[bytes] = []
        to_lobby: list[bytes] = []
        to_citizens: dict[str, list[bytes]] = {ticket: [] for ticket in citizens}
        for ev, text in zip(events, staff_texts, strict=True):
            out = views.staff_event(ev)
            data_staff = _text_frame(text)
            if staff:
                to_staff.append(data_staff)
            if clerks:
                if ev["type"] in COMPLAINT_EVENTS:
                    for c in clerks:
                        to_clerks[c].append(_prepared(views.clerk_event(out, c.session.staff)))
                else:
                    for c in clerks:
                        to_clerks[c].append(data_staff)
            lobby = views.lobby_event(out) if displays else None
            if lobby is not None:
                to_lobby.append(_prepared(lobby))
            seen = views.citizen_event(self.engine, out, citizens) if citizens else None
            if seen is not None:
                whose, frame = seen
                data = _prepared(frame)
                for ticket in to_citizens if whose is None else (whose,):
                    to_citizens[ticket].append(data)
        if to_staff:
            self._write(staff, b"".join(to_staff))
        for c, frames in to_clerks.items():
            if frames:
                self._write([c], b"".join(frames))
        if to_lobby:
            self._write(displays, b"".join(to_lobby))
        for ticket, frames in to_citizens.items():
            if frames:
                self._write(citizens[ticket], b"".join(frames))

    def _after_events(self, events: list[Event]) -> None:
        # position frames for citizens whose place in line changed
        citizens = {
            c: c.session.ticket
            for c in self.clients
            if c.session.ticket is not None and c.session.ticket in self.engine.tickets
        }
        if citizens:
            places = views.positions(self.engine, set(citizens.values()), self.clock())
            for c, ticket in citizens.items():
                pos = places[ticket]
                if pos != c.position:
                    c.position = pos
                    self._send(c, views.position_frame(pos))
        # supervisors' and counters' figures, coalesced
        for ev in events:
            if is_window_event(ev) and ev["type"] == "window_closed":
                n = ev["window"]["number"]
                holder = self.window_clients.pop(n, None)
                self._window_attended(n)
                if holder is None:
                    continue
                self.clients.discard(holder)
                if ev.get("staff") is None:  # the clerk's own logout
                    asyncio.create_task(holder.ws.close(CLOSE_TAKEN_OVER, "window closed"))
                    continue
                # a supervisor closed it: the clerk's session ends
                reason = pick(
                    holder.session.lang,
                    f"值班主管关闭了 {n} 号窗口，您已退出登录",
                    f"A supervisor closed window {n}: you are logged out",
                )
                self._send(holder, {"type": "logged_out", "reason": reason, "window": n})
                asyncio.create_task(holder.ws.close(CLOSE_FORBIDDEN, "logged out"))
        if self.metrics_task is None or self.metrics_task.done():
            self.metrics_task = asyncio.create_task(self._push_metrics())

    def _push_estimates(self) -> None:
        """The kiosks' guide figures and which services issue now, when they changed."""
        kiosks = [c for c in self.clients if c.session.role == "kiosk"]
        if kiosks:
            frame = views.estimates_frame(self.engine, self.clock())
            if frame != self.estimates_sent:
                self.estimates_sent = frame
                self._write(kiosks, _prepared(frame))

    async def _push_metrics(self) -> None:
        """Figures that follow the events, coalesced (at most ~4 pushes a second): the
        kiosks' guide figures when they changed, and the boards' metrics."""
        await asyncio.sleep(0.25)
        self._push_estimates()
        targets = [c for c in self.clients if c.session.role in views.GETS_METRICS]
        if targets:
            t0 = time.perf_counter()
            self._write(targets, _prepared(views.metrics_frame(self.engine, self.clock())))
            log.debug("metrics pushed in %.1f ms", (time.perf_counter() - t0) * 1000)
