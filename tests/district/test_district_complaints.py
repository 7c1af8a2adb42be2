"""The district's complaint center: a district supervisor acts on a hall's complaint from
/district/ws, the hall applies it through its link, exactly once, through an outage."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from support.district import serve_tickets
from support.raw import Conn, citizen, counter, kiosk, supervisor
from support.tcpproxy import TcpProxy
from support.wait import wait_for
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from hub import auth, district
from hub.district import DistrictServer
from hub.ship import COMMANDS, Shipper
from hub.store import EVENTS, Store

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

FAST = {"poll_s": 0.2, "heartbeat_s": 0.3, "backoff_s": (0.05, 0.3)}
PIN = "2468"
T = 60  # seconds a condition may take on a loaded machine (it bounds a failure, measures nothing)
TEXT = "窗口工作人员办事拖拉"
ANSWER = "经核实已整改，感谢监督。"


class Page:
    """A district page's websocket: the last `complaints` frame, replies and errors."""

    def __init__(self, ws: Any, welcome: dict[str, Any]) -> None:
        self.ws = ws
        self.welcome = welcome
        self.complaints: list[dict[str, Any]] = []
        self.commands: dict[int, dict[str, Any]] = {}
        self.replies: dict[str, dict[str, Any]] = {}
        self.errors: list[dict[str, Any]] = []
        self.closed: int | None = None
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                f = json.loads(raw)
                if f["type"] == "complaints":
                    self.complaints = f["complaints"]
                    self.commands = {c["id"]: c for c in f["commands"]}
                elif f["type"] in ("ok", "error") and f.get("re"):
                    self.replies[f["re"]] = f
                elif f["type"] == "error":
                    self.errors.append(f)
        except ConnectionClosed:
            pass
        finally:
            self.closed = self.ws.close_code

    def listed(self, cid: str) -> dict[str, Any] | None:
        return next((c for c in self.complaints if c["id"] == cid), None)

    async def act(self, rid: str, hall: str, command: str, **args: Any) -> dict[str, Any]:
        await self.ws.send(
            json.dumps({"type": "act", "id": rid, "hall": hall, "command": command, **args})
        )
        return await wait_for(lambda: self.replies.get(rid), T, f"reply to {rid}")

    async def close(self) -> None:
        await self.ws.close()
        self.task.cancel()


async def page(server: DistrictServer, staff: str, pin: str = PIN, lang: str = "zh") -> Page:
    ws = await connect(f"ws://127.0.0.1:{server.port}/district/ws", proxy=None)
    await ws.send(json.dumps({"type": "hello", "staff": staff, "pin": pin, "lang": lang}))
    first = json.loads(await asyncio.wait_for(ws.recv(), T))
    if first["type"] != "welcome":
        await ws.close()
        raise PermissionError(first)
    return Page(ws, first)


async def complaint_at(hall: Any, text: str = TEXT) -> tuple[str, Conn, str]:
    """A ticket served at window 13, then its citizen complains: the id, the ticket page and
    its token."""
    k = await kiosk(hall)
    c13 = await counter(hall, 13)
    issued = await k.ok("issue", service="MZ-01")
    await c13.ok("call_next")
    await c13.ok("start")
    await c13.ok("finish", outcome="done")
    z = await citizen(hall, issued["token"])
    cid = (await z.ok("complain", text=text))["complaint"]
    for c in (k, c13):
        await c.close()
    return str(cid), z, str(issued["token"])


