"""Credentials: salted scrypt PIN hashes, device tokens, citizen ticket tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
LOCK_AFTER = 5
LOCK_MINUTES = 5


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
