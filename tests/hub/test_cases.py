"""Cases (办件) across days on a real hub with a fake clock: three working days and a holiday.

The hall is the demo's with WT-01 promised in 2 working days, WT-02 in 1, and
Friday 4 December 2026 a holiday. Day 1 is Wednesday 2 December, day 2 Thursday
3 December, day 3 Monday 7 December (Friday is the holiday, then the weekend).

- A (WT-01) received day 1: due add_working_days(12-02, 2) = 12-07 (the holiday
  pushes it past the weekend); completed on day 3 by another clerk of the
  department: on time.
- B (WT-02) received day 1: due 12-03; still open on day 3: overdue (超期).
- C (JS-01, 即办) done at once: completed at the finish, kind instant.
- D (WT-03, 10 working days) returned (退件) on day 2 with a reason.

The hub restarts between day 2 and day 3; the `cases` table equals a recount
from the raw events; the citizen's ticket page of an earlier day shows its case.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from support.raw import citizen, counter, hello, hello_fields, kiosk, supervisor

from hub.calendar import WorkCalendar
from hub.catalogue import DEMO_PATH, Hall, load_catalogue
from shared.alerts import CASE_DUE_SOON, CASE_OVERDUE, case_alerts, cases_by_department
from shared.protocol import CASE_EVENTS

DAY1 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in the hall (UTC+8)
DAY2 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # Thursday
DAY3 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday (Friday 4th a holiday)
HOLIDAY = date(2026, 12, 4)


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The scenario runs on SQLite and on PostgreSQL (the `cases` table's upserts and times)."""
    if request.param == "sqlite":
        return tmp_path / "hall.db"
    return str(request.getfixturevalue("pg_url"))


def cases_hall() -> Hall:
    hall = load_catalogue(DEMO_PATH)
    limits = {"WT-01": 2, "WT-02": 1}
    services = tuple(
        replace(s, time_limit_days=limits[s.code]) if s.code in limits else s for s in hall.services
    )
    cal = WorkCalendar(hall.calendar.holidays | {HOLIDAY}, hall.calendar.workdays)
    return replace(hall, services=services, calendar=cal)


async def start_at(hub: Any, instant: list[datetime]) -> None:
    await hub.stop()
    hub.hall = cases_hall()
    await hub.start(clock=lambda: instant[0])


async def serve(clerk: Any, outcome: str) -> dict[str, Any]:
    """Call the next ticket, start it, finish it with `outcome`: the start's reply."""
    await clerk.ok("call_next")
    started = await clerk.ok("start")
    await clerk.ok("finish", outcome=outcome)
    return started


def by_id(cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in cases}


