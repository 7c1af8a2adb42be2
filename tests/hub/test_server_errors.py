"""Every error code of a request: the reply, the open connection, nothing changed (the seq).

Each refusal is checked against GET /healthz: the hub's seq before and after
must be equal, and the connection must still answer the next request.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from support.raw import Conn, citizen, counter, display, healthz, hub_seq, kiosk, supervisor

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(40)]


async def refuse(hub, conn: Conn, kind: str, code: str, /, **args: object) -> dict:
    """The request fails with `code`, the connection stays open, the hub's seq does not move."""
    before = await hub_seq(hub)
    reply = await conn.error(kind, code, **args)
    assert not conn.closed.is_set(), f"{kind} closed the connection"
    assert await hub_seq(hub) == before, f"{kind} {args} changed the seq"
    return reply


async def test_forbidden(hub) -> None:
    k = await kiosk(hub)
    issued = await k.ok("issue", service="JS-01")
    d = await display(hub)
    c = await counter(hub, 1)
    s = await supervisor(hub)
    z = await citizen(hub, issued["token"])
    cases = {
        k: [
            "call_next",
            "notice",
            "cancel",
            "metrics",
            "set_window",
            "close_window",
            "logout",
            "rate",
        ],
        d: ["issue", "call_next", "notice", "cancel", "metrics", "complain"],
        c: ["issue", "notice", "set_window", "close_window", "cancel", "rate", "complain"],
        s: ["call_next", "start", "finish", "logout", "cancel", "rate"],
        z: ["issue", "call_next", "start", "metrics", "notice", "close_window"],
    }
    for conn, kinds in cases.items():
        for kind in kinds:
            await refuse(hub, conn, kind, "forbidden")
    # with valid arguments too: the role decides
    await refuse(hub, d, "issue", "forbidden", service="JS-01")
    await refuse(hub, z, "call", "forbidden", ticket=issued["ticket"]["id"])
    await refuse(hub, c, "close_window", "forbidden", window=1)
    # every connection still works
    assert (await s.ok("metrics"))["metrics"]
    assert (await c.ok("call_next"))["ticket"]["id"] == issued["ticket"]["id"]
    for conn in cases:
        await conn.close()


async def test_unknown_type(hub) -> None:
    k = await kiosk(hub)
    d = await display(hub)
    c = await counter(hub, 2, staff="c002")
    for conn in (k, d, c):
        for kind in ("fly", "open_window", "_roll", "hello", "welcome", "ok", "ticket_called", ""):
            reply = await refuse(hub, conn, kind, "unknown_type")
            assert reply["re"] is not None
    await k.ok("issue", service="JS-01")
    for conn in (k, d, c):
        await conn.close()


