"""The paper ticket as a list of blocks, shared by the ESC/POS bytes and the preview PNG.

Pure: standard library only. Both renderers walk the same blocks, so what the
preview shows is what the printer prints. Widths are counted in printer
columns of Font A (12 dots); a CJK ideograph or full-width sign takes two
columns, as it does on a printer in Chinese mode (24 dots).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.calling import NO_WINDOW

Align = Literal["left", "center"]

# Fixed wording of the ticket (Chinese first, English second).
TITLE_PRIORITY = "绿色通道 Priority"
SCAN_ZH = "扫码查看排队进度"
SCAN_EN = "Scan to follow your place in line"
WATCH_ZH = "请留意叫号屏幕与语音提示"
WATCH_EN = "Please watch the display for your number"


@dataclass(frozen=True)
class TicketPrint:
    """What the kiosk prints on one ticket."""

    hall_name: str
    hall_name_en: str
    number: str  # "A012"
    department: str
    department_en: str
    service: str
    service_en: str
    ahead: int
    eta_min: int | None  # None: no open window serves it now
    issued_at: datetime  # aware; printed in its own zone, as given
    windows: tuple[str, ...]  # ("5号窗口", "6号窗口")
    url: str  # ticket page URL, the QR payload
    priority: bool = False
    # a visit of several services (一门受理): one line per step, 中文 and English
    steps: tuple[str, ...] = ()
    steps_en: tuple[str, ...] = ()
    booked: str = ""  # 预约: the slot of a booked ticket ("10:00-10:30"), else ""


@dataclass(frozen=True)
class Text:
    """One printed line (already wrapped to the paper width)."""

    text: str
    align: Align = "left"
    bold: bool = False
    scale: int = 1  # 1 normal, 2 double width and height
    reverse: bool = False  # white on black


@dataclass(frozen=True)
class Rule:
    """A dashed separator line across the paper."""


@dataclass(frozen=True)
class Qr:
    """The QR code of `data`, centred."""

    data: str


Block = Text | Rule | Qr


def char_columns(ch: str) -> int:
    """Columns one character takes on the printer: 2 for wide (CJK) characters, else 1."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_columns(text: str) -> int:
    """Columns a string takes on the printer."""
    return sum(char_columns(ch) for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Split `text` into lines of at most `columns` columns.

    Breaks at spaces where it can (English), otherwise between any two wide
    characters (Chinese has no spaces), and hard-splits a word only when it
    is longer than a line.
    """
    if columns < 1:
        raise ValueError("columns must be at least 1")
    lines: list[str] = []
    line = ""
    # Tokens: runs of narrow non-space characters (words), single wide characters, spaces.
    tokens = re.findall(r" +|[^\s\u1100-\uffff]+|.", text)
    for tok in tokens:
        if tok.isspace():
            if line:
                line += " "
            continue
        if text_columns(line) + text_columns(tok) <= columns:
            line += tok
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        while text_columns(tok) > columns:  # a word longer than a line
            cut = 0
            while text_columns(tok[: cut + 1]) <= columns:
                cut += 1
            lines.append(tok[:cut])
            tok = tok[cut:]
        line = tok
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def windows_en(windows: tuple[str, ...]) -> str:
    """English form of the window labels: ("5号窗口", "6号窗口") -> "5, 6"."""
    nums = [re.fullmatch(r"\s*(\d+)\s*号?窗口\s*", w) for w in windows]
    if nums and all(nums):
        return ", ".join(m.group(1) for m in nums if m)
    return ", ".join(windows)


def build_layout(t: TicketPrint, columns: int = 48) -> list[Block]:
    """Lay out a ticket for paper `columns` wide (Font A columns)."""
    blocks: list[Block] = []

    def add(
        text: str,
        *,
        align: Align = "left",
        bold: bool = False,
        scale: int = 1,
        reverse: bool = False,
    ) -> None:
        for line in wrap(text, columns // scale):
            blocks.append(Text(line, align=align, bold=bold, scale=scale, reverse=reverse))

    add(t.hall_name, align="center", bold=True)
    add(t.hall_name_en, align="center")
    blocks.append(Rule())
    add(t.number, align="center", bold=True, scale=2)
    if t.priority:
        add(TITLE_PRIORITY, align="center", bold=True, reverse=True)
    if t.booked:
        add(f"预约 {t.booked} / Booked {t.booked}", align="center", bold=True, reverse=True)
    blocks.append(Rule())
    add(f"部门：{t.department}")
    add(f"Department: {t.department_en}")
    add(f"事项：{t.service}")
    add(f"Service: {t.service_en}")
    if t.steps:
        add("办理环节 Steps（同一号码，自动转下一窗口）:", bold=True)
        for zh, en in zip(t.steps, t.steps_en, strict=False):
            add(zh)
            add(en)
    blocks.append(Rule())
    add(f"前面还有 {t.ahead} 人 / {t.ahead} ahead", bold=True)
    if t.eta_min is None:
        add(NO_WINDOW[0])
        add(NO_WINDOW[1])
    else:
        add(f"预计等候 {t.eta_min} 分钟 / Estimated wait {t.eta_min} min")
    if t.windows:
        add(f"办理窗口：{'、'.join(t.windows)}")
        label = "Window" if len(t.windows) == 1 else "Windows"
        add(f"{label}: {windows_en(t.windows)}")
    add(f"取号时间 Issued: {t.issued_at:%Y-%m-%d %H:%M}")
    blocks.append(Rule())
    blocks.append(Qr(t.url))
    add(SCAN_ZH, align="center")
    add(SCAN_EN, align="center")
    add(WATCH_ZH, align="center")
    add(WATCH_EN, align="center")
    return blocks