async def test_cases_across_three_working_days_and_a_holiday(hub: Any) -> None:
    instant = [DAY1]
    await start_at(hub, instant)
    k = await kiosk(hub)
    w3 = await counter(hub, 3)  # c003, 文体局 (WT)
    w1 = await counter(hub, 1)  # c001, 计生局 (JS)
    sup = await supervisor(hub)
    issued = {}
    for name, service in (("a", "WT-01"), ("b", "WT-02"), ("c", "JS-01"), ("d", "WT-03")):
        issued[name] = await k.ok("issue", service=service)
    ids = {n: r["ticket"]["id"] for n, r in issued.items()}
    assert all(r["case"] is None and r["ticket"]["case"] is None for r in issued.values())

    # --- day 1: A and B received and left pending (承诺件), C done at once (即办件), D pending
    started = await serve(w3, "pending")
    assert started["ticket"]["id"] == ids["a"]
    assert started["case"] == ids["a"] and started["ticket"]["case"] == ids["a"]
    opened = await sup.next("case_opened")
    a = opened["case"]
    assert (a["id"], a["ticket"], a["number"], a["service"], a["department"]) == (
        ids["a"], ids["a"], "H001", "WT-01", "WT",
    )  # fmt: skip
    assert (a["day"], a["window"], a["clerk"], a["first_responsible"]) == (
        "2026-12-02", 3, "c003", "c003",
    )  # fmt: skip
    assert (a["kind"], a["due"], a["state"]) == ("promised", "2026-12-07", "open")
    assert a["due_soon_from"] == "2026-12-02"  # 2 working days before Monday: Wed (Fri is off)
    # every ticket event names its case
    fin = await sup.next(lambda f: f.get("type") == "ticket_finished")
    assert fin["case"] == ids["a"] and fin["ticket"]["case"] == ids["a"]
    await serve(w3, "pending")
    await serve(w1, "done")
    done = await sup.next(lambda f: f.get("type") == "case_completed")
    c = done["case"]
    assert (c["id"], c["kind"], c["state"], c["completed_by"], c["completed_window"]) == (
        ids["c"], "instant", "completed", "c001", 1,
    )  # fmt: skip
    assert c["completed_at"].startswith("2026-12-02T09:")
    await serve(w3, "pending")

    # refusals: another department, an unknown case, a closed case (bilingual words)
    refused = await w1.error("complete_case", "not_your_department", case=ids["a"])
    assert "部门" in refused["message"]
    await w3.error("complete_case", "unknown_case", case="20261202-Z999")
    await w1.error("complete_case", "case_closed", case=ids["c"])
    await w3.error("return_case", "bad_args", case=ids["d"])  # a return needs a reason
    await w3.error("return_case", "bad_args", case=ids["d"], reason="  ")
    await sup.error("complete_case", "forbidden", case=ids["a"])  # counters only
    await k.error("return_case", "forbidden", case=ids["a"], reason="x")
    # a counter's welcome holds its departments' open cases, a supervisor's every one
    w4 = await counter(hub, 4)  # c004, 文体局 too
    assert [x["id"] for x in w4.state["cases"]] == [ids["b"], ids["a"], ids["d"]]
    w2 = await hello(hub.url, **hello_fields(hub, "counter", window=2, staff="c002", lang="en"))
    assert w2.state["cases"] == []  # 计生局 too (c001 holds window 1): no open case
    en = await w2.error("complete_case", "not_your_department", case=ids["a"])
    assert en["message"] == f"Case {ids['a']} belongs to another department than this window's"
    await w2.close()
    sup2 = await supervisor(hub)
    assert {x["id"] for x in sup2.state["cases"]} == {ids["a"], ids["b"], ids["d"]}
    await sup2.close()
    b = by_id(w4.state["cases"])[ids["b"]]
    assert (b["kind"], b["due"]) == ("promised", "2026-12-03")

    # --- day 2: D returned (退件) by another clerk of the department
    instant[0] = DAY2
    await sup.next("day_rolled")
    back = await w4.ok("return_case", case=ids["d"], reason="材料不齐 / materials missing")
    assert back["case"]["state"] == "returned" and back["case"]["reason"].startswith("材料不齐")
    assert back["case"]["completed_by"] == "c004"
    ev = await w3.next("case_returned")
    assert ev["case"] == back["case"]
    await w4.error("complete_case", "case_closed", case=ids["d"])
    # alerts on day 2: B is due today, A within 2 working days; nothing overdue
    open_now = [x for x in w4.state["cases"] if x["id"] != ids["d"]]
    raised = case_alerts(open_now, "2026-12-03")
    assert [(r.kind, r.subject) for r in raised] == [
        (CASE_DUE_SOON, ids["b"]),
        (CASE_DUE_SOON, ids["a"]),
    ]
    # the citizen of D sees 已退件 with the reason; of A 办理中 with the due day
    cd = await citizen(hub, issued["d"]["token"])
    assert cd.state["case"]["state"] == "returned"
    assert cd.state["case"]["reason"] == "材料不齐 / materials missing"
    await cd.close()
    ca = await citizen(hub, issued["a"]["token"])
    assert (ca.state["case"]["state"], ca.state["case"]["due"]) == ("open", "2026-12-07")
    await ca.close()
    for conn in (k, w1, w3, w4, sup):
        await conn.close()

    # --- a restart, then day 3 (Monday, after the holiday and the weekend)
    instant[0] = DAY3
    await start_at(hub, instant)
    sup = await supervisor(hub)
    assert sup.frames[0]["day"] == "2026-12-07"
    cases = by_id(sup.state["cases"])
    assert set(cases) == {ids["a"], ids["b"]}
    raised = case_alerts(cases.values(), "2026-12-07")
    assert [(r.kind, r.subject) for r in raised] == [
        (CASE_OVERDUE, ids["b"]),
        (CASE_DUE_SOON, ids["a"]),
    ]
    assert cases_by_department(cases.values(), "2026-12-07") == {
        "WT": {"open": 2, "due_soon": 1, "overdue": 1}
    }
    w4 = await counter(hub, 4)
    assert [x["id"] for x in w4.state["cases"]] == [ids["b"], ids["a"]]
    ca = await citizen(hub, issued["a"]["token"])  # its page is open when the case completes
    done_a = await w4.ok("complete_case", case=ids["a"], note="已发证 / certificate issued")
    live = await ca.next("case_state")
    assert "seq" not in live and live["case"]["state"] == "completed"
    assert not {f.get("type") for f in ca.frames} & CASE_EVENTS  # never the staff event
    await ca.close()
    got = done_a["case"]
    assert (got["state"], got["completed_by"], got["completed_window"]) == ("completed", "c004", 4)
    assert got["completed_at"].startswith("2026-12-07") and got["completed_at"][:10] <= got["due"]
    assert got["note"] == "已发证 / certificate issued"
    assert (await sup.next("case_completed"))["case"] == got
    await w4.error("complete_case", "case_closed", case=ids["a"])
    # the ticket page of an earlier day shows 已办结 when it opens too
    ca = await citizen(hub, issued["a"]["token"])
    assert ca.state["ticket"]["id"] == ids["a"]
    assert ca.state["case"]["state"] == "completed"
    await ca.close()
    for conn in (w4, sup):
        await conn.close()

    # the table equals a recount from the raw events; only B is open
    store = hub.store
    assert store.cases(hub.hall.id) == store.recount_cases(hub.hall.id)
    assert [x["id"] for x in store.open_cases(hub.hall.id)] == [ids["b"]]
    table = by_id(store.cases(hub.hall.id))
    assert {i: x["state"] for i, x in table.items()} == {
        ids["a"]: "completed",
        ids["b"]: "open",
        ids["c"]: "completed",
        ids["d"]: "returned",
    }
