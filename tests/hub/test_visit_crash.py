"""SIGKILL mid-visit loses no step: the hub (`hall serve`, its own process) is killed right after
a step's finish was acknowledged and again with the next step called; after each restart the
visit is where the acknowledged replies left it, and it goes on to be served once per step.
On a SQLite file and on PostgreSQL (the process and helpers of tests/hub/test_crash.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from support import raw
from test_crash import Hub, hall

pytestmark = [pytest.mark.timeout(300)]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hall.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def visit_hub(db: str, tmp_path: Path) -> AsyncIterator[tuple[Hub, str]]:
    """A hub process on the demo hall, clerks at windows 11, 5 and 28, and a kiosk token."""
    hall("init", "--demo", "--db", db)
    token = hall("device", "add", "--role", "kiosk", "--name", "K1", "--db", db).splitlines()[-1]
    for staff, window in (("c011", 11), ("c005", 5), ("c028", 28)):
        hall(*f"staff add --id {staff} --name 窗口{window} --pin 1234 --windows {window}".split(), "--db", db)  # fmt: skip
    h = Hub(db, tmp_path / "hub.log")
    try:
        yield h, token
    finally:
        await h.close()


async def clerk(h: Hub, window: int) -> raw.Conn:
    return await raw.hello(h.url, role="counter", staff=f"c{window:03d}", pin="1234", window=window)


def steps(t: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return [(s["service"], s["state"], s["window"]) for s in t["steps"]]


async def ticket_after_restart(h: Hub, token: str, tid: str) -> dict[str, Any]:
    await h.start()
    k = await raw.hello(h.url, role="kiosk", token=token)
    t = next(t for t in k.welcome["state"]["tickets"] if t["id"] == tid)
    await k.close()
    return t  # type: ignore[no-any-return]


async def test_sigkill_mid_visit_loses_no_step(visit_hub: tuple[Hub, str]) -> None:
    h, token = visit_hub
    await h.start()
    k = await raw.hello(h.url, role="kiosk", token=token)
    t = (await k.ok("issue", "visit-1", bundle="KB-01"))["ticket"]
    tid, number = t["id"], t["number"]
    c11 = await clerk(h, 11)
    assert (await c11.ok("call_next"))["ticket"]["id"] == tid
    await c11.ok("start")
    await c11.ok("finish", outcome="done", note="牌匾已批")
    # killed right after the finish's ok: the next_step requeue of the same command is there
    await h.kill()
    t = await ticket_after_restart(h, token, tid)
    assert (t["number"], t["state"], t["service"], t["step"]) == (number, "waiting", "SR-02", 2)
    assert steps(t) == [("GH-05", "done", 11), ("SR-02", "waiting", None), ("ZW-80", "next", None)]
    assert t["steps"][0]["note"] == "牌匾已批"

    c5 = await clerk(h, 5)
    c11 = await clerk(h, 11)
    await c11.error("call_next", "queue_empty")  # its step is done: never served twice
    assert (await c5.ok("call_next"))["ticket"]["id"] == tid
    await h.kill()  # with the second step called
    t = await ticket_after_restart(h, token, tid)
    assert steps(t) == [("GH-05", "done", 11), ("SR-02", "called", 5), ("ZW-80", "next", None)]
    c5 = await clerk(h, 5)
    await c5.ok("start")
    await c5.ok("finish", outcome="done")
    c28 = await clerk(h, 28)
    fee = (await c28.ok("call_next"))["ticket"]
    assert (fee["id"], fee["service"], fee["number"]) == (tid, "ZW-80", number)
    await c28.ok("start")
    done = (await c28.ok("finish", outcome="done", paid=True))["ticket"]
    assert steps(done) == [("GH-05", "done", 11), ("SR-02", "done", 5), ("ZW-80", "done", 28)]
    await h.kill()
    t = await ticket_after_restart(h, token, tid)
    assert t["state"] == "done" and steps(t) == steps(done) and t["steps"][2]["paid"] is True
    # every step started exactly once over the three lives of the hub
    sup_metrics = (await (await clerk(h, 28)).ok("metrics"))["metrics"]
    w = {x["window"]: x for x in sup_metrics["windows"]}
    assert [(w[n]["received"], w[n]["completed"]) for n in (11, 5, 28)] == [(1, 1)] * 3
    assert sup_metrics["hall"]["issued"] == 1 and sup_metrics["hall"]["one_trip"] == 1
    await h.close()
