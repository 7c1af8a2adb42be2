"""The text a complaint step needs: an investigation note, the answer to the citizen, or
the reason for rejecting it. Enter submits (empty: refused here, nothing is sent),
escape or the cancel button closes the question."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from display.strings import both, t

TEXT_MAX = 2000  # the hub's limit on a text argument (hub/validate.py MAX_TEXT)


class ComplaintTextScreen(ModalScreen[None]):
    """Asks for the text of a note, an answer or a reason; posts `TextGiven`."""

    BINDINGS = [Binding("escape", "cancel", "取消 Cancel")]

    class TextGiven(Message):
        """The supervisor wrote the text: the app closes the question and sends the step."""

        def __init__(self, action: str, complaint: str, text: str) -> None:
            super().__init__()
            self.action = action
            self.complaint = complaint
            self.text = text

    def __init__(self, action: str, complaint: str, lang: str) -> None:
        super().__init__()
        self.action = action
        self.complaint = complaint
        self.lang = lang

    def compose(self) -> ComposeResult:
        ask = {"note": "c_ask_note", "answer": "c_ask_answer", "reject": "c_ask_reason"}
        with Vertical(id="complaint-box"):
            yield Static(t(ask[self.action], self.lang, id=self.complaint), id="complaint-ask")
            yield Input(id="complaint-text", max_length=TEXT_MAX)
            yield Static("", id="complaint-error")
            with Horizontal(classes="buttons"):
                yield Button(t("c_send", self.lang), id="complaint-send", variant="primary")
                yield Button(t("no", self.lang), id="complaint-cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#complaint-send")
    def _send(self) -> None:
        text = self.query_one(Input).value.strip()
        if not text:
            self.query_one("#complaint-error", Static).update(both("err_c_text"))
            return
        self.post_message(self.TextGiven(self.action, self.complaint, text))

    @on(Button.Pressed, "#complaint-cancel")
    def action_cancel(self) -> None:
        self.dismiss()
