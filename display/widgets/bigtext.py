"""A widget drawing a short text (a ticket number, a window number) in big glyphs."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

from display import glyphs


class BigText(Widget):
    """The largest big-glyph rendering of `text` that fits; plain bold text if none does."""

    DEFAULT_CSS = """
    BigText {
        width: 1fr;
        height: 1fr;
        content-align: center middle;
    }
    """

    text: reactive[str] = reactive("")

    def __init__(
        self,
        text: str = "",
        *,
        max_scale: int = 8,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.max_scale = max_scale
        self.set_reactive(BigText.text, text)
        self.shown_text: str | None = None  # what the last render drew
        self.shown_at: float = 0.0  # perf_counter() of that render
        self.on_shown: Callable[[str], None] | None = None  # hook for the benchmark

    def render(self) -> RenderResult:
        text = self.text
        width, height = self.content_region.size
        scale = glyphs.fit_scale(text, width, height, self.max_scale) if text else 0
        if text != self.shown_text:
            self.shown_text = text
            self.shown_at = time.perf_counter()
            if self.on_shown is not None:
                self.on_shown(text)
        if scale == 0:
            return Text(text, style="bold")
        return Text("\n".join(glyphs.render(text, scale)))
