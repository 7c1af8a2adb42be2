"""Event streams (gap-free seq, waiting counts), idempotent resends, and a hub restart."""

from __future__ import annotations

import asyncio

import pytest
from hub_scenario import assert_gap_free, busy_day
from support.raw import citizen, counter, display, healthz, hub_seq, kiosk, supervisor

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(40)]


async def test_seq_is_gap_free_and_waiting_is_on_ticket_events(hub) -> None:
    k = await kiosk(hub)
    watcher = await counter(hub, 1)  # a counter sees every event too
    sup = await supervisor(hub)
    _, citizens = await busy_day(hub, k)
    last = await hub_seq(hub)
    await asyncio.sleep(0.3)
    for conn in (k, watcher, sup):
        assert_gap_free(conn, last)
        kinds = {e["type"] for e in conn.events()}
        assert {
            "ticket_issued", "ticket_called", "ticket_recalled", "ticket_started", "ticket_finished",
            "ticket_transferred", "ticket_parked", "ticket_unparked", "ticket_no_show", "ticket_requeued",
            "ticket_cancelled", "ticket_rated", "window_opened", "window_paused", "window_resumed",
            "window_closed", "window_changed", "notice", "complaint",
        } <= kinds, kinds  # fmt: skip
    for e in k.events():
        assert isinstance(e["at"], str)
        if e["type"].startswith("ticket_"):
            assert isinstance(e.get("waiting"), dict) and e["waiting"], e
            assert e["ticket"]["service"] in e["waiting"]
            assert all(isinstance(n, int) and n >= 0 for n in e["waiting"].values())
    # the waiting counts follow the queue
    issued = [e for e in k.events() if e["type"] == "ticket_issued"]
    assert [e["waiting"].get("MZ-01") for e in issued[:2]] == [1, 2]
    transferred = next(e for e in k.events() if e["type"] == "ticket_transferred")
    # it left MZ-01 (now serving) for GH-02
    assert transferred["waiting"] == {
        "MZ-01": 1,
        "GH-02": 1,
    }
    assert transferred["handoff"]["to_window"] == 11
    finished = [e for e in k.events() if e["type"] == "ticket_finished"]
    assert [e["outcome"] for e in finished] == ["done", "pending"]
    # a welcome taken now continues exactly where the stream is
    late = await display(hub)
    assert late.seq == last
    for conn in (k, watcher, sup, late, *citizens):
        await conn.close()


async def test_idempotent_resend_after_reconnect(hub) -> None:
    k = await kiosk(hub)
    first = await k.ok("issue", "kiosk-req-1", service="JT-01")
    seq = await hub_seq(hub)
    # on the same connection
    again = await k.ok("issue", "kiosk-req-1", service="JT-01")
    assert again == first
    await k.close()
    # after a reconnect, even with other arguments: the same reply, nothing happens twice
    k = await kiosk(hub)
    again = await k.ok("issue", "kiosk-req-1", service="JT-02", priority="priority")
    assert again == first
    assert again["token"] == first["token"] and again["url"] == first["url"]
    assert await hub_seq(hub) == seq
    assert [t["number"] for t in k.state["tickets"]] == ["E001"]
    # a new id is a new ticket
    second = await k.ok("issue", "kiosk-req-2", service="JT-01")
    assert second["ticket"]["number"] == "E002"
    # the same id from another kiosk is another request
    from support.raw import hello

    from hub import auth

    other = auth.new_device_token()
    hub.store.add_device(hub.hall.id, "K2", "kiosk", auth.token_hash(other))
    k2 = await hello(hub.url, role="kiosk", token=other)
    assert (await k2.ok("issue", "kiosk-req-1", service="JT-01"))["ticket"]["number"] == "E003"

    # a counter resending call_next after a reconnect gets the same ticket, not the next one
    c = await counter(hub, 26)
    called = await c.ok("call_next", "counter-req-1")
    await c.close()
    c = await counter(hub, 26)
    seq = await hub_seq(hub)
    assert await c.ok("call_next", "counter-req-1") == called
    assert await hub_seq(hub) == seq
    await c.ok("start", "counter-req-2")
    assert (await c.ok("start", "counter-req-2"))["ticket"]["state"] == "serving"
    assert await hub_seq(hub) == seq + 2  # ticket_started and its case_opened, once

    # a citizen's identity is its ticket
    z = await citizen(hub, second["token"])
    await z.ok("cancel", "citizen-req-1")
    await z.close()
    z = await citizen(hub, second["token"])
    seq = await hub_seq(hub)
    assert (await z.ok("cancel", "citizen-req-1"))["ticket"]["state"] == "cancelled"
    assert await hub_seq(hub) == seq
    for conn in (k, k2, c, z):
        await conn.close()


