"""The one login form of the staff terminals (the counter and the desk) and the plumbing around it.

`LoginScreen` asks for a staff id and a PIN (masked) and posts `LoginRequested`;
what differs by role comes in a `LoginForm` (its words in the app's language, its
title, an example staff id). `ClerkApp` is the base of an app a clerk logs in to:
it opens the session on the hub (`HubLink`) when the form is submitted, says so
when the hub cannot be reached, words a refusal in one plain sentence and takes
the clerk back to the form when the session ends. A subclass says who it is:
its text table, its `error_text`, its `hello()`, its `login_form()`, what a new
session forgets (`begin_session`) and which staff id the form shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from shared.client import HubClient, HubError
from shared.i18n import Texts
from shared.ui.hub import HubLink

# How long a login may wait for the hub before the clerk is told it is unreachable.
CONNECT_HINT_S = 3.0
# `hall demo` tells a newcomer the demo PIN right on the form.
HINT_ENV = "HALL_LOGIN_HINT"

S = TypeVar("S", bound=Screen[Any])
ErrorText = Callable[[str, str, str], str]  # (code, message, lang) -> one plain sentence


@dataclass(frozen=True)
class LoginForm:
    """What a role's login form says, in the app's language."""

    title: str  # "5号窗口 登录" / "咨询台登录"
    staff: str  # the staff id's label
    pin: str  # the PIN's label
    button: str
    missing: str  # when the staff id or the PIN is empty
    placeholder: str = ""  # an example staff id
    heading: str = ""  # a muted line above the title (the counter names the app there)

    @classmethod
    def worded(
        cls, texts: Texts, lang: str, title: str, *, placeholder: str = "", heading: str = ""
    ) -> LoginForm:
        """The form in `lang`, its labels from an app's table: "staff_id", "pin", "login" and
        "need_staff_pin" (each role words them its own way)."""
        return cls(
            title=title,
            staff=texts("staff_id", lang),
            pin=texts("pin", lang),
            button=texts("login", lang),
            missing=texts("need_staff_pin", lang),
            placeholder=placeholder,
            heading=heading,
        )


class LoginScreen(Screen[None]):
    """Staff id and PIN (masked); the app connects and reports back with `show_message`."""

    class LoginRequested(Message):
        """The clerk submitted a staff id and PIN."""

        def __init__(self, staff: str, pin: str) -> None:
            super().__init__()
            self.staff = staff
            self.pin = pin

    def __init__(self, form: LoginForm, staff: str = "", message: str = "", hint: str = "") -> None:
        super().__init__()
        self.form = form
        self.staff = staff
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        form = self.form
        with Center(), Vertical(id="login-box"):
            if form.heading:
                yield Label(form.heading, id="login-app")
            yield Label(form.title, id="login-title")
            yield Label(form.staff)
            yield Input(value=self.staff, placeholder=form.placeholder, id="staff", max_length=32)
            yield Label(form.pin)
            yield Input(password=True, id="pin", max_length=32)
            yield Button(form.button, id="login", variant="primary")
            yield Static(self.message, id="login-message", classes="error")
            if self.hint:
                yield Static(self.hint, id="login-hint")

    def on_mount(self) -> None:
        self.query_one("#pin" if self.staff else "#staff", Input).focus()

    def show_message(self, text: str, *, error: bool = True, busy: bool = False) -> None:
        """Show a message under the form; while busy the form is locked, after it the PIN is
        cleared and the cursor waits in the PIN (in the staff id while that is empty)."""
        message = self.query_one("#login-message", Static)
        message.update(text)
        message.set_class(error, "error")
        for widget in self.query("Input, Button"):
            widget.disabled = busy
        if not busy:
            pin = self.query_one("#pin", Input)
            pin.value = ""
            staff = self.query_one("#staff", Input)
            (pin if staff.value else staff).focus()

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
            self.show_message(self.form.missing)
            return
        self.post_message(self.LoginRequested(staff, pin))


class ClerkApp(App[int]):
    """An app a clerk logs in to (see the module docstring).

    `texts` must hold the keys "connecting", "hub_unreachable" ({url}), "bad_url" ({url})
    and "l_error" ({message}); the PIN is kept in memory only, for the reconnects of one
    session (the hello holds it), and forgotten when the session ends.
    """

    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+c", "quit", show=False, priority=True)]

    def __init__(self, hub_url: str, lang: str, texts: Texts, error_text: ErrorText) -> None:
        super().__init__()
        self.hub_url = hub_url
        self.lang = "en" if lang == "en" else "zh"
        self.texts = texts
        self.error_text = error_text
        self.link = HubLink(self, hub_url, self.hello)
        self.online = False
        self.busy = False
        self._pin = ""

    def screen_of(self, kind: type[S]) -> S | None:
        """The screen of this kind in the stack, if it is up (never while the app shuts down:
        its widgets go first)."""
        if not self.is_running:
            return None
        return next((s for s in self.screen_stack if isinstance(s, kind)), None)

    # --- what a subclass says

    def hello(self) -> dict[str, Any]:
        """The hello frame of this role (called at each connect)."""
        raise NotImplementedError

    def login_form(self) -> LoginForm:
        """The login form's words, in the app's language now."""
        raise NotImplementedError

    @property
    def login_staff(self) -> str:
        """The staff id the form shows (the last one that logged in, or the one given)."""
        raise NotImplementedError

    def begin_session(self, staff: str) -> None:
        """Forget the last session's picture before logging `staff` in."""
        raise NotImplementedError

    def add_log(self, line: str) -> None:
        """A line in the app's visible log."""
        raise NotImplementedError

    # --- the login

    def show_login(self, message: str = "") -> None:
        """Put the login form on top: pushed at start, switched to when a session ends."""
        screen = LoginScreen(
            self.login_form(), self.login_staff, message, hint=os.environ.get(HINT_ENV, "")
        )
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    @on(LoginScreen.LoginRequested)
    def login(self, event: LoginScreen.LoginRequested) -> None:
        """Open the session; the PIN stays in memory only, for this session's reconnects."""
        self.begin_session(event.staff)
        self._pin = event.pin
        client = self.link.connect()  # replaces the client of an earlier attempt
        if isinstance(self.screen, LoginScreen):
            self.screen.show_message(self.texts("connecting", self.lang), error=False, busy=True)
        self.set_timer(CONNECT_HINT_S, lambda: self._connect_hint(client))

    def _connect_hint(self, client: HubClient) -> None:
        if (
            client is self.link.client
            and not client.online
            and isinstance(self.screen, LoginScreen)
        ):
            self.screen.show_message(self.texts("hub_unreachable", self.lang, url=self.hub_url))

    def end_session(self, message: str) -> None:
        """The session is over (logout, refusal, closed window): back to the form, saying why."""
        self.link.drop()
        self._pin = ""
        self.busy = False
        if isinstance(self.screen, LoginScreen):
            self.screen.show_message(message)
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.online = False
        self.show_login(message)

    # --- refusals

    def error_message(self, error: HubError) -> str:
        """One plain sentence for a refusal: the hub's own words, or ours for a local failure."""
        if error.code == "bad_url":
            return self.texts("bad_url", self.lang, url=self.hub_url)
        return self.error_text(error.code, error.message, self.lang)

    def refused(self, error: HubError) -> None:
        """A request was refused: the sentence in the log and as a notification."""
        message = self.error_message(error)
        self.add_log(self.texts("l_error", self.lang, message=message))
        self.notify(message, severity="error")
