"""`hall calendar show --year YYYY`: the hall's calendar month by month."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from hub.catalogue import DEMO_PATH


def test_calendar_show_2026_from_the_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "hall.db")
    assert main(["init", "--demo", "--db", db]) == 0
    capsys.readouterr()
    assert main(["calendar", "show", "--year", "2026", "--db", db]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    feb = lines.index("2026年2月  February")
    assert lines[feb + 1].split() == list("一二三四五六日")
    # the 春节 week: Saturday 14 worked, 15-23 off, Saturday 28 worked
    assert lines[feb + 4].split() == ["9", "10", "11", "12", "13", "14班", "15休"]
    assert lines[feb + 5].split() == [f"{d}休" for d in range(16, 23)]
    assert lines[feb + 6].split() == ["23休", "24", "25", "26", "27", "28班"]
    assert lines[feb + 7] == "工作日 16 working days"
    assert "工作日 21 working days" in lines[lines.index("2026年1月  January") :][:9]
    assert out.count("休") == 33 + 2  # the days off, and the legend (休, 调休)
    assert out.count("班") == 6 + 2


def test_calendar_show_a_file_and_its_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["calendar", "show", "--year", "2027", "--config", str(DEMO_PATH)]) == 0
    out = capsys.readouterr().out
    assert "休" not in out.split("\n", 2)[2]  # the demo holds 2026 only
    bad = tmp_path / "hall.toml"
    bad.write_text(
        DEMO_PATH.read_text(encoding="utf-8").replace('"2026-10-07"', '"2026-10-32"'),
        encoding="utf-8",
    )
    assert main(["calendar", "show", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hall: ") and "[calendar]: field 'holidays'" in err
    assert "Traceback" not in err
