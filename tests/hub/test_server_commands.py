"""Every command of docs/protocol.md with its ok reply, over real websockets against the real hub."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from support.raw import citizen, counter, display, hub_seq, kiosk, supervisor

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(30)]

TICKET_FIELDS = {
    "id", "number", "service", "department", "priority", "state", "issued_at", "queued_at", "called_at",
    "started_at", "ended_at", "window", "staff", "target_window", "recalls", "first_responsible", "handoffs",
}  # fmt: skip
WINDOW_FIELDS = {"number", "name", "services", "state", "staff", "current", "pause_reason"}


def _time(s: str) -> datetime:
    """A protocol time: ISO 8601 with the hall's offset (+08:00) and microseconds."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+08:00", s), s
    return datetime.fromisoformat(s)


def _ticket(t: dict, **expect: object) -> dict:
    assert TICKET_FIELDS <= t.keys(), TICKET_FIELDS - t.keys()
    for k, v in expect.items():
        assert t[k] == v, (k, t[k], v)
    return t


def _window(w: dict, **expect: object) -> dict:
    assert WINDOW_FIELDS <= w.keys(), WINDOW_FIELDS - w.keys()
    for k, v in expect.items():
        assert w[k] == v, (k, w[k], v)
    return w


async def test_kiosk_issue(hub) -> None:
    k = await kiosk(hub)
    seq = await hub_seq(hub)
    first = await k.ok("issue", service="MZ-01")
    assert first.keys() >= {"type", "re", "ticket", "ahead", "eta_min", "token", "url"}
    t = _ticket(first["ticket"], number="A001", service="MZ-01", department="MZ", priority="normal", state="waiting",
                called_at=None, started_at=None, ended_at=None, window=None, staff=None, target_window=None,
                recalls=0, first_responsible=None, handoffs=[])  # fmt: skip
    assert re.fullmatch(r"\d{8}-A001", t["id"])
    assert _time(t["issued_at"]) == _time(t["queued_at"])
    assert first["ahead"] == 0 and first["eta_min"] is None  # no open window: no minutes
    token = first["token"]
    # >= 128 bits
    assert isinstance(token, str) and len(token) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert first["url"] == f"{hub.http}/t/{token}"
    # the second waits behind the first; a priority ticket and an English one
    second = await k.ok("issue", service="MZ-02", priority="normal")
    assert second["ticket"]["number"] == "A002"  # one sequence per prefix (department)
    assert second["ahead"] == 1  # windows 13 and 14 serve both: A001 goes first
    third = await k.ok("issue", service="MZ-01", priority="priority", lang="en")
    assert third["ticket"]["priority"] == "priority" and third["ticket"]["number"] == "A003"
    # a priority ticket: the next call (once a window opens)
    assert third["ahead"] == 0 and third["eta_min"] is None
    assert len({first["token"], second["token"], third["token"]}) == 3
    other = await k.ok("issue", service="TJ-01")
    assert other["ticket"]["number"] == "B001"
    assert await hub_seq(hub) == seq + 4
    ev = await k.next("ticket_issued")
    assert ev["ticket"]["id"] == t["id"] and ev["seq"] == seq + 1 and ev["waiting"] == {"MZ-01": 1}
    await k.close()


async def test_counter_commands(hub) -> None:
    k = await kiosk(hub)
    a1, a2, a3 = [(await k.ok("issue", service="MZ-01"))["ticket"]["id"] for _ in range(3)]
    c = await counter(hub, 13)
    staff = hub.clerk(13)[0]

    r = await c.ok("call_next")
    assert r["reason"] == "fifo"
    _ticket(r["ticket"], id=a1, state="called", window=13, staff=staff)
    _time(r["ticket"]["called_at"])

    r = await c.ok("recall")
    _ticket(r["ticket"], id=a1, state="called", recalls=1)

    r = await c.ok("start")
    _ticket(r["ticket"], id=a1, state="serving", first_responsible={"staff": staff, "window": 13})
    _time(r["ticket"]["started_at"])
    assert r["case"] == r["ticket"]["case"] == a1  # the first start opens the ticket's case

    r = await c.ok("finish", outcome="done", note="材料齐全，当场办结")
    _ticket(r["ticket"], id=a1, state="done")
    _time(r["ticket"]["ended_at"])

    r = await c.ok("call_next")
    _ticket(r["ticket"], id=a2, state="called")
    r = await c.ok("no_show")
    _ticket(r["ticket"], id=a2, state="no_show")
    r = await c.ok("requeue", ticket=a2)
    _ticket(r["ticket"], id=a2, state="waiting", window=None)

    r = await c.ok("call", ticket=a3)  # out of order
    assert r["reason"] == "chosen"
    _ticket(r["ticket"], id=a3, state="called")
    await c.ok("start")
    r = await c.ok("park", reason="回家取户口本")
    _ticket(r["ticket"], id=a3, state="parked", window=13)
    r = await c.ok("unpark", ticket=a3)
    _ticket(r["ticket"], id=a3, state="serving", window=13)
    r = await c.ok("finish", outcome="pending")
    _ticket(r["ticket"], id=a3, state="pending")

    await c.ok("call_next")  # a2 again
    await c.ok("start")
    r = await c.ok("transfer", service="GH-01", window=11, reason="需规划分局受理")
    t = _ticket(
        r["ticket"],
        id=a2,
        state="waiting",
        service="GH-01",
        department="GH",
        target_window=11,
        window=None,
    )
    assert t["number"] == "A002"  # a transfer keeps the number
    assert len(t["handoffs"]) == 1
    h = t["handoffs"][0]
    assert {k: h[k] for k in ("from_window", "from_staff", "to_service", "to_window", "reason")} == {
        "from_window": 13, "from_staff": staff, "to_service": "GH-01", "to_window": 11, "reason": "需规划分局受理",
    }  # fmt: skip
    _time(h["at"])

    assert r["case"] == a2  # a handoff keeps the case

    # cases (办件), on any day: a3 was left pending (承诺件), a2 is returned (退件)
    r = await c.ok("complete_case", case=a3, note="已发证")
    assert (r["case"]["id"], r["case"]["state"], r["case"]["note"]) == (a3, "completed", "已发证")
    assert r["case"]["kind"] == "promised" and r["case"]["completed_by"] == staff
    r = await c.ok("return_case", case=a2, reason="材料不齐")
    assert (r["case"]["state"], r["case"]["reason"]) == ("returned", "材料不齐")

    r = await c.ok("pause", reason="午休")
    _window(r["window"], number=13, state="paused", pause_reason="午休", staff=staff)
    r = await c.ok("resume")
    _window(r["window"], number=13, state="open", pause_reason=None, staff=staff)

    # a transfer without a window: back to waiting for the service
    c11 = await counter(hub, 11)
    r = await c11.ok("call_next")
    assert r["reason"] == "transferred" and r["ticket"]["id"] == a2
    await c11.ok("start")
    r = await c11.ok("transfer", service="MZ-03", reason="回民政局")
    _ticket(r["ticket"], state="waiting", service="MZ-03", target_window=None)
    assert [h["to_window"] for h in r["ticket"]["handoffs"]] == [11, None]

    r = await c.ok("logout")
    _window(r["window"], number=13, state="closed", staff=None)
    assert await c.wait_closed() == 1000
    await c11.close()
    await k.close()


