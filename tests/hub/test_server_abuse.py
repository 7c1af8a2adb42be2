"""Hostile frames: each gets its reply or its documented close, the hub stays up, nothing changes.

Lone surrogates (``"\\ud800"``: valid JSON, not valid Unicode text), NUL characters,
nesting deeper than the limit, ``NaN``/``Infinity`` literals, binary frames, and
guessing staff ids from one address. The frames are sent as raw text, since Python
cannot encode a lone surrogate into a UTF-8 frame: the JSON escape carries it.
Every test also checks that nothing in the log carries a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from support.raw import (
    TIMEOUT,
    Conn,
    Frame,
    citizen,
    counter,
    display,
    healthz,
    hub_seq,
    kiosk,
    open_raw,
    refused,
    supervisor,
)

from hub import auth, session
from hub.errors import RequestError

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(60)]

SURROGATE = "\\ud800"  # as it stands in the JSON text
DEEP = "[" * 1000 + "]" * 1000  # 2 KB, a thousand levels


@pytest.fixture(autouse=True)
def no_traceback(caplog: pytest.LogCaptureFixture):
    """Fail the test if anything logged an error or a traceback while it ran."""
    caplog.set_level(logging.INFO)
    yield
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not bad, [r.getMessage() for r in bad]


async def raw_reply(conn: Conn, text: str | bytes, rid: str | None) -> Frame:
    """Send a raw frame; its reply (to `rid`, or the next reply with ``re`` null)."""
    if rid is None:
        await conn.send_raw(text)
        return await asyncio.wait_for(conn.stray.get(), TIMEOUT)
    fut: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
    conn._waiting[rid] = fut
    await conn.send_raw(text)
    return await asyncio.wait_for(fut, TIMEOUT)


def frame_text(kind: str, rid: str, /, **args: object) -> str:
    """A request's JSON text whose string arguments hold a lone surrogate (`SURROGATE` marks it)."""
    text = json.dumps({"type": kind, "id": rid, **args}, ensure_ascii=False)
    return text.replace("@S@", SURROGATE)


async def refused_raw(hub, conn: Conn, text: str | bytes, code: str, rid: str | None) -> Frame:
    """The raw frame is refused with `code`; the connection stays open; the seq does not move."""
    before = await hub_seq(hub)
    reply = await raw_reply(conn, text, rid)
    assert reply["type"] == "error" and reply["code"] == code, (text[:80], reply)
    assert reply["re"] == rid, reply
    assert isinstance(reply["message"], str) and reply["message"], reply
    await conn.ok("ping")
    assert not conn.closed.is_set()
    assert await hub_seq(hub) == before, f"{text[:80]!r} changed the seq"
    return reply


async def test_unstorable_text_in_any_argument_is_refused(hub) -> None:
    k = await kiosk(hub)
    served = await k.ok("issue", service="WT-01")
    waiting = await k.ok("issue", service="WT-01")
    d = await display(hub)
    c = await counter(hub, 3)
    s = await supervisor(hub)
    z = await citizen(hub, served["token"])
    await c.ok("call_next")
    await c.ok("start")
    for bad in ("@S@", "ok @S@ text", "\x00", "a\x00b"):
        cases: list[tuple[Conn, str, dict[str, object]]] = [
            (z, "complain", {"text": bad}),
            (z, "rate", {"level": 3, "reason": bad}),
            (k, "printer_status", {"ok": False, "message": bad}),
            (k, "printer_status", {"ok": False, "kind": bad}),
            (k, "issue", {"service": bad}),
            (c, "finish", {"outcome": "done", "note": bad}),
            (c, "transfer", {"service": "GH-01", "reason": bad}),
            (c, "park", {"reason": bad}),
            (c, "pause", {"reason": bad}),
            (c, "call", {"ticket": bad}),
            (c, "requeue", {"ticket": bad}),
            (c, "metrics", {"day": bad}),
            (s, "notice", {"text": bad}),
            (s, "set_window", {"window": 3, "services": ["WT-01", bad]}),
        ]
        for i, (conn, kind, args) in enumerate(cases):
            await refused_raw(hub, conn, frame_text(kind, f"u{i}", **args), "bad_args", f"u{i}")
    # nobody was disconnected, everything still works
    for conn in (k, d, c, s, z):
        assert not conn.closed.is_set()
    await c.ok("finish", outcome="done", note="好")
    await z.ok("complain", text="正常的投诉")
    await c.ok("call", ticket=waiting["ticket"]["id"])
    for conn in (k, d, c, s, z):
        await conn.close()


