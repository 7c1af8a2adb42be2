"""The question before closing a window, which cannot be undone (it logs the clerk out)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class CloseWindowScreen(ModalScreen[None]):
    """Asks before closing a window.

    Yes posts `CloseRequested` (the app closes the question, then the window);
    no or escape only closes the question.
    """

    BINDINGS = [Binding("escape", "no", show=False)]

    class CloseRequested(Message):
        """The supervisor confirmed: close the window."""

        def __init__(self, window: int) -> None:
            super().__init__()
            self.window = window

    def __init__(self, window: int, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.window = window
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="confirm-yes", variant="error")
                yield Button(self.no, id="confirm-no")

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.post_message(self.CloseRequested(self.window))

    @on(Button.Pressed, "#confirm-no")
    def action_no(self) -> None:
        self.dismiss()
