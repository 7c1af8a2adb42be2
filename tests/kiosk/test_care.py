"""关怀模式 / 长辈版 at the kiosk: big text, read aloud, by touch and keys, off after idle.

The app runs on a prepared welcome (no hub) with a recording speaker, except the last
tests: a real hub (a 绿色通道 ticket taken in care mode) and the real espeak-ng.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from kiosk_helpers import SIZE, kiosk_config, wait_online
from support.scenes import KIOSK_NOW, kiosk_issue_reply, kiosk_welcome
from support.wait import wait_for
from textual.pilot import Pilot

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import DepartmentScreen, GuideScreen, HomeScreen, PriorityScreen, TicketScreen
from kiosk.state import IssuedTicket
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile
from shared.voice import EspeakSpeaker


class RecordingSpeaker:
    """A speaker that records each text as it starts saying it."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    async def say(self, text: str, lang: str) -> None:
        self.said.append((lang, text))
        await asyncio.sleep(0)

    def last(self) -> str:
        return self.said[-1][1] if self.said else ""


def make_app(speaker: RecordingSpeaker, lang: str = "zh", idle: float = 3600) -> KioskApp:
    return KioskApp(
        KioskConfig(lang=lang, idle=idle),
        welcome=kiosk_welcome(),
        now=lambda: KIOSK_NOW,
        speaker=speaker,
    )


async def spoken(pilot: Pilot[Any], speaker: RecordingSpeaker, *words: str) -> str:
    """Wait until the speaker's last text has every word; return it."""
    await wait_for(
        lambda: all(w in speaker.last() for w in words),
        what=f"said {words}, last {speaker.last()!r}",
        pilot=pilot,
    )
    return speaker.last()


def ink_rows(widget: Any) -> int:
    """Rows of the widget's rendered text that draw something."""
    return sum(1 for line in str(widget.render()).split("\n") if line.strip())


def text_rows(widget: Any) -> int:
    return len(str(widget.render()).split("\n"))