def hall_events(store: Store, hall_id: str, kind: str) -> list[dict[str, Any]]:
    """The hall's own stored events of one type (its store is the source of truth)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(EVENTS.c.payload)
            .where(EVENTS.c.hall_id == hall_id, EVENTS.c.type == kind)
            .order_by(EVENTS.c.seq)
        ).all()
    return [json.loads(r[0]) for r in rows]


def command_rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(COMMANDS)).scalar() or 0)


@pytest.fixture
async def center(
    tmp_path: Path, pg_url: str, pg_proxy: tuple[TcpProxy, str], make_hall: Callable[..., Any]
) -> AsyncIterator[tuple[Any, ...]]:
    """Hall xiang-a shipping from SQLite through a cuttable link, hall zhongxin direct on the
    district database, d001 (every hall) and d002 (zhongxin only), the district service."""
    proxy, via = pg_proxy
    store = Store(pg_url)
    district.prepare(store)
    a = make_hall(tmp_path / "a.db", "xiang-a", "甲乡便民服务中心")
    c = make_hall(pg_url, "zhongxin", "区政务服务中心")
    await a.start(link=Shipper(a.store, "xiang-a", via, **FAST))
    await c.start(link=Shipper(c.store, "zhongxin", None, **FAST))
    hashed = auth.hash_pin(PIN)
    district.add_staff(store, "d001", "区主管", hashed, None)
    district.add_staff(store, "d002", "中心专管", hashed, ["zhongxin"])
    server = DistrictServer(store, port=0, stale_after=4.0, safety_poll=1.0)
    await server.start()
    try:
        yield a, c, server, proxy, store, via
    finally:
        await server.stop()
        store.dispose()


async def test_a_shipping_hall_answers_through_an_outage_exactly_once(
    center: tuple[Any, ...],
) -> None:
    a, c, server, proxy, store, via = center
    cid, z, token = await complaint_at(a)
    p = await page(server, "d001")
    await wait_for(lambda: p.listed(cid), T, "the complaint on the district page")
    listed = p.listed(cid)
    assert listed is not None
    assert (listed["hall"], listed["window"], listed["state"]) == ("xiang-a", 13, "received")
    assert listed["text"] == TEXT and listed["staff"] == a.clerk(13)[0] and listed["due"]
    assert "urgency" in listed

    # a supervisor scoped to another hall neither sees it nor may act on it
    p2 = await page(server, "d002", lang="en")
    await wait_for(lambda: p2.commands == {} and p2.complaints == [], T)
    before = command_rows(store)
    refused = await p2.act("x1", "xiang-a", "accept_complaint", complaint=cid)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    assert refused["message"] == "You may not act on this hall"
    assert command_rows(store) == before
    await p2.close()

    # accepted from the district: the hall's supervisor sees who did it
    s = await supervisor(a)
    ok = await p.act("r1", "xiang-a", "accept_complaint", complaint=cid)
    assert ok["type"] == "ok" and ok["command"]["status"] in ("pending", "applied")
    first = ok["command"]["id"]
    ev = await s.next("complaint_accepted", timeout=T)
    assert ev["staff"] == "district:d001" and ev["record"]["supervisor"] == "district:d001"
    assert ev["district_command"] == first
    await wait_for(lambda: p.commands.get(first, {}).get("status") == "applied", T)
    await wait_for(lambda: (p.listed(cid) or {}).get("state") == "accepted", T)

    # the link drops: the actions wait (pending), the hall goes on
    await proxy.cut()
    again = await p.act("r2", "xiang-a", "accept_complaint", complaint=cid)  # already accepted
    answer = await p.act("r3", "xiang-a", "answer_complaint", complaint=cid, text=ANSWER)
    assert again["type"] == answer["type"] == "ok"
    dup, ans = again["command"]["id"], answer["command"]["id"]
    await wait_for(lambda: ans in p.commands, T, "the command listed")
    assert p.commands[ans]["status"] == "pending" and p.commands[ans]["text"] == ANSWER
    await serve_tickets(a, 3)  # the hall keeps working meanwhile
    await asyncio.sleep(1.0)  # a link that is down applies nothing, however long
    assert a.server.engine.complaint_book.items[cid]["state"] == "accepted"
    assert p.commands[ans]["status"] == "pending"

    # the link returns: applied in order, the second accept refused with its words
    await proxy.restore()
    await wait_for(lambda: p.commands.get(ans, {}).get("status") == "applied", T, "applied")
    await wait_for(lambda: p.commands.get(dup, {}).get("status") == "refused", T, "refused")
    assert p.commands[dup]["error"]["code"] == "invalid_state"
    assert "不能执行 accept" in p.commands[dup]["error"]["message"]
    got = await z.next("complaint_answered", timeout=T)  # the citizen's ticket page
    assert got["record"]["answer"] == ANSWER and got["record"]["state"] == "answered"
    ev = await s.next("complaint_answered", timeout=T)  # the hall's supervisor board
    assert ev["record"]["answer"] == ANSWER and ev["staff"] == "district:d001"
    await wait_for(lambda: p.listed(cid) and p.listed(cid)["state"] == "answered", T)  # type: ignore[index]
    assert len(hall_events(a.store, "xiang-a", "complaint_answered")) == 1

    # the hub stops after its commit, before the link wrote the outcome back: the command
    # reads pending again, and the hub started anew does not run it twice
    await a.stop()
    with store.engine.begin() as conn:
        conn.execute(
            COMMANDS.update().where(COMMANDS.c.id == ans).values(status="pending", result=None)
        )
    await a.start(link=Shipper(a.store, "xiang-a", via, **FAST))
    await wait_for(lambda: p.commands.get(ans, {}).get("status") == "applied", T, "again")
    assert len(hall_events(a.store, "xiang-a", "complaint_answered")) == 1
    assert p.commands[ans]["applied_seq"] == ev["seq"]

    # closed from the district: off the list of open complaints
    await p.act("r4", "xiang-a", "close_complaint", complaint=cid)
    await wait_for(lambda: p.listed(cid) is None, T, "closed")
    z2 = await citizen(a, token)
    (shown,) = z2.state["complaints"]
    assert shown["answer"] == ANSWER and shown["state"] == "closed"
    for conn in (s, z, z2):
        await conn.close()
    await p.close()


async def test_a_direct_hall_and_bad_actions(center: tuple[Any, ...]) -> None:
    a, c, server, proxy, store, via = center
    cid, z, _ = await complaint_at(c, "大厅空调坏了")
    p = await page(server, "d002", lang="en")
    await wait_for(lambda: p.listed(cid), T, "the complaint on the district page")
    for rid, command, args, code in (
        ("b1", "call_next", {"complaint": cid}, "bad_args"),
        ("b2", "answer_complaint", {"complaint": cid}, "bad_args"),  # no text
        ("b3", "accept_complaint", {"complaint": "nope"}, "not_found"),
        ("b4", "accept_complaint", {"complaint": cid, "hall": "xiang-a"}, "forbidden"),
    ):
        hall = str(args.pop("hall", "zhongxin"))
        r = await p.act(rid, hall, command, **args)
        assert r["type"] == "error" and r["code"] == code, r
    assert command_rows(store) == 0
    await p.act("g1", "zhongxin", "accept_complaint", complaint=cid)
    await p.act("g2", "zhongxin", "note_complaint", complaint=cid, text="调取监控")
    r = await p.act(
        "g3", "zhongxin", "reject_complaint", complaint=cid, reason="已报修，非服务问题"
    )
    rid = r["command"]["id"]
    await wait_for(lambda: p.commands.get(rid, {}).get("status") == "applied", T)
    got = await z.next("complaint_rejected", timeout=T)
    assert got["record"]["reason"] == "已报修，非服务问题"
    assert "notes" not in got["record"]  # the notes stay with the supervisors
    (rejected,) = hall_events(c.store, "zhongxin", "complaint_rejected")
    assert [n["staff"] for n in rejected["record"]["notes"]] == ["district:d002"]
    await wait_for(lambda: p.listed(cid) is None, T, "rejected: off the list")
    await z.close()
    await p.close()


async def test_a_disabled_supervisor_is_logged_out(center: tuple[Any, ...]) -> None:
    a, c, server, proxy, store, via = center
    p = await page(server, "d002")
    assert district.set_staff_status(store, "d002", "disabled")
    await wait_for(lambda: p.errors, T, "logged out")
    assert p.errors[-1]["code"] == "logged_out"
    assert p.errors[-1]["message"] == "您的账号已被停用，已退出登录"
    await wait_for(lambda: p.closed is not None, T)
    with pytest.raises(PermissionError) as e:
        await page(server, "d002", lang="en")
    assert e.value.args[0]["code"] == "auth_failed"
    assert district.set_staff_status(store, "d002", "active")
    p = await page(server, "d002")
    assert district.set_staff_status(store, "d002", "removed")
    await wait_for(lambda: p.errors, T, "logged out")
    assert p.errors[-1]["message"] == "您的账号已被删除，已退出登录"
    with pytest.raises(PermissionError):
        await page(server, "d002")
    assert not district.set_staff_status(store, "nobody", "disabled")
