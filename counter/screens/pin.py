"""The clerk changes their own PIN: the current PIN, then the new one twice (`change_pin`)."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from counter.strings import t

PIN = re.compile(r"[0-9]{4,12}")
FIELDS = ("old", "new", "again")


class PinDialog(ModalScreen[dict[str, str] | None]):
    """Three masked fields; Enter moves on, Enter on the last checks and dismisses with
    {"old", "new"} (the hub checks the current PIN); Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, lang: str) -> None:
        super().__init__(classes="dialog-screen")
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(classes="dialog", id="pin-dialog"):
            yield Label(t("pin_title", lang), classes="dialog-title")
            for name in FIELDS:
                yield Label(t(f"pin_{name}", lang))
                yield Input(password=True, id=f"pin-{name}", max_length=12)
            yield Static("", id="pin-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ok", lang), id="ok", variant="primary")
                yield Button(t("cancel", lang), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#pin-old", Input).focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#pin-{name}", Input).value

    def _fail(self, key: str, field: str) -> None:
        self.query_one("#pin-error", Static).update(t(key, self.lang))
        for name in FIELDS[FIELDS.index(field) :]:
            self.query_one(f"#pin-{name}", Input).value = ""
        self.query_one(f"#pin-{field}", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        name = (event.input.id or "").removeprefix("pin-")
        if name in FIELDS[:-1]:
            self.query_one(f"#pin-{FIELDS[FIELDS.index(name) + 1]}", Input).focus()
        else:
            self._check()

    @on(Button.Pressed, "#ok")
    def _ok(self, event: Button.Pressed) -> None:
        event.stop()
        self._check()

    def _check(self) -> None:
        old, new, again = (self._value(n) for n in FIELDS)
        if not old:
            self._fail("pin_empty", "old")
        elif not PIN.fullmatch(new):
            self._fail("pin_digits", "new")
        elif new != again:
            self._fail("pin_differ", "new")
        elif new == old:
            self._fail("pin_same", "new")
        else:
            self.dismiss({"old": old, "new": new})

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
