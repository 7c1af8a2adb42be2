"""Big text in any script (中文 too) for the care mode: a CJK font drawn with half blocks.

A terminal shows every character one row high. The care mode (关怀模式) needs text at
least twice that, and ``shared/ui/glyphs.py`` only draws ticket numbers, so this draws
any text with a real font at `PIXELS` pixels and packs two pixel rows into one terminal
row with half blocks (``▀ ▄ █``), one pixel a column wide: a Chinese character becomes
14 columns by 7 rows instead of 2 by 1. The font is the machine's CJK font (WenQuanYi
Zen Hei Sharp first: it has hand-tuned bitmaps at this size), found as the ticket
preview finds its own (``kiosk.printer.find_cjk_font``, ``HALL_CJK_FONT``). Without one,
`lines` returns None and the caller shows the text plainly.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

from rich.cells import cell_len

PIXELS = 14  # the font's pixel size: 7 or 8 terminal rows a line
REFERENCE = "国永gjÅ|"  # the tallest glyphs: every line is cut to their band
SHARP = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 1)  # Zen Hei Sharp: bitmap strikes
_HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}

log = logging.getLogger("hall.kiosk")


@functools.cache
def _font(px: int) -> Any:
    """The PIL font at `px` pixels, or None when the machine has no CJK font."""
    from PIL import ImageFont

    from kiosk.printer import find_cjk_font

    candidates = []
    if not os.environ.get("HALL_CJK_FONT") and os.path.exists(SHARP[0]):
        candidates.append(SHARP)
    found = find_cjk_font()
    if found is not None:
        candidates.append(found)
    for path, index in candidates:
        try:
            return ImageFont.truetype(path, px, index=index)
        except OSError:
            continue
    log.warning("no CJK font for the care mode's big text: it is shown at the normal size")
    return None


def available(px: int = PIXELS) -> bool:
    """True when big text can be drawn (a CJK font is installed)."""
    return _font(px) is not None


def _wrap(text: str, font: Any, max_px: int) -> list[str]:
    """Break `text` into lines at most `max_px` wide: at spaces for words, anywhere in 中文."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if font.getlength(line + ch) <= max_px or not line:
                line += ch
                continue
            cut = line.rfind(" ")
            if ch != " " and cut > 0 and line[cut + 1 :].isascii():
                lines.append(line[:cut])
                line = line[cut + 1 :] + ch
            else:
                lines.append(line.rstrip())
                line = ch.lstrip()
        lines.append(line)
    return lines


@functools.lru_cache(maxsize=1024)
def _render_line(text: str, px: int) -> tuple[str, ...]:
    from PIL import Image, ImageDraw

    font = _font(px)
    top, height = _band(px)
    width = max(1, int(font.getlength(text)) + 1)
    image = Image.new("1", (width, height), 0)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"  # crisp pixels, no grey
    draw.text((0, -top), text, font=font, fill=1)
    px_at = image.load()
    assert px_at is not None
    rows = []
    for y in range(0, height, 2):
        rows.append(
            "".join(_HALF[(bool(px_at[x, y]), bool(px_at[x, y + 1]))] for x in range(width))
        )
    return tuple(row.rstrip() for row in rows)


@functools.cache
def _band(px: int) -> tuple[int, int]:
    """The pixel rows every line is drawn in: (top, even height) of the reference glyphs."""
    _, top, _, bottom = _font(px).getbbox(REFERENCE)
    height = bottom - top
    return top, height + height % 2


@functools.lru_cache(maxsize=512)
def lines(text: str, width: int, px: int = PIXELS) -> tuple[str, ...] | None:
    """`text` drawn big, wrapped to `width` columns; None without a CJK font.

    Each text line becomes `row_height(px)` rows; lines are separated by one empty row.
    """
    font = _font(px)
    if font is None:
        return None
    out: list[str] = []
    for i, line in enumerate(_wrap(text, font, max(px, width - 1))):
        if i:
            out.append("")
        out.extend(_render_line(line, px) if line.strip() else ("",) * row_height(px))
    return tuple(row[:width] if cell_len(row) > width else row for row in out)


def row_height(px: int = PIXELS) -> int:
    """Terminal rows one big line takes (the font's height in pixels, two per row)."""
    font = _font(px)
    if font is None:
        return 1
    return _band(px)[1] // 2
