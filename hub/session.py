"""Opening a connection: a hello read and checked, its credentials verified.

`read_hello` turns the first frame into a `Hello` or a `Refusal`; `Gate.admit`
turns a `Hello` into a `Session` (who the connection is) or a `Refusal`
(the error and the close code docs/protocol.md gives it). Credentials are looked
up in the store (device tokens, staff and their failed PINs, tickets of
earlier days), with the lockout policy of `hub.auth`. No sockets here: the
server receives the hello, asks, and sends the welcome or the refusal.
"""

from __future__ import annotations

import asyncio
import math
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hub import auth
from hub.catalogue import Hall
from hub.engine import Actor, Engine, Ticket
from hub.errors import Error, RequestError
from hub.validate import is_text, parse_json, quote
from shared.protocol import (
    CLOSE_AUTH,
    CLOSE_BAD_HELLO,
    CLOSE_FORBIDDEN,
    STAFF_ROLES,
    VERSION,
    W_CLOSED,
)

if TYPE_CHECKING:
    from hub.store import Store

# The close code after a refused hello (docs/protocol.md); anything else, such as
# a counter's window refused by the engine, closes with CLOSE_FORBIDDEN.
CLOSE_OF = {
    "bad_hello": CLOSE_BAD_HELLO,
    "unsupported_version": CLOSE_BAD_HELLO,
    "auth_failed": CLOSE_AUTH,
    "locked": CLOSE_AUTH,
    "forbidden": CLOSE_FORBIDDEN,
    "window_taken": CLOSE_FORBIDDEN,
}
MAX_CREDENTIAL = 64  # characters of a staff id or PIN
LOGIN_FAILURES = 30  # failed staff logins from one address ...
LOGIN_WINDOW = 300.0  # ... within this many seconds, then `locked` until the oldest ages out
MAX_TICKET_TOKEN = 100  # characters of a citizen token (43 today)
VISITOR_LIMIT = 120  # visitor hellos and requests from one address ...
VISITOR_WINDOW = 60.0  # ... within this many seconds, then `rate_limited`
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Hello:
    """A hello of this protocol version: the role asked for, the language, every field sent."""

    role: object
    lang: str
    fields: Mapping[str, object]


@dataclass(frozen=True)
class Session:
    """Who a connection is after its hello: what the writer and the views need of it."""

    role: str
    identity: str  # idempotency identity: "kiosk:K1", "staff:c001", "ticket:<id>", "display:<n>"
    lang: str = "zh"
    actor: Actor | None = None  # None: a display, which sends nothing the engine runs
    staff: str | None = None
    staff_name: str | None = None
    window: int | None = None
    ticket: str | None = None
    past_ticket: Ticket | None = None  # a citizen's ticket of an earlier day: shown, nothing more
    # a citizen's: its ticket's complaints as the store's table held them at hello (closed
    # ones too, which the engine's book forgets at a restart); merged with the book's newer
    # records in the welcome (hub/views.citizen_complaints)
    stored_complaints: tuple[dict[str, Any], ...] = ()
    address: str = ""  # the peer's IP (visitors are rate-limited by it)


@dataclass(frozen=True)
class Staff:
    """A staff member whose PIN was right: what the hello needs of the staff row."""

    id: str
    name: str
    windows: tuple[int, ...]
    supervisor: bool
    desk: bool = False


@dataclass(frozen=True)
class Refusal:
    """A refused hello: the error frame to send (in `lang`), then the close code."""

    error: Error
    close: int
    lang: str


def refusal(error: Error, lang: str) -> Refusal:
    """The refusal of a hello with this error."""
    return Refusal(error, CLOSE_OF.get(error.code, CLOSE_FORBIDDEN), lang)


def _bad_hello(zh: str, en: str) -> RequestError:
    return RequestError("bad_hello", zh, en)