async def test_surrogate_in_id_or_type_gets_a_reply(hub) -> None:
    k = await kiosk(hub)
    # the id is not valid text: the reply cannot quote it, so re is null
    await refused_raw(hub, k, frame_text("ping", "@S@"), "bad_args", None)
    await refused_raw(hub, k, frame_text("issue", "a@S@b", service="WT-01"), "bad_args", None)
    # the type is not valid text: unknown, the message quotes it escaped
    reply = await refused_raw(hub, k, frame_text("@S@", "t1"), "unknown_type", "t1")
    assert "\\ud800" in reply["message"], reply
    await refused_raw(hub, k, frame_text("x" * 5000 + "@S@", "t2"), "unknown_type", "t2")
    # an unknown field is dropped, whatever its name
    reply = await raw_reply(k, '{"type":"ping","id":"t3","\\ud800":"\\ud800"}', "t3")
    assert reply["type"] == "ok", reply
    await k.close()


async def test_surrogate_in_hello_fields_is_refused(hub) -> None:
    sid, pin = hub.clerk(1)
    base = '{"type":"hello","v":1,'
    cases = [
        base + '"role":"\\ud800"}',
        base + '"role":"display","lang":"\\ud800"}',
        base + '"role":"kiosk","token":"\\ud800"}',
        base + '"role":"citizen","ticket":"\\ud800"}',
        base + f'"role":"counter","staff":"\\ud800","pin":"{pin}","window":1}}',
        base + f'"role":"counter","staff":"{sid}","pin":"\\ud800","window":1}}',
        base + '"role":"supervisor","staff":"s\\ud800","pin":"9999"}',
        '{"type":"hello","v":"\\ud800","role":"display"}',
        '{"type":"hello\\ud800","v":1,"role":"display"}',
        base + '"role":"display","x":"\\u0000"}',
    ]
    for text in cases:
        frame, close = await refused(hub.url, text)
        assert frame["code"] in ("bad_hello", "unsupported_version"), (text, frame)
        assert close == 4000, (text, close)
    assert (await healthz(hub))["clients"] == 0
    d = await display(hub)
    await d.close()


async def test_deep_nesting_is_a_bad_message(hub) -> None:
    # before hello: a refused hello
    frame, close = await refused(hub.url, DEEP)
    assert (frame["code"], close) == ("bad_hello", 4000)
    frame, close = await refused(
        hub.url, '{"type":"hello","v":1,"role":"display","x":' + DEEP + "}"
    )
    assert (frame["code"], close) == ("bad_hello", 4000)
    # after hello: bad_message, the connection stays open
    k = await kiosk(hub)
    await refused_raw(hub, k, DEEP, "bad_message", None)
    await refused_raw(hub, k, '{"type":"ping","id":"n1","x":' + DEEP + "}", "bad_message", None)
    await refused_raw(hub, k, '{"a":' * 40 + "1" + "}" * 40, "bad_message", None)
    # brackets inside strings are text, not nesting
    reply = await raw_reply(k, frame_text("ping", "n2", x="[" * 5000), "n2")
    assert reply["type"] == "ok", reply
    # a few levels are fine
    reply = await raw_reply(k, '{"type":"ping","id":"n3","x":' + "[" * 10 + "]" * 10 + "}", "n3")
    assert reply["type"] == "ok", reply
    await k.close()


