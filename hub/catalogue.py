"""The hall catalogue: hall, departments, services with guides, windows, staff, policy.

Loaded from a TOML file (see ``demo_hall.toml``) and validated; every error
names the file, the entry and the field, in one sentence, e.g.::

    hall.toml: services[3] (MZ-01): field 'minutes' must be a positive integer, not 0
    hall.toml: windows[2] (number 7): field 'services' names unknown service 'XX-01'

Entries of an array of tables are counted from 1 in file order
(``services[3]`` is the third ``[[services]]`` table), followed by the
entry's code, number or id when it has one.

File layout (tables and their fields; ``?`` marks optional ones)::

    [hall]          id, name, name_en, timezone? (default Asia/Shanghai),
                    cutoff_minutes? (>= 0, default 0: stop issuing N minutes before closing),
                    fee_service? (the code of the service of the fee window(s), 一口收费:
                    a visit with a fee ends with a step there)
    [hall.hours]?   mon? tue? wed? thu? fri? sat? sun?: each a list of "HH:MM-HH:MM"
                    ranges in order (a missing day is closed; no table: always open)
    [calendar]?     holidays?, workdays? (lists of "YYYY-MM-DD": statutory holidays
                    法定节假日, and the weekend days worked instead 调休)
    [policy]?       max_wait_minutes? (>= 1, default 45), priority_run? (>= 1, default 2)
    [reports]?      busy_per_day? (received per working day for 业务量较大, default 20),
                    vacant_share? (0..1, unstaffed share of working days for 长期空岗, default 0.5)
    [[departments]] code, name, name_en, prefix (one letter A-Z)
    [[services]]    code, department, name, name_en, minutes (> 0),
                    prefix? (default: the department's), approval? (default true),
                    quota? (> 0, tickets per day), cutoff_minutes? (>= 0, default the
                    hall's), hours? (a table like [hall.hours], instead of the hall's),
                    time_limit_days? (>= 0: a 承诺件's limit in working days; default
                    parsed from the guide's time_limit "承诺N个工作日", else 0 = 即办件),
                    fee_amount? (>= 0, yuan: collected at the fee window when in a visit)
                    [services.guide]? materials?, materials_en?, fee?, fee_en?,
                                      time_limit?, time_limit_en?
                    [services.booking]? (预约: the service takes appointments)
                        capacity (> 0, citizens per slot), slot_minutes? (default 30),
                        days_ahead? (>= 0 working days, default 7), closes? ("HH:MM" of
                        the day before, or "same_day", the default: until the slot
                        starts), reserved_share? (0-1 of the daily quota held for
                        bookings, default 0), check_in_before? (minutes, default 30),
                        check_in_after? (minutes after the slot's end, default 15),
                        hours? (a table like [hall.hours]: the bookable hours; default
                        the service's opening hours, required when it has none)
    [[windows]]     number (> 0), services (non-empty list of service codes),
                    name? (default "N号窗口"), name_en? (default "Window N")
    [[staff]]?      id, name, windows? (list of window numbers), supervisor? (default false)
    [[bundles]]?    code, name, name_en, steps (a non-empty list: each entry a service
                    code, or a list of codes (2+: served in parallel 并联); in order;
                    at most MAX_VISIT_SERVICES services in all, none twice)

``approval = false`` marks a service that is not an approval item (审批事项),
such as a department's general enquiries or the complaint desk; the demo hall
counts its 32 approval items with it. It is not part of the wire object.
Staff PINs never live in the catalogue (``hall staff add`` sets them).

A bundle (``[[bundles]]``) is several services a citizen does in one visit, with one
ticket ("开办餐饮店"); e.g. ``steps = ["SC-01", ["WS-02", "XF-01"]]`` is SC-01 first,
then WS-02 and XF-01 in any order. When any of its services has a ``fee_amount``
and the hall has a ``fee_service``, the visit ends with a fee step (hub/engine.py).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.calendar import WEEKDAYS, WeekHours, WorkCalendar, hhmm, issuing_refusal, parse_range
from shared.protocol import MAX_VISIT_SERVICES

DEMO_PATH: Path = Path(__file__).with_name("demo_hall.toml")
DEFAULT_TIMEZONE = "Asia/Shanghai"


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; the message names file, entry and field."""


@dataclass(frozen=True)
class Guide:
    """办事指南: what a citizen needs to know before a service."""

    materials: tuple[str, ...] = ()
    materials_en: tuple[str, ...] = ()
    fee: str = ""
    fee_en: str = ""
    time_limit: str = ""
    time_limit_en: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "materials": list(self.materials),
            "materials_en": list(self.materials_en),
            "fee": self.fee,
            "fee_en": self.fee_en,
            "time_limit": self.time_limit,
            "time_limit_en": self.time_limit_en,
        }


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    name_en: str
    prefix: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "prefix": self.prefix,
        }


