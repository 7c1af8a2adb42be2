"""The supervisor's actions: post a notice, change a window's services, close a window.

The panel only collects and checks input; it posts a message and the app
sends the command to the hub (widgets never touch the websocket).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from display.state import BoardState
from display.strings import t
from shared.i18n import name_of


class ActionsPanel(VerticalScroll):
    """Forms for the supervisor's commands."""

    class NoticeRequested(Message):
        """The supervisor asked to post a notice."""

        def __init__(self, text: str, minutes: int | None) -> None:
            super().__init__()
            self.text = text
            self.minutes = minutes

    class ServicesRequested(Message):
        """The supervisor asked to change what a window serves."""

        def __init__(self, window: int, services: list[str]) -> None:
            super().__init__()
            self.window = window
            self.services = services

    class WindowCloseRequested(Message):
        """The supervisor asked to close a window (to be confirmed)."""

        def __init__(self, window: int) -> None:
            super().__init__()
            self.window = window

    # What the forms are filled for: (lang, [(window name, number)], service codes).
    form: var[tuple[str, list[tuple[str, int]], list[str]] | None] = var(None, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state: BoardState | None = None

    @property
    def lang(self) -> str:
        return self.form[0] if self.form is not None else "zh"

    def compose(self) -> ComposeResult:
        with Vertical(id="notice-form", classes="form"):
            yield Label(id="notice-text-label")
            yield Input(id="notice-text", max_length=200)
            yield Label(id="notice-minutes-label")
            yield Input(id="notice-minutes", type="integer", max_length=4)
            yield Button(id="notice-post", variant="primary")
        with Vertical(id="window-form", classes="form"):
            yield Select[int]([], id="window-pick", allow_blank=True)
            yield SelectionList[str](id="window-services")
            with Horizontal(classes="buttons"):
                yield Button(id="window-save", variant="primary")
                yield Button(id="window-close", variant="error")
        yield Static(id="action-status")

    def show(self, state: BoardState, lang: str) -> None:
        """Fill labels and choices from the hall (keeps what the supervisor is editing)."""
        self.state = state
        windows = [(state.window_name(n, lang), n) for n in sorted(state.windows)]
        self.form = (lang, windows, [str(s["code"]) for s in state.services])

    def watch_form(
        self,
        old: tuple[str, list[tuple[str, int]], list[str]] | None,
        form: tuple[str, list[tuple[str, int]], list[str]],
    ) -> None:
        lang, windows, services = form
        old_lang, old_windows, old_services = old if old is not None else ("", [], [])
        relabel = lang != old_lang
        if relabel:
            self.query_one("#notice-form").border_title = t("act_notice", lang)
            self.query_one("#window-form").border_title = t("act_window", lang)
            self.query_one("#notice-text-label", Label).update(t("act_notice_text", lang))
            self.query_one("#notice-minutes-label", Label).update(t("act_notice_minutes", lang))
            self.query_one("#notice-post", Button).label = t("act_post", lang)
            self.query_one("#window-save", Button).label = t("act_save_services", lang)
            self.query_one("#window-close", Button).label = t("act_close_window", lang)
        pick = self.query_one("#window-pick", Select)
        if relabel or windows != old_windows:
            current = pick.value
            pick.set_options(windows)
            pick.prompt = t("act_pick_window", lang)
            if current in [n for _, n in windows]:
                pick.value = current
        if relabel or services != old_services:
            self._fill_services()

    def _fill_services(self) -> None:
        if self.state is None:
            return
        pick = self.query_one("#window-pick", Select)
        chosen: set[str] = set()
        if isinstance(pick.value, int):
            chosen = set((self.state.windows.get(pick.value) or {}).get("services") or [])
        box = self.query_one("#window-services", SelectionList)
        box.clear_options()
        box.add_options(
            (f"{s['code']} {name_of(s, self.lang)}", s["code"], s["code"] in chosen)
            for s in self.state.services
        )

    def say(self, text: str, error: bool = False) -> None:
        """Show the outcome of the last action under the forms."""
        status = self.query_one("#action-status", Static)
        status.set_class(error, "-error")
        status.update(text)

    @on(Select.Changed, "#window-pick")
    def _window_picked(self) -> None:
        self._fill_services()

    @on(Button.Pressed, "#notice-post")
    @on(Input.Submitted, "#notice-text")
    def _post_notice(self) -> None:
        text = self.query_one("#notice-text", Input).value.strip()
        raw = self.query_one("#notice-minutes", Input).value.strip()
        if not text:
            self.say(t("err_notice_empty", self.lang), error=True)
            return
        minutes: int | None = None
        if raw:
            try:
                minutes = int(raw)
            except ValueError:
                minutes = 0
            if minutes <= 0:
                self.say(t("err_minutes", self.lang), error=True)
                return
        self.post_message(self.NoticeRequested(text, minutes))

    def _picked_window(self) -> int | None:
        value = self.query_one("#window-pick", Select).value
        if not isinstance(value, int):
            self.say(t("err_pick_window", self.lang), error=True)
            return None
        return value

    @on(Button.Pressed, "#window-save")
    def _save_services(self) -> None:
        window = self._picked_window()
        if window is None:
            return
        picked = set(self.query_one("#window-services", SelectionList).selected)
        # A window serves an ordered list: keep the order it had, add new ones in catalogue order.
        had = (self.state.windows.get(window) or {}).get("services") or [] if self.state else []
        services = [c for c in had if c in picked]
        catalogue = self.form[2] if self.form is not None else []
        services += [c for c in catalogue if c in picked and c not in services]
        if not services:
            self.say(t("err_no_services", self.lang), error=True)
            return
        self.post_message(self.ServicesRequested(window, services))

    @on(Button.Pressed, "#window-close")
    def _close_window(self) -> None:
        window = self._picked_window()
        if window is not None:
            self.post_message(self.WindowCloseRequested(window))