async def test_bad_args(hub) -> None:
    k = await kiosk(hub)
    s = await supervisor(hub)
    c = await counter(hub, 3)
    served = await k.ok("issue", service="WT-01")
    waiting = await k.ok("issue", service="WT-01")
    z = await citizen(hub, served["token"])
    for args in (
        {},
        {"service": 5},
        {"service": ""},
        {"service": ["WT-01"]},
        {"service": "WT-01", "priority": "vip"},
        {"service": "WT-01", "priority": True},
        {"service": "WT-01", "lang": "fr"},
    ):
        await refuse(hub, k, "issue", "bad_args", **args)
    await refuse(hub, c, "call", "bad_args")
    await refuse(hub, c, "call", "bad_args", ticket=42)
    await refuse(hub, c, "requeue", "bad_args", ticket=None)
    await refuse(hub, c, "unpark", "bad_args", ticket={"id": "x"})
    await refuse(hub, c, "pause", "bad_args")
    await refuse(hub, c, "pause", "bad_args", reason="   ")
    await refuse(hub, c, "pause", "bad_args", reason=7)
    await c.ok("call_next")
    await c.ok("start")
    await refuse(hub, c, "finish", "bad_args")
    await refuse(hub, c, "finish", "bad_args", outcome="maybe")
    await refuse(hub, c, "finish", "bad_args", outcome="done", note=["x"])
    await refuse(hub, c, "transfer", "bad_args", service="GH-01")
    await refuse(hub, c, "transfer", "bad_args", service="GH-01", reason="")
    await refuse(hub, c, "transfer", "bad_args", service="GH-01", reason="x", window="11")
    await refuse(hub, c, "transfer", "bad_args", service="GH-01", reason="x", window=0)
    # 3 does not serve GH-01
    await refuse(hub, c, "transfer", "bad_args", service="GH-01", reason="x", window=3)
    await refuse(hub, c, "park", "bad_args")
    await refuse(hub, c, "metrics", "bad_args", day="yesterday")
    await refuse(hub, s, "notice", "bad_args")
    await refuse(hub, s, "notice", "bad_args", text=3)
    await refuse(hub, s, "notice", "bad_args", text="x", minutes=0)
    await refuse(hub, s, "notice", "bad_args", text="x", minutes="5")
    await refuse(hub, s, "set_window", "bad_args", window=3)
    await refuse(hub, s, "set_window", "bad_args", window=3, services=[])
    await refuse(hub, s, "set_window", "bad_args", window=3, services="WT-01")
    await refuse(hub, s, "set_window", "bad_args", window="3", services=["WT-01"])
    await refuse(hub, s, "close_window", "bad_args")
    await refuse(hub, s, "close_window", "bad_args", window=3.0)
    await refuse(hub, s, "metrics", "bad_args", day=20261126)
    await refuse(hub, z, "complain", "bad_args")
    await refuse(hub, z, "complain", "bad_args", text="  ")
    await c.ok("finish", outcome="done")
    for args in ({}, {"level": 0}, {"level": 6}, {"level": "5"}, {"level": True}, {"level": 4.5}, {"level": 2},
                 {"level": 1}, {"level": 1, "reason": "   "}, {"level": 3, "reason": 3}):  # fmt: skip
        await refuse(hub, z, "rate", "bad_args", **args)
    await z.ok("rate", level=1, reason="态度不好")
    # a request id must be a non-empty string
    before = await hub_seq(hub)
    for frame in ({"type": "issue", "service": "WT-01"}, {"type": "issue", "id": 7, "service": "WT-01"},
                  {"type": "issue", "id": "", "service": "WT-01"}, {"type": "issue", "id": "x" * 200, "service": "WT-01"}):  # fmt: skip
        await k.send_raw(json.dumps(frame))
        reply = await asyncio.wait_for(k.stray.get(), 30)
        assert reply["type"] == "error" and reply["code"] == "bad_args", reply
    assert await hub_seq(hub) == before
    await k.ok("issue", service="WT-01")
    assert waiting["ticket"]["state"] == "waiting"
    for conn in (k, s, c, z):
        await conn.close()


async def test_not_found(hub) -> None:
    k = await kiosk(hub)
    s = await supervisor(hub)
    c = await counter(hub, 11)
    await refuse(hub, k, "issue", "not_found", service="XX-99")
    await refuse(hub, k, "issue", "not_found", service="MZ")
    await refuse(hub, c, "call", "not_found", ticket="20261126-Z999")
    await refuse(hub, c, "requeue", "not_found", ticket="nope")
    await refuse(hub, c, "unpark", "not_found", ticket="nope")
    await refuse(hub, s, "set_window", "not_found", window=99, services=["GH-01"])
    await refuse(hub, s, "set_window", "not_found", window=11, services=["GH-01", "XX-99"])
    await refuse(hub, s, "close_window", "not_found", window=99)
    await refuse(hub, s, "metrics", "not_found", day="2001-01-01")
    await k.ok("issue", service="GH-01")
    await c.ok("call_next")
    await c.ok("start")
    await refuse(hub, c, "transfer", "not_found", service="XX-99", reason="x")
    await refuse(hub, c, "transfer", "not_found", service="MZ-01", window=99, reason="x")
    await c.ok("transfer", service="MZ-01", window=13, reason="x")
    for conn in (k, s, c):
        await conn.close()


