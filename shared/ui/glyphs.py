"""Big glyphs for ticket numbers: a 5×7 dot-matrix font for 0-9, A-Z and a few signs.

Textual's ``Digits`` only draws ``0-9 A-F``; ticket prefixes go up to Z, so the
kiosk's ticket and the lobby board draw numbers with this one font. Each glyph
is a 5-pixel-wide, 7-pixel-tall bitmap. Rendering scales every pixel to
``scale × scale`` pixels and packs two pixel rows into one terminal row with
half blocks (``▀ ▄ █``): a terminal cell is about twice as tall as wide, so
one pixel is one column wide and half a row tall, and glyphs keep their
proportions at every scale.
"""

from __future__ import annotations

GLYPH_HEIGHT = 7
UNKNOWN = "?"

# fmt: off
_FONT: dict[str, tuple[str, ...]] = {
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),  # slashed: not O
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    " ": ("...", "...", "...", "...", "...", "...", "..."),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    "+": (".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."),
    ":": (".", "#", "#", ".", "#", "#", "."),
    ".": ("..", "..", "..", "..", "..", "##", "##"),
    "#": (".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."),
    "/": ("....#", "....#", "...#.", "..#..", ".#...", "#....", "#...."),
    ">": (".....", "..#..", "...#.", "#####", "...#.", "..#..", "....."),
    "?": (".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."),
}
# fmt: on
_FONT["→"] = _FONT[">"]

_HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def supported(ch: str) -> bool:
    """Whether the font has a glyph of its own for this character (case-insensitive)."""
    return ch.upper() in _FONT


def glyph(ch: str) -> tuple[str, ...]:
    """The 7-row bitmap of one character ('#' is ink); unknown characters get '?'."""
    return _FONT.get(ch.upper(), _FONT[UNKNOWN])


def size(text: str, scale: int = 1) -> tuple[int, int]:
    """(columns, rows) that render(text, scale) takes."""
    if not text or scale < 1:
        return (0, 0)
    pixels = sum(len(glyph(ch)[0]) for ch in text) + (len(text) - 1)
    return (pixels * scale, -(-GLYPH_HEIGHT * scale // 2))


def render(text: str, scale: int = 1) -> list[str]:
    """The text drawn in big glyphs: one string per terminal row, all of equal width."""
    if not text or scale < 1:
        return []
    rows: list[list[bool]] = [[] for _ in range(GLYPH_HEIGHT)]
    for i, ch in enumerate(text):
        bitmap = glyph(ch)
        for r in range(GLYPH_HEIGHT):
            if i:
                rows[r].append(False)  # one pixel between glyphs
            rows[r].extend(c == "#" for c in bitmap[r])
    # Scale up: each pixel becomes scale × scale pixels.
    pixels = [[p for p in row for _ in range(scale)] for row in rows for _ in range(scale)]
    if len(pixels) % 2:
        pixels.append([False] * len(pixels[0]))
    return [
        "".join(_HALF[(top, bottom)] for top, bottom in zip(pixels[r], pixels[r + 1], strict=True))
        for r in range(0, len(pixels), 2)
    ]


def fit_scale(text: str, width: int, height: int, max_scale: int = 12) -> int:
    """The largest scale (up to max_scale) at which text fits in width × height; 0 if none does."""
    best = 0
    for scale in range(1, max_scale + 1):
        w, h = size(text, scale)
        if w > width or h > height:
            break
        best = scale
    return best