SAME_DAY = "same_day"


@dataclass(frozen=True)
class BookingConf:
    """预约: how a service takes appointments (see hub/bookings.py)."""

    capacity: int  # citizens per slot
    slot_minutes: int = 30
    days_ahead: int = 7  # working days after today that may be booked
    closes: int | None = None  # minutes from midnight of the day before; None: same day
    reserved_share: float = 0.0  # of the daily quota: held for bookings, walk-ins get the rest
    check_in_before: int = 30  # minutes before the slot starts
    check_in_after: int = 15  # minutes after the slot ends
    hours: WeekHours | None = None  # the bookable hours; None: the service's opening hours

    def reserved(self, quota: int | None) -> int:
        """How many of a daily quota are held for bookings (0 without a quota)."""
        return int(quota * self.reserved_share) if quota is not None else 0

    def to_wire(self) -> dict[str, Any]:
        return {
            "capacity": self.capacity,
            "slot_minutes": self.slot_minutes,
            "days_ahead": self.days_ahead,
            "closes": None if self.closes is None else hhmm(self.closes),
            "check_in_before": self.check_in_before,
            "check_in_after": self.check_in_after,
        }


@dataclass(frozen=True)
class Service:
    code: str
    department: str
    name: str
    name_en: str
    prefix: str
    minutes: int
    guide: Guide = field(default_factory=Guide)
    # Not an approval item (审批事项) when False: general enquiries, complaints.
    approval: bool = True
    quota: int | None = None  # tickets per day (每日限号); None: no limit
    hours: WeekHours | None = None  # instead of the hall's
    cutoff_minutes: int | None = None  # instead of the hall's
    # 承诺件: working days from receipt to the due date; None: from the guide's time_limit text
    time_limit_days: int | None = None
    fee_amount: float | None = None  # yuan collected at the fee window (一口收费); None: no fee
    booking: BookingConf | None = None  # None: no appointments

    @property
    def limit_days(self) -> int:
        """The promised time limit in working days (0: 即办件), see hub/cases.py."""
        if self.time_limit_days is not None:
            return self.time_limit_days
        return limit_from_text(self.guide.time_limit)

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "department": self.department,
            "name": self.name,
            "name_en": self.name_en,
            "prefix": self.prefix,
            "minutes": self.minutes,
            "guide": self.guide.to_wire(),
            "time_limit_days": self.limit_days,
        }
        if self.fee_amount is not None:
            out["fee_amount"] = self.fee_amount
        if self.booking is not None:
            out["booking"] = self.booking.to_wire()
        return out


@dataclass(frozen=True)
class Bundle:
    """Several services done in one visit with one ticket (一门受理): `steps` in order, each a
    tuple of service codes (two or more: served in parallel, 并联)."""

    code: str
    name: str
    name_en: str
    steps: tuple[tuple[str, ...], ...]

    def services(self) -> tuple[str, ...]:
        """Every service of the bundle, in order."""
        return tuple(code for step in self.steps for code in step)

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "steps": [list(step) for step in self.steps],
        }


@dataclass(frozen=True)
class WindowConf:
    number: int
    name: str
    name_en: str
    services: tuple[str, ...]

    def to_wire(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "name_en": self.name_en,
            "services": list(self.services),
        }


@dataclass(frozen=True)
class StaffConf:
    id: str
    name: str
    windows: tuple[int, ...] = ()
    supervisor: bool = False


@dataclass(frozen=True)
class Policy:
    max_wait_minutes: int = 45
    priority_run: int = 2
    complaint_days: int = 5  # working days to answer a complaint (hub/complaints.py)

    def to_wire(self) -> dict[str, Any]:
        return {"max_wait_minutes": self.max_wait_minutes, "priority_run": self.priority_run}


@dataclass(frozen=True)
class ReportRules:
    """The thresholds of the period reports' classes (docs/REPORTS.md, "Classes")."""

    busy_per_day: float = 20.0  # received per working day at or above which: 业务量较大 (busy)
    vacant_share: float = 0.5  # unstaffed on more than this share of working days: 长期空岗

    def to_wire(self) -> dict[str, Any]:
        return {"busy_per_day": self.busy_per_day, "vacant_share": self.vacant_share}


