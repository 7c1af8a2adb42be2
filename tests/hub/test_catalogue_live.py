"""`hall catalogue apply` against a running hub with a kiosk, a counter and boards connected.

The CLI runs in this process (a worker thread, its own database connection)
while the hub serves the same SQLite file; the hub notices the new version by
itself (it reads the newest version number once a second) and applies it as
the event `catalogue`. Connections stay open, a ticket already called at a
window that loses its service is served to the end, the apps' shared picture
(`shared.hallstate.HallState`) takes the new catalogue.
"""

from __future__ import annotations

import asyncio
import tomllib
from typing import Any

import pytest
from support.hubclient import hub_client
from support.raw import counter, display, hello, kiosk, supervisor
from support.wait import wait_for

from cli.main import main
from hub.catalogue_text import dump_toml
from shared.hallstate import HallState

pytestmark = pytest.mark.fast_hub


async def hall(capsys: pytest.CaptureFixture[str], hub: Any, *args: str) -> str:
    """Run `hall ARGS --db <the hub's database>`; its stdout (it must succeed)."""
    status = await asyncio.to_thread(main, [*args, "--db", str(hub.db)])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


def changed_catalogue(shown: str) -> str:
    """The demo hall with JS-03 off window 1 (now 一号综合窗口), a new service JS-09 on
    windows 1 and 2, window 40 added, window 31 removed, the wait target at 30 minutes."""
    doc = tomllib.loads(shown)
    doc["policy"]["max_wait_minutes"] = 30
    js03 = next(s for s in doc["services"] if s["code"] == "JS-03")
    doc["services"].append({**js03, "code": "JS-09", "name": "新增事项", "name_en": "New item"})
    for w in doc["windows"]:
        if w["number"] == 1:
            w["services"] = ["JS-01", "JS-02", "JS-09"]
            w["name"] = "一号综合窗口"
        if w["number"] == 2:
            w["services"].append("JS-09")
    doc["windows"] = [w for w in doc["windows"] if w["number"] != 31]
    doc["windows"].append(
        {"number": 40, "name": "40号窗口", "name_en": "Window 40", "services": ["JS-09"]}
    )
    for s in doc.get("staff", []):
        s["windows"] = [n for n in s.get("windows", []) if n != 31]
    return dump_toml(doc)


