"""Period figures (hub/reports.py) over three working days and a holiday, checked by hand.

The scenario (tests/reports/report_scenario.py) runs through the real engine. Cases are not on
main yet: the case figures come from the cases contract (docs/REPORTS.md) fed as
contract-shaped case dicts and `case_*` events; the lead adds the end-to-end case run.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from report_scenario import D1, D2, D3, run_scenario

from hub.reports import build_report, case_flags, p90, rollup_day
from hub.store import Store


def _rollups() -> tuple[Any, list[dict[str, Any]], dict[str, str]]:
    hall, by_day, ids = run_scenario()
    return hall, [rollup_day(hall, date.fromisoformat(d), evs) for d, evs in by_day.items()], ids


def _completed_t2(promised: list[dict[str, Any]], ids: dict[str, str]) -> list[dict[str, Any]]:
    """The cases table's view after 11-30: t2 completed that day by c1 (on time)."""
    out = []
    for c in promised:
        c = dict(c)
        if c["id"] == ids["t2"]:
            c.update(state="completed", completed_at="2026-11-30T10:00:00+08:00", completed_by="c1")
        out.append(c)
    return out


def test_period_figures_by_hand() -> None:
    hall, rollups, ids = _rollups()
    promised = _completed_t2([c for r in rollups for c in r["promised"]], ids)
    assert {c["id"]: c["due"] for c in promised} == {
        ids["t2"]: "2026-11-30",  # 2 working days after Wed 11-25: Thu 26, (Fri holiday) Mon 30
        ids["t6"]: "2026-11-26",
    }
    rep = build_report(hall, D1, D3, rollups, promised)
    json.dumps(rep)  # JSON-able as it is
    assert (rep["from"], rep["to"], rep["working_days"]) == ("2026-11-25", "2026-11-30", 3)
    h = rep["hall"]
    assert h["received"] == 6 and h["completed"] == 5 and h["completion_rate"] == 5 / 6
    assert h["on_time_rate"] == 1.0 and h["open"] == 1 and h["overdue"] == 1
    assert (h["instant"], h["promised"], h["tickets"], h["no_show"]) == (4, 2, 7, 1)
    assert h["avg_wait_s"] == 9000 / 8 and h["p90_wait_s"] == 3060.0
    assert h["over_target_rate"] == 1 / 8
    assert h["avg_walk_s"] == 60.0 and h["avg_service_s"] == (3240 + 900) / 7
    assert (h["handoffs_in"], h["handoffs_out"]) == (1, 1)
    assert h["first_responsibility_closure_rate"] == 4 / 6
    assert h["on_duty_s"] == 21600 + 10800 and h["paused_s"] == 600
    # complaints: t1's from its page, and t4's filed by its bad rating (source "rating")
    assert (h["ratings"], h["rating_avg"], h["bad_rating_rate"], h["complaints"]) == (
        2,
        3.0,
        0.5,
        2,
    )

    w = {r["window"]: r for r in rep["windows"]}
    w1, w2 = w[1], w[2]
    assert (w1["received"], w1["completed"], w1["completion_rate"], w1["on_time_rate"]) == (
        4,
        4,
        1.0,
        1.0,
    )
    assert (w1["open"], w1["overdue"], w1["tickets"], w1["no_show"]) == (0, 0, 5, 0)
    assert w1["avg_wait_s"] == 6060 / 5 and w1["over_target_rate"] == 0.2
    assert w1["avg_service_s"] == 3240 / 5 and w1["handoffs_in"] == 1
    assert w1["first_responsibility_closure_rate"] == 0.75
    assert (w1["days_present"], w1["on_duty_s"], w1["paused_s"]) == (3, 21600, 600)
    assert w1["paused_by_reason"] == {"临时离开": 600}
    assert (w1["ratings"], w1["rating_avg"], w1["complaints"]) == (2, 3.0, 2)
    assert w1["class"] == "busy" and w1["rank"] == 1  # 4 received / 3 working days >= 1
    assert (w2["received"], w2["completed"], w2["completion_rate"], w2["on_time_rate"]) == (
        2,
        1,
        0.5,
        1.0,
    )
    assert (w2["open"], w2["overdue"], w2["tickets"], w2["no_show"]) == (1, 1, 3, 1)
    assert w2["avg_wait_s"] == 2940 / 3 and w2["avg_service_s"] == 450 and w2["handoffs_out"] == 1
    assert w2["class"] == "vacant"  # staffed 1 of 3 working days
    assert w[3]["class"] == "vacant" and w[3]["received"] == 0 and w[3]["tickets"] == 0
    d = {r["department"]: r for r in rep["departments"]}
    assert (d["MZ"]["received"], d["MZ"]["completed"], d["MZ"]["class"]) == (4, 4, "busy")
    assert (d["GH"]["received"], d["GH"]["overdue"], d["GH"]["class"]) == (2, 1, "sparse")
    c = {r["clerk"]: r for r in rep["clerks"]}
    assert (c["c1"]["received"], c["c1"]["days_present"], c["c1"]["on_duty_s"]) == (4, 3, 21600)
    assert (c["c2"]["received"], c["c2"]["days_present"], c["c2"]["open"]) == (2, 1, 1)
    s = {r["service"]: r for r in rep["services"]}
    assert (s["MZ-01"]["received"], s["MZ-02"]["received"], s["GH-01"]["received"]) == (3, 1, 2)
    assert s["MZ-02"]["completed"] == 1 and s["GH-01"]["overdue"] == 1
    assert rep["days"] == [
        {"day": "2026-11-25", "received": 4, "completed": 2},
        {"day": "2026-11-26", "received": 1, "completed": 1},
        {"day": "2026-11-30", "received": 1, "completed": 2},
    ]
    assert rep["waits_by_hour"] == [{"hour": 9, "calls": 8, "avg_wait_s": 1125.0}]
    assert [c["id"] for c in rep["overdue_cases"]] == [ids["t6"]]
    # the same period ending on day 2: t2 not yet completed, t6 overdue already
    rep2 = build_report(hall, D1, D2, rollups, promised)
    assert (rep2["hall"]["received"], rep2["hall"]["completed"], rep2["hall"]["open"]) == (5, 3, 2)
    assert rep2["hall"]["overdue"] == 0  # due 11-26 is not past on 11-26
    # day 3 alone: open/overdue at its end count earlier cases; completed only its own
    rep3 = build_report(hall, D3, D3, rollups, promised)
    assert (rep3["hall"]["received"], rep3["hall"]["completed"]) == (1, 1)
    assert (rep3["hall"]["open"], rep3["hall"]["overdue"]) == (1, 1)


