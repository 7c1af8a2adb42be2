"""The band on top of every kiosk screen: hall name, clock, 中文/English toggle, status banner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Static

from kiosk.strings import t

_WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")


def format_clock(now: datetime, lang: str) -> str:
    """A wall clock line: "11月26日 星期四 09:15" / "Thu 26 Nov 09:15"."""
    if lang == "en":
        return now.strftime("%a %d %b  %H:%M")
    return f"{now.month}月{now.day}日 星期{_WEEKDAYS_ZH[now.weekday()]}  {now:%H:%M}"


class Clock(Static):
    """The hall's local time, refreshed every second."""

    lang: reactive[str] = reactive("zh")

    def __init__(self, now: Callable[[], datetime], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now = now

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def watch_lang(self) -> None:
        self.tick()

    def tick(self) -> None:
        """Show the time now."""
        self.update(format_clock(self.now(), self.lang))


class KioskHeader(Horizontal):
    """Hall name on the left, the clock, the care mode's buttons and the language toggle.

    The care button (关怀模式 / 长辈版) is on every screen, large and yellow; 再听一遍
    (repeat) shows in the care mode only. Both act on the screen (``screen.care``,
    ``screen.repeat``), which labels them in `KioskScreen.sync`.
    """

    hall_name: reactive[str] = reactive("")
    lang: reactive[str] = reactive("zh")

    class LanguageToggled(Message):
        """The citizen tapped 中文/English."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__(id="header")
        self._now = now

    def compose(self) -> ComposeResult:
        yield Static(id="hall-name")
        yield Clock(self._now, id="clock")
        yield Button(t("care_repeat", self.lang), id="care-repeat", action="screen.repeat")
        yield Button(t("care_on", self.lang), id="care-toggle", action="screen.care")
        yield Button(t("lang_toggle", self.lang), id="lang-toggle")

    def watch_hall_name(self, name: str) -> None:
        if self.is_mounted:
            self.query_one("#hall-name", Static).update(Content(name))

    def watch_lang(self, lang: str) -> None:
        if self.is_mounted:
            self.query_one(Clock).lang = lang
            self.query_one("#lang-toggle", Button).label = t("lang_toggle", lang)

    def on_mount(self) -> None:
        self.watch_hall_name(self.hall_name)
        self.watch_lang(self.lang)

    @on(Button.Pressed, "#lang-toggle")
    def lang_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.LanguageToggled())


class StatusBanner(Static):
    """A plain sentence across the screen (offline, not authorised); hidden when empty."""

    message: reactive[str] = reactive("")

    def watch_message(self, message: str) -> None:
        self.update(Content(message))
        self.display = bool(message)

    def on_mount(self) -> None:
        self.watch_message(self.message)
