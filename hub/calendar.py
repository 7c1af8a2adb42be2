"""The hall's calendar and opening hours: pure, standard library only.

``WorkCalendar`` knows the working days (工作日): Monday to Friday, minus the
statutory holidays (法定节假日), plus the weekend days worked instead (调休).
Later features count in working days with it (case deadlines "承诺30个工作日",
appointments, reports per working day).

``WeekHours`` holds a hall's (or a service's) opening hours per weekday, and
``issuing_refusal`` decides whether a ticket may be issued at an instant:

- a holiday is closed; another day is open when its weekday has hours, or,
  for a 调休 weekend day that has none, with Monday's hours;
- issuing stops ``cutoff`` minutes before each closing (the midday break too);
- past the daily quota nothing more is issued that day.

Each refusal comes with the next instant issuing opens again, when there is one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# how far ahead the next opening is looked for (a hall closed longer has none)
LOOKAHEAD_DAYS = 400

Range = tuple[int, int]  # minutes from midnight: [start, end)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Mon-Fri, minus `holidays`, plus `workdays` (weekend days worked)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        object.__setattr__(self, "holidays", frozenset(holidays))
        object.__setattr__(self, "workdays", frozenset(workdays))

    def is_working_day(self, d: date) -> bool:
        """True on a working day (工作日)."""
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def next_working_day(self, d: date) -> date:
        """The first working day after `d`."""
        return self.add_working_days(d, 1)

    def add_working_days(self, day: date, n: int) -> date:
        """The day `n` working days after `day` (before it when n < 0); `day` itself never counts.

        ``add_working_days(d, 0)`` is `d`. A deadline of "30 working days" from an
        application on day d is ``add_working_days(d, 30)``.
        """
        step = 1 if n >= 0 else -1
        left = abs(n)
        d = day
        while left:
            d += timedelta(days=step)
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b` (negative when b < a).

        So ``working_days_between(d, add_working_days(d, n)) == n``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_working_day(a + timedelta(i)))


@dataclass(frozen=True)
class WeekHours:
    """Opening hours: per weekday (Monday first) the open ranges, in order, non-overlapping."""

    days: tuple[tuple[Range, ...], ...]

    def ranges(self, d: date, calendar: WorkCalendar) -> tuple[Range, ...]:
        """The open ranges of day `d`: none on a holiday; Monday's on a 调休 day without its own."""
        if d in calendar.holidays and d not in calendar.workdays:
            return ()
        own = self.days[d.weekday()]
        if not own and d in calendar.workdays:
            return self.days[0]
        return own

    def to_toml(self) -> dict[str, list[str]]:
        """The `[hall.hours]` table: only the days with hours."""
        return {
            WEEKDAYS[i]: [f"{hhmm(a)}-{hhmm(b)}" for a, b in ranges]
            for i, ranges in enumerate(self.days)
            if ranges
        }


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_range(text: str) -> Range | None:
    """'08:30-12:00' as minutes (510, 720); None when malformed or empty. '24:00' ends a day."""
    parts = text.split("-")
    if len(parts) != 2:
        return None
    out = []
    for p in parts:
        hm = p.strip().split(":")
        if len(hm) != 2 or not all(x.isdigit() and len(x) == 2 for x in hm):
            return None
        h, m = int(hm[0]), int(hm[1])
        if m > 59 or h > 24 or (h == 24 and m):
            return None
        out.append(h * 60 + m)
    start, end = out
    return (start, end) if start < end else None


def _issuing(ranges: tuple[Range, ...], cutoff: int) -> list[Range]:
    """The ranges in which tickets are issued: each open range less the cut-off."""
    return [(a, b - cutoff) for a, b in ranges if b - cutoff > a]


def next_opening(
    hours: WeekHours, calendar: WorkCalendar, cutoff: int, at: datetime, after_today: bool = False
) -> datetime | None:
    """The first instant from `at` (local, aware) when issuing opens; None within LOOKAHEAD_DAYS.

    With `after_today`, the first opening on a later day (the quota of today is used up).
    """
    day = at.date()
    minute = at.hour * 60 + at.minute
    for i in range(1 if after_today else 0, LOOKAHEAD_DAYS):
        d = day + timedelta(days=i)
        for start, _ in _issuing(hours.ranges(d, calendar), cutoff):
            if i > 0 or start > minute:
                return datetime.combine(d, time(0), tzinfo=at.tzinfo) + timedelta(minutes=start)
    return None


def is_issuing(hours: WeekHours, calendar: WorkCalendar, cutoff: int, at: datetime) -> bool:
    """True when a ticket may be issued at `at` (local, aware) by the hours and the cut-off."""
    minute = at.hour * 60 + at.minute
    return any(a <= minute < b for a, b in _issuing(hours.ranges(at.date(), calendar), cutoff))


def issuing_refusal(
    hours: WeekHours | None,
    calendar: WorkCalendar,
    cutoff: int,
    quota: int | None,
    issued: int,
    at: datetime,
) -> tuple[str, datetime | None] | None:
    """Why a ticket may not be issued at `at` (local, aware): (code, next opening), or None.

    `code` is ``closed`` (no hours now, a holiday, past the cut-off) or ``quota_full``
    (`issued` of today already reached `quota`). No `hours` means always open.
    """
    if hours is not None and not is_issuing(hours, calendar, cutoff, at):
        return "closed", next_opening(hours, calendar, cutoff, at)
    if quota is not None and issued >= quota:
        if hours is None:
            tomorrow = datetime.combine(at.date() + timedelta(days=1), time(0), tzinfo=at.tzinfo)
            return "quota_full", tomorrow
        return "quota_full", next_opening(hours, calendar, cutoff, at, after_today=True)
    return None


_HEADER = " ".join(f"{c}  " for c in "一二三四五六日").rstrip()
_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def render_year(calendar: WorkCalendar, year: int) -> str:
    """The year month by month, for `hall calendar show`: 休 marks a holiday, 班 a worked
    weekend day (调休); each month ends with its count of working days."""
    lines = [
        f"{year}年 工作日历 / working-day calendar {year}",
        "休 = 法定节假日 holiday, 班 = 调休上班 weekend day worked",
    ]
    for month in range(1, 13):
        first = date(year, month, 1)
        days = (date(year + month // 12, month % 12 + 1, 1) - first).days
        cells = ["    "] * first.weekday()
        working = 0
        for n in range(1, days + 1):
            d = date(year, month, n)
            working += calendar.is_working_day(d)
            mark = "休" if d in calendar.holidays else "班" if d in calendar.workdays else "  "
            cells.append(f"{n:>2}{mark}")
        lines += ["", f"{year}年{month}月  {_MONTHS[month - 1]}", _HEADER]
        lines += [" ".join(cells[i : i + 7]).rstrip() for i in range(0, len(cells), 7)]
        lines.append(f"工作日 {working} working days")
    return "\n".join(lines)
