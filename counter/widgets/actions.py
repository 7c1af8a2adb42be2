"""The action bar: one button per function key, disabled (not hidden) when it does not fit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button

from counter.model import ACTIONS
from counter.strings import t

KEYS: dict[str, str] = {action: f"f{i}" for i, action in enumerate(ACTIONS, start=1)}


class ActionBar(Horizontal):
    """F1 … F10 as buttons; clicking one is the same as pressing its key."""

    class ActionPressed(Message):
        """A button of the bar was clicked."""

        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang

    def compose(self) -> ComposeResult:
        for action in ACTIONS:
            button = Button(self._label(action, paused=False), id=f"act-{action}", disabled=True)
            button.can_focus = False  # the keys are F1…F10; Tab stays on the lists
            button.styles.line_pad = 0  # (CSS refuses `line-pad: 0`) ten labels must fit in a row
            yield button

    def _label(self, action: str, *, paused: bool) -> str:
        key = "a_" + action
        if action == "pause_resume":
            key = "a_resume" if paused else "a_pause"
        return f"{KEYS[action].upper()} {t(key, self.lang)}"

    def show(self, enabled: set[str], *, paused: bool) -> None:
        """Enable the buttons of the enabled actions; name F9 after what it will do."""
        for action in ACTIONS:
            button = self.query_one(f"#act-{action}", Button)
            button.disabled = action not in enabled
            if action == "pause_resume":
                button.label = self._label(action, paused=paused)  # reactive: redrawn on change

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.startswith("act-"):
            self.post_message(self.ActionPressed(event.button.id.removeprefix("act-")))
