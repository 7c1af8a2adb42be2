"""Property-based fuzzing of a real hub: mutated hellos and commands for every role.

Each example opens one connection as one role, with a hello that may be mutated
(fields dropped, wrong types, surrogates, another version, a binary frame, deep
nesting), then sends a few mutated command frames of any type (random types,
missing and extra fields, wrong types, huge, empty and unstorable strings, numbers
out of range, ``NaN``, deep nesting, binary frames), one at a time. Properties:

- a hello gets a ``welcome``, or one ``error`` and a close with its documented code;
- every frame after it gets exactly one reply, ``ok`` or ``error``, whose ``re`` is
  the frame's id when that is a valid text id, else null; the connection stays
  open (but after ``logout``);
- the hub's ``seq`` moves only when something was acknowledged (an ``ok`` of a
  command that changes state, or a counter's welcome, which opens its window),
  and the database holds exactly the hub's ``seq``;
- the hub stays up (a watching connection answers ``ping``) and nothing logs an
  error or a traceback.

Derandomized and bounded (``max_examples``), the clock fixed, so a run in CI
is the same run every time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support.raw import TIMEOUT, Conn, kiosk, open_raw, supervisor
from websockets.exceptions import ConnectionClosed

from hub.validate import SCHEMA, is_text
from shared.protocol import COMMANDS

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(600)]

NOON = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 11:00 in the demo hall (Asia/Shanghai)
DEEP = "[" * 200 + "]" * 200
DEEP_MARK = "\u2063deep\u2063"  # a string value replaced by DEEP in the frame's text
READ_ONLY = {"ping", "metrics"}  # commands whose ok changes nothing
WINDOWS = (1, 2, 3, 4)
SERVICES = ["WT-01", "MZ-01", "GH-01", "JS-01", "NOPE", ""]
HELLO_CLOSES = {4000, 4001, 4003}


class Errors(logging.Handler):
    """Every record of level ERROR or with a traceback, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


@pytest.fixture
def errors() -> Iterator[Errors]:
    h = Errors()
    root = logging.getLogger()
    root.addHandler(h)
    try:
        yield h
    finally:
        root.removeHandler(h)


# --- strategies

odd_strings = st.sampled_from(
    ["", " ", "\ud800", "a\udfffb", "\x00", "x" * 3000, "中文", "[{", '"', "\\", DEEP_MARK]
)
strings = st.one_of(st.text(max_size=20), odd_strings)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 5, 6, 1440, 1441, 2**31, 2**63, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, strings)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
examples = (
    itertools.count()
)  # ids unique across examples: no reply comes from the idempotency cache
every_type = sorted({t for kinds in COMMANDS.values() for t in kinds})


@st.composite
def argument(draw: st.DrawFn, name: str, tickets: list[str]) -> Any:
    """A plausible value of an argument, often a valid one."""
    plausible = {
        "service": st.sampled_from(SERVICES),
        "services": st.lists(st.sampled_from(SERVICES), max_size=3),
        "ticket": st.sampled_from(tickets or ["none"]),
        "window": st.sampled_from([*WINDOWS, 0, 99]),
        "level": st.integers(min_value=0, max_value=6),
        "minutes": st.sampled_from([1, 30, 0, 2000]),
        "outcome": st.sampled_from(["done", "pending", "maybe"]),
        "priority": st.sampled_from(["normal", "priority", "vip"]),
        "lang": st.sampled_from(["zh", "en", "fr"]),
        "ok": st.booleans(),
        "day": st.sampled_from(["2026-11-26", "2026-11-25", "yesterday"]),
    }.get(name, st.sampled_from(["理由", "reason", "好"]))
    return draw(st.one_of(plausible, plausible, plausible, values))


ARGS = ["service", "services", "ticket", "window", "level", "minutes", "outcome", "priority"]
ARGS += ["lang", "ok", "day", "text", "reason", "note", "message", "kind"]


@st.composite
def command(draw: st.DrawFn, role: str, tickets: list[str], n: int) -> str | bytes:
    """One command frame as sent: mostly of the role's types, with mutated fields."""
    own = st.sampled_from(sorted(COMMANDS[role]) or ["ping"])
    kind: Any = draw(st.one_of(own, own, own, st.sampled_from(every_type), strings, values))
    frame: dict[str, Any] = {"type": kind, "id": f"f{next(examples)}-{n}"}
    names = (
        [a for a in SCHEMA.get(kind, {}) if draw(st.integers(0, 9))]
        if isinstance(kind, str)
        else []
    )
    names += draw(st.lists(st.sampled_from(ARGS), max_size=2, unique=True))
    for name in names:
        frame[name] = draw(argument(name, tickets))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        op = draw(st.sampled_from(["drop", "retype", "extra"]))
        key = draw(st.sampled_from(sorted(frame) or ["id"]))
        if op == "drop":
            frame.pop(key, None)
        elif op == "retype":
            frame[key] = draw(values)
        else:
            frame[draw(st.text(max_size=8))] = draw(values)
    return encode(draw, frame)


