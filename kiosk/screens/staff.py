"""The staff PIN check (reprint, close the kiosk): a small modal citizens cannot pass."""

from __future__ import annotations

import hmac

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from kiosk.strings import t


class PinScreen(ModalScreen[bool]):
    """Ask for the admin PIN; dismiss with True when it matches."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, pin: str, prompt: str, lang: str) -> None:
        super().__init__()
        self._pin = pin
        self.prompt = prompt
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-box"):
            yield Static(t("staff_check", self.lang), id="pin-title")
            yield Static(t(self.prompt, self.lang), id="pin-prompt")
            yield Input(password=True, id="pin", max_length=32)
            yield Static(id="pin-error")
            with Horizontal(id="pin-actions"):
                yield Button(t("confirm", self.lang), id="pin-ok", variant="primary")
                yield Button(t("cancel", self.lang), id="pin-cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def check(self) -> None:
        """Dismiss with True on the right PIN, else say it is wrong and clear the field."""
        field = self.query_one(Input)
        if hmac.compare_digest(field.value.encode(), self._pin.encode()):
            self.dismiss(True)
            return
        field.value = ""
        self.query_one("#pin-error", Static).update(Content(t("pin_wrong", self.lang)))

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.check()

    @on(Button.Pressed, "#pin-ok")
    def ok_pressed(self) -> None:
        self.check()

    @on(Button.Pressed, "#pin-cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        """Esc: leave without doing anything."""
        self.dismiss(False)
