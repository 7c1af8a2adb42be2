"""Helpers for the display tests: hub clients playing kiosk, counter and supervisor, waiting, a fake speaker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from shared.client import HubClient


@asynccontextmanager
async def hub_client(url: str, hello: dict[str, Any]) -> AsyncIterator[HubClient]:
    """A running HubClient, online, closed on exit."""
    client = HubClient(url, hello, max_backoff=1.0)
    task = asyncio.create_task(client.run())
    try:
        assert await client.wait_online(10), f"no welcome for {hello.get('role')}"
        yield client
    finally:
        await client.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def wait_for(pred: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Poll pred until it is truthy; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


class FakeSpeaker:
    """A speaker that records what it says and when (monotonic start/end); takes `seconds` per text."""

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds = seconds
        self.said: list[tuple[str, str, float, float]] = []  # (lang, text, start, end)
        self.busy = 0
        self.max_busy = 0

    async def say(self, text: str, lang: str) -> None:
        self.busy += 1
        self.max_busy = max(self.max_busy, self.busy)
        start = time.monotonic()
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.busy -= 1
        self.said.append((lang, text, start, time.monotonic()))

    def texts(self, lang: str = "zh") -> list[str]:
        return [text for lg, text, _, _ in self.said if lg == lang]

    def overlaps(self) -> bool:
        spans = sorted((s, e) for _, _, s, e in self.said)
        return any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))
