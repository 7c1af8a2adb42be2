"""`Store.case_counts` (the promised cases counted in SQL) equals `count_cases` (the
Python classification of the cases' JSON by `case_flags`), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.reports import count_cases
from hub.store import CASES, Store, case_row

PERIODS = [
    ("2026-11-01", "2026-11-30"),
    ("2026-11-10", "2026-11-12"),
    ("2026-11-25", "2026-11-25"),
    ("2026-10-01", "2026-12-31"),
    ("2026-12-01", "2026-12-05"),
]


def _cases(n: int, seed: int) -> list[dict[str, Any]]:
    """Cases of every kind of state: open, completed (early, on the due day, late, after
    the period), returned, no due date or an empty one, closing times written in other
    offsets than the hall's, an old `closed_at` instead of `completed_at`, no window or
    clerk, and instant cases (not counted)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        day = date(2026, 11, 1) + timedelta(days=rnd.randrange(35))
        state = rnd.choice(["open", "open", "completed", "completed", "completed", "returned"])
        due: str | None = (day + timedelta(days=rnd.randrange(0, 8))).isoformat()
        if rnd.random() < 0.1:
            due = rnd.choice([None, ""])
        c: dict[str, Any] = {
            "id": f"T{i:05d}",
            "ticket": f"T{i:05d}",
            "number": f"A{i:03d}",
            "service": rnd.choice(["MZ-01", "MZ-02", "GH-01"]),
            "department": rnd.choice(["MZ", "GH"]),
            "day": day.isoformat(),
            "received_at": f"{day.isoformat()}T09:00:00.000000+08:00",
            "window": rnd.choice([1, 2, 3, None]),
            "clerk": rnd.choice(["c1", "c2", None]),
            "first_responsible": None,
            "kind": "instant" if rnd.random() < 0.1 else "promised",
            "due": due,
            "state": state,
            "completed_at": None,
            "completed_by": None,
            "completed_window": None,
            "note": None,
            "reason": None,
        }
        if state != "open":
            closed = datetime.combine(
                day + timedelta(days=rnd.randrange(0, 12)), datetime.min.time()
            )
            closed += timedelta(hours=rnd.choice([0, 7, 15, 23]), minutes=rnd.randrange(60))
            offset = rnd.choice(["+08:00", "+08:00", "+00:00"])
            at = closed.isoformat(timespec="microseconds") + offset
            if rnd.random() < 0.1:
                c["closed_at"] = at  # an older case record's field
                c.pop("completed_at")
            else:
                c["completed_at"] = at
        out.append(c)
    return out


def _sorted(counts: dict[str, Any]) -> dict[str, Any]:
    return {**counts, "overdue": sorted(counts["overdue"], key=lambda c: c["id"])}


@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_sql_counts_equal_the_python_classification(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    db = str(tmp_path / "hall.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(db)
    store.create_tables()
    cases = _cases(600, seed=13)
    other = _cases(50, seed=17)  # another hall's: never counted
    with store.engine.begin() as conn:
        conn.execute(CASES.insert(), [case_row("h", c) for c in cases])
        conn.execute(CASES.insert(), [case_row("other", c) for c in other])
    for start, end in PERIODS:
        sql = store.case_counts("h", start, end)
        assert sql is not None
        py = count_cases(
            store.promised_cases("h", end) or [], date.fromisoformat(start), date.fromisoformat(end)
        )
        assert _sorted(sql) == _sorted(py), (start, end)
        # and the scenario is not trivial
        hall_row = py["rows"]["hall"].get("", {})
        if (start, end) == PERIODS[0]:
            assert all(
                hall_row[k] > 0 for k in ("completed", "on_time", "returned", "open", "overdue")
            )
            assert hall_row["on_time"] < hall_row["completed"]
    store.dispose()


def test_sql_counts_of_the_engine_scenario(tmp_path: Path) -> None:
    """The cases the real engine wrote (tests/reports/report_scenario.py)."""
    from report_scenario import CATALOGUE, run_scenario

    hall, by_day, _ = run_scenario()
    store = Store(str(tmp_path / "hall.db"))
    store.create_tables()
    store.save_hall(hall, CATALOGUE, "secret")
    for d, evs in by_day.items():
        store.commit(hall.id, date.fromisoformat(d), evs, [])
    for start, end in (
        ("2026-11-25", "2026-11-30"),
        ("2026-11-25", "2026-11-26"),
        ("2026-11-30", "2026-11-30"),
    ):
        py = count_cases(
            store.promised_cases(hall.id, end) or [],
            date.fromisoformat(start),
            date.fromisoformat(end),
        )
        assert _sorted(store.case_counts(hall.id, start, end) or {}) == _sorted(py)
        if start == end:  # t6 (due 11-26) still open at 11-30's end; t2 is completed
            assert py["rows"]["hall"][""]["open"] == 1
        elif end == "2026-11-30":
            assert py["rows"]["hall"][""]["completed"] == 1  # t2, completed on 11-30
    store.dispose()