@dataclass(frozen=True)
class Hall:
    id: str
    name: str
    name_en: str
    timezone: str
    departments: tuple[Department, ...]
    services: tuple[Service, ...]
    windows: tuple[WindowConf, ...]
    staff: tuple[StaffConf, ...] = ()
    policy: Policy = field(default_factory=Policy)
    hours: WeekHours | None = None  # None: always open
    cutoff_minutes: int = 0
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    bundles: tuple[Bundle, ...] = ()
    fee_service: str | None = None  # the service of the fee window(s) (一口收费)
    reports: ReportRules = field(default_factory=ReportRules)

    def bundle(self, code: str) -> Bundle | None:
        """The bundle with this code, or None."""
        for b in self.bundles:
            if b.code == code:
                return b
        return None

    def issuing_refusal(
        self, service: Service, issued: int, at: datetime
    ) -> tuple[str, datetime | None] | None:
        """Why `service` issues no ticket at `at` (hall-local) with `issued` of today: see
        hub.calendar.issuing_refusal; None when it may."""
        hours = service.hours or self.hours
        cutoff = self.cutoff_minutes if service.cutoff_minutes is None else service.cutoff_minutes
        quota = service.quota
        if quota is not None and service.booking is not None:
            quota -= service.booking.reserved(quota)  # the rest is held for bookings
        return issuing_refusal(hours, self.calendar, cutoff, quota, issued, at)

    def department(self, code: str) -> Department | None:
        """The department with this code, or None."""
        for d in self.departments:
            if d.code == code:
                return d
        return None

    def department_services(self, code: str) -> tuple[Service, ...]:
        """The services of the department with this code, in catalogue order."""
        return tuple(s for s in self.services if s.department == code)

    def approval_items(self) -> tuple[Service, ...]:
        """The services that are approval items (审批事项), in catalogue order."""
        return tuple(s for s in self.services if s.approval)

    def staff_member(self, staff_id: str) -> StaffConf | None:
        """The staff entry with this id, or None."""
        for m in self.staff:
            if m.id == staff_id:
                return m
        return None

    def service(self, code: str) -> Service | None:
        """The service with this code, or None."""
        for s in self.services:
            if s.code == code:
                return s
        return None

    def window(self, number: int) -> WindowConf | None:
        """The configured window with this number, or None."""
        for w in self.windows:
            if w.number == number:
                return w
        return None

    def to_wire(self) -> dict[str, Any]:
        """The Hall object of docs/protocol.md (sent in `welcome`)."""
        return {
            "id": self.id,
            "name": self.name,
            "name_en": self.name_en,
            "timezone": self.timezone,
            "departments": [d.to_wire() for d in self.departments],
            "services": [s.to_wire() for s in self.services],
            "windows": [w.to_wire() for w in self.windows],
            "policy": self.policy.to_wire(),
            "bundles": [b.to_wire() for b in self.bundles],
            "fee_service": self.fee_service,
        }


# --- loading and validation -------------------------------------------------

_LIMIT_TEXT = re.compile(r"承诺\s*(\d+)\s*个?工作日")


def limit_from_text(text: str) -> int:
    """The working days of a guide's time_limit text ("承诺30个工作日" -> 30), else 0 (即办)."""
    m = _LIMIT_TEXT.search(text)
    return int(m.group(1)) if m else 0


_TOP_LEVEL = (
    "hall",
    "policy",
    "reports",
    "calendar",
    "departments",
    "services",
    "windows",
    "staff",
    "bundles",
)
_HALL_KEYS = ("id", "name", "name_en", "timezone", "cutoff_minutes", "hours", "fee_service")
_BUNDLE_KEYS = ("code", "name", "name_en", "steps")
_CALENDAR_KEYS = ("holidays", "workdays")
_POLICY_KEYS = ("max_wait_minutes", "priority_run", "complaint_days")
_REPORTS_KEYS = ("busy_per_day", "vacant_share")
_DEPARTMENT_KEYS = ("code", "name", "name_en", "prefix")
_SERVICE_KEYS = (
    "code",
    "department",
    "name",
    "name_en",
    "prefix",
    "minutes",
    "approval",
    "guide",
    "quota",
    "cutoff_minutes",
    "time_limit_days",
    "hours",
    "fee_amount",
    "booking",
)
_BOOKING_KEYS = (
    "capacity",
    "slot_minutes",
    "days_ahead",
    "closes",
    "reserved_share",
    "check_in_before",
    "check_in_after",
    "hours",
)
_GUIDE_KEYS = ("materials", "materials_en", "fee", "fee_en", "time_limit", "time_limit_en")
_WINDOW_KEYS = ("number", "name", "name_en", "services")
_STAFF_KEYS = ("id", "name", "windows", "supervisor")

