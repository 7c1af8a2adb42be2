"""A ticket number in big block letters, readable from a step away.

Textual's `Digits` only draws 0-9 and A-F; ticket prefixes run through the
alphabet, so this widget carries its own 5×5 font for 0-9 and A-Z and scales
it to the width it has.
"""

from __future__ import annotations

from typing import Final

from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

_FONT_ROWS: Final[dict[str, tuple[str, str, str, str, str]]] = {
    "0": (" ### ", "#  ##", "# # #", "##  #", " ### "),
    "1": ("  #  ", " ##  ", "  #  ", "  #  ", " ### "),
    "2": ("#### ", "    #", " ### ", "#    ", "#####"),
    "3": ("#### ", "    #", " ### ", "    #", "#### "),
    "4": ("#   #", "#   #", "#####", "    #", "    #"),
    "5": ("#####", "#    ", "#### ", "    #", "#### "),
    "6": (" ### ", "#    ", "#### ", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", "  #  "),
    "8": (" ### ", "#   #", " ### ", "#   #", " ### "),
    "9": (" ### ", "#   #", " ####", "    #", " ### "),
    "A": (" ### ", "#   #", "#####", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#### ", "#   #", "#### "),
    "C": (" ####", "#    ", "#    ", "#    ", " ####"),
    "D": ("#### ", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#### ", "#    ", "#####"),
    "F": ("#####", "#    ", "#### ", "#    ", "#    "),
    "G": (" ####", "#    ", "#  ##", "#   #", " ####"),
    "H": ("#   #", "#   #", "#####", "#   #", "#   #"),
    "I": (" ### ", "  #  ", "  #  ", "  #  ", " ### "),
    "J": ("  ###", "   # ", "   # ", "#  # ", " ##  "),
    "K": ("#   #", "#  # ", "###  ", "#  # ", "#   #"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#### ", "#    ", "#    "),
    "Q": (" ### ", "#   #", "# # #", "#  # ", " ## #"),
    "R": ("#### ", "#   #", "#### ", "#  # ", "#   #"),
    "S": (" ####", "#    ", " ### ", "    #", "#### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", " ### "),
    "V": ("#   #", "#   #", "#   #", " # # ", "  #  "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "X": ("#   #", " # # ", "  #  ", " # # ", "#   #"),
    "Y": ("#   #", " # # ", "  #  ", "  #  ", "  #  "),
    "Z": ("#####", "   # ", "  #  ", " #   ", "#####"),
    "-": ("     ", "     ", " ### ", "     ", "     "),
    " ": ("     ", "     ", "     ", "     ", "     "),
}
_UNKNOWN: Final = ("#####", "#   #", "#   #", "#   #", "#####")
GLYPH_W: Final = 5
GLYPH_H: Final = 5


def big_lines(text: str, scale: int = 1) -> list[str]:
    """The text in block letters: each font pixel is 2·scale cells wide and scale rows high."""
    rows: list[str] = []
    glyphs = [_FONT_ROWS.get(ch, _UNKNOWN) for ch in text.upper()]
    gap = " " * (2 * scale)
    for r in range(GLYPH_H):
        line = gap.join(
            "".join(("█" if px == "#" else " ") * (2 * scale) for px in g[r]) for g in glyphs
        )
        rows.extend([line] * scale)
    return rows


def big_width(text: str, scale: int) -> int:
    """Cells needed to draw `text` at `scale`."""
    n = len(text)
    return n * GLYPH_W * 2 * scale + max(0, n - 1) * 2 * scale


class BigNumber(Widget):
    """A ticket number drawn in block letters, as large as the width allows (scale 1 to 3)."""

    DEFAULT_CSS = """
    BigNumber { width: 1fr; height: auto; content-align: center middle; text-style: bold; }
    """

    number: reactive[str] = reactive("", layout=True)

    def __init__(
        self,
        number: str = "",
        *,
        max_scale: int = 3,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.max_scale = max_scale
        self.set_reactive(BigNumber.number, number)

    def scale_for(self, width: int) -> int:
        """The largest scale whose drawing fits in `width` cells."""
        scale = self.max_scale
        while scale > 1 and big_width(self.number, scale) > width:
            scale -= 1
        return scale

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return big_width(self.number, self.scale_for(container.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return GLYPH_H * self.scale_for(width)

    def render(self) -> Text:
        lines = big_lines(self.number, self.scale_for(self.content_region.width))
        return Text("\n".join(lines), no_wrap=True, overflow="crop", justify="center")