async def test_concurrent_resends_issue_one_ticket(hub) -> None:
    a = await kiosk(hub)
    # the same device on two connections (a restarted kiosk whose old socket lingers)
    b = await kiosk(hub)
    seq = await hub_seq(hub)
    fa = await a.send_request("issue", "dup-1", service="JY-00")
    fb = await b.send_request("issue", "dup-1", service="JY-00")
    ra, rb = await asyncio.wait_for(asyncio.gather(fa, fb), 30)
    assert ra == rb and ra["type"] == "ok"
    assert await hub_seq(hub) == seq + 1
    await a.close()
    await b.close()


async def test_failed_request_id_can_be_reused(hub) -> None:
    c = await counter(hub, 15)
    await c.error("call_next", "queue_empty", "c-1")
    k = await kiosk(hub)
    issued = await k.ok("issue", service="LD-00")
    r = await c.ok("call_next", "c-1")
    assert r["ticket"]["id"] == issued["ticket"]["id"]
    await c.close()
    await k.close()


async def test_restart_keeps_state_and_replies(hub) -> None:
    k = await kiosk(hub)
    c = await counter(hub, 24)
    d = await display(hub)
    a = await k.ok("issue", "k-1", service="ZW-00")
    b = await k.ok("issue", "k-2", service="ZW-00", priority="priority")
    await k.ok("issue", "k-3", service="ZW-90")
    called = await c.ok("call_next", "c-1")
    assert called["ticket"]["id"] == b["ticket"]["id"]  # priority first
    seq = await hub_seq(hub)
    day = (await healthz(hub))["day"]

    await hub.stop()
    # every client was told the hub went away
    assert await k.wait_closed() == 1001
    assert await c.wait_closed() == 1001
    assert await d.wait_closed() == 1001
    await hub.start()

    health = await healthz(hub)
    assert (health["seq"], health["day"], health["clients"]) == (seq, day, 0)
    s = await supervisor(hub)
    assert s.seq == seq
    tickets = {t["number"]: t for t in s.state["tickets"]}
    assert set(tickets) == {"Z001", "Z002", "T001"}
    assert tickets["Z002"]["state"] == "called" and tickets["Z002"]["window"] == 24
    assert tickets["Z001"]["state"] == "waiting"
    w24 = next(w for w in s.state["windows"] if w["number"] == 24)
    assert (
        w24["state"] == "open"
        and w24["staff"] == hub.clerk(24)[0]
        and w24["current"] == b["ticket"]["id"]
    )
    assert s.state["waiting"]["ZW-00"] == 1
    # the stored replies come back for the old ids, token and url included
    k = await kiosk(hub)
    assert await k.ok("issue", "k-1", service="ZW-00") == a
    assert await k.ok("issue", "k-2", service="ZW-00") == b
    c = await counter(hub, 24)  # the clerk's session goes on: no new window_opened
    assert c.seq == seq
    assert await c.ok("call_next", "c-1") == called
    assert await hub_seq(hub) == seq
    # numbering goes on without a gap or a duplicate
    assert (await k.ok("issue", "k-4", service="ZW-00"))["ticket"]["number"] == "Z003"
    # the old tokens still open the ticket page and the citizen connection
    z = await citizen(hub, a["token"])
    assert z.state["ticket"]["id"] == a["ticket"]["id"]
    # the counter carries on with the called ticket
    await c.ok("start")
    await c.ok("finish", outcome="done")
    assert (await c.ok("call_next"))["ticket"]["id"] == a["ticket"]["id"]
    assert await hub_seq(hub) == seq + 6  # with the case's case_opened and case_completed
    for conn in (s, k, c, z):
        await conn.close()
