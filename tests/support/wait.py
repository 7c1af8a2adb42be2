"""Waiting for a condition: the one way tests wait, never a wall-clock budget."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from textual.pilot import Pilot

T = TypeVar("T")

WAIT = 10.0  # seconds before a test gives up: generous, it bounds a failure and measures nothing
POLL = 0.02


async def wait_for(
    condition: Callable[[], T],
    timeout: float = WAIT,
    what: str = "",
    *,
    pilot: Pilot[Any] | None = None,
) -> T:
    """Poll `condition` until it is truthy and return its value; fail after `timeout` seconds.

    With a Textual `pilot`, each poll is a ``pilot.pause``, which also lets the
    screens process their pending messages: a screen the condition sees pushed
    is composed before the test queries it.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := condition()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        if pilot is not None:
            await pilot.pause(POLL)
        else:
            await asyncio.sleep(POLL)
    return value