def encode(draw: st.DrawFn, frame: object) -> str | bytes:
    """The frame's text (ASCII-escaped, so a lone surrogate travels as an escape), at times
    as a binary frame, cut short, or nested too deep."""
    text = json.dumps(frame).replace(json.dumps(DEEP_MARK), DEEP)
    how = draw(st.sampled_from(["text"] * 8 + ["binary", "cut", "array"]))
    if how == "binary":
        return text.encode()
    if how == "cut":
        return text[: len(text) // 2]
    if how == "array":
        return f"[{text}]"
    return text


@st.composite
def opening(draw: st.DrawFn, hub: Any, token: str) -> tuple[str, str | bytes, bool]:
    """(role, the hello as sent, whether it is unmutated)."""
    role = draw(st.sampled_from(["kiosk", "display", "counter", "supervisor", "citizen"]))
    w = draw(st.sampled_from(WINDOWS))
    fields: dict[str, Any] = {"type": "hello", "v": 1, "role": role}
    if role == "kiosk":
        fields["token"] = hub.kiosk_token
    elif role == "citizen":
        fields["ticket"] = token
    elif role == "counter":
        sid, pin = hub.clerk(w)
        fields.update(staff=sid, pin=pin, window=w)
    elif role == "supervisor":
        sid, pin = hub.supervisor
        fields.update(staff=sid, pin=pin)
    if draw(st.integers(min_value=0, max_value=3)):
        return role, json.dumps(fields), True
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        op = draw(st.sampled_from(["drop", "retype", "extra"]))
        if op == "drop":
            fields.pop(draw(st.sampled_from(sorted(fields))), None)
        elif op == "retype":
            fields[draw(st.sampled_from(sorted(fields)))] = draw(values)
        else:
            fields[draw(st.sampled_from(["lang", "x", "staff", "role"]))] = draw(values)
    return role, encode(draw, fields), False


# --- the run


async def reply(ws: Any) -> dict[str, Any] | None:
    """The next ok or error frame (pushed frames skipped), or None when the hub closed."""
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
        except ConnectionClosed:
            return None
        f = json.loads(raw)
        if f.get("type") in ("ok", "error", "welcome"):
            return f  # type: ignore[no-any-return]


def expected_re(data: str | bytes) -> str | None:
    """The ``re`` of the reply to a frame: its id when the frame parses and the id is text."""
    if isinstance(data, bytes):
        return None
    try:
        frame = json.loads(data, parse_constant=_not_json)
    except ValueError:
        return None
    if not isinstance(frame, dict) or DEEP in data:
        return None
    rid = frame.get("id")
    return rid if isinstance(rid, str) and is_text(rid) else None


def _not_json(name: str) -> None:
    raise ValueError(name)


@pytest.fixture
async def setting(hub) -> Any:
    """The hub restarted on a fixed clock with no login limit, a ticket and its token, a watcher."""
    await hub.stop()
    await hub.start(clock=lambda: NOON, login_failures=10**6)
    k = await kiosk(hub)
    issued = await k.ok("issue", service="WT-01")
    watcher = await supervisor(hub)
    yield issued["token"], watcher
    await k.close()
    await watcher.close()


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_fuzzed_frames(hub, setting, errors: Errors, data: st.DataObject) -> None:
    token, watcher = setting
    watcher: Conn
    errors.records.clear()  # this example's only
    server = hub.server
    role, hello_frame, plain = data.draw(opening(hub, token))
    seq0 = server.engine.seq
    movers = 0
    ws = await open_raw(hub.url)
    try:
        await ws.send(hello_frame)
        first = await reply(ws)
        assert first is not None, f"no answer to the hello {hello_frame!r:.200}"
        if first["type"] == "error":
            assert first["re"] is None, first
            await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
            assert ws.close_code in HELLO_CLOSES, (hello_frame, ws.close_code)
            # an unmutated hello is refused only for a counter whose clerk holds another window
            assert not plain or role == "counter", first
            event(f"hello refused: {first['code']}")
            return
        assert first["type"] == "welcome", first
        role = first["role"]
        movers += role == "counter"  # its hello opened the window (or it was open already)
        tickets = sorted(server.engine.tickets)
        for n in range(data.draw(st.integers(min_value=1, max_value=5))):
            frame = data.draw(command(role, tickets, n))
            await ws.send(frame)
            got = await reply(ws)
            assert got is not None, f"closed {ws.close_code} after {frame!r:.300}"
            assert got["type"] in ("ok", "error"), got
            assert got["re"] == expected_re(frame), (frame[:300], got)
            event(f"{role}: {got.get('code', 'ok')}")  # --hypothesis-show-statistics
            if got["type"] == "error":
                assert isinstance(got["message"], str) and got["message"], got
                continue
            sent = json.loads(frame)
            if sent["type"] not in READ_ONLY:
                movers += 1
            if sent["type"] == "logout":
                await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
                assert ws.close_code == 1000
                break
    finally:
        await ws.close()
    # the hub is up; the seq moved only with what was acknowledged, and it is all stored
    await watcher.ok("ping")
    seq1 = server.engine.seq
    if movers == 0:
        assert seq1 == seq0, (role, hello_frame)
    assert seq1 >= seq0
    assert hub.store.max_seq(hub.hall.id) == seq1
    assert not errors.records, [r.getMessage() for r in errors.records]
    for s in hub.hall.staff:  # wrong PINs of mutated hellos must not lock the next example out
        hub.store.set_staff_failures(hub.hall.id, s.id, 0, None)