def test_case_events_of_the_contract_are_counted() -> None:
    """Days with `case_*` events take the cases from them, not from the tickets."""
    hall, by_day, ids = run_scenario()
    base = {
        "ticket": "x",
        "number": "A001",
        "department": "MZ",
        "day": "2026-11-25",
        "received_at": "2026-11-25T09:00:00+08:00",
        "first_responsible": "c9",
        "completed_by": None,
        "completed_window": None,
        "note": None,
        "reason": None,
    }
    a = {
        **base,
        "id": "A",
        "service": "MZ-01",
        "window": 3,
        "clerk": "c9",
        "kind": None,
        "due": None,
        "state": "open",
        "completed_at": None,
    }
    b = {**a, "id": "B", "service": "MZ-02"}
    done = {
        **a,
        "kind": "instant",
        "state": "completed",
        "completed_at": "2026-11-25T09:10:00+08:00",
    }
    prom = {**b, "kind": "promised", "due": "2026-11-27"}
    evs = [
        {"type": "case_opened", "seq": 1, "at": "2026-11-25T09:00:00+08:00", "case": a},
        {"type": "case_opened", "seq": 2, "at": "2026-11-25T09:00:00+08:00", "case": b},
        {"type": "case_completed", "seq": 3, "at": "2026-11-25T09:10:00+08:00", "case": done},
        {"type": "case_opened", "seq": 4, "at": "2026-11-25T09:20:00+08:00", "case": prom},
    ]
    tickets_only = [e for e in by_day[D1.isoformat()] if not e["type"].startswith("case_")]
    derived = rollup_day(hall, D1, tickets_only)
    real = rollup_day(hall, D1, by_day[D1.isoformat()])
    # the engine's case events and the contract's rules applied to the tickets agree
    assert (derived["cases_from"], real["cases_from"]) == ("tickets", "events")
    assert derived["rows"] == real["rows"]
    assert [(c["id"], c["due"]) for c in derived["promised"]] == [
        (c["id"], c["due"]) for c in real["promised"]
    ]
    r = rollup_day(hall, D1, tickets_only + evs)
    assert r["cases_from"] == "events"
    assert r["rows"]["window"]["3"]["received"] == 2 and r["rows"]["window"]["3"]["instant"] == 1
    assert "1" not in r["rows"]["window"] or r["rows"]["window"]["1"]["received"] == 0
    assert [c["id"] for c in r["promised"]] == ["B"]
    returned = {**prom, "state": "returned", "closed_at": "2026-11-26T10:00:00+08:00"}
    assert case_flags(returned, D2) == {
        "completed": False,
        "on_time": False,
        "returned": True,
        "open": False,
        "overdue": False,
    }
    late = {**prom, "state": "completed", "completed_at": "2026-11-30T10:00:00+08:00"}
    assert case_flags(late, D3)["completed"] and not case_flags(late, D3)["on_time"]
    assert case_flags(prom, D3)["overdue"] and not case_flags(prom, D2)["overdue"]