_PREFIX = re.compile(r"[A-Z]")
_NO_SPACE = re.compile(r"\S+")
_MISSING = object()


def load_catalogue(path: str | Path) -> Hall:
    """Read and validate the catalogue TOML file at `path`."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise CatalogueError(f"{source}: cannot read the file: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")  # tolerate a BOM (Windows editors)
    except UnicodeDecodeError as e:
        raise CatalogueError(
            f"{source}: the file is not UTF-8 (bad byte at offset {e.start})"
        ) from None
    return parse_catalogue(text, source)


def load_demo() -> Hall:
    """The demo hall (万柏林区政务服务中心) shipped in `hub/demo_hall.toml`."""
    return load_catalogue(DEMO_PATH)


def parse_catalogue(text: str, source: str) -> Hall:
    """Parse and validate catalogue TOML `text`; `source` names it in error messages."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # The message ends with "(at line L, column C)".
        raise CatalogueError(f"{source}: invalid TOML: {e}") from None
    return _Parser(source).hall(doc)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _type_name(value: object) -> str:
    match value:
        case bool():
            return "boolean"
        case int():
            return "integer"
        case float():
            return "float"
        case str():
            return "string"
        case list():
            return "array"
        case dict():
            return "table"
        case _:
            return type(value).__name__


