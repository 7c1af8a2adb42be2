"""The apps' own hub client, `shared.client.HubClient`, running against the test hub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from shared.client import HubClient
from support.raw import hello_fields
from support.wait import WAIT


@asynccontextmanager
async def hub_client(hub: Any, role: str, /, **fields: Any) -> AsyncIterator[HubClient]:
    """A running HubClient of `role` on the test hub, welcomed; closed on the way out.

    Credentials come from `support.raw.hello_fields` (a counter needs ``window=``);
    `fields` given win (another staff id, a wrong PIN, ``lang``).
    """
    hello = hello_fields(hub, role, **fields)
    client = HubClient(hub.url, hello, max_backoff=1.0)
    task = asyncio.create_task(client.run())
    try:
        assert await client.wait_online(WAIT), f"no welcome for {hello}"
        yield client
    finally:
        await client.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
