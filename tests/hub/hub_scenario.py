"""A busy day over the raw protocol, and frame look-ups, for the hub's protocol tests."""

from __future__ import annotations

from typing import Any

from support.raw import Conn, Frame, citizen, counter, supervisor


async def busy_day(hub: Any, k: Conn) -> tuple[dict[str, Frame], list[Conn]]:
    """A scenario touching every kind of event a request can cause.

    Tickets a, b (MZ-01), c (MZ-02), d (GH-01): a is handed off 13 -> 11 and done there, then
    rated 2 and complained about by its citizen; b is a no-show, requeued, parked, unparked and
    left pending; c is cancelled by its citizen; d is handed off from 11 to MZ-03 and waits. Returns the issue replies by name and
    the two citizen connections (of a and c), still open.
    """
    s = await supervisor(hub)
    c13 = await counter(hub, 13)
    c11 = await counter(hub, 11)
    issued = {
        n: await k.ok("issue", service=svc)
        for n, svc in (("a", "MZ-01"), ("b", "MZ-01"), ("c", "MZ-02"), ("d", "GH-01"))
    }
    za = await citizen(hub, issued["a"]["token"])
    zc = await citizen(hub, issued["c"]["token"])
    await c13.ok("call_next")
    await c13.ok("recall")
    await c13.ok("start")
    await c13.ok("transfer", service="GH-02", window=11, reason="规划手续请到11号窗口")
    await c11.ok("call_next")  # the transferred ticket first
    await c11.ok("start")
    await c11.ok("finish", outcome="done", note="已核发许可证，证号 2026-117")
    await za.ok("rate", level=2, reason="第一个窗口让我白等")
    await za.ok("complain", text="13号窗口工作人员态度冷淡")
    await c13.ok("call_next")
    await c13.ok("no_show")
    await c13.ok("requeue", ticket=issued["b"]["ticket"]["id"])
    await c13.ok("call", ticket=issued["b"]["ticket"]["id"])
    await c13.ok("start")
    await c13.ok("park", reason="回家取身份证")
    await c13.ok("unpark", ticket=issued["b"]["ticket"]["id"])
    await c13.ok("finish", outcome="pending", note="缺验资报告，承诺件")
    await zc.ok("cancel")
    await c13.ok("pause", reason="午休")
    await c13.ok("resume")
    await s.ok("notice", text="今日下午系统维护", minutes=30)
    await s.ok("set_window", window=11, services=["GH-01", "GH-02", "MZ-03"])
    await k.ok("printer_status", ok=False, kind="paper_out", message="缺纸")
    await c11.ok("call_next")
    await c11.ok("start")
    await c11.ok("transfer", service="MZ-03", reason="另需办理福利机构审批")
    await c11.ok("logout")
    c14 = await counter(hub, 14)
    await s.ok("close_window", window=14)
    await c11.wait_closed()
    await c14.wait_closed()
    for conn in (s, c13):
        await conn.close()
    return issued, [za, zc]


def assert_gap_free(conn: Conn, last: int) -> None:
    seqs = [e["seq"] for e in conn.events()]
    assert seqs == list(range(conn.seq + 1, last + 1)), seqs


# --- frames


def walk(obj: Any, path: str = "$") -> list[tuple[str, Any, Any]]:
    """Every (path, key, value) of the nested dicts in a frame."""
    out: list[tuple[str, Any, Any]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append((path, k, v))
            out.extend(walk(v, f"{path}.{k}"))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(walk(v, f"{path}[{i}]"))
    return out


def ticket_objects(frame: Frame) -> list[Frame]:
    """Every Ticket object anywhere in a frame."""
    return [
        v
        for _, _, v in walk({"f": frame})
        if isinstance(v, dict) and "number" in v and "state" in v and "id" in v
    ]