async def test_care_text_is_at_least_twice_the_normal_size() -> None:
    speaker = RecordingSpeaker()
    app = make_app(speaker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        prompt = app.screen.query_one("#prompt", PlainText)
        tile = app.screen.query_one("#dept-MZ", Tile)
        normal_prompt = (prompt.size.height, prompt.size.width)
        normal_tile_rows = tile.size.height
        assert text_rows(prompt) == 1  # one line of normal text: one row
        await pilot.press("0")
        await wait_for(lambda: app.screen.has_class("-care"), pilot=pilot)
        await pilot.pause()
        # one line of care text is drawn over at least twice the rows and columns per character
        text = prompt.text
        lines = str(prompt.render()).split("\n")
        assert len(lines) >= 2 * normal_prompt[0] and ink_rows(prompt) >= 2
        assert prompt.size.height >= 2 * normal_prompt[0]
        drawn = max(len(line.rstrip()) for line in lines)
        assert drawn >= 2 * 2 * (len(text) - 1)  # a 中文 character is 2 columns at normal size
        # every tile's text is big too, and a tile is at least twice as tall as before
        await wait_for(lambda: tile.size.height >= 2 * normal_tile_rows, pilot=pilot)
        assert ink_rows(tile) >= 2 * 2
        # the buttons are twice the size too
        await pilot.press("1")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        back = app.screen.query_one("#nav-back")
        await wait_for(  # normal: 3 rows, 16 columns
            lambda: back.outer_size.height >= 2 * 3 and back.outer_size.width >= 2 * 16,
            what=f"a big Back button, not {back.outer_size}",
            pilot=pilot,
        )
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        # and back to normal
        await pilot.press("0")
        await wait_for(lambda: not app.screen.has_class("-care"), pilot=pilot)
        await pilot.pause()
        assert text_rows(prompt) == 1 and prompt.size.height == normal_prompt[0]


async def test_each_care_screen_reads_aloud_by_keys() -> None:
    speaker = RecordingSpeaker()
    app = make_app(speaker)
    state = app.state
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert speaker.said == []  # silent until the care mode is on
        await pilot.press("0")
        dept = state.offered_departments[0]
        said = await spoken(pilot, speaker, "请选您要去的部门", dept["name"])
        assert "按 1" in said and "绿色通道" in said

        await pilot.press("1")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        services = state.services_of(dept["code"])
        said = await spoken(pilot, speaker, dept["name"], "请选您要办的事", services[0]["name"])

        await pilot.press("1")
        await wait_for(lambda: isinstance(app.screen, GuideScreen), pilot=pilot)
        svc = services[0]
        guide = svc["guide"]
        windows = state.window_names(svc["code"], "zh")
        said = await spoken(
            pilot,
            speaker,
            svc["name"],
            "要带的材料",
            guide["materials"][0],
            windows[0],
            "按 1 取号",
        )
        assert guide["fee"] in said and guide["time_limit"] in said

        # 再听一遍: the + key says it again
        count = len(speaker.said)
        await pilot.press("plus")
        await wait_for(lambda: len(speaker.said) == count + 1, pilot=pilot)
        assert speaker.said[-1] == speaker.said[-2]

        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, PriorityScreen), pilot=pilot)
        said = await spoken(pilot, speaker, "绿色通道", "请按 1", "普通取号，请按 2")
        assert said.index("绿色通道") < said.index("普通取号")
        # 绿色通道 is offered first: key 1, the primary choice, on top
        tiles = app.screen.query(Tile).results(Tile)
        order = [(tile.id, tile.index) for tile in tiles]
        assert order[:2] == [("choose-priority", 1), ("choose-normal", 2)]
        assert app.screen.query_one("#choose-priority").has_class("primary")
        assert app.screen.focused is app.screen.query_one("#choose-priority")

        ticket = IssuedTicket.from_reply(kiosk_issue_reply(), state)
        app.show_ticket(ticket)
        await wait_for(lambda: isinstance(app.screen, TicketScreen), pilot=pilot)
        said = await spoken(pilot, speaker, "您的号码是", "前面还有 4 人", "13号窗口")
        assert "A 零 零 五" in said  # the number digit by digit, as printed (A005)

        # English: the same screen in English words
        await pilot.click("#lang-toggle")
        said = await spoken(pilot, speaker, "Your number is A 0 0 5", "4 people ahead")
        assert speaker.said[-1][0] == "en"


