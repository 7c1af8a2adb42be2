"""预约 appointments: pure, no I/O, no clock of its own; the live bookings from today on.

A service takes bookings when the catalogue gives it a ``[services.booking]``
table (``hub.catalogue.BookingConf``). Its slots are cut from its bookable
hours (``booking.hours``, else the service's opening hours, else the hall's)
on a day those hours are open: a holiday or a closed weekday has none.

State that outlives the day: `Bookings` holds every booking of today and
later, whatever its state, changed only by ``apply(event)`` of the booking
events (``booking_made``, ``booking_cancelled``, ``booking_moved``,
``booking_checked_in``, ``booking_no_show``, ``booking_missed``), which carry the whole Booking
after the change. ``apply`` puts it (idempotent: the store loads the table,
then the day's events are replayed over it). The day `Engine` holds one
instance across ``day_rolled`` and hands it its commands: each check here
returns the events to emit, or raises `BookingRefused` (nothing changed).

Rules: a slot never holds more than its capacity of active (booked or
checked-in) bookings, and the day no more than the quota's reserved share
when the service has a quota; one active booking per mobile number per
service per day (``already_booked``); a booking can be cancelled until it is
checked in and moved until its slot starts. A checked-in booking whose ticket
ends its day unserved (a no-show at the window, or still open at midnight: the
engine decides at the day's roll, since a no-show may be requeued until then)
becomes ``missed``; one served stays ``checked_in``.

The mobile number is never kept: a booking holds its last four digits (what
staff see, ``mobile``) and the store a salted hash (``_mobile_hash``, made by
the hub with the hall's secret) for the one-per-mobile rule. The booking's
token (the citizen's credential on ``/b/<token>``) and code (typed at the
kiosk) are made by the hub from the hall's secret and the booking's id
(``hub/auth.py``); only their hashes are stored (``_token_hash``, ``_code_hash``).
A code is unique among the live bookings: one that repeats a live booking's is
derived again (``credentials(id, attempt)``, up to ``CODE_ATTEMPTS`` times; else
the booking is refused ``unavailable``), so a typed code finds one booking only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypedDict, cast

from hub.catalogue import BookingConf, Hall, Service

BOOKED, CHECKED_IN, CANCELLED, NO_SHOW = "booked", "checked_in", "cancelled", "no_show"
MISSED = "missed"  # checked in, but its ticket ended the day unserved (a no-show, or expired)
BOOKING_STATES = (BOOKED, CHECKED_IN, CANCELLED, NO_SHOW, MISSED)
ACTIVE = frozenset({BOOKED, CHECKED_IN})  # they hold a place in their slot
EVENT_TYPES = (
    "booking_made",
    "booking_cancelled",
    "booking_moved",
    "booking_checked_in",
    "booking_no_show",
    "booking_missed",
)
# the store-only fields of booking_made (never sent to a client)
PRIVATE_FIELDS = ("_token_hash", "_code_hash", "_mobile_hash")
MAX_NAME = 40
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed at a kiosk
CODE_LENGTH = 8  # 32**8 = 2**40 codes
CODE_ATTEMPTS = 8  # codes tried for one booking before it is refused (a repeat is ~1e-9)
_MOBILE = re.compile(r"1[3-9]\d{9}")  # a mainland mobile number, 11 digits


class Booking(TypedDict):
    """A booking as staff see it (never the whole mobile number, never its token or code)."""

    id: str  # "b<seq of booking_made>": unique in the hall forever
    service: str
    department: str
    day: str  # YYYY-MM-DD
    start: str  # the slot, hall-local ISO times
    end: str
    name: str
    mobile: str  # the last four digits only
    state: str  # BOOKING_STATES
    made_at: str
    checked_in_at: str | None
    ticket: str | None  # the ticket its check-in issued
    moves: int


class Slot(TypedDict):
    start: str
    end: str
    capacity: int
    left: int


class BookingRefused(Exception):
    """A refused booking command: protocol code and words; nothing changed."""

    def __init__(self, code: str, zh: str, en: str, **extra: Any) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en
        self.extra = extra


# ---------------------------------------------------------------------- pure helpers


def digest(text: str) -> str:
    """The stored hash of a token or code."""
    return hashlib.sha256(text.encode()).hexdigest()


def normal_code(code: str) -> str:
    """A code as typed (any case, spaces, dashes) in its canonical form."""
    return re.sub(r"[\s-]", "", code).upper()


def normal_mobile(mobile: str) -> str | None:
    """The 11 digits of a mainland mobile number (spaces, dashes, +86 allowed), or None."""
    digits = re.sub(r"[\s()-]", "", mobile)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if _MOBILE.fullmatch(digits) else None


def slot_ranges(hall: Hall, service: Service, day: date) -> list[tuple[int, int]]:
    """The slots of `service` on `day`, minutes from midnight: cut from its bookable hours."""
    conf = service.booking
    if conf is None:
        return []
    hours = conf.hours or service.hours or hall.hours
    if hours is None:
        return []
    out = []
    for a, b in hours.ranges(day, hall.calendar):
        t = a
        while t + conf.slot_minutes <= b:
            out.append((t, t + conf.slot_minutes))
            t += conf.slot_minutes
    return out


def bookable_days(hall: Hall, service: Service, today: date) -> list[date]:
    """The days a citizen may book now: today (when same-day booking is allowed) up to
    `days_ahead` working days after today, those with slots."""
    conf = service.booking
    if conf is None:
        return []
    last = hall.calendar.add_working_days(today, conf.days_ahead)
    first = today if conf.closes is None else today + timedelta(days=1)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if slot_ranges(hall, service, d)]


def _at(day: date, minutes: int, tz: Any) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minutes)


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="microseconds")


@dataclass
class _Private:
    token_hash: str
    code_hash: str
    mobile_hash: str


Emit = tuple[str, dict[str, Any]]  # (event type, its fields): the engine emits them


class Bookings:
    """The live bookings of a hall from today on, changed only by `apply`."""

    def __init__(self, hall: Hall, tz: Any) -> None:
        self.hall = hall
        self.tz = tz
        self.live: dict[str, Booking] = {}
        self.private: dict[str, _Private] = {}
        self.by_token: dict[str, str] = {}  # token hash -> id
        self.by_code: dict[str, str] = {}  # code hash -> id
        self.taken: dict[tuple[str, str], int] = {}  # (service, start) -> active bookings
        self.per_day: dict[tuple[str, str], int] = {}  # (service, day) -> active bookings
        self.mobiles: dict[tuple[str, str, str], str] = {}  # (service, day, mobile hash) -> id

    def __eq__(self, other: object) -> bool:
        """Equal live state (the engine's tests compare states before and after a refusal)."""
        if not isinstance(other, Bookings):
            return NotImplemented
        mine = {k: v for k, v in vars(self).items() if k not in ("hall", "tz")}
        theirs = {k: v for k, v in vars(other).items() if k not in ("hall", "tz")}
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ queries

    def service(self, code: Any) -> tuple[Service, BookingConf]:
        svc = self.hall.service(code) if isinstance(code, str) else None
        if svc is None:
            raise BookingRefused("not_found", f"没有这个事项：{code}", f"No such service: {code}")
        if svc.booking is None:
            raise BookingRefused(
                "not_found",
                f"{svc.name}不接受预约",
                f"{svc.name_en or svc.code} does not take appointments",
            )
        return svc, svc.booking

    def slots(self, service: str, day: date, now: datetime) -> list[Slot]:
        """The slots of a service on a day with places left (none on a day not bookable now)."""
        svc, _ = self.service(service)
        if day not in bookable_days(self.hall, svc, now.date()):
            return []
        return [s for s in self._slots(svc, day) if self._open_for_booking(svc, s, now)]

    def _slots(self, svc: Service, day: date) -> list[Slot]:
        conf = svc.booking
        assert conf is not None
        day_left = self._day_left(svc, day)
        out: list[Slot] = []
        for a, b in slot_ranges(self.hall, svc, day):
            start = _iso(_at(day, a, self.tz))
            left = conf.capacity - self.taken.get((svc.code, start), 0)
            out.append(
                {
                    "start": start,
                    "end": _iso(_at(day, b, self.tz)),
                    "capacity": conf.capacity,
                    "left": max(0, min(left, day_left)),
                }
            )
        return out

    def _day_left(self, svc: Service, day: date) -> int:
        """Places the day's reserved share of the quota still has (no quota: no limit)."""
        conf = svc.booking
        assert conf is not None
        if svc.quota is None or conf.reserved_share == 0:
            return 1 << 30
        return conf.reserved(svc.quota) - self.per_day.get((svc.code, day.isoformat()), 0)

    def _open_for_booking(self, svc: Service, slot: Slot, now: datetime) -> bool:
        """Whether a slot may still be booked (or moved to) at `now`."""
        conf = svc.booking
        assert conf is not None
        start = datetime.fromisoformat(slot["start"])
        if start <= now:
            return False
        if conf.closes is not None:
            closes = _at(start.date() - timedelta(days=1), conf.closes, self.tz)
            return now < closes
        return True

    def by_token_of(self, token: str) -> Booking | None:
        bid = self.by_token.get(digest(token)) if token else None
        return self.live.get(bid) if bid else None

    def of_day(self, day: date, services: Iterable[str] | None = None) -> list[Booking]:
        """A day's bookings (of these services), by slot then when they were made."""
        keep = set(services) if services is not None else None
        out = [
            b
            for b in self.live.values()
            if b["day"] == day.isoformat() and (keep is None or b["service"] in keep)
        ]
        return sorted(out, key=lambda b: (b["start"], int(b["id"][1:])))

    def check_in_window(self, b: Booking) -> tuple[datetime, datetime]:
        """When a booking may be checked in: [slot start - before, slot end + after)."""
        svc, conf = self.service(b["service"])
        start = datetime.fromisoformat(b["start"])
        end = datetime.fromisoformat(b["end"])
        return (
            start - timedelta(minutes=conf.check_in_before),
            end + timedelta(minutes=conf.check_in_after),
        )

    def next_due(self) -> datetime | None:
        """When the next booked (not checked-in) booking becomes a no-show."""
        ends = [self.check_in_window(b)[1] for b in self.live.values() if b["state"] == BOOKED]
        return min(ends) if ends else None

    # ------------------------------------------------------------------ commands

    def book(
        self,
        service: Any,
        start: Any,
        name: str,
        mobile: str,
        now: datetime,
        booking_id: str,
        mobile_hash: Callable[[str], str],
        credentials: Callable[[str, int], tuple[str, str]],
    ) -> Emit:
        """A new booking `booking_id` of the slot starting at `start`; its booking_made.

        `credentials(booking_id, attempt)` gives the token's and the code's hashes; a code
        a live booking already has is made again (another attempt)."""
        svc, _ = self.service(service)
        slot = self._slot(svc, start, now)
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise BookingRefused(
                "bad_args",
                f"请填写姓名（不超过 {MAX_NAME} 个字）",
                f"Give a name (at most {MAX_NAME} characters)",
            )
        digits = normal_mobile(mobile)
        if digits is None:
            raise BookingRefused(
                "bad_args",
                "请填写正确的 11 位手机号码",
                "Give a valid 11-digit mainland mobile number",
            )
        mhash = mobile_hash(digits)
        day = slot["start"][:10]
        if (svc.code, day, mhash) in self.mobiles:
            raise BookingRefused(
                "already_booked",
                f"该手机号已预约 {day} 的{svc.name}，每人每天每个事项限约一次",
                f"This mobile number already has a booking for {svc.name_en or svc.code} "
                f"on {day}: one per service per day",
            )
        token_hash, code_hash = self._unique_credentials(booking_id, credentials)
        b: Booking = {
            "id": booking_id,
            "service": svc.code,
            "department": svc.department,
            "day": day,
            "start": slot["start"],
            "end": slot["end"],
            "name": name,
            "mobile": digits[-4:],
            "state": BOOKED,
            "made_at": _iso(now),
            "checked_in_at": None,
            "ticket": None,
            "moves": 0,
        }
        return "booking_made", {
            "booking": b,
            "_token_hash": token_hash,
            "_code_hash": code_hash,
            "_mobile_hash": mhash,
        }

    def _unique_credentials(
        self, booking_id: str, credentials: Callable[[str, int], tuple[str, str]]
    ) -> tuple[str, str]:
        """The booking's token and code hashes, its code unlike every live booking's."""
        for attempt in range(CODE_ATTEMPTS):
            token_hash, code_hash = credentials(booking_id, attempt)
            if code_hash not in self.by_code:
                return token_hash, code_hash
        raise BookingRefused(
            "unavailable",
            "暂时无法生成唯一的预约码，请稍后重试",
            "No unique booking code could be made: please try again",
        )

    def code_attempt(self, booking_id: str, code_hash: Callable[[int], str]) -> int:
        """Which attempt made a live booking's code (0 when it is not live: its first)."""
        priv = self.private.get(booking_id)
        if priv is not None:
            for attempt in range(CODE_ATTEMPTS):
                if code_hash(attempt) == priv.code_hash:
                    return attempt
        return 0

    def _slot(self, svc: Service, start: Any, now: datetime, moving: Booking | None = None) -> Slot:
        """The slot starting at `start`, when it may be booked now and has a place left."""
        try:
            at = datetime.fromisoformat(start) if isinstance(start, str) else None
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise BookingRefused(
                "bad_args",
                "时段应为带时区的时间（slots 返回的 start）",
                "start must be a slot's start time with its offset (as slots gives it)",
            )
        at = at.astimezone(self.tz)
        day = at.date()
        found = None
        if day in bookable_days(self.hall, svc, now.date()):
            for s in self._slots(svc, day):
                if datetime.fromisoformat(s["start"]) == at and self._open_for_booking(svc, s, now):
                    found = s
        if found is None:
            raise BookingRefused(
                "not_found",
                "该时段不可预约（不在预约范围内、已开始或已截止）",
                "This slot cannot be booked (not offered, started or closed)",
            )
        left = found["left"]
        if moving is not None and moving["start"] == found["start"]:
            left += 1
        if left <= 0:
            raise BookingRefused(
                "slot_full", "该时段已约满，请选择其他时段", "This slot is full: choose another"
            )
        return found

    def _mine(self, token: Any) -> Booking:
        b = self.by_token_of(token) if isinstance(token, str) else None
        if b is None:
            raise BookingRefused("not_found", "没有这个预约", "No such booking")
        return b

    def cancel(self, token: Any, now: datetime) -> Emit:
        b = self._mine(token)
        if b["state"] != BOOKED:
            raise BookingRefused(
                "invalid_state",
                "该预约已签到、已取消或已失效，不能取消",
                "This booking is checked in, cancelled or lapsed: it cannot be cancelled",
            )
        return "booking_cancelled", {"booking": {**b, "state": CANCELLED}}

    def move(self, token: Any, start: Any, now: datetime) -> Emit:
        b = self._mine(token)
        if b["state"] != BOOKED or datetime.fromisoformat(b["start"]) <= now:
            raise BookingRefused(
                "invalid_state",
                "预约时段已开始或预约已失效，不能改约",
                "The booking's slot has started or the booking is no longer active: "
                "it cannot be moved",
            )
        svc, _ = self.service(b["service"])
        slot = self._slot(svc, start, now, moving=b)
        if slot["start"][:10] != b["day"]:
            mhash = self.private[b["id"]].mobile_hash
            if (svc.code, slot["start"][:10], mhash) in self.mobiles:
                raise BookingRefused(
                    "already_booked",
                    "该手机号在那一天已有此事项的预约",
                    "This mobile number already has a booking for this service on that day",
                )
        moved: Booking = {
            **b,
            "day": slot["start"][:10],
            "start": slot["start"],
            "end": slot["end"],
            "moves": b["moves"] + 1,
        }
        return "booking_moved", {"booking": moved, "from": b["start"]}

    def find_for_check_in(self, code: Any, mobile_tail: Any) -> Booking:
        """The booking of a typed code (and the mobile's last four digits, when given).

        A wrong code, or a right one with the wrong digits, gets the same words: they
        say nothing about other bookings."""
        bid = self.by_code.get(digest(normal_code(code))) if isinstance(code, str) else None
        b = self.live.get(bid) if bid else None
        if b is not None and mobile_tail is not None and b["mobile"] != mobile_tail:
            b = None
        if b is None:
            raise BookingRefused(
                "not_found",
                "预约码无效，请核对后重新输入",
                "Unknown booking code: check it and try again",
            )
        return b

    def check_in(self, b: Booking, ticket_id: str, now: datetime) -> Emit:
        """The booking checked in with the ticket `ticket_id` (the window was checked)."""
        return "booking_checked_in", {
            "booking": {**b, "state": CHECKED_IN, "checked_in_at": _iso(now), "ticket": ticket_id}
        }

    def no_shows(self, now: datetime, before: date | None = None) -> list[Emit]:
        """Booked bookings whose check-in closed before `now` (or whose day is before
        `before`: a hub down over several days), as booking_no_show events."""
        out: list[Emit] = []
        for b in sorted(self.live.values(), key=lambda b: (b["start"], int(b["id"][1:]))):
            past = before is not None and b["day"] < before.isoformat()
            if b["state"] == BOOKED and (past or self.check_in_window(b)[1] <= now):
                out.append(("booking_no_show", {"booking": {**b, "state": NO_SHOW}}))
        return out

    def missed(self, b: Booking) -> Emit:
        """A checked-in booking whose ticket ended its day unserved: its booking_missed."""
        return "booking_missed", {"booking": {**b, "state": MISSED}}

    def forget_before(self, day: date) -> None:
        """Drop the bookings of days before `day` (their states are final by then)."""
        for bid in [bid for bid, b in self.live.items() if b["day"] < day.isoformat()]:
            self._unput(bid)
            priv = self.private.pop(bid, None)
            if priv is not None:
                self.by_token.pop(priv.token_hash, None)
                self.by_code.pop(priv.code_hash, None)
            del self.live[bid]

    # ------------------------------------------------------------------ apply

    def apply(self, ev: dict[str, Any]) -> None:
        """Put the booking an event carries (live or replayed; idempotent)."""
        b = cast(Booking, ev["booking"])
        if "_token_hash" in ev:
            self.load(b, ev["_token_hash"], ev["_code_hash"], ev["_mobile_hash"])
            return
        if b["id"] not in self.private:
            return  # a booking of a day already forgotten
        self._unput(b["id"])
        self._put(b)

    def load(self, b: Booking, token_hash: str, code_hash: str, mobile_hash: str) -> None:
        """Put a booking with its private hashes (booking_made, or a row of the store)."""
        self._unput(b["id"])
        self.private[b["id"]] = _Private(token_hash, code_hash, mobile_hash)
        self.by_token[token_hash] = b["id"]
        self.by_code[code_hash] = b["id"]
        self._put(b)

    def _put(self, b: Booking) -> None:
        self.live[b["id"]] = b
        if b["state"] in ACTIVE:
            slot, day = (b["service"], b["start"]), (b["service"], b["day"])
            self.taken[slot] = self.taken.get(slot, 0) + 1
            self.per_day[day] = self.per_day.get(day, 0) + 1
            self.mobiles[(b["service"], b["day"], self.private[b["id"]].mobile_hash)] = b["id"]

    def _unput(self, bid: str) -> None:
        old = self.live.get(bid)
        if old is None or old["state"] not in ACTIVE:
            return
        slot, day = (old["service"], old["start"]), (old["service"], old["day"])
        self.taken[slot] -= 1
        self.per_day[day] -= 1
        key = (old["service"], old["day"], self.private[bid].mobile_hash)
        if self.mobiles.get(key) == bid:
            del self.mobiles[key]


def make_code(mac: bytes) -> str:
    """A booking code from MAC bytes: CODE_LENGTH characters of CODE_ALPHABET."""
    n = int.from_bytes(mac[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        n, r = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)