async def test_counter_metrics(hub) -> None:
    c = await counter(hub, 3)
    r = await c.ok("metrics")
    assert r["metrics"]["day"] == c.welcome["day"]
    await c.close()


async def test_supervisor_commands(hub) -> None:
    s = await supervisor(hub)
    d = await display(hub)
    c = await counter(hub, 9)

    r = await s.ok("notice", text="系统维护，请稍候", minutes=10)
    assert set(r) == {"type", "re"}
    ev = await d.next("notice")
    assert ev["text"] == "系统维护，请稍候"
    assert _time(ev["until"]) > _time(ev["at"])
    r = await s.ok("notice", text="")  # an empty notice clears it
    assert (await d.next("notice"))["text"] == ""

    r = await s.ok("set_window", window=9, services=["TJ-01", "MZ-01"])
    _window(r["window"], number=9, services=["TJ-01", "MZ-01"], state="open")
    ev = await d.next("window_changed")
    assert ev["window"]["number"] == 9 and ev["window"]["services"] == ["TJ-01", "MZ-01"]
    ev = await c.next("window_changed")
    assert ev["window"]["services"] == ["TJ-01", "MZ-01"]
    # the window now calls the new service
    k = await kiosk(hub)
    issued = await k.ok("issue", service="MZ-01")
    assert (await c.ok("call_next"))["ticket"]["id"] == issued["ticket"]["id"]
    await c.ok("no_show")

    r = await s.ok("close_window", window=9)
    _window(r["window"], number=9, state="closed", staff=None)
    ev = await d.next("window_closed")
    assert ev["window"]["number"] == 9 and ev["window"]["state"] == "closed"
    # the clerk's session ends: logged_out, then 4003 (tests/hub/test_server_close_window.py)
    assert (await c.next("logged_out"))["window"] == 9
    assert await c.wait_closed() == 4003
    # the clerk can log in again afterwards
    c = await counter(hub, 9)
    assert next(w for w in c.state["windows"] if w["number"] == 9)["state"] == "open"
    for conn in (s, d, c, k):
        await conn.close()


async def test_citizen_commands(hub) -> None:
    k = await kiosk(hub)
    one = await k.ok("issue", service="WT-01")
    two = await k.ok("issue", service="WT-01")
    z1 = await citizen(hub, one["token"])
    z2 = await citizen(hub, two["token"])

    r = await z2.ok("cancel")
    t = r["ticket"]  # the citizen's own ticket, with the public fields its events carry
    assert TICKET_FIELDS - {"staff"} <= t.keys() and "staff" not in t and "note" not in t
    assert (t["id"], t["state"]) == (two["ticket"]["id"], "cancelled")
    _time(t["ended_at"])

    c = await counter(hub, 3)
    await c.ok("call_next")
    await c.ok("start")
    await c.ok("finish", outcome="done")
    r = await z1.ok("rate", level=5)
    assert set(r) == {"type", "re"}
    r = await z1.ok("complain", text="等候区空调太冷")
    assert isinstance(r["id"], str) and r["id"]
    # a cancelled ticket's citizen may still complain
    r = await z2.ok("complain", text="取号机不好用")
    for conn in (k, z1, z2, c):
        await conn.close()


async def test_low_rating_with_reason(hub) -> None:
    k = await kiosk(hub)
    one = await k.ok("issue", service="WT-02")
    z = await citizen(hub, one["token"])
    c = await counter(hub, 4)
    await c.ok("call_next")
    await c.ok("start")
    await c.ok("finish", outcome="pending")
    await z.ok("rate", level=2, reason="等了很久")
    await z.error("rate", "invalid_state", level=4)  # once per visit
    for conn in (k, z, c):
        await conn.close()
