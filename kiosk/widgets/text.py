"""`PlainText`: a line (or lines) of plain text that redraws only when the text changes.

In the care mode (the screen has the class ``-care``) a `PlainText` with the class
``care-big`` is drawn in big glyphs (``kiosk.widgets.bigcjk``), as tall as it needs.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from kiosk.widgets import bigcjk


def care_big(widget: Widget) -> bool:
    """True when `widget` is on a care-mode screen (its text is drawn big)."""
    try:
        return widget.screen.has_class("-care")
    except Exception:  # not on a screen yet
        return False


class PlainText(Static):
    """Plain text, never markup (catalogue names may hold brackets).

    Screens set `text` at every redraw; an unchanged text is no change of the
    reactive, so it costs no layout.
    """

    text: reactive[str] = reactive("")

    def watch_text(self, text: str) -> None:
        self.update(Content(text))

    def _big(self, width: int) -> tuple[str, ...] | None:
        if not self.text or not self.has_class("care-big") or not care_big(self):
            return None
        return bigcjk.lines(self.text, max(width, 16))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        big = self._big(width)
        if big is not None:
            return len(big)
        return super().get_content_height(container, viewport, width)

    def render(self) -> Content:  # type: ignore[override]
        big = self._big(self.content_size.width)
        if big is not None:
            return Content("\n".join(big))
        return Content(self.text)
