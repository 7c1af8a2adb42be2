"""Snapshots of every kiosk screen in the care mode (关怀模式 / 长辈版), 中文 and English.

Big text, plain words, one choice under another, 绿色通道 first; no hub (a prepared
welcome, a frozen clock) and a silent recording speaker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from kiosk_helpers import SIZE
from support.scenes import KIOSK_NOW, kiosk_issue_reply, kiosk_welcome
from textual.pilot import Pilot

from kiosk.app import KioskApp, KioskConfig
from kiosk.state import IssuedTicket

Step = Callable[[Pilot[Any]], Awaitable[None]]


class Silent:
    async def say(self, text: str, lang: str) -> None:
        return None


def make_app(lang: str) -> KioskApp:
    return KioskApp(
        KioskConfig(lang=lang, idle=3600),
        welcome=kiosk_welcome(),
        now=lambda: KIOSK_NOW,
        speaker=Silent(),
    )


def keys(*pressed: str) -> Step:
    async def step(pilot: Pilot[Any]) -> None:
        await pilot.press("0")  # the care mode first, then the screen's keys
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()

    return step


async def ticket(pilot: Pilot[Any]) -> None:
    await pilot.press("0")
    app = pilot.app
    assert isinstance(app, KioskApp)
    reply = kiosk_issue_reply()
    reply["ticket"]["priority"] = "priority"
    app.show_ticket(IssuedTicket.from_reply(reply, app.state))
    await pilot.pause()
    app.screen.print_status = "printed"  # type: ignore[attr-defined]
    await pilot.pause()


SCREENS: dict[str, Step] = {
    "home": keys(),
    "department": keys("1"),
    "guide": keys("1", "1"),
    "priority": keys("1", "1", "enter"),
    "ticket": ticket,
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_care_screen(snap_compare: Any, screen: str, lang: str) -> None:
    assert snap_compare(make_app(lang), terminal_size=SIZE, run_before=SCREENS[screen])
