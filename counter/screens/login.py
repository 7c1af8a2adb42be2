"""Login: staff id and PIN (masked) for this window; plain messages for every refusal."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from counter.strings import t


class LoginScreen(Screen[None]):
    """Asks for staff id and PIN; the app does the connecting and reports back with `show_message`."""

    class LoginRequested(Message):
        """The clerk submitted a staff id and PIN."""

        def __init__(self, staff: str, pin: str) -> None:
            super().__init__()
            self.staff = staff
            self.pin = pin

    def __init__(
        self, lang: str, window_name: str, staff: str = "", message: str = "", hint: str = ""
    ) -> None:
        super().__init__()
        self.hint = hint
        self.lang = lang
        self.window_name = window_name
        self.staff = staff
        self.message = message

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Center(), Vertical(id="login-box"):
            yield Label(t("app_title", lang), id="login-app")
            yield Label(t("login_title", lang, window=self.window_name), id="login-title")
            yield Label(t("staff_id", lang))
            yield Input(value=self.staff, placeholder="c001", id="staff", max_length=32)
            yield Label(t("pin", lang))
            yield Input(password=True, id="pin", max_length=32)
            yield Button(t("login", lang), id="login", variant="primary")
            yield Static(self.message, id="login-message", classes="error")
            if self.hint:
                yield Static(self.hint, id="login-hint")

    def on_mount(self) -> None:
        self.query_one("#pin" if self.staff else "#staff", Input).focus()

    def show_message(self, text: str, *, error: bool = True, busy: bool = False) -> None:
        """Show a message under the form; while busy the form is locked."""
        message = self.query_one("#login-message", Static)
        message.update(text)
        message.set_class(error, "error")
        for widget in self.query("Input, Button"):
            widget.disabled = busy
        if not busy:
            pin = self.query_one("#pin", Input)
            pin.value = ""
            (
                pin if self.query_one("#staff", Input).value else self.query_one("#staff", Input)
            ).focus()

    @on(Input.Submitted, "#staff")
    def _staff_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#login")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        staff = self.query_one("#staff", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        if not staff or not pin:
            self.show_message(t("need_staff_pin", self.lang))
            return
        self.post_message(self.LoginRequested(staff, pin))
