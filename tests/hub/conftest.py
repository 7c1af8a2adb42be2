"""Fixtures of the hub tests.

Modules marked ``pytest.mark.fast_hub`` (the protocol tests, ``test_server_*.py``)
get the real ``hub`` fixture of ``tests/conftest.py`` with its SQLite file in
/dev/shm when there is one: the hub still commits with ``synchronous=FULL``,
only the fsyncs are cheap (a fixture set up in ~0.2 s instead of ~0.8 s, and
every acknowledged request faster). Durability across a process crash is not
what these tests check (``test_crash.py`` does, on disk); a restart in-process is.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SHM = Path("/dev/shm")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fast_hub: the hub fixture's SQLite file in RAM (/dev/shm)")


@pytest.fixture
def hub_db(request: pytest.FixtureRequest, hub_db: Path | str) -> Iterator[Path | str]:
    """The `hub` fixture's database: as tests/conftest.py says, or in /dev/shm for `fast_hub` tests."""
    if request.node.get_closest_marker("fast_hub") is None or not SHM.is_dir():
        yield hub_db
        return
    d = Path(tempfile.mkdtemp(prefix="hall-hub-test-", dir=SHM))
    try:
        yield d / "hall.db"
    finally:
        shutil.rmtree(d, ignore_errors=True)
