"""Voice announcements of calls: one queue, one speaker, never two voices at once.

Theory of operation: the board `put()`s an `Announcement` for every call and
recall. A single consumer task (`run()`) takes them oldest first and speaks
each through a pluggable `Speaker`, so announcements never overlap. Right
before speaking, an announcement is dropped when it has gone stale: it is
older than `max_age_s`, or `still_valid` (the board's view: the ticket is
still called to that window and was not recalled since) says no. A newer
announcement of the same ticket replaces a queued older one (a recall
right after the call is said once, not twice); a recall of a ticket already
announced is said again. When the speaker is missing (no espeak-ng), the queue
reports it once through `on_unavailable` and goes silent for good.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from shared.voice import (
    EspeakSpeaker,
    Speaker,
    SpeakerUnavailable,
    spell_number_zh,
    window_zh,
)

__all__ = [
    "Announcement",
    "AnnouncementQueue",
    "EspeakSpeaker",
    "Speaker",
    "SpeakerUnavailable",
    "spell_number_zh",
    "text_en",
    "text_zh",
    "window_zh",
]


@dataclass(frozen=True)
class Announcement:
    """A call (recalls == 0) or recall of a ticket to a window."""

    ticket: str  # ticket id
    number: str  # "A012"
    window: int
    at: float  # monotonic time the call was seen
    recalls: int = 0


def text_zh(a: Announcement) -> str:
    """The Chinese announcement: 请 A 零 一 二 号到 五 号窗口办理."""
    return f"请 {spell_number_zh(a.number)} 号,到 {window_zh(a.window)} 号窗口办理"


def text_en(a: Announcement) -> str:
    """The English announcement: Ticket A 0 1 2, please go to window 5."""
    return f"Ticket {' '.join(a.number.upper())}, please go to window {a.window}."


class AnnouncementQueue:
    """Announcements in order, one at a time, stale ones dropped (see the module docstring)."""

    def __init__(
        self,
        speaker: Speaker,
        *,
        english: bool = False,
        repeat: int = 1,
        max_age_s: float = 60.0,
        gap_s: float = 0.6,
        still_valid: Callable[[Announcement], bool] | None = None,
        on_unavailable: Callable[[str], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.speaker = speaker
        self.english = english
        self.repeat = max(1, repeat)
        self.max_age_s = max_age_s
        self.gap_s = gap_s
        self.still_valid = still_valid
        self.on_unavailable = on_unavailable
        self.on_error = on_error
        self.errors = 0  # utterances that failed for another reason (reported once)
        self.clock = clock
        self.silent = False  # the speaker is unavailable: everything is dropped
        self.spoken: list[Announcement] = []  # what was said, in order (for the board and tests)
        self.dropped: list[Announcement] = []  # what went stale before its turn
        self._queue: deque[Announcement] = deque()
        self._wake = asyncio.Event()
        self._speaking: Announcement | None = None

    @property
    def pending(self) -> list[Announcement]:
        """Announcements waiting their turn, oldest first."""
        return list(self._queue)

    @property
    def speaking(self) -> Announcement | None:
        return self._speaking

    def put(self, a: Announcement) -> None:
        """Queue an announcement; it replaces a queued older one of the same ticket."""
        if self.silent:
            return
        for old in [q for q in self._queue if q.ticket == a.ticket]:
            self._queue.remove(old)
            self.dropped.append(old)
        self._queue.append(a)
        self._wake.set()

    def drop_ticket(self, ticket: str) -> None:
        """Forget queued announcements of a ticket (it was started, finished, no-show…)."""
        for old in [q for q in self._queue if q.ticket == ticket]:
            self._queue.remove(old)
            self.dropped.append(old)

    def _stale(self, a: Announcement) -> bool:
        if self.clock() - a.at > self.max_age_s:
            return True
        return self.still_valid is not None and not self.still_valid(a)

    async def idle(self) -> None:
        """Wait until nothing is queued or being said (for tests and the benchmark)."""
        while self._queue or self._speaking is not None:
            await asyncio.sleep(0.01)

    async def run(self) -> None:
        """Speak announcements until cancelled."""
        while True:
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            a = self._queue.popleft()
            if self.silent or self._stale(a):
                self.dropped.append(a)
                continue
            self._speaking = a
            try:
                await self._say(a)
                self.spoken.append(a)
            except SpeakerUnavailable as exc:
                self._go_silent(str(exc))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one failed utterance must not stop the board's voice
                self.errors += 1
                if self.errors == 1 and self.on_error is not None:
                    self.on_error(str(exc))
            finally:
                self._speaking = None
            if self.gap_s > 0 and self._queue:
                await asyncio.sleep(self.gap_s)

    async def _say(self, a: Announcement) -> None:
        for i in range(self.repeat):
            if i and self._stale(a):
                return
            await self.speaker.say(text_zh(a), "zh")
            if self.english:
                await self.speaker.say(text_en(a), "en")

    def _go_silent(self, message: str) -> None:
        if self.silent:
            return
        self.silent = True
        self.dropped.extend(self._queue)
        self._queue.clear()
        if self.on_unavailable is not None:
            self.on_unavailable(message)