def read_hello(raw: str | bytes) -> Hello | Refusal:
    """The first frame as a hello of this protocol version, or its refusal."""
    try:
        frame = parse_json(raw)  # a text frame of JSON, nested at most MAX_DEPTH
    except ValueError:
        frame = None
    lang = "en" if isinstance(frame, dict) and frame.get("lang") == "en" else "zh"
    if not isinstance(frame, dict) or frame.get("type") != "hello":
        return refusal(_bad_hello("第一帧应为 hello", "The first frame must be a hello"), lang)
    if not all(is_text(v) for v in frame.values() if isinstance(v, str)):
        return refusal(
            _bad_hello("hello 含有无效的字符", "The hello holds characters that are not text"), lang
        )
    v = frame.get("v")
    if type(v) is not int or v != VERSION:  # not True, not 1.0
        return refusal(
            RequestError(
                "unsupported_version",
                f"不支持的协议版本：{quote(v)}",
                f"Unsupported protocol version: {quote(v)}",
            ),
            lang,
        )
    return Hello(frame.get("role"), lang, frame)


class LoginLimit:
    """Failed staff logins per address: past `limit` within `window` seconds, `locked` at once.

    An attempt counts from before its PIN check (so parallel guesses count too) and
    is forgotten when it succeeds; past the limit a staff hello from that address is
    refused without running scrypt until its oldest failure is `window` seconds old.
    """

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock  # seconds, monotonic (tests move a fake one)
        self.recent: dict[str, deque[float]] = {}

    def begin(self, address: str) -> float:
        """Count an attempt from `address` (its mark); raises RequestError (locked) past the limit."""
        now = self.clock()
        if len(self.recent) > 1024:  # forget addresses whose failures have all aged out
            for a in [a for a, q in self.recent.items() if q[-1] <= now - self.window]:
                del self.recent[a]
        q = self.recent.setdefault(address, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        if len(q) >= self.limit:
            mins = max(1, math.ceil((q[0] + self.window - now) / 60))
            raise RequestError(
                "locked",
                f"此地址登录失败次数过多，请 {mins} 分钟后再试",
                f"Too many failed logins from this address: try again in {mins} min",
            )
        q.append(now)
        return now

    def succeeded(self, address: str, mark: float) -> None:
        """The attempt `mark` from `address` logged in: it is not a failure."""
        q = self.recent.get(address)
        if q is not None and mark in q:
            q.remove(mark)
            if not q:
                del self.recent[address]


class RateLimit:
    """Anonymous traffic per address: at most `limit` hits within `window` seconds.

    Each visitor hello and each visitor request is a hit; past the limit the hello
    or the request is refused with ``rate_limited`` until the oldest hit ages out.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.recent: dict[str, deque[float]] = {}

    def hit(self, address: str) -> None:
        """Count a hit from `address`; raises RequestError (rate_limited) past the limit."""
        now = time.monotonic()
        if len(self.recent) > 4096:
            for a in [a for a, q in self.recent.items() if q[-1] <= now - self.window]:
                del self.recent[a]
        q = self.recent.setdefault(address, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        if len(q) >= self.limit:
            secs = max(1, math.ceil(q[0] + self.window - now))
            raise RequestError(
                "rate_limited",
                f"请求过于频繁，请 {secs} 秒后再试",
                f"Too many requests from this address: try again in {secs} s",
            )
        q.append(now)


class Gate:
    """Admits hellos: checks device tokens, staff PINs (with lockout), windows, ticket tokens."""

    def __init__(
        self,
        store: Store,
        hall: Hall,
        clock: Callable[[], datetime],
        logins: LoginLimit | None = None,
        visitors: RateLimit | None = None,
    ) -> None:
        self.visitors = visitors or RateLimit(VISITOR_LIMIT, VISITOR_WINDOW)
        self.store = store
        self.hall = hall
        self.clock = clock
        self.pin_checks = auth.OneCheckPerStaff()
        self.logins = logins or LoginLimit(LOGIN_FAILURES, LOGIN_WINDOW)

    async def admit(self, hello: Hello, engine: Engine, address: str) -> Session | Refusal:
        """The session of a hello from `address` (the peer's IP), or its refusal; the engine's
        windows say who holds what."""
        try:
            return await self._admit(hello, engine, address)
        except RequestError as e:
            return refusal(e, hello.lang)

    async def _admit(self, hello: Hello, engine: Engine, address: str) -> Session:
        role, lang, fields = hello.role, hello.lang, hello.fields
        if role == "display":
            return Session("display", f"display:{secrets.token_hex(4)}", lang)
        if role == "visitor":
            # anonymous (预约 pages): no credentials, rate-limited per address; `client` is
            # the page's own random id, so a request resent after a reconnect is the same one
            self.visitors.hit(address)
            client = fields.get("client")
            if not isinstance(client, str) or not _CLIENT_ID.fullmatch(client):
                client = secrets.token_urlsafe(16)
            return Session(
                "visitor",
                f"visitor:{client}",
                lang,
                Actor("visitor", client),
                address=address,
            )
        if role == "kiosk":
            token = fields.get("token")
            dev = (
                await asyncio.to_thread(
                    self.store.device_by_token, self.hall.id, auth.token_hash(token)
                )
                if isinstance(token, str) and token
                else None
            )
            if dev is None or dev["role"] != "kiosk":
                raise RequestError("auth_failed", "设备令牌无效", "Invalid device token")
            await asyncio.to_thread(
                self.store.device_seen, self.hall.id, dev["name"], self.clock(), address or None
            )
            return Session("kiosk", f"kiosk:{dev['name']}", lang, Actor("kiosk", dev["name"]))
        if role == "citizen":
            token = fields.get("ticket")
            ticket = self.ticket_for_token(engine, token) if isinstance(token, str) else None
            if ticket is None:
                raise RequestError("auth_failed", "票据无效或已过期", "Unknown or expired ticket")
            tid = ticket["id"]
            past = ticket if tid not in engine.tickets else None
            stored = await asyncio.to_thread(self.store.complaints_of_ticket, self.hall.id, tid)
            return Session(
                "citizen",
                f"ticket:{tid}",
                lang,
                Actor("citizen", tid),
                ticket=tid,
                past_ticket=past,
                stored_complaints=tuple(stored),
            )
        if role not in STAFF_ROLES:
            raise _bad_hello(f"未知角色：{quote(role)}", f"Unknown role: {quote(role)}")
        staff = await self._login(fields.get("staff"), fields.get("pin"), address)
        sid, name = staff.id, staff.name
        if role == "supervisor":
            if not staff.supervisor:
                raise RequestError(
                    "forbidden",
                    f"工号 {sid} 不是值班主管，请用主管工号登录",
                    f"Staff {sid} is not a supervisor: log in with a supervisor's staff id",
                )
            actor = Actor("supervisor", sid)
            return Session(role, f"staff:{sid}", lang, actor, staff=sid, staff_name=name)
        if role == "desk":
            if not staff.desk:
                raise RequestError(
                    "forbidden",
                    f"工号 {sid} 不是咨询台工作人员",
                    f"Staff {sid} is not desk staff (hall staff set {sid} --desk)",
                )
            actor = Actor("desk", sid)
            return Session(role, f"staff:{sid}", lang, actor, staff=sid, staff_name=name)
        window = fields.get("window")
        if not isinstance(window, int) or isinstance(window, bool):
            raise _bad_hello("请指定窗口号", "A counter hello needs a window number")
        if self.hall.window(window) is None:
            raise RequestError(
                "forbidden", f"本大厅没有 {window} 号窗口", f"This hall has no window {window}"
            )
        if window not in staff.windows:
            raise RequestError(
                "forbidden",
                f"工号 {sid} 无权使用 {window} 号窗口",
                f"Staff {sid} may not use window {window}",
            )
        w = engine.windows[window]
        if w["state"] != W_CLOSED and w["staff"] != sid:
            raise RequestError(
                "window_taken",
                f"{window} 号窗口已由其他工作人员登录",
                f"Window {window} is held by another staff member",
            )
        actor = Actor("counter", sid, window)
        return Session(
            "counter", f"staff:{sid}", lang, actor, staff=sid, staff_name=name, window=window
        )

    async def _login(self, sid: object, pin: object, address: str) -> Staff:
        """The staff row whose PIN this is; raises RequestError (bad_hello, locked, auth_failed)."""
        if (
            not isinstance(sid, str)
            or not isinstance(pin, str)
            or not sid
            or len(sid) > MAX_CREDENTIAL
            or len(pin) > MAX_CREDENTIAL
        ):
            raise _bad_hello("请提供工号和密码", "A staff hello needs staff and pin strings")
        mark = self.logins.begin(address)
        async with self.pin_checks.turn(sid):
            staff = await self._check_pin(sid, pin)
        self.logins.succeeded(address, mark)
        return staff

    async def _check_pin(self, sid: str, pin: str) -> Staff:
        staff = await asyncio.to_thread(self.store.get_staff, self.hall.id, sid)
        if staff is not None and staff["status"] != auth.STAFF_ACTIVE:
            staff = None  # disabled or removed: refused like an unknown id, no lockout counted
        now = self.clock()
        mins = auth.minutes_locked(staff["locked_until"], now) if staff is not None else 0
        if mins:
            raise RequestError(
                "locked",
                f"密码错误次数过多，账号已锁定，请 {mins} 分钟后再试",
                f"Too many failed attempts: locked, try again in {mins} min",
            )
        stored = staff["pin_hash"] if staff is not None else auth.dummy_hash()
        ok = await asyncio.to_thread(auth.check_pin, pin, stored)
        if staff is None or not ok:
            if staff is not None:
                failures, until = auth.after_failure(staff["failures"], now)
                await asyncio.to_thread(
                    self.store.set_staff_failures, self.hall.id, sid, failures, until
                )
                if until is not None:
                    raise RequestError(
                        "locked",
                        f"密码错误次数过多，账号已锁定 {auth.LOCK_MINUTES} 分钟",
                        f"Too many failed attempts: locked for {auth.LOCK_MINUTES} minutes",
                    )
            raise RequestError("auth_failed", "工号或密码错误", "Wrong staff id or PIN")
        if staff["failures"] or staff["locked_until"] is not None:
            await asyncio.to_thread(self.store.set_staff_failures, self.hall.id, sid, 0, None)
        return Staff(
            sid,
            staff["name"],
            tuple(staff["windows"] or ()),
            bool(staff["supervisor"]),
            bool(staff.get("desk")),
        )

    def ticket_for_token(self, engine: Engine, token: str) -> Ticket | None:
        """The ticket (of today, else of an earlier day) a citizen token opens, or None."""
        if not token or len(token) > MAX_TICKET_TOKEN:
            return None
        h = auth.token_hash(token)
        tid = engine.tokens.get(h)
        if tid is not None:
            return engine.tickets.get(tid)
        return self.store.ticket_by_token(self.hall.id, h)


def logged_out_reason(
    session: Session, staff: tuple[str, list[int], bool] | tuple[str, list[int], bool, bool] | None
) -> str | None:
    """Why a staff session must end now, given the staff row's (status, windows, supervisor,
    desk); without the desk flag a desk session is not judged on it."""
    if staff is None:
        return "removed"
    status, windows, supervisor = staff[:3]
    if status != auth.STAFF_ACTIVE:
        return status  # "disabled" or "removed"
    if session.role == "desk" and len(staff) > 3 and not staff[3]:
        return "not_desk"
    if session.window is not None and session.window not in windows:
        return "window_removed"
    if session.role == "supervisor" and not supervisor:
        return "not_supervisor"
    return None
