"""Clients that stop reading: the hub's memory stays bounded, they are dropped, the others go on.

A stalled client here is a real websocket client whose transport stops reading
after its welcome, with small socket buffers on both ends (the client's receive
buffer, the hub's send buffer of that connection) so that what it leaves unread
piles up in the hub's write buffer after a few KB instead of the kernel's
megabytes. What the hub holds for it is read on the hub's side: the
connection's transport write buffer, which the send cap bounds.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest
from support.raw import TIMEOUT, display, supervisor
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from hub.server import SEND_CAP, Client
from shared.protocol import CLOSE_TOO_SLOW

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(90)]

SMALL = 4096  # socket buffer size of a stalled connection, both ends
DISPLAY_CAP = SEND_CAP["display"]
FRAME = 64 * 1024


async def stalled(hub: Any, **fields: Any) -> tuple[ClientConnection, Client]:
    """A client that gets its welcome and then reads nothing; and the hub's side of it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", hub.port))
    ws = await connect(hub.url, sock=sock, proxy=None, ping_interval=None, max_size=None)
    before = set(hub.server.clients)
    await ws.send(json.dumps({"type": "hello", "v": 1, **fields}))
    assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))["type"] == "welcome"
    (server_side,) = set(hub.server.clients) - before
    server_side.ws.transport.get_extra_info("socket").setsockopt(
        socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL
    )
    ws.transport.pause_reading()
    return ws, server_side


def queued(c: Client) -> int:
    return c.ws.transport.get_write_buffer_size()


async def close_code_after_reading(ws: ClientConnection) -> int | None:
    """Read on again: everything queued, then the hub's close frame."""
    ws.transport.resume_reading()
    with pytest.raises(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
    assert ws.close_code is not None
    return ws.close_code


async def test_a_flooding_client_that_reads_nothing_is_dropped_with_bounded_memory(hub) -> None:
    ws, side = await stalled(hub, role="display")
    # an unknown type is refused, and the refusal repeats it: each frame asks for ~64 KiB back
    big = json.dumps({"type": "x" * (FRAME // 2 - 100), "id": "r", "pad": "y" * (FRAME // 2 - 100)})
    peak = 0
    for _ in range(20_000):
        if side not in hub.server.clients:
            break
        await asyncio.wait_for(ws.send(big), TIMEOUT)
        # what the hub holds for it: its cap, at most one more reply, then nothing
        peak = max(peak, queued(side))
        assert peak <= side.cap + FRAME, peak
    assert side not in hub.server.clients, "never dropped"
    for _ in range(50):
        await ws.send(big)  # it keeps sending: the hub keeps reading and answers nothing more
    await asyncio.sleep(0.2)
    assert queued(side) <= side.cap + FRAME
    assert await close_code_after_reading(ws) == CLOSE_TOO_SLOW
    again = await display(hub)  # a reconnect gets a fresh welcome
    assert again.welcome["type"] == "welcome"


async def test_a_display_stalled_during_many_notices_is_dropped_and_others_get_every_event(
    hub,
) -> None:
    good = await display(hub)
    ws, side = await stalled(hub, role="display")
    sup = await supervisor(hub)
    text = "大厅通知" * 500  # 2,000 characters, 6 KB of UTF-8
    posted = 0
    peak = 0
    while side in hub.server.clients:
        assert posted < 1000, "a stalled display was never dropped"
        await sup.ok("notice", text=f"{posted}{text}"[:2000], minutes=5)
        posted += 1
        peak = max(peak, queued(side))
        assert peak <= side.cap + FRAME, peak
    for _ in range(5):  # the hall goes on without it
        await sup.ok("notice", text=f"{posted}{text}"[:2000], minutes=5)
        posted += 1
    assert queued(side) <= side.cap + FRAME

    async def all_notices() -> None:
        while sum(e["type"] == "notice" for e in good.events()) < posted:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(all_notices(), 20)
    seqs = [e["seq"] for e in good.events()]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "the reading display missed events"
    assert good.ws.close_code is None
    assert await close_code_after_reading(ws) == CLOSE_TOO_SLOW
    assert DISPLAY_CAP == 1 << 20  # as docs/protocol.md says


async def test_keepalive_drops_a_stalled_client_below_its_cap(hub) -> None:
    """Its buffer is past the transport's usual high-water mark but under the cap: the ping
    must still go out, and the missing pong close the connection."""
    await hub.stop()
    await hub.start(ping_interval=0.5)
    ws, side = await stalled(hub, role="display")
    sup = await supervisor(hub)
    text = "大厅通知" * 500
    for i in range(40):  # ~240 KB for it: far above 32 KiB, far below 1 MiB
        await sup.ok("notice", text=f"{i}{text}"[:2000], minutes=5)
    assert 64 * 1024 < queued(side) < side.cap
    assert side in hub.server.clients
    # ping_interval + ping_timeout + the close timeout (10 s), generously
    await asyncio.wait_for(side.ws.wait_closed(), 30)
    assert side not in hub.server.clients
    ws.transport.abort()
