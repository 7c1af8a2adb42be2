"""The one reconnecting hub client every app uses (kiosk, counter, display, supervisor board).

Theory of operation
-------------------
``run()`` is a loop of *sessions*. A session opens the websocket, sends
``hello``, waits for ``welcome`` (a fresh snapshot: ``on_welcome``), then
reads frames until the connection drops. Between sessions it sleeps with
exponential backoff and full jitter; a session that got a welcome and stayed
up for a while resets the backoff. Every retry sleeps at least
``min_backoff``, so a hub that accepts and closes at once cannot make a
tight loop.

Requests live in ``_pending`` (id -> frame + future) until answered, timed
out, or the client is closed. A request is sent at most once per session,
in the order it was made, with at most ``MAX_IN_FLIGHT`` unanswered on the
wire (the hub never rate-limits a client that keeps to that). After each
welcome every unanswered request is sent again with the *same* id: the hub
is idempotent by (identity, id), so a request whose reply was lost in a drop
happens once and its reply arrives once.

Roles that see every event (kiosk, counter, supervisor) must see ``seq``
grow by exactly one; a gap drops the connection for a fresh welcome.
Filtered roles (display, citizen) only need it to grow. Events whose ``seq``
is not above the welcome's are already in the snapshot and are skipped.

Fatal outcomes stop ``run()`` without retrying (retrying a wrong PIN only
locks the staff id): a hello ``error`` frame, close codes 4000/4001/4003,
and 4002 (the same staff member's newer session took the window over).
Every other close reconnects, 4008 included (the hub dropped this client for
leaving more than its send cap unread: the next welcome brings it up to date).

Callbacks run one at a time, in order, in a dispatcher task beside the
reader: a callback may await ``request()`` without blocking the replies it
needs. They may be sync or async; an exception in one is logged and the
loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from uuid import uuid4

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidURI

from shared.protocol import (
    CLOSE_AUTH,
    CLOSE_BAD_HELLO,
    CLOSE_FORBIDDEN,
    CLOSE_TAKEN_OVER,
    HELLO_ERRORS,
    MAX_HUB_FRAME,
    MAX_IN_FLIGHT,
    VERSION,
    dumps,
)

__all__ = ["HubClient", "HubError", "GAPLESS_ROLES", "FATAL_CODES"]

log = logging.getLogger(__name__)

# Roles whose event stream has no gaps (docs/protocol.md, "Events").
GAPLESS_ROLES: Final = frozenset({"kiosk", "counter", "supervisor"})
# Error codes after which reconnecting cannot help.
FATAL_CODES: Final = frozenset(HELLO_ERRORS) | {"taken_over"}
# A close code of the hub that ends the client, and the error code it stands for.
FATAL_CLOSE_CODES: Final = {
    CLOSE_BAD_HELLO: "bad_hello",
    CLOSE_AUTH: "auth_failed",
    CLOSE_FORBIDDEN: "forbidden",
    CLOSE_TAKEN_OVER: "taken_over",
}
# A welcomed connection must stay up this long to reset the backoff: a hub that
# welcomes then drops at once (or keeps sending gaps) is not hammered.
STABLE_AFTER_S: Final = 2.0

Callback = Callable[[Any], Any]


class HubError(Exception):
    """An error reply of the hub, or a local condition (timeout, closed, taken_over)."""

    def __init__(self, code: str, message: str = "", extra: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        # the error frame's other fields (a refused issue's next_open, check_in's late ...)
        self.extra: dict[str, Any] = extra or {}

    def __repr__(self) -> str:
        return f"HubError({self.code!r}, {self.message!r})"


@dataclass
class _Pending:
    frame: dict[str, Any]
    future: asyncio.Future[dict[str, Any]]
    sent_in: int = -1  # the session in which it was last sent (-1: never)


@dataclass
class _Session:
    """What one connection ended with."""

    welcomed: bool = False
    lasted_s: float = 0.0
    fatal: HubError | None = None


class HubClient:
    """A reconnecting websocket client of the hub (see the module docstring)."""

    def __init__(
        self,
        url: str,
        hello: dict[str, Any],
        *,
        min_backoff: float = 0.2,
        max_backoff: float = 5.0,
        open_timeout: float = 5.0,
    ) -> None:
        if min_backoff <= 0 or max_backoff < min_backoff:
            raise ValueError("need 0 < min_backoff <= max_backoff")
        self.url = url
        self.hello: dict[str, Any] = {k: v for k, v in hello.items() if k not in ("type", "v")}
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.open_timeout = open_timeout

        self.on_welcome: Callable[[dict[str, Any]], Any] | None = None
        self.on_event: Callable[[dict[str, Any]], Any] | None = None
        self.on_status: Callable[[bool], Any] | None = None
        self.on_error: Callable[[HubError], Any] | None = None

        self.online: bool = False
        self.welcome: dict[str, Any] | None = None
        self.seq: int | None = None
        self.error: HubError | None = None  # the fatal error that stopped run(), if any

        self._pending: dict[str, _Pending] = {}
        self._ws: ClientConnection | None = None
        self._session_no = 0
        self._closed = False  # close() was called
        self._stopped = False  # run() ended for good (closed or fatal)
        self._online_event = asyncio.Event()
        self._stop_event = asyncio.Event()
        self._calls: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
        self._run_task: asyncio.Task[None] | None = None
        self._dispatch_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ public API

    @property
    def role(self) -> str | None:
        """The role this client says hello as."""
        role = self.hello.get("role")
        return role if isinstance(role, str) else None

    async def run(self) -> None:
        """Connect, read frames and reconnect until closed or a fatal error."""
        if self._run_task is not None and not self._run_task.done():
            raise RuntimeError("HubClient.run() is already running")
        if self._stopped:
            return
        self._run_task = asyncio.current_task()
        dispatcher = asyncio.create_task(self._dispatch(), name="hub-client-callbacks")
        self._dispatch_task = dispatcher
        attempt = 0
        finished = False
        try:
            while not self._closed:
                session = await self._session()
                if session.fatal is not None:
                    self._stop(session.fatal)
                    break
                if self._closed:
                    break
                if session.welcomed and session.lasted_s >= STABLE_AFTER_S:
                    attempt = 0
                delay = self.backoff(attempt)
                attempt += 1
                log.info("hub %s: reconnecting in %.2f s", self.url, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_event.wait(), delay)
            self._stopped = True
            finished = True
        finally:
            self._set_offline()
            try:
                if finished:
                    # Let the last callbacks (on_status(False), on_error) run before returning.
                    self._calls.put_nowait(None)
                    await asyncio.shield(dispatcher)
            finally:
                # Cancelled from outside (the client may be run again), or the drain was.
                if not dispatcher.done():
                    dispatcher.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await dispatcher
                self._dispatch_task = None
                self._run_task = None

    async def request(
        self,
        type: str,
        *,
        timeout: float | None = None,
        request_id: str | None = None,
        **args: Any,
    ) -> dict[str, Any]:
        """Send a request and return its ok reply; raise HubError for an error, timeout or close.

        Pass the same `request_id` to retry a request that timed out: the hub answers a
        repeated id with the first reply, so the retry never acts twice.
        """
        if self._stopped or self._closed:
            raise HubError("closed", self._closed_message())
        rid = request_id or uuid4().hex
        if rid in self._pending:
            raise HubError("bad_args", f"request id {rid!r} is already waiting for its reply")
        frame = {**args, "type": type, "id": rid}
        pending = _Pending(frame, asyncio.get_running_loop().create_future())
        self._pending[rid] = pending
        try:
            async with asyncio.timeout(timeout):
                await self._pump()
                return await pending.future
        except TimeoutError:
            raise HubError("timeout", f"no reply to {type!r} within {timeout} s") from None
        finally:
            self._pending.pop(rid, None)
            if not pending.future.done():
                pending.future.cancel()

    async def wait_online(self, timeout: float | None = None) -> bool:
        """Wait until the client holds a welcomed connection; False on timeout or stop."""
        if self.online:
            return True
        if self._stopped or self._closed:
            return False
        waiters = [
            asyncio.ensure_future(self._online_event.wait()),
            asyncio.ensure_future(self._stop_event.wait()),
        ]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
        return self.online

    async def close(self) -> None:
        """Stop for good: fail pending requests with HubError("closed"), drop the connection."""
        if self._closed:
            return
        self._closed = True
        self._stop_event.set()
        self._fail_pending(HubError("closed", "the hub client was closed"))
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        run_task = self._run_task
        current = asyncio.current_task()
        if run_task is None or run_task.done():
            self._stopped = True
            self._set_offline()
            return
        if current is not run_task and current is not self._dispatch_task:
            # Called from elsewhere: return once run() has wound down.
            await asyncio.wait([run_task], timeout=self.open_timeout + 1.0)

    def backoff(self, attempt: int) -> float:
        """The delay before retry number ``attempt`` (0-based): full jitter, capped."""
        cap = min(self.max_backoff, self.min_backoff * 2 ** min(attempt + 1, 30))
        return random.uniform(self.min_backoff, cap)

    # ------------------------------------------------------------------ one connection

    async def _session(self) -> _Session:
        """Run one connection from open to close and say how it ended."""
        out = _Session()
        try:
            ws = await connect(
                self.url,
                proxy=None,
                max_size=MAX_HUB_FRAME,
                open_timeout=self.open_timeout,
                ping_interval=10,
                ping_timeout=10,
                compression=None,
            )
        except InvalidURI as exc:
            out.fatal = HubError("bad_url", str(exc))
            return out
        except Exception as exc:  # refused, DNS, HTTP status, handshake timeout: retry
            log.info("hub %s: cannot connect: %r", self.url, exc)
            return out
        if self._closed:
            await ws.close()
            return out

        self._ws = ws
        self._session_no += 1
        welcomed_at: float | None = None
        try:
            await ws.send(dumps({**self.hello, "type": "hello", "v": VERSION}))
            # The hub must welcome within open_timeout; after that, pings bound a stall.
            async with asyncio.timeout(self.open_timeout) as deadline:
                while True:
                    frame = self._decode(await ws.recv())
                    if frame is None:
                        continue
                    kind = frame.get("type")
                    if kind == "welcome":
                        deadline.reschedule(None)
                        if welcomed_at is None:
                            welcomed_at = time.monotonic()
                        self._on_welcome(frame)
                        await self._pump()
                    elif kind == "error" or (kind == "ok" and "re" in frame):
                        fatal = self._on_reply(frame)
                        if fatal is not None:
                            out.fatal = fatal
                            break
                        await self._pump()
                    elif welcomed_at is None:
                        log.warning("hub %s: %r before welcome, ignored", self.url, kind)
                    elif not self._on_pushed(frame):
                        break  # seq gap: drop, reconnect, fresh welcome
        except TimeoutError:
            log.warning("hub %s: no welcome within %s s", self.url, self.open_timeout)
        except ConnectionClosed as exc:
            rcvd = exc.rcvd
            if rcvd is not None and rcvd.code in FATAL_CLOSE_CODES:
                code = FATAL_CLOSE_CODES[rcvd.code]
                out.fatal = HubError(
                    code, rcvd.reason or f"the hub closed the connection ({rcvd.code})"
                )
            elif not self._closed:
                log.info("hub %s: connection closed: %s", self.url, exc)
        except Exception:
            log.exception("hub %s: session failed", self.url)
        finally:
            self._ws = None
            self._set_offline()
            with contextlib.suppress(Exception):
                await ws.close()
        if welcomed_at is not None:
            out.welcomed = True
            out.lasted_s = time.monotonic() - welcomed_at
        return out

    def _decode(self, raw: str | bytes) -> dict[str, Any] | None:
        if isinstance(raw, bytes):
            log.warning("hub %s: binary frame ignored", self.url)
            return None
        try:
            frame = json.loads(raw)
        except ValueError:
            log.warning("hub %s: frame is not JSON, ignored", self.url)
            return None
        if not isinstance(frame, dict):
            log.warning("hub %s: frame is not an object, ignored", self.url)
            return None
        return frame

    def _on_welcome(self, frame: dict[str, Any]) -> None:
        seq = frame.get("seq")
        self.welcome = frame
        self.seq = seq if type(seq) is int else None
        was_online = self.online
        self.online = True
        self._online_event.set()
        if not was_online:
            self._call("on_status", True)
        self._call("on_welcome", frame)

    def _on_reply(self, frame: dict[str, Any]) -> HubError | None:
        """Settle the request a reply answers; return the error when it is fatal and unaddressed."""
        rid = frame.get("re")
        pending = self._pending.get(rid) if isinstance(rid, str) else None
        if pending is None:
            if frame.get("type") == "error":
                if not isinstance(rid, str) and frame.get("code") in FATAL_CODES:
                    return self.error_from(frame)  # a hello error (or a takeover notice)
                log.warning("hub %s: error for no pending request: %s", self.url, frame)
            else:
                log.debug("hub %s: late or unknown reply %r dropped", self.url, rid)
            return None
        if not pending.future.done():
            if frame.get("type") == "ok":
                pending.future.set_result(frame)
            else:
                pending.future.set_exception(self.error_from(frame))
        return None

    def _on_pushed(self, frame: dict[str, Any]) -> bool:
        """Deliver an event or position frame; False when a seq gap needs a fresh welcome."""
        seq = frame.get("seq")
        if type(seq) is int:
            if self.seq is not None:
                if seq <= self.seq:
                    return True  # already in the snapshot (or a duplicate)
                if self.role in GAPLESS_ROLES and seq != self.seq + 1:
                    log.warning(
                        "hub %s: seq gap %s -> %s, reconnecting for a fresh welcome",
                        self.url,
                        self.seq,
                        seq,
                    )
                    return False
            self.seq = seq
        if frame.get("type") == "catalogue" and self.welcome is not None:
            # `hall catalogue apply`: what this client knows of the hall is the new catalogue
            self.welcome = {**self.welcome, "hall": frame.get("hall") or self.welcome.get("hall")}
        self._call("on_event", frame)
        return True

    @staticmethod
    def error_from(frame: dict[str, Any]) -> HubError:
        """The HubError an error frame stands for."""
        code = frame.get("code")
        message = frame.get("message")
        extra = {k: v for k, v in frame.items() if k not in ("type", "re", "code", "message")}
        return HubError(
            code if isinstance(code, str) else "error",
            message if isinstance(message, str) else "",
            extra,
        )

    # ------------------------------------------------------------------ requests

    async def _pump(self) -> None:
        """Send unsent requests in order, keeping at most MAX_IN_FLIGHT unanswered."""
        ws, session_no = self._ws, self._session_no
        if not self.online or ws is None:
            return
        for pending in list(self._pending.values()):
            if self._ws is not ws or self._session_no != session_no or not self.online:
                return
            if pending.sent_in == session_no or pending.future.done():
                continue
            in_flight = sum(
                1 for p in self._pending.values() if p.sent_in == session_no and not p.future.done()
            )
            if in_flight >= MAX_IN_FLIGHT:
                return
            pending.sent_in = session_no  # before the await: no other pump sends it too
            try:
                await ws.send(dumps(pending.frame))
            except ConnectionClosed:
                return  # the reader sees the drop; the next welcome resends it

    def _fail_pending(self, error: HubError) -> None:
        for pending in list(self._pending.values()):
            if not pending.future.done():
                pending.future.set_exception(error)
                # the awaiting request() re-raises it; nobody else must see it unretrieved
                pending.future.exception()

    # ------------------------------------------------------------------ state and callbacks

    def _set_offline(self) -> None:
        if self.online:
            self.online = False
            self._online_event.clear()
            self._call("on_status", False)

    def _stop(self, error: HubError) -> None:
        log.error("hub %s: stopped: %s", self.url, error)
        self.error = error
        self._stopped = True
        self._stop_event.set()
        self._fail_pending(error)
        self._call("on_error", error)

    def _closed_message(self) -> str:
        if self.error is not None and not self._closed:
            return f"the hub client stopped after {self.error.code}"
        return "the hub client was closed"

    def _call(self, name: str, arg: Any) -> None:
        self._calls.put_nowait((name, arg))

    async def _dispatch(self) -> None:
        """Run callbacks one at a time, in the order their causes happened."""
        while True:
            item = await self._calls.get()
            if item is None:
                return
            name, arg = item
            callback: Callback | None = getattr(self, name)
            if callback is None:
                continue
            try:
                result = callback(arg)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("hub client callback %s failed", name)
