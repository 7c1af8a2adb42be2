"""Fixtures of the hub tests.

Modules marked ``pytest.mark.fast_hub`` (the protocol tests, ``test_server_*.py``)
get the real ``hub`` fixture of ``tests/conftest.py`` set up faster:

- each PIN is hashed once per session: the fixture stores ~25 staff, each a
  real scrypt hash (~80 ms apiece); the hashes stay real salted scrypt hashes
  and every login still checks one, only the salt is shared between staff with
  the same PIN;
- the SQLite file lives in /dev/shm when there is one: the hub still commits
  with ``synchronous=FULL``, only the fsyncs are cheap. Durability across a
  process crash is not what these tests check (a restart in-process is).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub import auth

SHM = Path("/dev/shm")
_real_hash_pin: Callable[[str], str] = auth.hash_pin
_hashes: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fast_hub: set the hub fixture up with cached PIN hashes and a RAM database"
    )


def _cached_hash_pin(pin: str) -> str:
    if pin not in _hashes:
        _hashes[pin] = _real_hash_pin(pin)
    return _hashes[pin]


@pytest.fixture(autouse=True)
def _fast_pins(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("fast_hub") is not None:
        monkeypatch.setattr(auth, "hash_pin", _cached_hash_pin)


@pytest.fixture
def tmp_path(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """pytest's tmp_path, or for `fast_hub` tests a fresh directory in /dev/shm."""
    if request.node.get_closest_marker("fast_hub") is None or not SHM.is_dir():
        yield tmp_path
        return
    d = Path(tempfile.mkdtemp(prefix="hall-hub-test-", dir=SHM))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
