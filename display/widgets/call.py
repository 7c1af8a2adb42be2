"""The latest call, huge: ticket number and window, and the sentence under them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Static

from display.state import Call
from display.strings import t
from shared.ui.bigtext import BigText

FRESH_SECONDS = 6.0


class LatestCall(Vertical):
    """请 A012 号到 5 号窗口办理 / Ticket A012, please go to window 5 — in big glyphs."""

    shown: var[tuple[Call | None, str] | None] = var(None, init=False)  # (call, lang) drawn

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._fresh_timer: Timer | None = None

    @property
    def call(self) -> Call | None:
        """The call on show (None: no call yet)."""
        return self.shown[0] if self.shown is not None else None

    def compose(self) -> ComposeResult:
        with Horizontal(id="call-big"):
            with Vertical(id="call-number-box"):
                yield BigText(id="call-number")
            with Vertical(id="call-window-box"):
                yield BigText(id="call-window")
        yield Static(id="call-line")

    def show(self, call: Call | None, lang: str) -> None:
        """Show this call (or the 'no call yet' state)."""
        self.shown = (call, lang)

    def watch_shown(
        self, old: tuple[Call | None, str] | None, shown: tuple[Call | None, str]
    ) -> None:
        call, lang = shown
        if old is not None and call is not None and call != old[0]:
            # A new call (or recall) stands out for a few seconds.
            self.add_class("-fresh")
            if self._fresh_timer is not None:
                self._fresh_timer.stop()
            self._fresh_timer = self.set_timer(FRESH_SECONDS, lambda: self.remove_class("-fresh"))
        self.border_title = t("latest_call", lang)
        number_box = self.query_one("#call-number-box", Vertical)
        window_box = self.query_one("#call-window-box", Vertical)
        number_box.border_title = "票号 Ticket" if lang != "en" else "Ticket 票号"
        window_box.border_title = "窗口 Window" if lang != "en" else "Window 窗口"
        line = self.query_one("#call-line", Static)
        if call is None:
            self.query_one("#call-number", BigText).text = ""
            self.query_one("#call-window", BigText).text = ""
            line.update(t("no_call", lang), layout=False)
            self.set_class(False, "-recall")
            return
        self.query_one("#call-number", BigText).text = call.number
        self.query_one("#call-window", BigText).text = str(call.window)
        zh = t("call_line_zh", "zh", number=call.number, window=call.window)
        en = t("call_line_en", "en", number=call.number, window=call.window)
        text = f"{zh}\n{en}"
        if call.recalls:
            text = f"【{t('recall_mark', lang)}】 " + text
        line.update(text, layout=False)  # a fixed-height line: no re-layout
        self.set_class(call.recalls > 0, "-recall")
