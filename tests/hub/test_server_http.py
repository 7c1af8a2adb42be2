"""Plain HTTP on the hub's port (/healthz, /t/<token>, unknown paths) and the supervisor's metrics."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from hub_scenario import busy_day
from support.raw import display, healthz, http_get, hub_seq, kiosk, supervisor

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(30)]

HALL_METRICS = {
    "issued", "waiting", "received", "completed", "pending", "no_show", "cancelled", "completion_rate",
    "first_responsibility_closure_rate", "avg_wait_s", "max_wait_s", "avg_service_s", "ratings",
}  # fmt: skip
WINDOW_METRICS = {
    "window", "received", "completed", "pending", "transferred_in", "transferred_out", "no_show",
    "completion_rate", "first_responsibility_closure_rate", "avg_wait_s", "avg_service_s", "on_duty_s",
    "paused_s", "ratings",
}  # fmt: skip


async def test_healthz(hub) -> None:
    status, ctype, body = await http_get(hub, "/healthz")
    assert status == 200 and ctype.split(";")[0] == "application/json"
    h = json.loads(body)
    assert set(h) >= {"status", "seq", "day", "clients"}
    assert h["status"] == "ok" and h["seq"] == 0 and h["clients"] == 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", h["day"])
    k = await kiosk(hub)
    d = await display(hub)
    await k.ok("issue", service="HB-00")
    h = await healthz(hub)
    assert (h["seq"], h["clients"]) == (1, 2)
    assert h["day"] == k.welcome["day"]
    await k.close()
    await d.close()
    await asyncio.sleep(0.1)
    assert (await healthz(hub))["clients"] == 0
    # a query string does not matter
    status, _, body = await http_get(hub, "/healthz?x=1")
    assert status == 200 and json.loads(body)["seq"] == 1


async def test_ticket_page_and_unknown_paths(hub) -> None:
    k = await kiosk(hub)
    issued = await k.ok("issue", service="FD-00")
    path = issued["url"].removeprefix(hub.http)
    assert path == f"/t/{issued['token']}"
    status, ctype, body = await http_get(hub, path)
    assert status == 200 and ctype.split(";")[0] == "text/html", (status, ctype)
    assert body.strip()
    # the page itself shows nothing of the ticket before its script connects: the token is the key
    for bad in (
        "/t/",
        "/t/nope",
        "/t/" + issued["token"][:-1],
        "/t/" + "A" * 43,
        "/t/" + "x" * 500,
        "/t/../healthz",
    ):
        status, ctype, _ = await http_get(hub, bad)
        assert status == 404, bad
    for unknown in (
        "/nope",
        "/ws/extra",
        "/t",
        "/healthz/x",
        "/static/../hub/server.py",
        "/static/.env",
        "/favicon.ico",
    ):
        status, _, _ = await http_get(hub, unknown)
        assert status == 404, unknown
    # the board page is served
    status, ctype, _ = await http_get(hub, "/board")
    assert status == 200 and ctype.split(";")[0] == "text/html"
    # none of this changed anything, and the token page does not count as a client
    assert await hub_seq(hub) == 1
    assert (await healthz(hub))["clients"] == 1
    # the ticket page still works after a restart
    await hub.stop()
    await hub.start()
    status, _, _ = await http_get(hub, path)
    assert status == 200


async def test_metrics_shape(hub) -> None:
    s = await supervisor(hub)
    m = (await s.ok("metrics"))["metrics"]
    assert m["day"] == s.welcome["day"]
    assert HALL_METRICS <= m["hall"].keys(), HALL_METRICS - m["hall"].keys()
    assert m["hall"]["issued"] == 0 and m["hall"]["completion_rate"] is None
    assert m["hall"]["ratings"] == {"count": 0, "avg": None}
    assert [w["window"] for w in m["windows"]] == list(range(1, 32))  # one per configured window
    for w in m["windows"]:
        assert WINDOW_METRICS <= w.keys(), WINDOW_METRICS - w.keys()
        assert w["received"] == 0 and w["on_duty_s"] == 0 and w["completion_rate"] is None

    k = await kiosk(hub)
    issued, citizens = await busy_day(hub, k)
    m = (await s.ok("metrics", day=s.welcome["day"]))["metrics"]
    hall = m["hall"]
    assert (hall["issued"], hall["waiting"], hall["received"]) == (4, 1, 3)
    assert (hall["completed"], hall["pending"], hall["no_show"], hall["cancelled"]) == (1, 1, 0, 1)
    assert hall["completion_rate"] == pytest.approx(1 / 3)
    assert hall["ratings"] == {"count": 1, "avg": 2}
    for key in ("avg_wait_s", "max_wait_s", "avg_service_s"):
        assert isinstance(hall[key], int | float) and hall[key] >= 0, key
    by = {w["window"]: w for w in m["windows"]}
    w13, w11 = by[13], by[11]
    assert (w13["received"], w13["pending"], w13["transferred_out"], w13["no_show"]) == (2, 1, 1, 1)
    w11_counts = (w11["received"], w11["completed"], w11["transferred_in"], w11["transferred_out"])
    assert w11_counts == (2, 1, 1, 1)
    # a done at 11, b pending
    assert w13["first_responsibility_closure_rate"] == pytest.approx(1 / 2)
    assert w13["on_duty_s"] > 0 and w13["paused_s"] >= 0 and w13["paused_s"] <= w13["on_duty_s"]
    for w in m["windows"]:
        for key in ("completion_rate", "first_responsibility_closure_rate"):
            assert w[key] is None or 0 <= w[key] <= 1, (w["window"], key)
        assert w["on_duty_s"] >= 0 and w["paused_s"] >= 0
    # a metrics request changes nothing
    seq = await hub_seq(hub)
    await s.ok("metrics")
    assert await hub_seq(hub) == seq
    for conn in (s, k, *citizens):
        await conn.close()
