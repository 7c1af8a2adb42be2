"""Visits over real websockets: a bundle from the kiosk, three counters racing `call_next` on the
visit's queues (each step served exactly once), and what kiosks, citizens and displays see."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from support.raw import Conn, citizen, counter, display, kiosk, supervisor

pytestmark = [pytest.mark.timeout(120)]

# The demo hall's bundle KB-01: GH-05 (windows 11, 12, 30) and SR-02 (windows 5, 6, 30) in
# parallel; SR-02 has a fee, so a fee step ZW-80 at window 28 (the fee window) ends it.
BUNDLE = "KB-01"
WINDOWS = {11: "GH-05", 5: "SR-02", 28: "ZW-80"}
VISITS = 6


async def serve_until(
    conn: Conn, window: int, served: list[tuple[str, int, int, str]], total: int
) -> None:
    """Call, start and finish at this window until every step of every visit is served."""
    i = 0
    while len(served) < total:
        i += 1
        r = await conn.request("call_next", f"w{window}-{i}")
        if r["type"] == "error":
            assert r["code"] == "queue_empty", r
            await asyncio.sleep(0.005)  # another window holds the visit now: look again
            continue
        t = r["ticket"]
        assert t["service"] == WINDOWS[window], (window, t)
        step = next(s for s in t["steps"] if s["n"] == t["step"])
        assert (step["state"], step["window"], step["service"]) == ("called", window, t["service"])
        await conn.ok("start", f"w{window}-{i}-s")
        finish: dict[str, Any] = {"outcome": "done", "note": f"窗口{window}已办"}
        if step["fee"]:
            finish["paid"] = True
        reply = await conn.ok("finish", f"w{window}-{i}-f", **finish)
        served.append((t["id"], t["step"], window, t["number"]))
        if len([s for s in reply["ticket"]["steps"] if s["state"] == "done"]) < 3:
            # steps left: the reply is the ticket queued for its next step
            assert reply["ticket"]["state"] == "waiting" and reply["previous"]["state"] == "done"


async def test_three_windows_race_on_the_visits_queues(hub) -> None:
    k = await kiosk(hub)
    sup = await supervisor(hub)
    issued = []
    for i in range(VISITS):
        r = await k.ok("issue", f"visit-{i}", bundle=BUNDLE)
        t = r["ticket"]
        assert [(s["service"], s["state"]) for s in t["steps"]] == [
            ("GH-05", "waiting"),
            ("SR-02", "waiting"),
            ("ZW-80", "next"),
        ]
        assert t["steps"][2]["fees"] == [{"service": "SR-02", "amount": 120.0}]
        assert r["token"] and r["url"]
        issued.append(t)
    lobby = await display(hub)
    # a visit counts in each queue it waits in
    assert lobby.state["waiting"]["GH-05"] == VISITS and lobby.state["waiting"]["SR-02"] == VISITS
    conns = {n: await counter(hub, n) for n in WINDOWS}
    served: list[tuple[str, int, int, str]] = []
    total = 3 * VISITS
    await asyncio.wait_for(
        asyncio.gather(*(serve_until(c, n, served, total) for n, c in conns.items())), 90
    )
    # each step of each visit served exactly once, at a window of its service
    assert Counter((tid, step) for tid, step, _, _ in served) == {
        (t["id"], n): 1 for t in issued for n in (1, 2, 3)
    }
    by_step = {(tid, step): window for tid, step, window, _ in served}
    for t in issued:
        assert by_step[(t["id"], 1)] == 11 and by_step[(t["id"], 2)] == 5
        assert by_step[(t["id"], 3)] == 28
    # the number is kept at every window
    numbers = {t["id"]: t["number"] for t in issued}
    assert all(numbers[tid] == number for tid, _, _, number in served)

    # the supervisor's stream: the right events and reasons, in the right order per visit
    def events_of(tid: str) -> list[dict[str, Any]]:
        return [e for e in sup.events() if e.get("ticket", {}).get("id") == tid]

    async def all_done() -> bool:
        return all(
            any(e["type"] == "ticket_finished" and e["window"] == 28 for e in events_of(t["id"]))
            for t in issued
        )

    while not await all_done():
        await sup.next(lambda f: f.get("type") == "ticket_finished")
    for t in issued:
        evs = events_of(t["id"])
        assert {e["ticket"]["number"] for e in evs} == {t["number"]}
        requeues = [e for e in evs if e["type"] == "ticket_requeued"]
        assert [(e["reason"], e["step"]) for e in requeues] in (
            [("next_step", 2), ("next_step", 3)],
            [("next_step", 1), ("next_step", 3)],
        )
        assert [e["window"] for e in evs if e["type"] == "ticket_started"] in (
            [11, 5, 28],
            [5, 11, 28],
        )
        last = evs[-1]["ticket"]
        assert last["state"] == "done"
        assert [(s["state"], s["window"]) for s in last["steps"]] == [
            ("done", 11),
            ("done", 5),
            ("done", 28),
        ]
        assert last["steps"][2]["paid"] is True
        assert last["first_responsible"]["window"] in (11, 5)

    # metrics: each step at its window, each visit once in the hall
    m = (await sup.ok("metrics"))["metrics"]
    w = {x["window"]: x for x in m["windows"]}
    for n in WINDOWS:
        assert (w[n]["received"], w[n]["completed"]) == (VISITS, VISITS)
    h = m["hall"]
    assert (h["issued"], h["received"], h["completed"], h["waiting"]) == (VISITS, VISITS, VISITS, 0)
    assert (h["visits"], h["one_trip"], h["windows_per_visit"]) == (VISITS, VISITS, 3.0)
    for c in (k, sup, lobby, *conns.values()):
        await c.close()


async def test_the_citizen_and_the_lobby_follow_a_visit(hub) -> None:
    k = await kiosk(hub)
    r = await k.ok("issue", "v1", services=["GH-05", "SR-02"])
    tid = r["ticket"]["id"]
    assert [s["group"] for s in r["ticket"]["steps"]] == [1, 2, 3]  # chosen: in order
    me = await citizen(hub, r["token"])
    lobby = await display(hub)
    mine = me.state["ticket"]
    assert [(s["service"], s["state"]) for s in mine["steps"]] == [
        ("GH-05", "waiting"),
        ("SR-02", "next"),
        ("ZW-80", "next"),
    ]
    assert "staff" not in mine["steps"][0] and "note" not in mine["steps"][0]
    c11 = await counter(hub, 11)
    await c11.ok("call_next")
    await c11.ok("start")
    await c11.ok("finish", outcome="done", note="内部备注")
    requeued = await me.next(lambda f: f.get("type") == "ticket_requeued")
    assert requeued["reason"] == "next_step" and requeued["ticket"]["service"] == "SR-02"
    assert [s["state"] for s in requeued["ticket"]["steps"]] == ["done", "waiting", "next"]
    assert requeued["ticket"]["steps"][0]["window"] == 11
    seen = await lobby.next(lambda f: f.get("type") == "ticket_requeued")
    assert seen["ticket"]["id"] == tid and "note" not in seen["ticket"]["steps"][0]
    # the counter of the next window sees the earlier window's note
    c5 = await counter(hub, 5)
    called = (await c5.ok("call_next"))["ticket"]
    assert called["steps"][0]["note"] == "内部备注" and called["steps"][0]["staff"] == "c011"
    # the board calls the same number to the next window
    await lobby.next(lambda f: f.get("type") == "ticket_called" and f["window"] == 5)
    calls = [
        (f["ticket"]["number"], f["window"], f["ticket"]["service"])
        for f in lobby.events()
        if f["type"] == "ticket_called"
    ]
    number = r["ticket"]["number"]
    assert calls == [(number, 11, "GH-05"), (number, 5, "SR-02")]
    for c in (k, me, lobby, c11, c5):
        await c.close()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"service": "GH-05", "bundle": BUNDLE}, "bad_args"),
        ({}, "bad_args"),
        ({"services": "GH-05"}, "bad_args"),
        ({"services": ["GH-05", "SR-02", "SR-01", "SR-03", "SR-04", "SR-05"]}, "bad_args"),
        ({"bundle": "NOPE"}, "not_found"),
    ],
)
async def test_bad_visits_are_refused_with_a_bilingual_message(hub, args, code) -> None:
    k = await kiosk(hub)
    err = await k.error("issue", code, **args)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
    await k.close()
