"""Fixtures of the engine tests: the small test hall and a desk driving a fresh engine."""

from __future__ import annotations

import pytest
from engine_helpers import Desk, at, make_hall, new_desk

from hub.catalogue import Hall


@pytest.fixture
def hall() -> Hall:
    """The test hall (see engine_helpers)."""
    return make_hall()


@pytest.fixture
def desk(hall: Hall) -> Desk:
    """A fresh engine on 2026-11-26 with nothing issued and every window closed."""
    return new_desk(hall)


@pytest.fixture
def hall_open(desk: Desk) -> Desk:
    """The fresh engine with windows 1, 2 and 3 opened by their clerks at 08:30."""
    for n in (1, 2, 3):
        desk.open(n, at("08:30:00"))
    return desk
