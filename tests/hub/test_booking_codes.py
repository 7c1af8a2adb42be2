"""预约 codes are unique among the hall's live bookings: a code that repeats one already
handed out is made again (and stays the booking's code, also after a restart); when no
unique code can be made the booking is refused in words and nothing changes.

The code generator is forced to repeat (`hub.bookings.make_code` patched); the hub runs
the demo hall on a clock the test moves (MZ-03 takes bookings 09:00-12:00, check-in from
30 minutes before its slot), like tests/hub/test_bookings.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import raw

import hub.bookings

pytestmark = [pytest.mark.timeout(90)]

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 30)
SAME = "AAAABBBB"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(MONDAY.year, MONDAY.month, MONDAY.day, h, m, tzinfo=TZ)


def slot(hhmm: str) -> str:
    return at(hhmm).isoformat(timespec="microseconds")


@pytest.fixture
def clock() -> Clock:
    return Clock(at("08:00"))


@pytest.fixture
async def booking_hub(hub: Any, clock: Clock) -> AsyncIterator[Any]:
    await hub.stop()
    await hub.start(clock=clock, visitor_limit=100_000)
    yield hub


def repeating(monkeypatch: pytest.MonkeyPatch, times: int) -> dict[bytes, str]:
    """The generator gives SAME for the first `times` inputs it sees, then real codes (the
    same code for the same input every time, as the real one); returns what it made."""
    real: Callable[[bytes], str] = hub.bookings.make_code
    made: dict[bytes, str] = {}

    def fake(mac: bytes) -> str:
        if mac not in made:
            made[mac] = SAME if len(made) < times else real(mac)
        return made[mac]

    monkeypatch.setattr(hub.bookings, "make_code", fake)
    return made


async def book(v: raw.Conn, start: str, mobile: str) -> dict[str, Any]:
    return await v.request("book", service="MZ-03", start=start, name="王芳", mobile=mobile)


async def test_a_repeated_code_is_made_again(
    booking_hub: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    repeating(monkeypatch, 2)  # the first booking's code, and the second's first try
    v = await raw.hello(booking_hub.url, role="visitor")
    first = (await book(v, slot("09:00"), "13900000001"))["booking"]
    second = (await book(v, slot("10:00"), "13900000002"))["booking"]
    assert first["code"] == SAME and second["code"] not in (SAME, "")
    # the page shows the code the booking really has, every time
    assert (await v.ok("booking", token=second["token"]))["booking"]["code"] == second["code"]
    # each code checks in its own booking (the slot in the words says which)
    clock.at = at("08:20")  # too early for both: the words name the slot
    k = await raw.kiosk(booking_hub)
    e1 = await k.error("check_in", "check_in_closed", code=first["code"], lang="en")
    e2 = await k.error("check_in", "check_in_closed", code=second["code"], lang="en")
    assert "09:00" in e1["message"] and "10:00" in e2["message"], (e1, e2)
    await k.close()
    await v.close()
    # after a restart the booking still shows (and takes) its second code
    await booking_hub.stop()
    await booking_hub.start(clock=clock, visitor_limit=100_000)
    v = await raw.hello(booking_hub.url, role="visitor")
    assert (await v.ok("booking", token=second["token"]))["booking"]["code"] == second["code"]
    await v.close()


async def test_no_unique_code_is_a_clear_refusal(
    booking_hub: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = repeating(monkeypatch, 1_000)  # the generator never stops repeating
    v = await raw.hello(booking_hub.url, role="visitor", lang="en")
    first = (await book(v, slot("09:00"), "13900000001"))["booking"]
    assert first["code"] == SAME
    before = await raw.hub_seq(booking_hub)
    tries = len(made)
    e = await v.error(
        "book", "unavailable", service="MZ-03", start=slot("09:00"), name="李雷",
        mobile="13900000002",
    )  # fmt: skip
    assert "booking code" in e["message"] and "try again" in e["message"], e
    assert len(made) - tries > 1  # it did try again before giving up
    assert await raw.hub_seq(booking_hub) == before  # nothing changed
    slots = (await v.ok("slots", service="MZ-03", day=MONDAY.isoformat()))["slots"]
    assert next(s for s in slots if s["start"] == slot("09:00"))["left"] == 4
    await v.close()
