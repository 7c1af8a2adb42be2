"""Opening hours, the issuing cut-off and daily quotas: the catalogue's fields and their
clear errors, and a real hub refusing `issue` with `closed` / `quota_full` and `next_open`."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from support.raw import Conn, hello, kiosk

from hub import auth
from hub.calendar import WeekHours
from hub.catalogue import DEMO_PATH, CatalogueError, Hall, parse_catalogue

DEMO = DEMO_PATH.read_text(encoding="utf-8")
HALL_LINE = 'timezone = "Asia/Shanghai"\n'
HOURS = """cutoff_minutes = 0

[hall.hours]
mon = ["08:30-12:00", "13:30-17:30"]
tue = ["08:30-12:00", "13:30-17:30"]
wed = ["08:30-12:00", "13:30-17:30"]
thu = ["08:30-12:00", "13:30-17:30"]
fri = ["08:30-12:00", "13:30-17:30"]
"""
SERVICE = 'code = "MZ-01"\n'


def hall_with(hall_lines: str = "", service_lines: str = "") -> Hall:
    """The demo hall with lines added to [hall] and to the service MZ-01."""
    assert HALL_LINE in DEMO and SERVICE in DEMO
    text = DEMO.replace(HALL_LINE, HALL_LINE + hall_lines, 1)
    text = text.replace(SERVICE, SERVICE + service_lines, 1)
    return parse_catalogue(text, "hall.toml")


def error(hall_lines: str = "", service_lines: str = "") -> str:
    with pytest.raises(CatalogueError) as info:
        hall_with(hall_lines, service_lines)
    message = str(info.value)
    assert message.startswith("hall.toml: ") and "\n" not in message
    return message


# --- the catalogue -------------------------------------------------------------


def test_no_hours_is_always_open() -> None:
    hall = hall_with()
    assert hall.hours is None and hall.cutoff_minutes == 0
    svc = hall.service("MZ-01")
    assert svc is not None and svc.quota is None and svc.hours is None


def test_hours_cutoff_and_quota_are_read() -> None:
    hall = hall_with(
        HOURS.replace("cutoff_minutes = 0", "cutoff_minutes = 30"),
        'quota = 80\ncutoff_minutes = 60\nhours = { mon = ["09:00-11:00"] }\n',
    )
    assert hall.hours is not None and hall.cutoff_minutes == 30
    assert hall.hours.days[0] == ((510, 720), (810, 1050))
    assert hall.hours.days[5] == () and hall.hours.days[6] == ()
    assert hall.hours.to_toml()["fri"] == ["08:30-12:00", "13:30-17:30"]
    svc = hall.service("MZ-01")
    assert svc is not None
    assert svc.quota == 80 and svc.cutoff_minutes == 60
    assert svc.hours == WeekHours((((540, 660),), (), (), (), (), (), ()))


@pytest.mark.parametrize(
    ("hall_lines", "service_lines", "expected"),
    [
        (
            '[hall.hours]\nmon = ["8:30-12:00"]\n',
            "",
            "[hall]: field 'hours.mon' must hold ranges \"HH:MM-HH:MM\" (start before end), "
            "not '8:30-12:00'",
        ),
        (
            '[hall.hours]\nmon = ["13:30-17:30", "08:30-12:00"]\n',
            "",
            "[hall]: field 'hours.mon': range '08:30-12:00' must start after the one before it ends",
        ),
        (
            '[hall.hours]\nmonday = ["08:30-12:00"]\n',
            "",
            "[hall]: unknown field 'hours.monday' (did you mean 'hours.mon'?)",
        ),
        (
            '[hall.hours]\nmon = "08:30-12:00"\n',
            "",
            "[hall]: field 'hours.mon' must be an array of strings, not string '08:30-12:00'",
        ),
        (
            "cutoff_minutes = -5\n",
            "",
            "[hall]: field 'cutoff_minutes' must be a whole number of minutes (0 or more), not -5",
        ),
        (
            "",
            "quota = 0\n",
            "services[1] (MZ-01): field 'quota' must be a positive integer, not 0",
        ),
        (
            "",
            'hours = { mon = ["12:00-08:00"] }\n',
            "services[1] (MZ-01): field 'hours.mon' must hold ranges \"HH:MM-HH:MM\" "
            "(start before end), not '12:00-08:00'",
        ),
    ],
)
def test_hours_errors_name_the_field(hall_lines: str, service_lines: str, expected: str) -> None:
    assert error(hall_lines, service_lines) == f"hall.toml: {expected}"


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        (
            'holidays = ["2026-13-01"]',
            "field 'holidays' must hold dates \"YYYY-MM-DD\", not string '2026-13-01'",
        ),
        (
            'holidays = ["2026-1-1"]',
            "field 'holidays' must hold dates \"YYYY-MM-DD\", not string '2026-1-1'",
        ),
        (
            'workdays = ["2026-02-13"]',
            "field 'workdays' lists 2026-02-13, a weekday: only weekend days are worked instead",
        ),
        (
            'holidays = ["2026-02-14"]\nworkdays = ["2026-02-14"]',
            "2026-02-14 is both in 'holidays' and in 'workdays'",
        ),
        ("holiday = []", "unknown field 'holiday' (did you mean 'holidays'?)"),
    ],
)
def test_calendar_errors(calendar: str, expected: str) -> None:
    text = DEMO[: DEMO.index("[calendar]")] + f"[calendar]\n{calendar}\n\n"
    text += DEMO[DEMO.index("# --- departments") :]
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(text, "hall.toml")
    assert str(info.value) == f"hall.toml: [calendar]: {expected}"


def test_calendar_takes_toml_dates_too() -> None:
    text = DEMO[: DEMO.index("[calendar]")] + "[calendar]\nholidays = [2026-10-01]\n\n"
    text += DEMO[DEMO.index("# --- departments") :]
    hall = parse_catalogue(text, "hall.toml")
    assert not hall.calendar.is_working_day(datetime(2026, 10, 1).date())


# --- the hub -------------------------------------------------------------------


async def restart(hub: Any, hall: Hall, instant: list[datetime]) -> None:
    await hub.stop()
    hub.hall = hall
    await hub.start(clock=lambda: instant[0])


async def test_issue_refused_in_the_lunch_break_and_allowed_after(hub: Any) -> None:
    # Tuesday 1 Dec 2026, 12:05 in the hall (UTC+8)
    instant = [datetime(2026, 12, 1, 4, 5, tzinfo=UTC)]
    await restart(hub, hall_with(HOURS), instant)
    k = await kiosk(hub)
    try:
        refused = await k.error("issue", "closed", service="MZ-01")
        assert refused["next_open"] == "2026-12-01T13:30:00.000000+08:00"
        assert "13:30" in refused["message"]
        instant[0] = datetime(2026, 12, 1, 5, 30, tzinfo=UTC)  # 13:30
        ok = await k.ok("issue", service="MZ-01")
        assert ok["ticket"]["number"] == "A001"  # the refusal used no number
        # Saturday 5 Dec has no hours: the next opening is Monday's
        instant[0] = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
        refused = await k.error("issue", "closed", service="MZ-01")
        assert refused["next_open"] == "2026-12-07T08:30:00.000000+08:00"
    finally:
        await k.close()


async def test_service_hours_and_cutoff_override_the_halls(hub: Any) -> None:
    instant = [datetime(2026, 12, 1, 1, 0, tzinfo=UTC)]  # Tuesday 09:00
    hall = hall_with(HOURS, 'hours = { tue = ["10:00-12:00"] }\ncutoff_minutes = 30\n')
    await restart(hub, hall, instant)
    k = await kiosk(hub)
    try:
        refused = await k.error("issue", "closed", service="MZ-01")
        assert refused["next_open"] == "2026-12-01T10:00:00.000000+08:00"
        await k.ok("issue", service="MZ-02")  # the hall's hours
        instant[0] = datetime(2026, 12, 1, 3, 35, tzinfo=UTC)  # 11:35: past MZ-01's cut-off
        refused = await k.error("issue", "closed", service="MZ-01", lang="en")
        assert refused["next_open"] == "2026-12-08T10:00:00.000000+08:00"
        await k.ok("issue", service="MZ-02")
    finally:
        await k.close()


async def test_quota_is_exact_under_eight_concurrent_kiosks(hub: Any) -> None:
    instant = [datetime(2026, 12, 1, 2, 0, tzinfo=UTC)]  # Tuesday 10:00
    quota = 10
    await restart(hub, hall_with(service_lines=f"quota = {quota}\n"), instant)
    tokens = []
    for i in range(2, 10):
        token = auth.new_device_token()
        hub.store.add_device(hub.hall.id, f"K{i}", "kiosk", auth.token_hash(token))
        tokens.append(token)
    kiosks: list[Conn] = [await hello(hub.url, role="kiosk", token=t) for t in tokens]
    try:

        async def burst(k: Conn) -> list[dict[str, Any]]:
            futures = [await k.send_request("issue", service="MZ-01") for _ in range(3)]
            return list(await asyncio.gather(*futures))

        replies = [r for rs in await asyncio.gather(*(burst(k) for k in kiosks)) for r in rs]
        ok = [r for r in replies if r["type"] == "ok"]
        full = [r for r in replies if r["type"] == "error"]
        assert len(ok) == quota
        assert {r["ticket"]["number"] for r in ok} == {f"A{n:03d}" for n in range(1, quota + 1)}
        assert len(full) == 24 - quota
        assert {r["code"] for r in full} == {"quota_full"}
        assert {r["next_open"] for r in full} == {"2026-12-02T00:00:00.000000+08:00"}
        await kiosks[0].ok("issue", service="MZ-02")  # other services go on
    finally:
        for k in kiosks:
            await k.close()
    # the count is replayed after a restart
    await restart(hub, hub.hall, instant)
    k = await kiosk(hub)
    try:
        await k.error("issue", "quota_full", service="MZ-01")
        # the next day the quota starts again
        instant[0] = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
        assert (await k.ok("issue", service="MZ-01"))["ticket"]["number"] == "A001"
    finally:
        await k.close()


def test_replace_keeps_the_hall_usable() -> None:
    """Halls built in code (tests, tools) default to always open."""
    hall = replace(hall_with(), hours=None)
    svc = hall.service("MZ-01")
    assert svc is not None
    assert hall.issuing_refusal(svc, 0, datetime(2026, 10, 1, tzinfo=UTC)) is None