async def test_care_mode_by_touch_with_the_repeat_button() -> None:
    speaker = RecordingSpeaker()
    app = make_app(speaker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#care-repeat").display  # only in the care mode
        await pilot.click("#care-toggle")
        await wait_for(lambda: app.care, pilot=pilot)
        await spoken(pilot, speaker, "请选您要去的部门")
        assert app.screen.query_one("#care-repeat").display
        count = len(speaker.said)
        await pilot.click("#care-repeat")
        await wait_for(lambda: len(speaker.said) == count + 1, pilot=pilot)
        await pilot.click("#dept-MZ")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        await spoken(pilot, speaker, "民政局")
        # the button is on every screen: off again from here, silent from then on
        await pilot.click("#care-toggle")
        await wait_for(lambda: not app.care and not app.screen.has_class("-care"), pilot=pilot)
        count = len(speaker.said)
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        await pilot.pause()
        assert len(speaker.said) == count


async def test_care_mode_ends_when_the_kiosk_goes_home_after_idle() -> None:
    speaker = RecordingSpeaker()
    app = make_app(speaker)

    def untouched_for_an_hour() -> None:
        # the idle countdown as if an hour had passed since the last touch (a real 1 s idle
        # raced the keys themselves on a loaded machine: care mode ended between "0" and "1")
        app._last_activity -= 3600

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # on to a department in care mode (it reads the department aloud), then no touch
        await pilot.press("0", "1")
        await wait_for(
            lambda: (
                isinstance(app.screen, DepartmentScreen)
                and app.care
                and any("请选您要办的事" in text for _, text in app.spoken)
            ),
            what="the department read in care mode",
            timeout=60,  # a bound, not a measure: the big glyphs draw slowly on a loaded machine
            pilot=pilot,
        )
        untouched_for_an_hour()
        await wait_for(
            lambda: isinstance(app.screen, HomeScreen) and not app.care,
            what="home, normal mode, after idle",
            timeout=60,
            pilot=pilot,
        )
        assert not app.screen.has_class("-care")
        await pilot.pause()
        assert app.screen.query_one("#prompt", PlainText).text == "欢迎办事，请选择办理部门"
        # care mode alone (on home) also times out
        count = len(app.spoken)
        await pilot.press("0")
        await wait_for(
            lambda: len(app.spoken) > count and app.care,
            what="care on (home read aloud)",
            pilot=pilot,
        )
        untouched_for_an_hour()
        await wait_for(lambda: not app.care, what="care off after idle on home", pilot=pilot)


async def test_green_channel_ticket_in_care_mode_from_a_real_hub(hub: Any) -> None:
    speaker = RecordingSpeaker()
    app = KioskApp(kiosk_config(hub), speaker=speaker)
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        await pilot.press("0")
        await wait_for(lambda: app.care, pilot=pilot)
        for key, screen in (("1", DepartmentScreen), ("1", GuideScreen), ("1", PriorityScreen)):
            await pilot.press(key)
            await wait_for(lambda s=screen: isinstance(app.screen, s), pilot=pilot)
        await spoken(pilot, speaker, "绿色通道")
        await pilot.press("enter")  # the default in care mode: 绿色通道
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
        ticket = app.last_ticket
        assert ticket is not None and ticket.priority
        await spoken(pilot, speaker, "您的号码是", f"前面还有 {ticket.ahead} 人")


async def test_real_espeak_ng_is_invoked_with_the_voice_speed_and_text(tmp_path: Path) -> None:
    real = shutil.which("espeak-ng")
    if real is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs espeak-ng (.ci/run): it is missing")
        pytest.skip("espeak-ng not installed (apt-get install -y espeak-ng)")
    # a wrapper records the arguments, then runs the real espeak-ng into a WAV file
    args_file, wav = tmp_path / "args.txt", tmp_path / "out.wav"
    shim = tmp_path / "espeak-shim"
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {args_file}\nexec {real} -w {wav} "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    speaker = EspeakSpeaker(program=str(shim))
    text = "您的号码是 A 零 零 五。前面还有 4 人。"
    await speaker.say(text, "zh")
    assert args_file.read_text(encoding="utf-8").splitlines() == ["-v", "cmn", "-s", "150", text]
    assert wav.stat().st_size > 10_000  # espeak-ng spoke it (Mandarin voice, a second or more)
    await speaker.say("Your number is A 0 0 5.", "en")
    assert args_file.read_text(encoding="utf-8").splitlines()[:2] == ["-v", "en"]


def test_voice_is_turned_on_by_the_voice_option() -> None:
    from kiosk.__main__ import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser, common=True)
    assert parser.parse_args(["--token", "T", "--voice"]).voice is True
    assert parser.parse_args(["--token", "T"]).voice is False
    assert isinstance(KioskApp(KioskConfig(voice=True)).speaker, EspeakSpeaker)
    assert KioskApp(KioskConfig()).speaker is None  # silent care mode: big text only


async def test_care_mode_without_espeak_goes_on_silent() -> None:
    app = KioskApp(
        KioskConfig(idle=3600),
        welcome=kiosk_welcome(),
        now=lambda: KIOSK_NOW,
        speaker=EspeakSpeaker(program="espeak-ng-that-does-not-exist"),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0")
        await wait_for(lambda: app.speaker is None, what="speaker dropped", pilot=pilot)
        assert app.care and app.screen.has_class("-care")  # the big text stays
        await pilot.press("1")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        assert "民政局" in app.spoken[-1][1]  # what it would have said, for the record


async def test_care_mode_says_first_that_issuing_is_paused() -> None:
    speaker = RecordingSpeaker()
    app = make_app(speaker)
    async with app.run_test(size=SIZE) as pilot:
        app.online = False
        await pilot.press("0")
        said = await spoken(pilot, speaker, "暂停取号", "请选您要去的部门")
        assert said.index("暂停取号") < said.index("请选您要去的部门")
