"""The supervisor's PIN prompt."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from display.strings import t


class PinScreen(Screen[None]):
    """Asks the supervisor's PIN.

    Posts `LoginRequested` (the app closes the screen and connects) or
    `QuitRequested`; a refused PIN comes back as a new screen with the error.
    """

    BINDINGS = [Binding("escape", "quit_login", show=False)]

    class LoginRequested(Message):
        """The supervisor entered a PIN."""

        def __init__(self, pin: str) -> None:
            super().__init__()
            self.pin = pin

    class QuitRequested(Message):
        """The supervisor would rather quit than log in."""

    def __init__(self, staff: str, lang: str, error: str | None = None) -> None:
        super().__init__()
        self.staff = staff
        self.lang = lang
        self.error = error

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="login-box") as box:
            box.border_title = t("login_title", lang)
            yield Label(t("login_staff", lang, staff=self.staff))
            yield Label(t("login_pin", lang))
            yield Input(id="pin", password=True, max_length=32)
            yield Static(self.error or "", id="login-error")
            with Horizontal(classes="buttons"):
                yield Button(t("login_submit", lang), id="login-submit", variant="primary")
                yield Button(t("login_quit", lang), id="login-quit")

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#login-submit")
    def _submit(self) -> None:
        pin = self.query_one("#pin", Input).value.strip()
        if pin:
            self.post_message(self.LoginRequested(pin))

    @on(Button.Pressed, "#login-quit")
    def action_quit_login(self) -> None:
        self.post_message(self.QuitRequested())
