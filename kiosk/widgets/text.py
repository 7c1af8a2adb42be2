"""`PlainText`: a line (or lines) of plain text that redraws only when the text changes."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static


class PlainText(Static):
    """Plain text, never markup (catalogue names may hold brackets).

    Screens set `text` at every redraw; an unchanged text is no change of the
    reactive, so it costs no layout.
    """

    text: reactive[str] = reactive("")

    def watch_text(self, text: str) -> None:
        self.update(Content(text))
