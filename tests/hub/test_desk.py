"""The consultation desk (咨询台) over the wire: staff marked with `hall staff add --desk` and
`hall staff set --desk/--no-desk`, the desk's hello, `consult`, assisted `issue` with the desk
clerk as first responsible, the desk's figures in the metrics; old databases get the column."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from support.raw import Refused, counter, display, hello, supervisor

from cli.main import main

pytestmark = pytest.mark.timeout(60)


async def hall(capsys: pytest.CaptureFixture[str], hub: Any, *args: str) -> str:
    status = await asyncio.to_thread(main, [*args, "--db", str(hub.db)])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


async def test_desk_staff_log_in_consult_and_issue(
    hub: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    out = await hall(capsys, hub, "staff", "add", "--id", "d001", "--name", "小王", "--pin", "2468", "--desk")  # fmt: skip
    assert "desk" in out
    assert "d001\t小王\twindows=-\tPIN set desk" in await hall(capsys, hub, "staff", "list")
    # a clerk who is not desk staff is refused, bilingually
    with pytest.raises(Refused) as r:
        await hello(hub.url, role="desk", staff=hub.clerk(13)[0], pin="1234")
    assert r.value.code == "forbidden" and r.value.close_code == 4003
    dk = await hello(hub.url, role="desk", staff="d001", pin="2468")
    assert dk.state["me"] == {"staff": "d001", "name": "小王"} and dk.state["windows"]
    s = await supervisor(hub)
    d = await display(hub)
    # a conversation: topic a service code or free text; outcome and minutes checked
    await dk.ok("consult", topic="MZ-01", outcome="answered", minutes=3)
    await dk.ok("consult", topic="公积金提取去哪里办", outcome="referred", minutes=2)
    await dk.ok("consult", topic="GH-01", outcome="guided", minutes=1, window=11)
    await dk.error("consult", "bad_args", topic="MZ-01", outcome="maybe", minutes=1)
    await dk.error("consult", "bad_args", topic=" ", outcome="answered", minutes=1)
    await dk.error("consult", "bad_args", topic="MZ-01", outcome="answered", minutes=-1)
    await dk.error("call_next", "forbidden")
    ev = await s.next("consulted")
    assert (ev["staff"], ev["service"], ev["outcome"]) == ("d001", "MZ-01", "answered")
    # assisted issue, 绿色通道: the desk clerk is first responsible
    issued = await dk.ok("issue", service="MZ-01", priority="priority")
    t = issued["ticket"]
    assert t["priority"] == "priority" and issued["token"] and issued["url"]
    assert t["first_responsible"] == {"staff": "d001", "window": None, "desk": True}
    await dk.ok("consult", topic="MZ-01", outcome="ticket", minutes=4, ticket=t["id"])
    # the window starts it: the first responsible stays the desk
    c13 = await counter(hub, 13)
    called = await c13.ok("call_next")
    assert called["ticket"]["id"] == t["id"]
    started = await c13.ok("start")
    assert started["ticket"]["first_responsible"]["staff"] == "d001"
    m = (await s.ok("metrics"))["metrics"]
    assert m["desks"] == [
        {"staff": "d001", "conversations": 4, "answered": 1, "guided": 1, "tickets": 1,
         "referrals": 1, "minutes": 10},
    ]  # fmt: skip
    await d.settle(0.3)
    assert "consulted" not in {f["type"] for f in d.frames}
    for f in d.frames:
        assert "d001" not in str(f)
    # --no-desk: the open session ends within a second, the next desk hello is refused
    await hall(capsys, hub, "staff", "set", "d001", "--no-desk")
    out = await dk.next("logged_out")
    assert out["code"] == "not_desk" and out["reason"]
    assert await dk.wait_closed() == 4003
    with pytest.raises(Refused):
        await hello(hub.url, role="desk", staff="d001", pin="2468")
    for conn in (s, d, c13):
        await conn.close()


def test_an_older_database_gets_the_desk_and_complaint_columns(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "old.db")
    assert main(["init", "--demo", "--db", db]) == 0
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE staff DROP COLUMN desk")
    for col in ("state", "due", "updated_seq", "data"):
        if col == "state":
            conn.execute("DROP INDEX IF EXISTS ix_complaints_state")
        conn.execute(f"ALTER TABLE complaints DROP COLUMN {col}")
    conn.commit()
    conn.close()
    args = ["staff", "add", "--id", "d9", "--name", "王", "--pin", "1234", "--desk", "--db", db]
    assert main(args) == 0
    assert main(["staff", "list", "--db", db]) == 0
    assert "d9\t王\twindows=-\tPIN set desk" in capsys.readouterr().out
