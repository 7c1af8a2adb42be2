"""Helpers for the display tests: a fake speaker, and a proxy that can stall the network."""

from __future__ import annotations

import asyncio
import time


class FakeSpeaker:
    """A speaker that records what it says and when (monotonic start/end); takes `seconds` per text."""

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds = seconds
        self.said: list[tuple[str, str, float, float]] = []  # (lang, text, start, end)
        self.busy = 0
        self.max_busy = 0
        self.gate = asyncio.Event()  # cleared: the speaker holds its next text until it is set
        self.gate.set()

    async def say(self, text: str, lang: str) -> None:
        await self.gate.wait()
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


class StallingProxy:
    """A TCP proxy in front of the real hub that can stall: bytes are held, the connection stays open.

    It plays a network that goes silent without closing anything (a frozen switch,
    a suspended VM), which only the board's own watchdog can notice.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.stalled = False
        self.server: asyncio.Server | None = None
        self.port = 0
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.server is not None:
            self.server.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                while self.stalled:
                    await asyncio.sleep(0.02)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        for task in (
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
