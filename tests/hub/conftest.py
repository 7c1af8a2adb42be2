"""Fixtures of the hub tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from hub import auth

_real_hash_pin: Callable[[str], str] = auth.hash_pin
_hashes: dict[str, str] = {}


def _cached_hash_pin(pin: str) -> str:
    if pin not in _hashes:
        _hashes[pin] = _real_hash_pin(pin)
    return _hashes[pin]


@pytest.fixture
def fast_pins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hash each PIN once per session: the `hub` fixture stores ~25 staff, each a real scrypt hash.

    Request it before `hub` (``pytestmark = pytest.mark.usefixtures("fast_pins")``).
    The hashes stay real salted scrypt hashes and every login still checks one,
    only the salt is shared between staff with the same PIN.
    """
    monkeypatch.setattr(auth, "hash_pin", _cached_hash_pin)
    yield
