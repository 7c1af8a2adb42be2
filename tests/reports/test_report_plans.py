"""What keeps a year's report fast (bench/RESULTS.md, issue 13), checked by query plan, not
by the clock: the statements `hall report` runs over the events and the cases read them by
index (on SQLite, the primary key's `hall_id` made them read every event of the hall: 2 s
for a year to find the days without rollups, 3.5 s to read one day's events), and a
database made before the cases index gets it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from report_scenario import run_scenario
from sqlalchemy import event, inspect

from hub.store import Store


def _plans(store: Store, run: Any, table: str) -> list[str]:
    """The SQLite query plan of every statement `run()` makes that reads `table`."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if f"FROM {table}" in statement and statement.lstrip().upper().startswith(
            ("SELECT", "WITH")
        ):
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert seen, f"no statement read {table}"
    plans = []
    with store.engine.connect() as conn:
        for statement, params in seen:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            plans.append(" / ".join(str(r[-1]) for r in rows))
    return plans


def test_the_report_reads_events_and_cases_by_index(tmp_path: Path) -> None:
    hall, by_day, _ = run_scenario()
    store = Store(str(tmp_path / "hall.db"))
    store.create_tables()
    for d, evs in by_day.items():
        store.commit(hall.id, date.fromisoformat(d), evs, [])
    try:
        for run in (
            lambda: store.ensure_rollups(hall, "2026-12-01"),
            lambda: store.ensure_rollups(hall, "2026-12-01"),  # nothing left to write
            lambda: store.first_day(hall.id),
        ):
            for plan in _plans(store, run, "events"):
                # (first_day scans the day index in order and stops at the first row)
                assert "USING INDEX ix_events_day" in plan, plan
        assert store.first_day(hall.id) == min(by_day)
        plans = _plans(
            store, lambda: store.case_counts(hall.id, "2026-11-01", "2026-11-30"), "cases"
        )
        assert any("ix_cases_kind_day" in p for p in plans), plans
        assert not any("SCAN cases" in p and "USING" not in p for p in plans), plans
    finally:
        store.dispose()


def test_an_older_database_gets_the_cases_index(tmp_path: Path) -> None:
    db = str(tmp_path / "hall.db")
    store = Store(db)
    store.create_tables()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_cases_kind_day")
    store.dispose()
    store = Store(db)
    try:
        store.add_new_columns()  # what `hall report` and the hub run first
        names = {i["name"] for i in inspect(store.engine).get_indexes("cases")}
        assert "ix_cases_kind_day" in names
    finally:
        store.dispose()
