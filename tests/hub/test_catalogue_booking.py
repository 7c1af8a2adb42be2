"""[services.booking] in the catalogue: parsed, validated with clear messages, slots cut from
the bookable hours (pure), closed days and holidays without slots."""

from __future__ import annotations

from datetime import date

import pytest

from hub.bookings import bookable_days, slot_ranges
from hub.catalogue import CatalogueError, load_demo, parse_catalogue

BASE = """
[hall]
id = "t"
name = "测试大厅"
name_en = "Test hall"
{hall_extra}

[calendar]
holidays = ["2026-10-01"]
workdays = ["2026-10-10"]

[[departments]]
code = "MZ"
name = "民政局"
name_en = "Civil Affairs"
prefix = "A"

[[services]]
code = "MZ-01"
department = "MZ"
name = "社团审批"
name_en = "Approval"
minutes = 15
{service_extra}

[[windows]]
number = 1
services = ["MZ-01"]
"""


def hall(service_extra: str, hall_extra: str = "") -> object:
    return parse_catalogue(
        BASE.format(service_extra=service_extra, hall_extra=hall_extra), "hall.toml"
    )


def test_the_demo_books_two_services_the_same_day() -> None:
    demo = load_demo()
    booked = [s for s in demo.services if s.booking is not None]
    assert [s.code for s in booked] == ["MZ-03", "GH-03"]
    assert all(s.booking.closes is None and s.booking.capacity == 5 for s in booked)  # type: ignore[union-attr]
    assert demo.to_wire()["services"][2]["booking"]["slot_minutes"] == 30


def test_slots_from_the_service_hours_and_the_calendar() -> None:
    h = hall(
        'hours = { mon = ["09:00-10:00", "13:00-14:15"] }\n'
        '[services.booking]\ncapacity = 2\nslot_minutes = 30\ncloses = "17:00"\n'
        "reserved_share = 0.25\ndays_ahead = 3"
    )
    svc = h.services[0]  # type: ignore[attr-defined]
    assert svc.booking.closes == 17 * 60 and svc.booking.reserved(40) == 10
    # Monday 2026-11-30: two slots in the morning, two in the afternoon (14:00 would overrun)
    assert slot_ranges(h, svc, date(2026, 11, 30)) == [
        (540, 570),
        (570, 600),
        (780, 810),
        (810, 840),
    ]  # type: ignore[arg-type]
    assert slot_ranges(h, svc, date(2026, 12, 1)) == []  # a Tuesday without hours
    assert slot_ranges(h, svc, date(2026, 10, 1)) == []  # a holiday (even if it had hours)
    assert slot_ranges(h, svc, date(2026, 10, 10)) != []  # a Saturday worked: Monday's hours
    # closes the day before: from Sunday, the next Monday is the first bookable day
    assert bookable_days(h, svc, date(2026, 11, 29)) == [date(2026, 11, 30)]  # type: ignore[arg-type]
    assert bookable_days(h, svc, date(2026, 11, 30)) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[services.booking]\nslot_minutes = 30", "missing required field 'booking.capacity'"),
        ("[services.booking]\ncapacity = 0", "field 'booking.capacity' must be a positive integer"),
        ('[services.booking]\ncapacity = 2\ncloses = "5pm"', "field 'booking.closes' must be"),
        ("[services.booking]\ncapacity = 2\nreserved_share = 1.5", "booking.reserved_share"),
        ("[services.booking]\ncapacity = 2\nslots = 3", "unknown field 'booking.slots'"),
        ("[services.booking]\ncapacity = 2", "field 'booking.hours' is required"),
    ],
)
def test_bad_booking_tables_say_what_is_wrong(extra: str, message: str) -> None:
    with pytest.raises(CatalogueError) as info:
        hall(extra)
    assert message in str(info.value) and "services[1] (MZ-01)" in str(info.value)


def test_booking_hours_when_the_hall_has_none() -> None:
    h = hall('[services.booking]\ncapacity = 2\n[services.booking.hours]\nfri = ["10:00-11:00"]')
    svc = h.services[0]  # type: ignore[attr-defined]
    assert slot_ranges(h, svc, date(2026, 12, 4)) == [(600, 630), (630, 660)]  # type: ignore[arg-type]
