"""The working-day calendar and the opening hours (hub/calendar.py), on the real 2026 calendar.

The demo hall holds the State Council's 2026 schedule: 春节 15-23 Feb off with
Saturdays 14 and 28 Feb worked (调休), 劳动节 1-5 May off with Saturday 9 May
worked, 国庆节 1-7 Oct off with Sunday 20 Sep and Saturday 10 Oct worked.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.calendar import (
    WeekHours,
    WorkCalendar,
    issuing_refusal,
    next_opening,
    parse_range,
)
from hub.catalogue import load_demo

TZ = ZoneInfo("Asia/Shanghai")
CAL = load_demo().calendar
DAY = ((510, 720), (810, 1050))  # 08:30-12:00, 13:30-17:30
HOURS = WeekHours((DAY, DAY, DAY, DAY, DAY, (), ()))


def at(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_spring_festival_week_with_worked_saturdays() -> None:
    assert CAL.is_working_day(date(2026, 2, 13))  # Friday
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday, worked (调休)
    for d in range(15, 24):
        assert not CAL.is_working_day(date(2026, 2, d)), d
    assert CAL.is_working_day(date(2026, 2, 24))  # Tuesday
    assert CAL.is_working_day(date(2026, 2, 28))  # Saturday, worked (调休)
    assert not CAL.is_working_day(date(2026, 3, 1))  # an ordinary Sunday
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 14)
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    # 14 (Sat), 24, 25, 26, 27, 28 (Sat)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert CAL.add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)
    assert CAL.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert CAL.working_days_between(date(2026, 2, 28), date(2026, 2, 13)) == -6


def test_labour_day_and_national_day() -> None:
    assert CAL.next_working_day(date(2026, 4, 30)) == date(2026, 5, 6)
    assert CAL.add_working_days(date(2026, 4, 30), 4) == date(2026, 5, 9)  # the worked Saturday
    assert CAL.is_working_day(date(2026, 9, 20))  # Sunday worked
    assert CAL.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    # 8, 9 Oct (Thu, Fri) and Saturday 10 Oct worked
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3


def test_thirty_working_days_deadline() -> None:
    """承诺30个工作日 from 9 Sep 2026: across 中秋 and 国庆 (with their 调休 days)."""
    due = CAL.add_working_days(date(2026, 9, 9), 30)
    # Sep 10-30 has 15 working days (15 weekdays, less Friday 25 Sep, plus Sunday 20 Sep);
    # October: 8, 9, 10 (Sat), 12-16, 19-23, 26, 27 gives the other 15
    assert due == date(2026, 10, 27)
    assert CAL.working_days_between(date(2026, 9, 9), due) == 30


def test_an_empty_calendar_is_monday_to_friday() -> None:
    cal = WorkCalendar()
    assert cal.next_working_day(date(2026, 11, 27)) == date(2026, 11, 30)
    assert cal.add_working_days(date(2026, 11, 30), 0) == date(2026, 11, 30)
    assert cal.working_days_between(date(2026, 11, 30), date(2026, 11, 30)) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:30-12:00", (510, 720)),
        ("00:00-24:00", (0, 1440)),
        ("8:30-12:00", None),
        ("12:00-08:30", None),
        ("12:00-12:00", None),
        ("08:60-12:00", None),
        ("08:30", None),
        ("24:30-25:00", None),
    ],
)
def test_parse_range(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_range(text) == expected


def test_lunch_break_refuses_until_the_afternoon() -> None:
    tue = (2026, 12, 1)
    assert issuing_refusal(HOURS, CAL, 0, None, 0, at(*tue, 12, 5)) == (
        "closed",
        at(*tue, 13, 30),
    )
    assert issuing_refusal(HOURS, CAL, 0, None, 0, at(*tue, 13, 30)) is None
    assert issuing_refusal(HOURS, CAL, 0, None, 0, at(*tue, 11, 59)) is None
    assert issuing_refusal(HOURS, CAL, 0, None, 0, at(*tue, 8, 29)) == ("closed", at(*tue, 8, 30))


def test_cutoff_stops_issuing_before_each_closing() -> None:
    tue = (2026, 12, 1)
    assert issuing_refusal(HOURS, CAL, 30, None, 0, at(*tue, 11, 29)) is None
    assert issuing_refusal(HOURS, CAL, 30, None, 0, at(*tue, 11, 30)) == (
        "closed",
        at(*tue, 13, 30),
    )
    assert issuing_refusal(HOURS, CAL, 30, None, 0, at(*tue, 17, 5)) == (
        "closed",
        at(2026, 12, 2, 8, 30),
    )


def test_closed_days_follow_the_calendar() -> None:
    # Friday evening before 春节: the worked Saturday opens, with Monday's hours
    assert next_opening(HOURS, CAL, 0, at(2026, 2, 13, 18, 0)) == at(2026, 2, 14, 8, 30)
    assert issuing_refusal(HOURS, CAL, 0, None, 0, at(2026, 2, 14, 9, 0)) is None
    # the Saturday evening: next open after the nine days off
    assert next_opening(HOURS, CAL, 0, at(2026, 2, 14, 18, 0)) == at(2026, 2, 24, 8, 30)
    assert issuing_refusal(HOURS, CAL, 0, None, 0, at(2026, 10, 1, 10, 0)) == (
        "closed",
        at(2026, 10, 8, 8, 30),
    )
    # an ordinary Saturday is closed (no `sat` hours)
    assert issuing_refusal(HOURS, CAL, 0, None, 0, at(2026, 11, 28, 10, 0)) == (
        "closed",
        at(2026, 11, 30, 8, 30),
    )


def test_a_hall_open_on_saturdays_keeps_saturday_hours() -> None:
    hours = WeekHours((DAY, DAY, DAY, DAY, DAY, ((540, 720),), ()))
    assert issuing_refusal(hours, CAL, 0, None, 0, at(2026, 11, 28, 10, 0)) is None
    # but not on a holiday Saturday
    assert issuing_refusal(hours, CAL, 0, None, 0, at(2026, 2, 21, 10, 0)) == (
        "closed",
        at(2026, 2, 24, 8, 30),
    )


def test_quota_full_opens_on_the_next_opening_day() -> None:
    fri = at(2026, 12, 4, 10, 0)
    assert issuing_refusal(HOURS, CAL, 0, 50, 49, fri) is None
    assert issuing_refusal(HOURS, CAL, 0, 50, 50, fri) == ("quota_full", at(2026, 12, 7, 8, 30))
    # always open: issuing resumes at midnight
    assert issuing_refusal(None, CAL, 0, 50, 50, fri) == (
        "quota_full",
        at(2026, 12, 5, 0, 0),
    )


def test_never_open_has_no_next_opening() -> None:
    never = WeekHours(((), (), (), (), (), (), ()))
    assert issuing_refusal(never, CAL, 0, None, 0, at(2026, 12, 1, 10, 0)) == ("closed", None)
    # a cut-off longer than a range closes that range
    assert next_opening(HOURS, CAL, 300, at(2026, 12, 1, 7, 0)) is None


def test_next_opening_is_a_whole_minute() -> None:
    opened = next_opening(HOURS, CAL, 0, at(2026, 12, 1, 12, 5) + timedelta(seconds=7))
    assert opened == at(2026, 12, 1, 13, 30)
