"""The questions before a supervisor's action: closing a window, which cannot be undone
(it logs the clerk out), and unlocking a clerk locked out after wrong PINs.

A window with a ticket called or in service is closed all the same: the
question says which ticket, and each way to settle it is a button (back to
the front of its queue, done, a no-show: close_window's `ticket_outcome`).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class CloseWindowScreen(ModalScreen[None]):
    """Asks before closing a window.

    Yes (or an outcome's button) posts `CloseRequested` (the app closes the
    question, then the window); no or escape only closes the question.
    """

    BINDINGS = [Binding("escape", "no", show=False)]

    class CloseRequested(Message):
        """The supervisor confirmed: close the window."""

        def __init__(self, window: int, outcome: str | None = None) -> None:
            super().__init__()
            self.window = window
            self.outcome = outcome  # close_window's ticket_outcome, None: the hub's default

    def __init__(
        self,
        window: int,
        question: str,
        yes: str,
        no: str,
        outcomes: Sequence[tuple[str, str]] = (),
    ) -> None:
        """`outcomes`: (ticket_outcome, button label) for a window with a ticket at it."""
        super().__init__()
        self.window = window
        self.question = question
        self.yes = yes
        self.no = no
        self.outcomes = outcomes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(classes="buttons"):
                if not self.outcomes:
                    yield Button(self.yes, id="confirm-yes", variant="error")
                for outcome, label in self.outcomes:
                    yield Button(label, id=f"confirm-{outcome}", variant="error", name=outcome)
                yield Button(self.no, id="confirm-no")

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.post_message(self.CloseRequested(self.window))

    @on(Button.Pressed, "#confirm-requeue, #confirm-done, #confirm-no_show")
    def _outcome(self, event: Button.Pressed) -> None:
        self.post_message(self.CloseRequested(self.window, event.button.name))

    @on(Button.Pressed, "#confirm-no")
    def action_no(self) -> None:
        self.dismiss()


class UnlockStaffScreen(ModalScreen[None]):
    """Asks before unlocking a clerk, in both languages: yes (focused first: Enter) posts
    `UnlockConfirmed` (the app closes the question, then sends `unlock_staff`); no or
    escape only closes the question."""

    BINDINGS = [Binding("escape", "no", show=False)]

    class UnlockConfirmed(Message):
        """The supervisor confirmed: unlock the clerk."""

        def __init__(self, staff: str, name: str) -> None:
            super().__init__()
            self.staff = staff
            self.name = name

    def __init__(self, staff: str, name: str, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.staff = staff
        self.staff_name = name
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="unlock-yes", variant="warning")
                yield Button(self.no, id="unlock-no")

    def on_mount(self) -> None:
        self.query_one("#unlock-yes", Button).focus()

    @on(Button.Pressed, "#unlock-yes")
    def _yes(self) -> None:
        self.post_message(self.UnlockConfirmed(self.staff, self.staff_name))

    @on(Button.Pressed, "#unlock-no")
    def action_no(self) -> None:
        self.dismiss()
