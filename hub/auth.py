"""Credentials: salted scrypt PIN hashes, the PIN lockout, device tokens, citizen ticket tokens."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

# A staff row's status: active, disabled (cannot log in), removed (cannot log in, kept for its name)
STAFF_ACTIVE, STAFF_DISABLED, STAFF_REMOVED = "active", "disabled", "removed"

N, R, P = 2**14, 8, 1
LOCK_AFTER = 5  # wrong PINs in a row that lock a staff id ...
LOCK_MINUTES = 5  # ... for this long


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of a PIN, as `scrypt$N$r$p$salt$hash`."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str | None) -> bool:
    """Whether the PIN matches the stored hash (constant time)."""
    if not stored:
        return False
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


@functools.cache
def dummy_hash() -> str:
    """The hash an unknown staff id's PIN is checked against.

    An unknown id costs the same scrypt check as a known one, so the time a
    refusal takes does not tell which ids exist.
    """
    return hash_pin(secrets.token_hex(8))


def minutes_locked(locked_until: datetime | None, now: datetime) -> int:
    """Whole minutes (at least 1) a staff id stays locked; 0 when it is not locked."""
    if locked_until is None or locked_until <= now:
        return 0
    return max(1, round((locked_until - now).total_seconds() / 60))


def after_failure(failures: int, now: datetime) -> tuple[int, datetime | None]:
    """(failures, locked until) to store after one more wrong PIN.

    The `LOCK_AFTER`th failure in a row locks the id for `LOCK_MINUTES` and
    starts the count again; a good PIN resets it (the caller stores 0, None).
    """
    failures += 1
    if failures >= LOCK_AFTER:
        return 0, now + timedelta(minutes=LOCK_MINUTES)
    return failures, None


class OneCheckPerStaff:
    """PIN checks of one staff id take turns; different ids run in parallel.

    A check reads the failure count, checks the PIN (slow on purpose) and
    writes the count back: parallel guesses must queue, or each would read the
    same old count and the lock would never come.
    """

    def __init__(self) -> None:
        self._turns: dict[str, tuple[asyncio.Lock, list[int]]] = {}  # id -> (lock, [users])

    @asynccontextmanager
    async def turn(self, staff_id: str) -> AsyncIterator[None]:
        """Hold the id's turn for one check."""
        lock, users = self._turns.setdefault(staff_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._turns[staff_id]


def new_secret() -> str:
    """A fresh random secret (256 bits)."""
    return secrets.token_hex(32)


def new_device_token() -> str:
    """A fresh device token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The stored form of a token (SHA-256; tokens are long and random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def ticket_token(secret: str, hall_id: str, ticket_id: str) -> str:
    """The citizen token of a ticket: HMAC of the hall's secret (256 bits, URL-safe).

    Derived rather than stored, so an idempotent resend of `issue` gets the same
    token back without the clear token ever being written to the database.
    """
    mac = hmac.new(
        bytes.fromhex(secret), f"{hall_id}/{ticket_id}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _mac(secret: str, text: str) -> bytes:
    return hmac.new(bytes.fromhex(secret), text.encode(), hashlib.sha256).digest()


def booking_token(secret: str, hall_id: str, booking_id: str) -> str:
    """The citizen's token of a booking (its /b/<token> page): HMAC of the hall's secret.

    Derived like a ticket's, so a resent `book` gets the same token back and only
    its hash is stored (hub/bookings.py).
    """
    mac = _mac(secret, f"{hall_id}/booking/{booking_id}")
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def booking_code(secret: str, hall_id: str, booking_id: str, attempt: int = 0) -> str:
    """The booking code typed at the kiosk: 8 characters (40 bits) from the hall's secret.

    `attempt` > 0 derives another code for the same booking, when the first one is
    already a live booking's (hub/bookings.py makes codes unique); the first attempt's
    derivation is unchanged, so every code handed out before stays the same."""
    from hub.bookings import make_code  # the alphabet lives with the bookings

    tail = f"/{attempt}" if attempt else ""
    return make_code(_mac(secret, f"{hall_id}/booking-code/{booking_id}{tail}"))


def mobile_hash(secret: str, hall_id: str, digits: str) -> str:
    """The stored form of a mobile number: salted by the hall's secret, never reversible
    without it (the number itself is not stored; see hub/bookings.py)."""
    return _mac(secret, f"{hall_id}/mobile/{digits}").hex()
