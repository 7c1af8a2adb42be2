"""`hall report --district`: the period report across the halls of a district database
(real PostgreSQL) equals the sum of the halls' own reports."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hub.catalogue import parse_catalogue
from hub.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reports"))
from report_scenario import CATALOGUE, run_scenario  # noqa: E402

PERIOD = ["--from", "2026-11-25", "--to", "2026-11-30"]
# the additive figures of a totals row (the rest are rates, means or per-reason maps)
ADDITIVE = (
    "received",
    "completed",
    "open",
    "overdue",
    "returned",
    "instant",
    "promised",
    "tickets",
    "no_show",
    "handoffs_in",
    "handoffs_out",
    "days_present",
    "on_duty_s",
    "paused_s",
    "ratings",
    "complaints",
    "complaints_answered",
    "complaints_rejected",
    "bookings_checked_in",
    "bookings_no_show",
    "consultations",
    "consult_minutes",
)


def _district(pg_url: str) -> Store:
    """Three halls of the reports scenario in one PostgreSQL database: h1 with all three
    days, h2 without day 3 (its 承诺件 t2 stays open), h3 with day 1 only."""
    hall, by_day, _ = run_scenario()
    store = Store(pg_url)
    store.create_tables()
    days = {"h1": 3, "h2": 2, "h3": 1}
    for hid, n in days.items():
        text = re.sub(r'^id = "test"$', f'id = "{hid}"', CATALOGUE, count=1, flags=re.M)
        h = parse_catalogue(text, hid)
        store.save_hall(h, text, "secret")
        for d, evs in list(by_day.items())[:n]:
            store.commit(h.id, date.fromisoformat(d), evs, [])
    assert hall.id == "test"
    return store


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    from cli.main import main

    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def _rate(num: float, den: float) -> float | None:
    return num / den if den else None


def test_district_report_is_the_sum_of_the_halls(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _district(pg_url)
    own = {
        hid: _json(capsys, ["report", *PERIOD, "--format", "json", "--hall", hid, "--db", pg_url])
        for hid in ("h1", "h2", "h3")
    }
    # the halls differ, so the sum is a real check
    assert [own[h]["hall"]["received"] for h in ("h1", "h2", "h3")] == [6, 5, 4]
    assert (own["h1"]["hall"]["open"], own["h2"]["hall"]["open"]) == (1, 2)  # h2's t2 still open
    rep = _json(capsys, ["report", "--district", *PERIOD, "--format", "json", "--db", pg_url])
    assert {"from", "to", "hall", "halls", "windows", "departments", "clerks", "services"} <= set(
        rep
    )
    assert (rep["from"], rep["to"]) == ("2026-11-25", "2026-11-30")
    # each hall's totals are its own report's
    assert [r["hall"] for r in rep["halls"]] == ["h1", "h2", "h3"]
    for r in rep["halls"]:
        assert {k: v for k, v in r.items() if k not in ("hall", "name")} == own[r["hall"]]["hall"]
    # the district's totals: the additive figures summed ...
    tot = rep["hall"]
    for k in ADDITIVE:
        assert tot[k] == sum(o["hall"][k] for o in own.values()), k
    # ... and the rates recomputed from the summed counts, not averaged
    hs = [o["hall"] for o in own.values()]
    assert tot["completion_rate"] == pytest.approx(
        _rate(sum(h["completed"] for h in hs), sum(h["received"] for h in hs))
    )
    on_time = sum(round(h["on_time_rate"] * h["completed"]) for h in hs if h["completed"])
    assert tot["on_time_rate"] == pytest.approx(on_time / tot["completed"])
    assert tot["completion_rate"] != pytest.approx(sum(h["completion_rate"] for h in hs) / 3)
    assert tot["rating_avg"] == pytest.approx(
        sum(h["rating_avg"] * h["ratings"] for h in hs if h["ratings"]) / tot["ratings"]
    )
    # the mean wait from the summed wait counts of the halls' stored rollups
    wait_n = wait_sum = 0.0
    for hid in own:
        for r in store.rollups(hid, "2026-11-25", "2026-11-30"):
            row = r["rows"]["hall"][""]
            wait_n += row["wait_n"]
            wait_sum += row["wait_sum"]
    assert tot["avg_wait_s"] == pytest.approx(wait_sum / wait_n)
    # the view lists: every hall's rows, each with its hall
    for lst in ("windows", "departments", "clerks", "services"):
        assert len(rep[lst]) == sum(len(o[lst]) for o in own.values())
        for hid, o in own.items():
            assert [
                {k: v for k, v in r.items() if k != "hall"} for r in rep[lst] if r["hall"] == hid
            ] == o[lst]
    # daily series summed by day, overdue cases of every hall
    assert sum(d["received"] for d in rep["days"]) == tot["received"]
    assert len(rep["overdue_cases"]) == tot["overdue"]
    # only some halls
    two = _json(
        capsys,
        ["report", "--district", "--halls", "h1,h3", *PERIOD, "--format", "json", "--db", pg_url],
    )
    assert [r["hall"] for r in two["halls"]] == ["h1", "h3"]
    assert two["hall"]["received"] == 10
    store.dispose()


def test_district_report_table_and_refusals(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    _district(pg_url).dispose()
    assert main(["report", "--district", *PERIOD, "--by", "department", "--db", pg_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2026-11-25 — 2026-11-30  收件 15")
    assert "  h2 测试政务服务中心  收件 5" in out
    assert "大厅\t部门\t名称" in out
    assert main(["report", "--district", *PERIOD, "--format", "csv", "--db", pg_url]) == 0
    assert capsys.readouterr().out.startswith("大厅,窗口,名称,类别")
    assert main(["report", "--district", "--halls", "nope", *PERIOD, "--db", pg_url]) != 0
    assert "没有大厅 nope / no hall nope" in capsys.readouterr().err
    argv = ["report", "--district", *PERIOD, "--format", "xlsx", "--output", "x.xlsx"]
    assert main([*argv, "--db", pg_url]) != 0
    assert "--district" in capsys.readouterr().err
