"""A widget drawing a short text (a ticket number, a window number) in big glyphs.

The lobby board gives it a fixed area (``height: 1fr``) and it fills it; the
kiosk's ticket gives it ``height: auto`` and it is as tall as its width allows.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.cells import cell_len
from rich.segment import Segment
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from shared.ui import glyphs


class BigText(Widget):
    """The largest big-glyph rendering of `text` that fits, centred; plain text if none does.

    Drawn line by line (Textual's line API) from a cached rendering: a new call
    repaints a large area of the lobby board, and this keeps that cheap.
    """

    DEFAULT_CSS = """
    BigText {
        width: 1fr;
        height: 1fr;
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
        self.shown_text: str | None = None  # what the last paint drew
        self.shown_at: float = 0.0  # perf_counter() of that paint
        self.on_shown: Callable[[str], None] | None = None  # hook for the benchmark
        self._cache: tuple[tuple[str, int, int], list[str], int] | None = None

    def watch_text(self) -> None:
        height = self.styles.height
        if height is not None and height.is_auto:
            self.refresh(layout=True)  # as tall as its text: another text, another height

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """With ``height: auto``: the rows of the largest glyphs that fit the width and screen."""
        text = self.text
        scale = glyphs.fit_scale(text, width, viewport.height, self.max_scale) if text else 0
        return glyphs.size(text, scale)[1] if scale else (1 if text else 0)

    def _lines(self) -> tuple[list[str], int]:
        """The rendered rows, and the row where they start (cached per text and size)."""
        width, height = self.size
        key = (self.text, width, height)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        text = self.text
        scale = glyphs.fit_scale(text, width, height, self.max_scale) if text else 0
        lines = glyphs.render(text, scale) if scale else ([text] if text else [])
        top = max(0, (height - len(lines)) // 2)
        self._cache = (key, lines, top)
        return lines, top

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines, top = self._lines()
        if self.text != self.shown_text:
            self.shown_text = self.text
            self.shown_at = time.perf_counter()
            if self.on_shown is not None:
                self.on_shown(self.text)
        row = y - top
        line = lines[row] if 0 <= row < len(lines) else ""
        used = cell_len(line)
        left = max(0, (width - used) // 2)
        content = " " * left + line + " " * max(0, width - left - used)
        return Strip([Segment(content, self.rich_style)], width).crop(0, width)