async def test_apply_reaches_every_connected_client_and_tickets_in_flight_finish(
    hub: Any, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    k = await kiosk(hub)
    assert k.welcome["hall"]["version"] == 1
    c = await counter(hub, 1)
    s = await supervisor(hub)
    d = await display(hub)
    # a ticket of JS-03 is called and served at window 1, another waits
    served = (await k.ok("issue", service="JS-03"))["ticket"]
    waiting = (await k.ok("issue", service="JS-03"))["ticket"]
    called = await c.ok("call_next")
    assert called["ticket"]["id"] == served["id"]
    await c.ok("start")
    async with hub_client(hub, "display") as app:
        picture = HallState()
        picture.load_welcome(app.welcome or {})
        app.on_event = picture.apply_event

        shown = await hall(capsys, hub, "catalogue", "show")
        new = tmp_path / "new.toml"
        new.write_text(changed_catalogue(shown), encoding="utf-8")
        out = await hall(capsys, hub, "catalogue", "apply", str(new), "--yes", "--by", "张主任")
        assert "windows: - 31" in out and "services: + JS-09 新增事项" in out
        assert "applied as version 2" in out

        await wait_for(lambda: hub.server.engine.catalogue_version == 2)
        got = {}
        for conn in (k, c, s, d):
            ev = got[conn.welcome["role"]] = await conn.next("catalogue")
            assert ev["hall"]["version"] == 2 and ev["version"] == 2
            assert "JS-09" in [x["code"] for x in ev["hall"]["services"]]
            numbers = [w["number"] for w in ev["windows"]]
            assert 40 in numbers and 31 not in numbers
            assert "_catalogue" not in ev
        staff_ev = got["supervisor"]
        assert "staff" not in got["display"]
        assert (
            staff_ev["staff"] == "张主任" and staff_ev["hall"]["policy"]["max_wait_minutes"] == 30
        )
        one = next(w for w in staff_ev["windows"] if w["number"] == 1)
        # window 1 lost JS-03 but still has the ticket it is serving
        assert one["services"] == ["JS-01", "JS-02", "JS-09"] and one["current"] == served["id"]
        assert one["name"] == "一号综合窗口" and one["state"] == "open"
        # the apps' own client takes it like any event
        await wait_for(lambda: picture.catalogue_version == 2)
        assert picture.service("JS-09") is not None and 31 not in picture.windows
        assert picture.windows[1]["services"] == ["JS-01", "JS-02", "JS-09"]
        assert app.welcome is not None and app.welcome["hall"]["version"] == 2

    # the connections stayed open: the ticket in flight finishes normally, keeping its number
    done = await c.ok("finish", outcome="done")
    assert done["ticket"]["number"] == served["number"] and done["ticket"]["state"] == "done"
    # the new service is issued and called at the window that now serves it
    fresh = (await k.ok("issue", service="JS-09"))["ticket"]
    assert (await c.ok("call_next"))["ticket"]["id"] == fresh["id"]
    # the JS-03 ticket still waits, for window 2 which still serves JS-03
    c2 = await counter(hub, 2, staff="c002")
    assert (await c2.ok("call_next"))["ticket"]["id"] == waiting["id"]
    # a new welcome carries the new catalogue
    late = await hello(hub.url, role="display")
    assert late.welcome["hall"]["version"] == 2
    for conn in (k, c, s, d, late, c2):
        await conn.close()

    # history: who applied which version
    history = await hall(capsys, hub, "catalogue", "history")
    assert "张主任" in history and "hall init" in history

    # a restart replays the day: the same catalogue, windows and version
    await hub.stop()
    await hub.start()
    assert hub.server.engine.catalogue_version == 2
    assert hub.server.engine.hall.service("JS-09") is not None
    again = await supervisor(hub)
    assert again.welcome["hall"]["version"] == 2
    w1 = next(w for w in again.state["windows"] if w["number"] == 1)
    assert w1["services"] == ["JS-01", "JS-02", "JS-09"]
    await again.close()


async def test_show_then_apply_is_a_no_op(
    hub: Any, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    s = await supervisor(hub)
    seq = s.seq
    shown = tmp_path / "shown.toml"
    shown.write_text(await hall(capsys, hub, "catalogue", "show"), encoding="utf-8")
    out = await hall(capsys, hub, "catalogue", "apply", str(shown), "--yes")
    assert "nothing changed" in out
    history = await hall(capsys, hub, "catalogue", "history")
    assert [line.split("\t")[0] for line in history.splitlines()[1:]] == ["1 *"]
    # no event: the next event the board gets is the one it causes itself
    await s.ok("notice", text="测试")
    ev = await s.next(lambda f: "seq" in f)
    assert ev["type"] == "notice" and ev["seq"] == seq + 1
    await s.close()


async def test_going_back_and_a_version_applied_while_the_hub_was_down(
    hub: Any, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    shown = await hall(capsys, hub, "catalogue", "show")
    new = tmp_path / "new.toml"
    new.write_text(changed_catalogue(shown), encoding="utf-8")
    await hall(capsys, hub, "catalogue", "apply", str(new), "--yes")
    await wait_for(lambda: hub.server.engine.catalogue_version == 2)

    def stored_versions() -> list[int]:
        return [
            e["version"]
            for day in hub.store.days("demo")
            for e in hub.store.events_of_day("demo", day)
            if e["type"] == "catalogue"
        ]

    # the engine takes the event before its batch is committed: stop once it is stored
    await wait_for(lambda: stored_versions() == [2], what="version 2 stored")
    await hub.stop()
    out = await hall(capsys, hub, "catalogue", "apply", "--version", "1", "--yes")
    assert "applied as version 3" in out
    await hub.start()  # applied before the first welcome
    s = await supervisor(hub)
    assert s.welcome["hall"]["version"] == 3
    assert "JS-09" not in [x["code"] for x in s.welcome["hall"]["services"]]
    assert 31 in [w["number"] for w in s.state["windows"]]
    await wait_for(lambda: 3 in stored_versions(), what=f"version 3 stored: {stored_versions()}")
    assert stored_versions()[-1] == 3
    history = await hall(capsys, hub, "catalogue", "history")
    assert "back to version 1" in history
    # `show --version 2` prints the older one
    assert "JS-09" in await hall(capsys, hub, "catalogue", "show", "--version", "2")
    await s.close()


async def test_a_bad_catalogue_is_refused_and_changes_nothing(
    hub: Any, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (await hall(capsys, hub, "catalogue", "show")).replace("minutes = 15", "minutes = 0", 1),
        encoding="utf-8",
    )
    status = await asyncio.to_thread(
        main, ["catalogue", "apply", str(bad), "--yes", "--db", str(hub.db)]
    )
    _, err = capsys.readouterr()
    assert status == 2 and "must be a positive integer, not 0" in err
    other = tmp_path / "other.toml"
    other.write_text(
        (await hall(capsys, hub, "catalogue", "show")).replace(
            'id = "demo"', 'id = "elsewhere"', 1
        ),
        encoding="utf-8",
    )
    status = await asyncio.to_thread(
        main, ["catalogue", "apply", str(other), "--yes", "--db", str(hub.db)]
    )
    _, err = capsys.readouterr()
    assert status == 2 and "cannot change" in err
    assert hub.store.catalogue_head("demo") == 1