async def test_invalid_state(hub) -> None:
    k = await kiosk(hub)
    s = await supervisor(hub)
    c = await counter(hub, 5)
    c6 = await counter(hub, 6)
    one = await k.ok("issue", service="SR-01")
    two = await k.ok("issue", service="SR-01")
    z1 = await citizen(hub, one["token"])
    z2 = await citizen(hub, two["token"])
    for kind in ("recall", "start", "no_show", "resume"):
        await refuse(hub, c, kind, "invalid_state")
    await refuse(hub, c, "finish", "invalid_state", outcome="done")
    await refuse(hub, c, "park", "invalid_state", reason="x")
    await refuse(hub, c, "transfer", "invalid_state", service="SR-02", reason="x")
    # waiting, not a no-show
    await refuse(hub, c, "requeue", "invalid_state", ticket=one["ticket"]["id"])
    # waiting, not parked
    await refuse(hub, c, "unpark", "invalid_state", ticket=one["ticket"]["id"])
    await refuse(hub, z1, "rate", "invalid_state", level=5)  # nothing served yet
    await refuse(hub, s, "close_window", "invalid_state", window=7)  # nobody there
    await c.ok("call", ticket=one["ticket"]["id"])
    await refuse(hub, c6, "call", "invalid_state", ticket=one["ticket"]["id"])  # already called
    await refuse(hub, z1, "cancel", "invalid_state")  # called: too late to cancel
    await refuse(hub, c, "finish", "invalid_state", outcome="done")  # called, not serving
    await c.ok("start")
    await refuse(hub, c, "recall", "invalid_state")
    await refuse(hub, c, "no_show", "invalid_state")
    await c.ok("park", reason="取材料")
    # parked at window 5
    await refuse(hub, c6, "unpark", "invalid_state", ticket=one["ticket"]["id"])
    await c.ok("unpark", ticket=one["ticket"]["id"])
    await c.ok("finish", outcome="done")
    await refuse(hub, c, "call", "invalid_state", ticket=one["ticket"]["id"])  # done
    await c.ok("pause", reason="开会")
    await refuse(hub, c, "pause", "invalid_state", reason="again")
    await c.ok("resume")
    await z2.ok("cancel")
    await refuse(hub, z2, "cancel", "invalid_state")
    await refuse(hub, c, "call", "invalid_state", ticket=two["ticket"]["id"])  # cancelled
    # a ticket of a service the window does not serve
    other = await k.ok("issue", service="MZ-01")
    await refuse(hub, c, "call", "invalid_state", ticket=other["ticket"]["id"])
    for conn in (k, s, c, c6, z1, z2):
        await conn.close()


async def test_queue_empty_window_busy_window_paused(hub) -> None:
    k = await kiosk(hub)
    s = await supervisor(hub)
    c = await counter(hub, 7)
    await refuse(hub, c, "call_next", "queue_empty")
    await k.ok("issue", service="MZ-01")  # not this window's service
    await refuse(hub, c, "call_next", "queue_empty")
    first = await k.ok("issue", service="JG-01")
    second = await k.ok("issue", service="JG-02")
    await c.ok("call_next")
    await refuse(hub, c, "call_next", "window_busy")
    await refuse(hub, c, "call", "window_busy", ticket=second["ticket"]["id"])
    await refuse(hub, c, "pause", "window_busy", reason="x")
    await refuse(hub, c, "logout", "window_busy")
    await c.ok("start")
    await refuse(hub, c, "call_next", "window_busy")
    await refuse(hub, c, "pause", "window_busy", reason="x")
    await c.ok("finish", outcome="done")
    await c.ok("pause", reason="系统故障")
    await refuse(hub, c, "call_next", "window_paused")
    await refuse(hub, c, "call", "window_paused", ticket=second["ticket"]["id"])
    await c.ok("resume")
    assert (await c.ok("call_next"))["ticket"]["id"] == second["ticket"]["id"]
    assert first["ticket"]["id"] != second["ticket"]["id"]
    for conn in (k, s, c):
        await conn.close()


async def test_bad_message(hub) -> None:
    k = await kiosk(hub)
    d = await display(hub)
    z = await citizen(hub, (await k.ok("issue", service="JS-02"))["token"])
    for conn in (k, d, z):
        for raw in ("not json", "[1, 2]", "null", "42", '"issue"', "{", "true", b'{"type": 1}'):
            before = await hub_seq(hub)
            await conn.send_raw(raw)
            reply = await asyncio.wait_for(conn.stray.get(), 30)
            assert reply["type"] == "error" and reply["code"] == "bad_message", (raw, reply)
            assert reply["re"] is None, (raw, reply)
            assert reply["message"]
            assert await hub_seq(hub) == before
            assert not conn.closed.is_set()
    # an object without a string type: bad_message, answered to its id
    await k.send_raw(json.dumps({"id": "x1", "service": "JS-02"}))
    reply = await asyncio.wait_for(k.stray.get(), 30)
    assert (reply["code"], reply["re"]) == ("bad_message", "x1")
    await k.ok("issue", service="JS-02")
    for conn in (k, d, z):
        await conn.close()


