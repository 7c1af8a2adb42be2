"""A QR code drawn in the terminal with half blocks, two modules per character cell.

Dark modules are drawn in black on a white ground (with the quiet zone), which
is what phone cameras expect; a code of version 3 (a ticket URL) takes about
33 × 17 cells.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from shared.qr import qr_matrix

__all__ = ["QRCode", "qr_lines", "qr_matrix"]

_INK = Style(color="black", bgcolor="white")


def qr_lines(matrix: list[list[bool]]) -> list[str]:
    """Half-block text lines for a matrix: each line holds two module rows."""
    lines = []
    for y in range(0, len(matrix), 2):
        top = matrix[y]
        bottom = matrix[y + 1] if y + 1 < len(matrix) else [False] * len(top)
        chars = []
        for t, b in zip(top, bottom, strict=True):
            chars.append("█" if t and b else "▀" if t else "▄" if b else " ")
        lines.append("".join(chars))
    return lines


class QRCode(Widget):
    """A QR code of `data`, drawn with half blocks (nothing when data is empty)."""

    DEFAULT_CSS = """
    QRCode { width: auto; height: auto; }
    """

    data: reactive[str] = reactive("", layout=True)

    def __init__(
        self, data: str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[str] = []
        self.set_reactive(QRCode.data, data)
        self._lines = qr_lines(qr_matrix(data)) if data else []

    def watch_data(self, data: str) -> None:
        self._lines = qr_lines(qr_matrix(data)) if data else []

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return len(self._lines[0]) if self._lines else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        if y >= len(self._lines):
            return Strip.blank(self.size.width)
        return Strip([Segment(self._lines[y], _INK)]).crop_extend(0, self.size.width, None)
