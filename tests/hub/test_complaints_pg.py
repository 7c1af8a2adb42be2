"""Complaints on PostgreSQL: the same restart-and-days test as on SQLite (upserted rows,
restored open complaints, the table equal to a recount from the events)."""

from __future__ import annotations

from typing import Any

import pytest
from test_complaints import test_desk_complaint_keeps_the_contact_for_supervisors as desk_case
from test_complaints import test_open_complaints_outlive_a_restart_and_the_day as restart_case

pytestmark = [pytest.mark.timeout(90)]


@pytest.fixture
def hub_db(pg_url: str) -> str:
    return pg_url


async def test_open_complaints_outlive_a_restart_on_postgresql(hub: Any) -> None:
    await restart_case(hub)


async def test_desk_staff_and_complaints_on_postgresql(hub: Any) -> None:
    await desk_case(hub)