async def test_error_messages_follow_the_hello_language(hub) -> None:
    zh = await kiosk(hub)
    from support.raw import hello

    en = await hello(hub.url, role="kiosk", token=hub.kiosk_token, lang="en")
    a = await zh.error("issue", "not_found", service="XX-99")
    b = await en.error("issue", "not_found", service="XX-99")
    assert a["message"] != b["message"] and b["message"].isascii()
    a = await zh.error("issue", "bad_args")
    b = await en.error("issue", "bad_args")
    assert a["message"] != b["message"] and b["message"].isascii()
    await zh.close()
    await en.close()


async def test_rate_limited_flood(hub) -> None:
    k = await kiosk(hub)
    before = await hub_seq(hub)
    # 300 requests sent at once, nobody waiting for replies
    futures = [await k.send_request("issue", f"flood-{i}", service="JS-03") for i in range(300)]
    replies = await asyncio.wait_for(asyncio.gather(*futures), 30)
    codes = [r.get("code", "ok") for r in replies]
    assert set(codes) <= {"ok", "rate_limited"}, set(codes)
    assert codes.count("rate_limited") > 0
    oks = codes.count("ok")
    assert oks >= 64
    # a refused request changed nothing: one event per ticket issued
    assert await hub_seq(hub) == before + oks
    assert not k.closed.is_set()
    # and a refused id is not spent: sent again (calmly) it is served
    refused_id = next(f"flood-{i}" for i, code in enumerate(codes) if code == "rate_limited")
    assert (await k.ok("issue", refused_id, service="JS-03"))["ticket"][
        "number"
    ] == f"F{oks + 1:03d}"
    await k.close()


async def test_sixteen_in_flight_never_rate_limited(hub) -> None:
    k = await kiosk(hub)
    c = await counter(hub, 31)
    total, window = 240, 16
    sent = 0
    pending: set[asyncio.Future] = set()
    codes: list[str] = []
    while sent < total or pending:
        while sent < total and len(pending) < window:
            conn, kind, args = (
                (k, "issue", {"service": "WT-03"}) if sent % 3 else (c, "metrics", {})
            )
            pending.add(await conn.send_request(kind, f"calm-{sent}", **args))
            sent += 1
        done, pending = await asyncio.wait(pending, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        assert done, "no reply within 10 s"
        codes += [f.result().get("code", "ok") for f in done]
    assert codes.count("ok") == total, {c for c in codes if c != "ok"}
    health = await healthz(hub)
    assert health["status"] == "ok"
    await k.close()
    await c.close()


async def test_too_large_frame_closes_with_1009(hub) -> None:
    k = await kiosk(hub)
    before = await hub_seq(hub)
    # exactly 64 KiB is still accepted (the padding is an unknown field, dropped)
    frame = {"type": "issue", "id": "big-ok", "service": "JS-01", "pad": ""}
    frame["pad"] = "x" * (64 * 1024 - len(json.dumps(frame)))
    raw = json.dumps(frame)
    assert len(raw.encode()) == 64 * 1024
    await k.send_raw(raw)
    reply = await asyncio.wait_for(k.stray.get(), 30)
    assert reply["type"] == "ok" and reply["re"] == "big-ok"
    before += 1
    # one byte more closes the connection with 1009 and changes nothing
    frame = dict(frame, id="big-no", pad=frame["pad"] + "x")
    assert len(json.dumps(frame).encode()) == 64 * 1024 + 1
    await k.send_raw(json.dumps(frame))
    assert await k.wait_closed() == 1009
    assert await hub_seq(hub) == before
    # a multi-byte text over the limit, from a display
    d = await display(hub)
    await d.send_raw(
        json.dumps({"type": "issue", "id": "zh", "text": "政" * 30000}, ensure_ascii=False)
    )
    assert await d.wait_closed() == 1009
    assert await hub_seq(hub) == before
    k2 = await kiosk(hub)
    assert [t["number"] for t in k2.state["tickets"]] == ["F001"]
    await k2.close()