async def test_not_json_numbers_and_binary_frames_are_bad_messages(hub) -> None:
    k = await kiosk(hub)
    for literal in ("NaN", "Infinity", "-Infinity"):
        text = '{"type":"issue","id":"i-L","service":"WT-01","x":L}'.replace("L", literal)
        await refused_raw(hub, k, text, "bad_message", None)
    await refused_raw(hub, k, b'{"type":"issue","id":"b1","service":"WT-01"}', "bad_message", None)
    await refused_raw(hub, k, b"\xff\xfe", "bad_message", None)
    assert (await healthz(hub))["seq"] == 0
    # binary or NaN hellos are refused
    ws = await open_raw(hub.url)
    await ws.send(b'{"type":"hello","v":1,"role":"display"}')
    first = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    assert (first["type"], first["code"]) == ("error", "bad_hello"), first
    await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
    assert ws.close_code == 4000
    frame, close = await refused(hub.url, '{"type":"hello","v":1,"role":"display","x":NaN}')
    assert (frame["code"], close) == ("bad_hello", 4000)
    await k.close()


async def test_failed_logins_are_limited_per_address(hub, monkeypatch) -> None:
    await hub.stop()
    await hub.start(login_failures=3)
    checks = 0
    check_pin = auth.check_pin

    def counting(pin: str, stored: str) -> bool:
        nonlocal checks
        checks += 1
        return check_pin(pin, stored)

    monkeypatch.setattr(auth, "check_pin", counting)
    guesses = [
        {"type": "hello", "v": 1, "role": "supervisor", "staff": f"guess{i}", "pin": "0000"}
        for i in range(3)
    ]
    for g in guesses:
        frame, close = await refused(hub.url, g)
        assert (frame["code"], close) == ("auth_failed", 4001)
    assert checks == 3
    # from now on this address gets `locked` without a PIN check, even with a right PIN
    for g in [
        *guesses,
        {"type": "hello", "v": 1, "role": "supervisor", "staff": "s001", "pin": "9999"},
    ]:
        frame, close = await refused(hub.url, g)
        assert (frame["code"], close) == ("locked", 4001), frame
    assert checks == 3
    # parallel guesses are counted before their PIN checks
    results = await asyncio.gather(*(refused(hub.url, g) for g in guesses * 5))
    assert {(f["code"], c) for f, c in results} == {("locked", 4001)}
    assert checks == 3
    # roles without a PIN are not limited
    d = await display(hub)
    k = await kiosk(hub)
    await k.ok("issue", service="WT-01")
    for conn in (d, k):
        await conn.close()


async def test_failed_logins_limit_frees_after_the_window(hub) -> None:
    await hub.stop()
    await hub.start(login_failures=2, login_window=300)
    now = [1000.0]  # the limit's clock, moved by the test: a slow machine changes nothing
    hub.server.gate.logins.clock = lambda: now[0]
    bad = {"type": "hello", "v": 1, "role": "supervisor", "staff": "nobody", "pin": "0000"}
    for _ in range(2):
        assert (await refused(hub.url, bad))[0]["code"] == "auth_failed"
    now[0] += 299
    assert (await refused(hub.url, bad))[0]["code"] == "locked"
    now[0] += 2  # the first failure is past the window
    s = await supervisor(hub)
    await s.close()


def test_login_limit_counts_per_address_and_forgets() -> None:
    now = [1000.0]
    limit = session.LoginLimit(2, 60.0, clock=lambda: now[0])
    ok = limit.begin("10.0.0.1")
    limit.succeeded("10.0.0.1", ok)  # a login that worked is no failure
    assert "10.0.0.1" not in limit.recent
    limit.begin("10.0.0.1")
    limit.begin("10.0.0.1")
    with pytest.raises(RequestError) as e:
        limit.begin("10.0.0.1")
    assert e.value.code == "locked"
    limit.begin("10.0.0.2")  # another address is not affected
    now[0] += 61  # the failures age out
    limit.begin("10.0.0.1")
    for i in range(1100):  # many addresses: those whose failures aged out are forgotten
        limit.begin(f"10.1.{i // 256}.{i % 256}")
    now[0] += 61
    limit.begin("10.0.0.3")
    assert list(limit.recent) == ["10.0.0.3"]
