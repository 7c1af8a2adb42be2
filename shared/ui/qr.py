"""A QR code drawn in the terminal with half blocks, two modules per character cell.

Dark modules are drawn in black on a white ground (with the quiet zone), which
is what phone cameras expect; a code of version 3 (a ticket URL) takes about
33 × 17 cells.
"""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

_INK = Style(color="black", bgcolor="white")


def qr_matrix(data: str, border: int = 2) -> list[list[bool]]:
    """The module matrix of `data` (True = dark), quiet zone included."""
    # A fixed mask skips the search for the best of eight (4x faster); any mask scans.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


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
