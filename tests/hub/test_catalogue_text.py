"""`hall catalogue show`: the catalogue as TOML again (hub/catalogue_text.py), and the difference.

The serialiser is generic (it walks the dataclasses), so the tests check the
two promises that keep it honest while other fields are added: the round trip
``parse(show(hall)) == hall``, and every field of every catalogue dataclass
reaches the TOML.
"""

from __future__ import annotations

import dataclasses
import tomllib
from typing import Any

from hub.catalogue import load_demo, parse_catalogue
from hub.catalogue_text import diff, dump_toml, hall_doc, show

HOURS_HALL = """
[hall]
id = "h1"
name = "测试大厅"
name_en = "Test hall"
cutoff_minutes = 30

[hall.hours]
mon = ["08:30-12:00", "13:30-17:30"]
tue = ["08:30-12:00", "13:30-17:30"]
sat = ["09:00-12:00"]

[calendar]
holidays = ["2026-10-01", "2026-10-02"]
workdays = ["2026-10-10"]

[policy]
max_wait_minutes = 30
priority_run = 3

[[departments]]
code = "MZ"
name = "民政局 \\"一\\"\\t科"
name_en = "Civil Affairs"
prefix = "A"

[[services]]
code = "MZ-01"
department = "MZ"
name = "婚姻登记"
name_en = "Marriage registration"
minutes = 15
quota = 40
cutoff_minutes = 45
approval = false

[services.hours]
mon = ["09:00-11:00"]

[services.guide]
materials = ["户口簿", "身份证"]
materials_en = ["Household register", "ID card"]
fee = "免费"
time_limit = "即办"

[[services]]
code = "MZ-02"
department = "MZ"
name = "收养登记"
name_en = ""
prefix = "B"
minutes = 30

[[windows]]
number = 1
services = ["MZ-01", "MZ-02"]

[[staff]]
id = "s001"
name = "值班长"
supervisor = true
"""


def test_the_demo_hall_round_trips() -> None:
    hall = load_demo()
    text = show(hall)
    assert parse_catalogue(text, "shown") == hall
    assert diff(hall, parse_catalogue(text, "shown")) == []


def test_hours_quotas_calendar_and_escapes_round_trip() -> None:
    hall = parse_catalogue(HOURS_HALL, "h1.toml")
    text = show(hall, 7)
    assert text.startswith("# 测试大厅 (h1): catalogue version 7\n")
    again = parse_catalogue(text, "shown")
    assert again == hall
    assert again.services[0].quota == 40 and again.services[0].hours is not None
    assert again.hours is not None and again.calendar == hall.calendar
    # showing what was shown changes nothing
    assert show(again, 7) == text


def _default_table(value: Any) -> bool:
    """A dataclass equal to its defaults (an empty table, left out like `[services.guide]`)."""
    if not dataclasses.is_dataclass(value) or hasattr(value, "to_toml"):
        return False
    try:
        return bool(value == type(value)())
    except TypeError:  # it has required fields: never left out
        return False


def _walk(obj: Any, doc: Any, where: str, missing: list[str]) -> None:
    """Every field of the dataclass `obj` is a key of `doc` (unless None or an empty table)."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f.metadata.get("toml", f.name)
        if value is None or value == () or _default_table(value):
            continue
        if key not in doc:
            missing.append(f"{where}.{f.name}")
            continue
        sub = doc[key]
        if dataclasses.is_dataclass(value) and not hasattr(value, "to_toml"):
            _walk(value, sub, f"{where}.{f.name}", missing)
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            for i, (item, item_doc) in enumerate(zip(value, sub, strict=True)):
                _walk(item, item_doc, f"{where}.{f.name}[{i}]", missing)


def test_every_field_of_every_catalogue_dataclass_is_shown() -> None:
    for hall in (load_demo(), parse_catalogue(HOURS_HALL, "h1.toml")):
        doc = tomllib.loads(show(hall))
        missing: list[str] = []
        flat = {**doc["hall"], **{k: v for k, v in doc.items() if k != "hall"}}
        _walk(hall, flat, "Hall", missing)
        assert missing == [], f"fields not in `hall catalogue show`: {missing}"


def test_a_field_added_to_a_dataclass_is_shown_without_a_change_to_the_serialiser() -> None:
    @dataclasses.dataclass(frozen=True)
    class Booking:
        days_ahead: int = 7

    @dataclasses.dataclass(frozen=True)
    class Extended:
        code: str
        time_limit_days: int
        booking: Booking
        desk: bool = False

    hall = load_demo()
    extended = dataclasses.replace(
        hall,
        services=(Extended("X-01", 20, Booking(3), True),),  # type: ignore[arg-type]
    )
    doc = tomllib.loads(dump_toml(hall_doc(extended)))
    assert doc["services"] == [
        {"code": "X-01", "time_limit_days": 20, "desk": True, "booking": {"days_ahead": 3}}
    ]


def test_the_difference_names_what_was_added_changed_and_removed() -> None:
    old = parse_catalogue(HOURS_HALL, "old")
    text = (
        HOURS_HALL.replace('sat = ["09:00-12:00"]', "")
        .replace("quota = 40", "quota = 50")
        .replace("max_wait_minutes = 30", "max_wait_minutes = 40")
        .replace('"户口簿", ', "")
        .replace(
            '[[windows]]\nnumber = 1\nservices = ["MZ-01", "MZ-02"]',
            '[[windows]]\nnumber = 2\nservices = ["MZ-01"]',
        )
    )
    new = parse_catalogue(text, "new")
    lines = diff(old, new)
    assert 'hall: hours.sat: - ["09:00-12:00"]' in lines
    assert "policy: max_wait_minutes: 30 → 40" in lines
    assert "services: ~ MZ-01: quota: 40 → 50" in lines
    assert 'services: ~ MZ-01: guide.materials: ["户口簿", "身份证"] → ["身份证"]' in lines
    assert "windows: + 2 2号窗口" in lines and "windows: - 1 1号窗口" in lines
    assert len(lines) == 6, lines


def test_catalogue_versions_on_postgresql(pg_url: str) -> None:
    from hub.store import Store

    store = Store(pg_url)
    try:
        store.create_tables()
        hall = load_demo()
        text = show(hall)
        assert store.save_hall(hall, text, "secret")
        assert store.catalogue_head("demo") == 1
        assert store.add_catalogue_version("demo", text + "\n", "lead", "", expect=1) == 2
        rows = store.catalogue_versions("demo")
        assert [(r["version"], r["applied_by"]) for r in rows] == [(1, "hall init"), (2, "lead")]
        entry = store.catalogue_entry("demo", 2)
        assert entry is not None and parse_catalogue(entry["catalogue"], "v2") == hall
        assert store.load_hall()[0] == hall
    finally:
        store.dispose()