def test_p90_nearest_rank() -> None:
    assert p90([]) is None and p90([0, 0]) is None
    assert p90([9, 0, 0, 1]) == 60.0  # 9 of 10 waits under a minute
    assert p90([8, 0, 0, 2]) == 240.0


def _store_with(tmp_path: Path) -> tuple[Store, Any, dict[str, list[dict[str, Any]]]]:
    hall, by_day, _ = run_scenario()
    store = Store(str(tmp_path / "hall.db"))
    store.create_tables()
    for d, evs in by_day.items():
        store.commit(hall.id, date.fromisoformat(d), evs, [])
    return store, hall, by_day


def test_rollups_stored_equal_a_recount(tmp_path: Path) -> None:
    store, hall, by_day = _store_with(tmp_path)
    assert store.ensure_rollups(hall, "2026-12-01") == 3
    assert store.ensure_rollups(hall, "2026-12-01") == 0  # written once
    stored = store.rollups(hall.id, "2026-11-25", "2026-11-30")
    recount = [
        json.loads(
            json.dumps(rollup_day(hall, date.fromisoformat(d), store.events_of_day(hall.id, d)))
        )
        for d in store.days(hall.id)
    ]
    # the promised column keeps only cases derived from tickets (the rest: the cases table)
    assert store.rollup_promised(hall.id, "2026-11-30") == [
        c for r in recount for c in r.pop("promised") if r["cases_from"] == "tickets"
    ]
    assert stored == recount
    # and the stored events give what the live ones gave
    live = [
        json.loads(json.dumps(rollup_day(hall, date.fromisoformat(d), e)))
        for d, e in by_day.items()
    ]
    for r in live:
        r.pop("promised")
    assert stored == live
    store.dispose()


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_cli_period_report(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    from cli.main import main

    store, hall, _ = _store_with(tmp_path)
    _store_hall(store, hall)
    store.dispose()
    db = str(tmp_path / "hall.db")
    argv = [
        "report",
        "--from",
        "2026-11-25",
        "--to",
        "2026-11-30",
        "--by",
        "window",
        "--format",
        fmt,
        "--db",
        db,
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        rep = json.loads(out)
        assert {"from", "to", "hall", "windows", "departments", "clerks", "services"} <= set(rep)
        w1 = next(r for r in rep["windows"] if r["window"] == 1)
        # the cases table: t2 completed on 11-30 by complete_case
        assert (w1["received"], w1["completed"], w1["open"], w1["tickets"]) == (4, 4, 0, 5)
        for key in (
            "received",
            "completed",
            "completion_rate",
            "on_time_rate",
            "open",
            "overdue",
            "tickets",
            "no_show",
            "avg_wait_s",
            "class",
        ):
            assert key in w1
    elif fmt == "csv":
        assert out.splitlines()[0].startswith("窗口,名称,类别,排名,收件(件)")
        assert "20:12" in out  # w1 mean wait 1212 s as m:ss
    else:
        assert "收件 6" in out and "业务量较大" in out and "长期空岗" in out
    assert main([*argv[:-2], "--lang", "en", "--db", db]) == 0
    if fmt == "table":
        assert "Long vacant" in capsys.readouterr().out


def _store_hall(store: Store, hall: Any) -> None:
    """Store the scenario's hall as `hall init` does."""
    from report_scenario import CATALOGUE

    store.save_hall(hall, CATALOGUE, "secret")


async def test_hub_writes_closed_days_rollups(tmp_path: Path) -> None:
    """A hub starting on a later day writes the rollups of every closed day (day close)."""
    from report_scenario import CATALOGUE
    from support.wait import wait_for

    from hub.server import HubServer

    store, hall, _ = _store_with(tmp_path)
    store.save_hall(hall, CATALOGUE, "secret")
    later = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo(hall.timezone))
    server = HubServer(store, hall, "secret", port=0, clock=lambda: later)
    await server.start()
    try:
        days = await wait_for(
            lambda: (
                [r["day"] for r in store.rollups(hall.id, "2026-11-01", "2026-12-31")]
                if len(store.rollups(hall.id, "2026-11-01", "2026-12-31")) == 3
                else None
            ),
            what="the three closed days' rollups",
        )
        assert days == ["2026-11-25", "2026-11-26", "2026-11-30"]
    finally:
        await server.stop()
        store.dispose()


def test_xlsx_values_equal_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    from cli.main import main
    from hub.report_out import view_columns
    from hub.report_xlsx import SHEETS, xlsx_value
    from hub.reports import LISTS, VIEWS

    store, hall, _ = _store_with(tmp_path)
    _store_hall(store, hall)
    store.dispose()
    db, out = str(tmp_path / "hall.db"), str(tmp_path / "r.xlsx")
    period = ["--from", "2026-11-25", "--to", "2026-11-30", "--db", db]
    assert main(["report", *period, "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert main(["report", *period, "--format", "xlsx", "--output", out]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "窗口", "部门", "工作人员", "事项", "每日"]
    for view in VIEWS:
        ws = wb[SHEETS[view]]
        cols = view_columns(view)
        assert [c.value for c in ws[1]] == [c[1] for c in cols]
        assert ws.freeze_panes == "B2"
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(rep[LISTS[view]])
        for got, want in zip(rows, rep[LISTS[view]], strict=True):
            for value, (key, _, _, kind) in zip(got, cols, strict=True):
                expected = xlsx_value(want.get(key), kind, "zh")
                if isinstance(value, timedelta):  # a duration cell reads back as one
                    value = value.total_seconds() / 86400
                if isinstance(expected, float):
                    assert value == pytest.approx(expected), (view, key)
                else:
                    assert value == expected, (view, key)
    dep = wb["部门"]
    assert len(dep._charts) == 1 and len(wb["每日"]._charts) == 1
    assert (
        dep.cell(
            2, [c[0] for c in view_columns("department")].index("completion_rate") + 1
        ).number_format
        == "0.0%"
    )
    daily = list(wb["每日"].iter_rows(min_row=2, values_only=True))
    assert daily == [(d["day"], d["received"], d["completed"]) for d in rep["days"]]


def test_monthly_bulletin_html(tmp_path: Path) -> None:
    from html.parser import HTMLParser

    from cli.main import main

    store, hall, _ = _store_with(tmp_path)
    _store_hall(store, hall)
    store.dispose()
    out = tmp_path / "b.html"
    argv = ["report", "--month", "2026-11", "--format", "html", "--output", str(out)]
    assert main([*argv, "--db", str(tmp_path / "hall.db")]) == 0
    text = out.read_text(encoding="utf-8")
    sections: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "section":
                sections.append(dict(attrs)["id"] or "")

    P().feed(text)
    assert sections == ["totals", "ranking", "windows", "overdue", "ratings"]
    assert "size: A4" in text and "page-break-after: always" in text
    assert "http" not in text  # nothing from outside
    # November 2026: 6 received, t2 still open without a cases table, t6 overdue
    assert "<dt>收件</dt><dd>6 件</dd>" in text
    assert "四、超期办件（1 件）" in text and "20261125-B003" in text
    # over the month (20 working days) every window was staffed on 3 days at most: 长期空岗
    assert "业务量较大 0 个" in text and "长期空岗 4 个" in text
    assert "<td>2.00</td>" not in text and "3.00" in text  # window 1's mean rating


def test_cli_period_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    store, hall, _ = _store_with(tmp_path)
    _store_hall(store, hall)
    store.dispose()
    db = str(tmp_path / "hall.db")
    for args, words in (
        (["--week", "2026-W99"], "not a period"),
        (["--month", "2026-13"], "not a period"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "ends"),
        (["--day", "2026-11-25", "--format", "xlsx"], "needs --output"),
    ):
        assert main(["report", *args, "--db", db]) != 0
        err = capsys.readouterr().err
        assert words in err and any("\u4e00" <= ch <= "\u9fff" for ch in err), err
    # --week: ISO week 48 of 2026 is 11-23 .. 11-29 (days 1 and 2 of the scenario)
    assert main(["report", "--week", "2026-W48", "--format", "json", "--db", db]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert (rep["from"], rep["to"], rep["hall"]["received"]) == ("2026-11-23", "2026-11-29", 5)
    assert (
        main(["report", "--since-opening", "--by", "service", "--format", "json", "--db", db]) == 0
    )
    rep = json.loads(capsys.readouterr().out)
    assert rep["from"] == "2026-11-25" and rep["hall"]["received"] == 6


@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_report_reads_the_cases_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str, request: pytest.FixtureRequest
) -> None:
    """End to end with the engine's cases: the `cases` table Store.commit writes from the
    case events gives the promised cases' states (t2 completed by complete_case on 11-30),
    on SQLite and PostgreSQL."""
    from report_scenario import CATALOGUE

    from cli.main import main

    hall, by_day, ids = run_scenario()
    db = str(tmp_path / "hall.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(db)
    store.create_tables()
    store.save_hall(hall, CATALOGUE, "secret")
    for d, evs in by_day.items():
        store.commit(hall.id, date.fromisoformat(d), evs, [])
    store.ensure_rollups(hall, "2026-12-01")
    recount = [
        json.loads(
            json.dumps(rollup_day(hall, date.fromisoformat(d), store.events_of_day(hall.id, d)))
        )
        for d in store.days(hall.id)
    ]
    # the promised column keeps only cases derived from tickets (the rest: the cases table)
    assert store.rollup_promised(hall.id, "2026-11-30") == [
        c for r in recount for c in r.pop("promised") if r["cases_from"] == "tickets"
    ]
    assert store.rollups(hall.id, "2026-11-25", "2026-11-30") == recount
    store.dispose()
    argv = ["report", "--from", "2026-11-25", "--to", "2026-11-30", "--format", "json", "--db", db]
    assert main(argv) == 0
    rep = json.loads(capsys.readouterr().out)
    h = rep["hall"]
    assert (h["received"], h["completed"], h["on_time_rate"], h["open"], h["overdue"]) == (
        6,
        5,
        1.0,
        1,
        1,
    )
    w1 = next(r for r in rep["windows"] if r["window"] == 1)
    assert (w1["completed"], w1["completion_rate"], w1["open"]) == (4, 1.0, 0)


def test_month_spans_give_the_same_report(tmp_path: Path) -> None:
    """A closed month read as one stored span reports exactly what its days report."""
    from hub.report_out import load_report
    from hub.reports import merge_rollups

    hall, rollups, ids = _rollups()
    promised = [c for r in rollups for c in r["promised"]]
    span = json.loads(json.dumps(merge_rollups(hall, "2026-11-01", "2026-11-30", rollups)))
    by_days = build_report(hall, date(2026, 11, 1), D3, rollups, promised)
    by_span = build_report(hall, date(2026, 11, 1), D3, [span], promised)
    assert by_span == by_days
    # through the store: the month is stored once as a span, then read back
    store, hall, _ = _store_with(tmp_path)
    first = load_report(store, hall, date(2026, 11, 1), D3, date(2026, 12, 5))
    assert store.get_span(hall.id, "M2026-11") is not None
    again = load_report(store, hall, date(2026, 11, 1), D3, date(2026, 12, 5))
    assert first == again
    # the same as the days one by one with the store's cases (t2 completed by complete_case)
    promised_now = store.promised_cases(hall.id, "2026-11-30") or []
    days_only = build_report(
        hall,
        date(2026, 11, 1),
        D3,
        store.rollups(hall.id, "2026-11-01", "2026-11-30"),
        promised_now,
    )
    assert first == json.loads(json.dumps(days_only))
    assert first["hall"]["completed"] == 5
    assert store.ensure_rollups(hall, "2026-12-05") == 0  # the span is not a day
    store.dispose()
