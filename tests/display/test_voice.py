"""The announcement queue with a fake speaker: order, no overlap, stale calls dropped, silence."""

from __future__ import annotations

import asyncio

import pytest
from display_helpers import FakeSpeaker
from support.wait import wait_for

from display.voice import (
    Announcement,
    AnnouncementQueue,
    EspeakSpeaker,
    SpeakerUnavailable,
    spell_number_zh,
    text_en,
    text_zh,
    window_zh,
)


def ann(number: str, window: int, recalls: int = 0, at: float | None = None) -> Announcement:
    return Announcement(
        f"20261126-{number}", number, window, at if at is not None else 0.0, recalls
    )


async def run_queue(queue: AnnouncementQueue) -> asyncio.Task[None]:
    return asyncio.create_task(queue.run())


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_texts() -> None:
    a = Announcement("20261126-A012", "A012", 5, 0.0)
    assert spell_number_zh("A012") == "A 零 一 二"
    assert text_zh(a) == "请 A 零 一 二 号,到 五 号窗口办理"
    assert text_en(a) == "Ticket A 0 1 2, please go to window 5."
    assert [window_zh(n) for n in (1, 10, 12, 20, 31, 105)] == [
        "一",
        "十",
        "十二",
        "二十",
        "三十一",
        "一零五",
    ]


def test_four_digit_numbers_are_said_digit_by_digit() -> None:
    # after 999: F1000 is "F 一 零 零 零", as it is printed, never "F 一千" (which a listener
    # cannot tell from F1 or F10 followed by a thousand)
    a = Announcement("20261126-F1000", "F1000", 12, 0.0)
    assert text_zh(a) == "请 F 一 零 零 零 号,到 十二 号窗口办理"
    assert text_en(a) == "Ticket F 1 0 0 0, please go to window 12."
    assert spell_number_zh("F10000") == "F 一 零 零 零 零"


async def test_in_order_one_at_a_time() -> None:
    speaker = FakeSpeaker(seconds=0.03)
    queue = AnnouncementQueue(speaker, english=True, gap_s=0.01, clock=lambda: 0.0)
    for a in (ann("A001", 1), ann("G002", 3), ann("K003", 12)):
        queue.put(a)
    task = await run_queue(queue)
    try:
        await wait_for(lambda: len(queue.spoken) == 3, what="3 announcements")
    finally:
        await stop(task)
    assert [a.number for a in queue.spoken] == ["A001", "G002", "K003"]
    assert len(speaker.said) == 6  # Chinese then English, each
    assert [lang for lang, *_ in speaker.said] == ["zh", "en"] * 3
    assert not speaker.overlaps() and speaker.max_busy == 1


async def test_recall_is_said_again_but_not_twice_while_queued() -> None:
    speaker = FakeSpeaker(seconds=0.05)
    queue = AnnouncementQueue(speaker, gap_s=0, clock=lambda: 0.0)
    task = await run_queue(queue)
    try:
        queue.put(ann("A001", 1))
        await wait_for(lambda: queue.speaking is not None, what="speaking")
        queue.put(ann("B001", 2))
        queue.put(ann("B001", 2, recalls=1))  # recalled before its turn: said once, as the recall
        queue.put(ann("A001", 1, recalls=1))  # recalled after it was said: said again
        await wait_for(lambda: len(queue.spoken) == 3, what="3 announcements")
        await queue.idle()
    finally:
        await stop(task)
    assert [(a.number, a.recalls) for a in queue.spoken] == [("A001", 0), ("B001", 1), ("A001", 1)]
    assert not speaker.overlaps()


async def test_stale_announcements_are_dropped() -> None:
    now = [100.0]
    valid = {"20261126-A001": False, "20261126-B002": True, "20261126-C003": True}
    speaker = FakeSpeaker(seconds=0.01)
    queue = AnnouncementQueue(
        speaker,
        gap_s=0,
        max_age_s=30,
        still_valid=lambda a: valid[a.ticket],
        clock=lambda: now[0],
    )
    queue.put(ann("A001", 1, at=99.0))  # already started at the window: superseded
    queue.put(ann("B002", 2, at=50.0))  # older than the limit
    queue.put(ann("C003", 3, at=95.0))
    task = await run_queue(queue)
    try:
        await wait_for(lambda: len(queue.spoken) == 1 and not queue.pending, what="one said")
    finally:
        await stop(task)
    assert [a.number for a in queue.spoken] == ["C003"]
    assert sorted(a.number for a in queue.dropped) == ["A001", "B002"]


async def test_drop_ticket() -> None:
    queue = AnnouncementQueue(FakeSpeaker(), clock=lambda: 0.0)
    queue.put(ann("A001", 1))
    queue.put(ann("B002", 2))
    queue.drop_ticket("20261126-A001")
    assert [a.number for a in queue.pending] == ["B002"]


class MissingSpeaker:
    calls = 0

    async def say(self, text: str, lang: str) -> None:
        self.calls += 1
        raise SpeakerUnavailable("espeak-ng: not found")


async def test_missing_speaker_is_reported_once_then_silent() -> None:
    reports: list[str] = []
    speaker = MissingSpeaker()
    queue = AnnouncementQueue(speaker, on_unavailable=reports.append, clock=lambda: 0.0)
    queue.put(ann("A001", 1))
    queue.put(ann("B002", 2))
    task = await run_queue(queue)
    try:
        await wait_for(lambda: queue.silent and not queue.pending, what="silence")
        queue.put(ann("C003", 3))
        await asyncio.sleep(0.05)
    finally:
        await stop(task)
    assert reports == ["espeak-ng: not found"]
    assert speaker.calls == 1
    assert queue.spoken == [] and queue.pending == []


async def test_espeak_speaker_without_the_program() -> None:
    speaker = EspeakSpeaker(program="espeak-ng-that-does-not-exist")
    assert not speaker.available()
    with pytest.raises(SpeakerUnavailable):
        await speaker.say("请 A 零 零 一 号", "zh")


async def test_board_without_espeak_says_so_once_and_goes_on_silent() -> None:
    from support.scenes import LOBBY_NOW, lobby_welcome

    from display.app import DisplayApp

    app = DisplayApp(
        welcome=lobby_welcome(),
        voice=True,
        speaker=EspeakSpeaker(program="espeak-ng-that-does-not-exist"),
        clock=lambda: LOBBY_NOW,
    )
    said: list[str] = []
    app.notify = lambda message, **kw: said.append(str(message))  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.state.loaded, what="welcome")
        await pilot.pause()
        app._voice_unavailable("again")  # a second report is not shown again
        assert app.voice_queue is None and app.voice_off == "espeak-ng"
    assert said == ["语音播报不可用:未安装 espeak-ng,本屏改为静音显示。"]