def _show(value: object) -> str:
    """A short rendering of a bad value for an error message: `string '15'`, `0`."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return repr(value)
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{_type_name(value)} {text}"


class _Parser:
    """Turns the parsed TOML document into a Hall, raising on the first problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, entry: str, message: str) -> CatalogueError:
        return CatalogueError(f"{self.source}: {entry}: {message}")

    # -- field helpers --------------------------------------------------------

    def check_keys(
        self, entry: str, table: dict[str, Any], allowed: tuple[str, ...], prefix: str = ""
    ) -> None:
        unknown = [k for k in table if k not in allowed]
        if not unknown:
            return
        key = unknown[0]
        # 0.65: "monday" suggests "mon", but "max_wait_minutes" in [hall] no "cutoff_minutes"
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.65)
        hint = (
            f" (did you mean '{prefix}{close[0]}'?)"
            if close
            else f" (known fields: {', '.join(allowed)})"
        )
        if len(unknown) == 1:
            raise self.fail(entry, f"unknown field '{prefix}{key}'{hint}")
        names = ", ".join(f"'{prefix}{k}'" for k in unknown)
        raise self.fail(entry, f"unknown fields {names} (known fields: {', '.join(allowed)})")

    def get(
        self,
        entry: str,
        table: dict[str, Any],
        key: str,
        want: str,
        check: Callable[[Any], bool],
        default: Any = _MISSING,
        name: str | None = None,
    ) -> Any:
        """table[key] if `check` accepts it; `want` says what it must be."""
        name = name or key
        if key not in table:
            if default is _MISSING:
                raise self.fail(entry, f"missing required field '{name}'")
            return default
        value = table[key]
        if not check(value):
            raise self.fail(entry, f"field '{name}' must be {want}, not {_show(value)}")
        return value

    def text(
        self,
        entry: str,
        table: dict[str, Any],
        key: str,
        default: Any = _MISSING,
        name: str | None = None,
    ) -> str:
        return self.get(entry, table, key, "a string", lambda v: isinstance(v, str), default, name)

    def nonempty(self, entry: str, table: dict[str, Any], key: str, default: Any = _MISSING) -> str:
        return self.get(
            entry,
            table,
            key,
            "a non-empty string",
            lambda v: isinstance(v, str) and v.strip() != "",
            default,
        )

    def code(self, entry: str, table: dict[str, Any], key: str) -> str:
        return self.get(
            entry,
            table,
            key,
            "a non-empty string without spaces",
            lambda v: isinstance(v, str) and _NO_SPACE.fullmatch(v) is not None,
        )

    def positive(self, entry: str, table: dict[str, Any], key: str, default: Any = _MISSING) -> int:
        return self.get(
            entry,
            table,
            key,
            "a positive integer",
            lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
            default,
        )

    def minutes(self, entry: str, table: dict[str, Any], key: str, default: Any) -> int:
        return self.get(
            entry,
            table,
            key,
            "a whole number of minutes (0 or more)",
            lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 24 * 60,
            default,
        )

    def hours(self, entry: str, table: dict[str, Any], name: str) -> WeekHours | None:
        """The hours table at table['hours'] (`name` in messages), or None when absent."""
        if "hours" not in table:
            return None
        value = self.get(entry, table, "hours", "a table", lambda v: isinstance(v, dict))
        self.check_keys(entry, value, WEEKDAYS, prefix=f"{name}.")
        days: list[tuple[tuple[int, int], ...]] = []
        for day in WEEKDAYS:
            field_name = f"{name}.{day}"
            texts = self.strings(entry, value, day, field_name)
            ranges: list[tuple[int, int]] = []
            for text in texts:
                r = parse_range(text)
                if r is None:
                    raise self.fail(
                        entry,
                        f"field '{field_name}' must hold ranges \"HH:MM-HH:MM\" "
                        f"(start before end), not {text!r}",
                    )
                if ranges and r[0] < ranges[-1][1]:
                    raise self.fail(
                        entry,
                        f"field '{field_name}': range {text!r} must start after the one "
                        "before it ends",
                    )
                ranges.append(r)
            days.append(tuple(ranges))
        return WeekHours(tuple(days))

    def dates(self, entry: str, table: dict[str, Any], key: str) -> list[date]:
        """A list of days, as "YYYY-MM-DD" strings (or TOML dates)."""
        values = self.get(entry, table, key, "an array of dates", lambda v: isinstance(v, list), [])
        out = []
        for v in values:
            if isinstance(v, date) and not isinstance(v, datetime):
                out.append(v)
                continue
            try:
                out.append(date.fromisoformat(v if isinstance(v, str) and len(v) == 10 else ""))
            except ValueError:
                raise self.fail(
                    entry, f"field '{key}' must hold dates \"YYYY-MM-DD\", not {_show(v)}"
                ) from None
        return out

    def calendar(self, table: dict[str, Any]) -> WorkCalendar:
        entry = "[calendar]"
        self.check_keys(entry, table, _CALENDAR_KEYS)
        holidays = self.dates(entry, table, "holidays")
        workdays = self.dates(entry, table, "workdays")
        for d in workdays:
            if d in holidays:
                raise self.fail(entry, f"{d} is both in 'holidays' and in 'workdays'")
            if d.weekday() < 5:
                raise self.fail(
                    entry,
                    f"field 'workdays' lists {d}, a weekday: only weekend days are worked instead",
                )
        return WorkCalendar(holidays, workdays)

    def amount(self, entry: str, table: dict[str, Any], key: str) -> float | None:
        value = self.get(
            entry,
            table,
            key,
            "a number >= 0 (yuan)",
            lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= 0,
            None,
        )
        return None if value is None else float(value)

    def flag(self, entry: str, table: dict[str, Any], key: str, default: bool) -> bool:
        return self.get(entry, table, key, "true or false", lambda v: isinstance(v, bool), default)

    def prefix(self, entry: str, table: dict[str, Any], default: Any = _MISSING) -> str:
        return self.get(
            entry,
            table,
            "prefix",
            "one uppercase letter A-Z",
            lambda v: isinstance(v, str) and _PREFIX.fullmatch(v) is not None,
            default,
        )

    def strings(self, entry: str, table: dict[str, Any], key: str, name: str) -> tuple[str, ...]:
        return tuple(
            self.get(
                entry,
                table,
                key,
                "an array of strings",
                lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                [],
                name,
            )
        )

    def table(self, doc: dict[str, Any], key: str, required: bool) -> dict[str, Any] | None:
        if key not in doc:
            if required:
                raise CatalogueError(f"{self.source}: missing required table [{key}]")
            return None
        value = doc[key]
        if not isinstance(value, dict):
            raise CatalogueError(f"{self.source}: [{key}] must be a table, not {_show(value)}")
        return value

    def array(
        self, doc: dict[str, Any], key: str, required: bool
    ) -> list[tuple[int, dict[str, Any]]]:
        """The [[key]] tables as (1-based index, table) pairs."""
        if key not in doc:
            if required:
                raise CatalogueError(f"{self.source}: missing required array of tables [[{key}]]")
            return []
        value = doc[key]
        if not isinstance(value, list):
            raise CatalogueError(
                f"{self.source}: '{key}' must be an array of tables [[{key}]], not {_show(value)}"
            )
        if required and not value:
            raise CatalogueError(f"{self.source}: '{key}' must hold at least one [[{key}]] table")
        out = []
        for i, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise CatalogueError(
                    f"{self.source}: {key}[{i}]: must be a table, not {_show(item)}"
                )
            out.append((i, item))
        return out

    @staticmethod
    def label(key: str, i: int, item: dict[str, Any], ident: str) -> str:
        """`services[3] (MZ-01)`, `windows[2] (number 7)`, or `services[3]` without an id."""
        value = item.get(ident)
        if isinstance(value, str) and value.strip():
            return f"{key}[{i}] ({value})"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{key}[{i}] ({ident} {value})"
        return f"{key}[{i}]"

    # -- sections -----------------------------------------------------------

    def hall(self, doc: dict[str, Any]) -> Hall:
        unknown = [k for k in doc if k not in _TOP_LEVEL]
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(key, _TOP_LEVEL, n=1)
            hint = (
                f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(_TOP_LEVEL)})"
            )
            raise CatalogueError(f"{self.source}: unknown top-level field '{key}'{hint}")

        hall = self.table(doc, "hall", required=True)
        assert hall is not None
        entry = "[hall]"
        self.check_keys(entry, hall, _HALL_KEYS)
        hall_id = self.code(entry, hall, "id")
        name = self.nonempty(entry, hall, "name")
        name_en = self.text(entry, hall, "name_en")
        timezone = self.text(entry, hall, "timezone", DEFAULT_TIMEZONE)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise self.fail(
                entry, f"field 'timezone' is not a known time zone: {timezone!r}"
            ) from None

        cutoff = self.minutes(entry, hall, "cutoff_minutes", 0)
        hours = self.hours(entry, hall, "hours")
        calendar = self.calendar(self.table(doc, "calendar", required=False) or {})
        policy = self.policy(self.table(doc, "policy", required=False) or {})
        reports = self.report_rules(self.table(doc, "reports", required=False) or {})
        departments = self.departments(doc)
        services = self.services(doc, {d.code: d for d in departments}, hours)
        windows = self.windows(doc, {s.code for s in services})
        staff = self.staff(doc, {w.number for w in windows})
        codes = {s.code for s in services}
        fee_service = self.get(entry, hall, "fee_service", "a string", _is_str, None)
        if fee_service is not None:
            if fee_service not in codes:
                raise self.fail(entry, f"field 'fee_service' names unknown service {fee_service!r}")
            if not any(fee_service in w.services for w in windows):
                raise self.fail(entry, f"field 'fee_service': no window serves {fee_service!r}")
        bundles = self.bundles(doc, codes, fee_service)
        return Hall(
            id=hall_id,
            name=name,
            name_en=name_en,
            timezone=timezone,
            departments=departments,
            services=services,
            windows=windows,
            staff=staff,
            policy=policy,
            hours=hours,
            cutoff_minutes=cutoff,
            calendar=calendar,
            bundles=bundles,
            fee_service=fee_service,
            reports=reports,
        )

    def bundles(
        self, doc: dict[str, Any], services: set[str], fee_service: str | None
    ) -> tuple[Bundle, ...]:
        seen: dict[str, str] = {}
        out = []
        for i, item in self.array(doc, "bundles", required=False):
            entry = self.label("bundles", i, item, "code")
            self.check_keys(entry, item, _BUNDLE_KEYS)
            code = self.code(entry, item, "code")
            if code in seen or code in services:
                used = seen.get(code, "a service")
                raise self.fail(entry, f"field 'code': {code!r} is already used by {used}")
            seen[code] = f"bundles[{i}]"
            raw = self.get(
                entry, item, "steps", "a non-empty array", lambda v: isinstance(v, list) and bool(v)
            )
            steps: list[tuple[str, ...]] = []
            for j, step in enumerate(raw, start=1):
                group = [step] if isinstance(step, str) else step
                if (
                    not isinstance(group, list)
                    or not group
                    or not all(isinstance(c, str) for c in group)
                ):
                    raise self.fail(
                        entry,
                        f"field 'steps': entry {j} must be a service code or a non-empty list of "
                        f"codes (two or more: served in parallel), not {_show(step)}",
                    )
                for c in group:
                    if c not in services:
                        raise self.fail(entry, f"field 'steps' names unknown service {c!r}")
                    if c == fee_service:
                        raise self.fail(
                            entry, f"field 'steps': {c!r} is the fee service (added by itself)"
                        )
                steps.append(tuple(group))
            flat = [c for g in steps for c in g]
            if len(set(flat)) != len(flat):
                raise self.fail(entry, "field 'steps' names a service twice")
            if len(flat) > MAX_VISIT_SERVICES:
                raise self.fail(
                    entry,
                    f"field 'steps' holds {len(flat)} services: at most "
                    f"{MAX_VISIT_SERVICES} in one visit",
                )
            out.append(
                Bundle(
                    code=code,
                    name=self.nonempty(entry, item, "name"),
                    name_en=self.text(entry, item, "name_en"),
                    steps=tuple(steps),
                )
            )
        return tuple(out)

    def report_rules(self, table: dict[str, Any]) -> ReportRules:
        entry = "[reports]"
        self.check_keys(entry, table, _REPORTS_KEYS)
        d = ReportRules()
        out = []
        for key, default, top in (
            ("busy_per_day", d.busy_per_day, None),
            ("vacant_share", d.vacant_share, 1.0),
        ):
            v = table.get(key, default)
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                raise self.fail(entry, f"field '{key}' must be a number >= 0, not {_show(v)}")
            if top is not None and v > top:
                raise self.fail(entry, f"field '{key}' must be at most {top}, not {_show(v)}")
            out.append(float(v))
        return ReportRules(busy_per_day=out[0], vacant_share=out[1])

    def policy(self, table: dict[str, Any]) -> Policy:
        entry = "[policy]"
        self.check_keys(entry, table, _POLICY_KEYS)
        defaults = Policy()
        return Policy(
            max_wait_minutes=self.positive(
                entry, table, "max_wait_minutes", defaults.max_wait_minutes
            ),
            priority_run=self.positive(entry, table, "priority_run", defaults.priority_run),
            complaint_days=self.positive(entry, table, "complaint_days", defaults.complaint_days),
        )

    def departments(self, doc: dict[str, Any]) -> tuple[Department, ...]:
        seen: dict[str, str] = {}
        out = []
        for i, item in self.array(doc, "departments", required=True):
            entry = self.label("departments", i, item, "code")
            self.check_keys(entry, item, _DEPARTMENT_KEYS)
            code = self.code(entry, item, "code")
            if code in seen:
                raise self.fail(
                    entry, f"field 'code': department code {code!r} is already used by {seen[code]}"
                )
            seen[code] = f"departments[{i}]"
            out.append(
                Department(
                    code=code,
                    name=self.nonempty(entry, item, "name"),
                    name_en=self.text(entry, item, "name_en"),
                    prefix=self.prefix(entry, item),
                )
            )
        return tuple(out)

    def services(
        self,
        doc: dict[str, Any],
        departments: dict[str, Department],
        hall_hours: WeekHours | None = None,
    ) -> tuple[Service, ...]:
        seen: dict[str, str] = {}
        out = []
        for i, item in self.array(doc, "services", required=True):
            entry = self.label("services", i, item, "code")
            self.check_keys(entry, item, _SERVICE_KEYS)
            code = self.code(entry, item, "code")
            if code in seen:
                raise self.fail(
                    entry, f"field 'code': service code {code!r} is already used by {seen[code]}"
                )
            seen[code] = f"services[{i}]"
            dept_code = self.code(entry, item, "department")
            department = departments.get(dept_code)
            if department is None:
                raise self.fail(entry, f"field 'department' names unknown department {dept_code!r}")
            out.append(
                Service(
                    code=code,
                    department=dept_code,
                    name=self.nonempty(entry, item, "name"),
                    name_en=self.text(entry, item, "name_en"),
                    prefix=self.prefix(entry, item, department.prefix),
                    minutes=self.positive(entry, item, "minutes"),
                    guide=self.guide(entry, item),
                    approval=self.flag(entry, item, "approval", True),
                    quota=self.positive(entry, item, "quota", None),
                    hours=self.hours(entry, item, "hours"),
                    cutoff_minutes=self.minutes(entry, item, "cutoff_minutes", None),
                    time_limit_days=self.get(
                        entry,
                        item,
                        "time_limit_days",
                        "a whole number of working days (0 or more)",
                        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 3650,
                        None,
                    ),
                    fee_amount=self.amount(entry, item, "fee_amount"),
                    booking=self.booking(entry, item),
                )
            )
            if out[-1].booking is not None and out[-1].booking.hours is None:
                if out[-1].hours is None and hall_hours is None:
                    raise self.fail(
                        entry,
                        "field 'booking.hours' is required: the service has no opening hours "
                        "to cut into slots",
                    )
        return tuple(out)

    def booking(self, entry: str, service: dict[str, Any]) -> BookingConf | None:
        if "booking" not in service:
            return None
        table = self.get(entry, service, "booking", "a table", lambda v: isinstance(v, dict))
        self.check_keys(entry, table, _BOOKING_KEYS, prefix="booking.")
        d = BookingConf(capacity=1)

        def minutes(key: str, default: int, lo: int = 0) -> int:
            return int(
                self.get(
                    entry,
                    table,
                    key,
                    f"a whole number of minutes ({lo} or more)",
                    lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v < 24 * 60,
                    default,
                    f"booking.{key}",
                )
            )

        closes_text = self.get(
            entry,
            table,
            "closes",
            f'"HH:MM" (of the day before) or "{SAME_DAY}"',
            lambda v: (
                isinstance(v, str) and (v == SAME_DAY or parse_range(f"{v}-24:00") is not None)
            ),
            SAME_DAY,
            "booking.closes",
        )
        closes = (
            None if closes_text == SAME_DAY else int(closes_text[:2]) * 60 + int(closes_text[3:])
        )
        share = self.get(
            entry,
            table,
            "reserved_share",
            "a number from 0 to 1",
            lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1,
            0.0,
            "booking.reserved_share",
        )
        return BookingConf(
            capacity=int(
                self.get(
                    entry,
                    table,
                    "capacity",
                    "a positive integer",
                    lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
                    name="booking.capacity",
                )
            ),
            slot_minutes=minutes("slot_minutes", d.slot_minutes, lo=1),
            days_ahead=int(
                self.get(
                    entry,
                    table,
                    "days_ahead",
                    "a whole number of working days (0 to 366)",
                    lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 366,
                    d.days_ahead,
                    "booking.days_ahead",
                )
            ),
            closes=closes,
            reserved_share=float(share),
            check_in_before=minutes("check_in_before", d.check_in_before),
            check_in_after=minutes("check_in_after", d.check_in_after),
            hours=self.hours(entry, table, "booking.hours"),
        )

    def guide(self, entry: str, service: dict[str, Any]) -> Guide:
        table = self.get(entry, service, "guide", "a table", lambda v: isinstance(v, dict), {})
        self.check_keys(entry, table, _GUIDE_KEYS, prefix="guide.")
        return Guide(
            materials=self.strings(entry, table, "materials", "guide.materials"),
            materials_en=self.strings(entry, table, "materials_en", "guide.materials_en"),
            fee=self.text(entry, table, "fee", "", "guide.fee"),
            fee_en=self.text(entry, table, "fee_en", "", "guide.fee_en"),
            time_limit=self.text(entry, table, "time_limit", "", "guide.time_limit"),
            time_limit_en=self.text(entry, table, "time_limit_en", "", "guide.time_limit_en"),
        )

    def windows(self, doc: dict[str, Any], services: set[str]) -> tuple[WindowConf, ...]:
        seen: dict[int, str] = {}
        out = []
        for i, item in self.array(doc, "windows", required=True):
            entry = self.label("windows", i, item, "number")
            self.check_keys(entry, item, _WINDOW_KEYS)
            number = self.positive(entry, item, "number")
            if number in seen:
                raise self.fail(
                    entry,
                    f"field 'number': window number {number} is already used by {seen[number]}",
                )
            seen[number] = f"windows[{i}]"
            codes = self.get(
                entry,
                item,
                "services",
                "a non-empty array of service codes",
                lambda v: isinstance(v, list) and len(v) > 0 and all(isinstance(x, str) for x in v),
            )
            listed: set[str] = set()
            for c in codes:
                if c not in services:
                    raise self.fail(entry, f"field 'services' names unknown service {c!r}")
                if c in listed:
                    raise self.fail(entry, f"field 'services' lists service {c!r} twice")
                listed.add(c)
            out.append(
                WindowConf(
                    number=number,
                    name=self.nonempty(entry, item, "name", f"{number}号窗口"),
                    name_en=self.text(entry, item, "name_en", f"Window {number}"),
                    services=tuple(codes),
                )
            )
        return tuple(out)

    def staff(self, doc: dict[str, Any], windows: set[int]) -> tuple[StaffConf, ...]:
        seen: dict[str, str] = {}
        out = []
        for i, item in self.array(doc, "staff", required=False):
            entry = self.label("staff", i, item, "id")
            self.check_keys(entry, item, _STAFF_KEYS)
            staff_id = self.code(entry, item, "id")
            if staff_id in seen:
                raise self.fail(
                    entry, f"field 'id': staff id {staff_id!r} is already used by {seen[staff_id]}"
                )
            seen[staff_id] = f"staff[{i}]"
            numbers = self.get(
                entry,
                item,
                "windows",
                "an array of window numbers",
                lambda v: (
                    isinstance(v, list)
                    and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
                ),
                [],
            )
            listed: set[int] = set()
            for n in numbers:
                if n not in windows:
                    raise self.fail(entry, f"field 'windows' names unknown window {n}")
                if n in listed:
                    raise self.fail(entry, f"field 'windows' lists window {n} twice")
                listed.add(n)
            out.append(
                StaffConf(
                    id=staff_id,
                    name=self.nonempty(entry, item, "name"),
                    windows=tuple(numbers),
                    supervisor=self.flag(entry, item, "supervisor", False),
                )
            )
        return tuple(out)
