"""Ticket printing: ESC/POS bytes, a PNG preview of the same layout, and the transports.

The bytes are built here by hand (a few commands, exactly testable) rather than
with python-escpos, whose text() cannot send full-width text and never turns
on Chinese mode (FS &). python-escpos is only used as the USB and serial
transport, imported lazily: importing it calls logging.basicConfig() and makes
a temp dir.

Printer URLs (TicketPrinter):
    none                                  prints nothing
    file:///dev/usb/lp0                   writes the bytes to a file or device
    net://HOST[:9100]                     raw TCP (JetDirect), a connection per ticket
    usb://VID:PID                         hex ids, python-escpos Usb
    serial:///dev/ttyUSB0?baudrate=9600   python-escpos Serial
    preview://DIR                         writes DIR/<number>-<timestamp>.png
Query options: profile=NAME (a python-escpos profile: paper width, cut) for
file/net/usb/serial; status=1 to ask the printer for its paper and online
status (DLE EOT) before each ticket on net/usb/serial; usb also takes
in_ep/out_ep (hex), serial takes baudrate and dsrdtr=0/1.
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import os
import re
import select
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlsplit

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from kiosk.ticket_layout import Block, Qr, Rule, Text, TicketPrint, build_layout

if TYPE_CHECKING:
    from PIL import Image, ImageFont

__all__ = [
    "PrinterFault",
    "TicketPrint",
    "TicketPrinter",
    "render_escpos",
    "render_preview",
]

FaultKind = Literal["offline", "paper_out", "timeout", "error"]

# ESC/POS commands used on the ticket.
ESC_INIT = b"\x1b\x40"  # ESC @
FS_CHINESE_ON = b"\x1c\x26"  # FS &: two-byte (GB18030) characters on
ESC_ALIGN = b"\x1b\x61"  # ESC a n: 0 left, 1 centre
ESC_BOLD = b"\x1b\x45"  # ESC E n
GS_SIZE = b"\x1d\x21"  # GS ! n: 0x00 normal, 0x11 double width and height
GS_REVERSE = b"\x1d\x42"  # GS B n: white on black
ESC_FEED = b"\x1b\x64"  # ESC d n: print and feed n lines
GS_CUT_FULL = b"\x1d\x56\x00"  # GS V 0
GS_CUT_PARTIAL = b"\x1d\x56\x01"  # GS V 1
GS_QR = b"\x1d\x28\x6b"  # GS ( k: native QR code (function 165..181)
GS_RASTER = b"\x1d\x76\x30"  # GS v 0: raster bit image
DLE_EOT_STATUS = b"\x10\x04\x01\x10\x04\x04"  # printer status, then paper roll status

SIZE_NUMBER = 0x11  # the ticket number: double width and double height
FEED_BEFORE_CUT = 4
RULE_CHAR = "-"


class PrinterFault(Exception):
    """The ticket could not be printed; `kind` says why, `message` is for people (zh / en)."""

    KINDS = ("offline", "paper_out", "timeout", "error")

    def __init__(self, kind: FaultKind, message: str) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown printer fault kind {kind!r}")
        super().__init__(message)
        self.kind: FaultKind = kind
        self.message = message

    def __repr__(self) -> str:
        return f"PrinterFault({self.kind!r}, {self.message!r})"


_FAULT_TEXT: dict[str, str] = {
    "offline": "打印机未连接 / The printer is offline",
    "paper_out": "打印机缺纸 / The printer is out of paper",
    "timeout": "打印机无响应 / The printer did not respond in time",
    "error": "打印出错 / The printer reported an error",
}


def _fault(kind: FaultKind, detail: str) -> PrinterFault:
    return PrinterFault(kind, f"{_FAULT_TEXT[kind]} ({detail}).")


# --- paper profiles -------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """What the layout and the bytes need to know about a printer model."""

    columns: int  # Font A columns (12 dots each)
    dots: int  # printable width in dots
    cut: bytes  # GS V command, or b"" for a model without a cutter
    native_qr: bool  # understands GS ( k
    raster: bool  # understands GS v 0


# No profile: the common 80 mm kiosk printer (576 dots, 48 columns, cutter, QR).
DEFAULT_PAPER = Paper(columns=48, dots=576, cut=GS_CUT_FULL, native_qr=True, raster=True)


@functools.cache
def _escpos_profiles() -> dict[str, Any]:
    # Read python-escpos's printer database as data: importing escpos.capabilities
    # would call logging.basicConfig() and make a temp dir.
    text = resources.files("escpos").joinpath("capabilities.json").read_text("utf-8")
    profiles: dict[str, Any] = json.loads(text)["profiles"]
    return profiles


def paper_for(profile: str | None) -> Paper:
    """The paper of a python-escpos profile name (None: an 80 mm printer)."""
    if profile is None:
        return DEFAULT_PAPER
    profiles = _escpos_profiles()
    if profile not in profiles:
        raise ValueError(
            f"unknown printer profile {profile!r}; use a python-escpos profile name "
            f"such as {', '.join(sorted(profiles)[:6])}, ..."
        )
    p = profiles[profile]
    features = p.get("features", {})
    columns = int(p.get("fonts", {}).get("0", {}).get("columns", DEFAULT_PAPER.columns))
    pixels = p.get("media", {}).get("width", {}).get("pixels")
    dots = pixels if isinstance(pixels, int) else columns * 12
    if features.get("paperFullCut"):
        cut = GS_CUT_FULL
    elif features.get("paperPartCut"):
        cut = GS_CUT_PARTIAL
    else:
        cut = b""
    return Paper(
        columns=columns,
        dots=dots,
        cut=cut,
        native_qr=bool(features.get("qrCode")),
        raster=bool(features.get("bitImageRaster")),
    )


def _check_qr_mode(qr: str, paper: Paper, profile: str | None) -> None:
    if qr not in ("native", "image"):
        raise ValueError(f"qr must be 'native' or 'image', not {qr!r}")
    if not (paper.native_qr or paper.raster):
        raise ValueError(f"printer profile {profile!r} can print no QR code (no GS ( k, no GS v 0)")
    if qr == "native" and not paper.native_qr:
        raise ValueError(f"printer profile {profile!r} has no native QR codes: use qr='image'")
    if qr == "image" and not paper.raster:
        raise ValueError(f"printer profile {profile!r} cannot print raster images: use qr='native'")


# --- QR ------------------------------------------------------------------------


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules of `data` (error correction M, 2-module quiet zone); True is dark."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_module_dots(paper_dots: int) -> int:
    """Dots per QR module: large enough for phone cameras, small enough to fit the paper."""
    return 6 if paper_dots >= 512 else 4


# --- ESC/POS bytes -------------------------------------------------------------


def _gs_qr(fn: bytes, args: bytes) -> bytes:
    """One GS ( k frame: pL pH count the cn byte, fn and the arguments."""
    n = len(args) + 2
    return GS_QR + bytes((n & 0xFF, n >> 8)) + b"\x31" + fn + args


def escpos_qr_native(data: str, module: int) -> bytes:
    """Native QR (model 2, error correction M): select model, size, level, store, print."""
    payload = data.encode("utf-8")
    if len(payload) > 7089:
        raise ValueError("QR payload too long for a native QR code")
    return (
        _gs_qr(b"\x41", b"\x32\x00")  # fn 165: model 2
        + _gs_qr(b"\x43", bytes((module,)))  # fn 167: module size in dots
        + _gs_qr(b"\x45", b"\x31")  # fn 169: error correction M
        + _gs_qr(b"\x50", b"\x30" + payload)  # fn 180: store the data
        + _gs_qr(b"\x51", b"\x30")  # fn 181: print it
    )


def escpos_raster(rows: list[list[bool]]) -> bytes:
    """GS v 0 raster image of rows of dots (True is black), 8 dots a byte, MSB first."""
    height = len(rows)
    width = len(rows[0]) if rows else 0
    row_bytes = (width + 7) // 8
    out = bytearray(GS_RASTER)
    out += bytes((0, row_bytes & 0xFF, row_bytes >> 8, height & 0xFF, height >> 8))
    for row in rows:
        for i in range(row_bytes):
            byte = 0
            for bit, dark in enumerate(row[i * 8 : i * 8 + 8]):
                if dark:
                    byte |= 0x80 >> bit
            out.append(byte)
    return bytes(out)


def escpos_qr_image(data: str, module: int) -> bytes:
    """The QR of `data` as a GS v 0 raster image, each module `module` dots square."""
    rows: list[list[bool]] = []
    for mrow in qr_matrix(data):
        row = [dark for dark in mrow for _ in range(module)]
        rows.extend([row] * module)
    return escpos_raster(rows)


def render_escpos(t: TicketPrint, *, qr: str = "native", profile: str | None = None) -> bytes:
    """The exact ESC/POS bytes of a ticket (Chinese mode, GB18030 text, QR, feed, cut)."""
    paper = paper_for(profile)
    _check_qr_mode(qr, paper, profile)
    module = qr_module_dots(paper.dots)
    out = bytearray(ESC_INIT + FS_CHINESE_ON)
    align, bold, size, reverse = 0, 0, 0, 0

    def state(a: int, b: int, s: int, r: int) -> None:
        nonlocal align, bold, size, reverse
        if a != align:
            out.extend(ESC_ALIGN + bytes((a,)))
            align = a
        if b != bold:
            out.extend(ESC_BOLD + bytes((b,)))
            bold = b
        if s != size:
            out.extend(GS_SIZE + bytes((s,)))
            size = s
        if r != reverse:
            out.extend(GS_REVERSE + bytes((r,)))
            reverse = r

    for block in build_layout(t, paper.columns):
        if isinstance(block, Text):
            state(
                1 if block.align == "center" else 0,
                int(block.bold),
                SIZE_NUMBER if block.scale == 2 else 0,
                int(block.reverse),
            )
            out.extend(block.text.encode("gb18030") + b"\n")
        elif isinstance(block, Rule):
            state(0, 0, 0, 0)
            out.extend(RULE_CHAR.encode() * paper.columns + b"\n")
        elif isinstance(block, Qr):
            state(1, 0, 0, 0)
            if qr == "native":
                out.extend(escpos_qr_native(block.data, module))
            else:
                out.extend(escpos_qr_image(block.data, module))
            out.extend(b"\n")
    state(0, 0, 0, 0)
    out.extend(ESC_FEED + bytes((FEED_BEFORE_CUT,)))
    out.extend(paper.cut)
    return bytes(out)


# --- preview PNG ---------------------------------------------------------------

# Where Debian puts CJK fonts (path, face index: Noto's collection lists SC third).
CJK_FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
CJK_FONT_PACKAGE = "fonts-wqy-zenhei"  # the Debian package to install when none is found
NO_CJK_FONT = (
    f"预览票据没有中文字体，只显示英文：请安装 {CJK_FONT_PACKAGE} 或 fonts-noto-cjk"
    f" / No CJK font: the ticket preview shows English only; install {CJK_FONT_PACKAGE}"
    " or fonts-noto-cjk (or set HALL_CJK_FONT)"
)

DOT_LINE = 30  # dots a printed line takes at normal size (24-dot glyphs + spacing)
PREVIEW_MARGIN = 24


@functools.cache
def find_cjk_font() -> tuple[str, int] | None:
    """A CJK font file on this machine as (path, face index), or None.

    HALL_CJK_FONT overrides the search; then the known Debian paths; then fc-list.
    """
    override = os.environ.get("HALL_CJK_FONT")
    if override:
        return (override, 0)
    for path, index in CJK_FONT_CANDIDATES:
        if os.path.exists(path):
            return (path, index)
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=5
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    paths = sorted(line.strip().rstrip(":") for line in found.splitlines() if line.strip())
    return (paths[0], 0) if paths else None


@functools.cache
def _preview_font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """The font for the preview at `size` px and whether it draws Chinese."""
    from PIL import ImageFont

    cjk = find_cjk_font()
    if cjk is not None:
        try:
            return ImageFont.truetype(cjk[0], size, index=cjk[1]), True
        except OSError:
            logging.getLogger(__name__).warning("cannot load CJK font %s", cjk[0])
    return ImageFont.load_default(size=size), False


def preview_has_cjk_font() -> bool:
    """Whether the preview can draw Chinese (else it shows the English lines only)."""
    return _preview_font(24)[1]


@functools.cache
def _log_no_cjk_font() -> None:
    logging.getLogger(__name__).warning(NO_CJK_FONT)


def _ascii_fallback(text: str) -> str | None:
    """What a line becomes without a CJK font: its English part, or None to drop it."""
    if text.isascii():
        return text
    if " / " in text:
        right = text.split(" / ", 1)[1]
        if right.isascii():
            return right
    m = re.search(r"[A-Za-z].*$", text)  # "取号时间 Issued: ..." -> "Issued: ..."
    if m and m.group(0).isascii():
        return m.group(0)
    return None


def render_preview(t: TicketPrint) -> Image.Image:
    """The ticket as a picture, laid out as on 80 mm paper (1 px = 1 printer dot)."""
    from PIL import Image, ImageDraw

    paper = DEFAULT_PAPER
    module = qr_module_dots(paper.dots)
    _, has_cjk = _preview_font(24)
    blocks: list[Block] = []
    for block in build_layout(t, paper.columns):
        if isinstance(block, Text) and not has_cjk:
            text = _ascii_fallback(block.text)
            if text is None:
                continue
            block = replace(block, text=text)
        blocks.append(block)
    matrix = qr_matrix(t.url)
    qr_px = len(matrix) * module

    height = 2 * PREVIEW_MARGIN + FEED_BEFORE_CUT * DOT_LINE
    for block in blocks:
        if isinstance(block, Text):
            height += DOT_LINE * block.scale
        elif isinstance(block, Rule):
            height += DOT_LINE
        else:
            height += qr_px + DOT_LINE
    width = paper.dots + 2 * PREVIEW_MARGIN
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    y = PREVIEW_MARGIN
    for block in blocks:
        if isinstance(block, Text):
            line_h = DOT_LINE * block.scale
            text = block.text
            font, _ = _preview_font(24 * block.scale)
            text_w = draw.textlength(text, font=font)
            x = PREVIEW_MARGIN
            if block.align == "center":
                x += int((paper.dots - text_w) // 2)
            fill = 0
            if block.reverse:
                draw.rectangle((x - 4, y, x + text_w + 4, y + line_h - 2), fill=0)
                fill = 255
            draw.text(
                (x, y + line_h - 4),
                text,
                font=font,
                fill=fill,
                anchor="ls",
                stroke_width=1 if block.bold else 0,
                stroke_fill=fill,
            )
            y += line_h
        elif isinstance(block, Rule):
            mid = y + DOT_LINE // 2
            for x in range(PREVIEW_MARGIN, PREVIEW_MARGIN + paper.dots, 12):
                draw.line((x, mid, x + 6, mid), fill=0, width=2)
            y += DOT_LINE
        elif isinstance(block, Qr):
            x0 = PREVIEW_MARGIN + (paper.dots - qr_px) // 2
            for r, mrow in enumerate(matrix):
                for c, dark in enumerate(mrow):
                    if dark:
                        draw.rectangle(
                            (
                                x0 + c * module,
                                y + r * module,
                                x0 + (c + 1) * module - 1,
                                y + (r + 1) * module - 1,
                            ),
                            fill=0,
                        )
            y += qr_px + DOT_LINE
    return img


# --- transports ----------------------------------------------------------------

PrinterKind = Literal["none", "file", "net", "usb", "serial", "preview"]
_OPTIONS: dict[str, set[str]] = {
    "none": set(),
    "file": {"profile"},
    "net": {"profile", "status"},
    "usb": {"profile", "status", "in_ep", "out_ep"},
    "serial": {"profile", "status", "baudrate", "dsrdtr"},
    "preview": set(),
}
_URL_HELP = (
    "use none, file:///dev/usb/lp0, net://HOST:9100, usb://VID:PID (hex), "
    "serial:///dev/ttyUSB0?baudrate=9600 or preview://DIR"
)


def _flag(value: str, name: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"printer URL option {name}={value!r} must be 0 or 1")


class TicketPrinter:
    """Prints tickets to the printer named by a URL (see the module docstring)."""

    def __init__(self, url: str, *, qr: str = "native", timeout: float = 5.0) -> None:
        if not isinstance(url, str) or not url.strip():
            raise ValueError(f"empty printer URL: {_URL_HELP}")
        if timeout <= 0:
            raise ValueError("printer timeout must be positive")
        self.url = url.strip()
        self.qr = qr
        self.timeout = float(timeout)
        self.profile: str | None = None
        self.status_check = False
        self.path = ""  # file, serial device, preview directory
        self.host = ""
        self.port = 9100
        self.vid = self.pid = 0
        self.in_ep, self.out_ep = 0x82, 0x01
        self.baudrate = 9600
        self.dsrdtr = True
        self.kind: PrinterKind = self._parse(self.url)
        if self.kind != "none":
            paper = paper_for(self.profile)  # ValueError now, not at the first ticket
            _check_qr_mode(qr, paper, self.profile)

    def _parse(self, url: str) -> PrinterKind:
        if url.lower() == "none":
            return "none"
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _OPTIONS or scheme == "none" or "://" not in url:
            raise ValueError(f"unknown printer URL {url!r}: {_URL_HELP}")
        kind: PrinterKind = scheme  # type: ignore[assignment]
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        unknown = set(options) - _OPTIONS[kind]
        if unknown:
            allowed = ", ".join(sorted(_OPTIONS[kind])) or "none"
            raise ValueError(
                f"printer URL {url!r} has unknown option(s) {', '.join(sorted(unknown))} "
                f"(allowed for {kind}: {allowed})"
            )
        self.profile = options.get("profile") or None
        if "status" in options:
            self.status_check = _flag(options["status"], "status")

        if kind == "file":
            if parts.netloc or not parts.path.startswith("/"):
                raise ValueError(
                    f"file printer URL {url!r} needs an absolute path: file:///dev/usb/lp0"
                )
            self.path = parts.path
        elif kind == "preview":
            self.path = parts.netloc + parts.path
            if not self.path:
                raise ValueError(f"preview printer URL {url!r} needs a directory: preview://DIR")
        elif kind == "net":
            try:
                host, port = parts.hostname, parts.port
            except ValueError:
                raise ValueError(
                    f"network printer URL {url!r} has a bad port: net://HOST:9100"
                ) from None
            if not host or parts.path not in ("", "/"):
                raise ValueError(f"network printer URL {url!r} needs a host: net://HOST:9100")
            if port == 0:
                raise ValueError(f"network printer URL {url!r} has port 0")
            self.host, self.port = host, port or 9100
        elif kind == "usb":
            m = re.fullmatch(r"([0-9A-Fa-f]{1,4}):([0-9A-Fa-f]{1,4})", parts.netloc)
            if not m or parts.path not in ("", "/"):
                raise ValueError(
                    f"USB printer URL {url!r} needs hex vendor and product ids: usb://04b8:0e15"
                )
            self.vid, self.pid = int(m.group(1), 16), int(m.group(2), 16)
            try:
                self.in_ep = int(options.get("in_ep", "82"), 16)
                self.out_ep = int(options.get("out_ep", "01"), 16)
            except ValueError:
                raise ValueError(f"USB printer URL {url!r}: in_ep/out_ep must be hex") from None
        elif kind == "serial":
            if parts.netloc or not parts.path.startswith("/"):
                raise ValueError(
                    f"serial printer URL {url!r} needs an absolute device path: "
                    "serial:///dev/ttyUSB0?baudrate=9600"
                )
            self.path = parts.path
            try:
                self.baudrate = int(options.get("baudrate", "9600"))
            except ValueError:
                raise ValueError(f"serial printer URL {url!r}: baudrate must be a number") from None
            if self.baudrate <= 0:
                raise ValueError(f"serial printer URL {url!r}: baudrate must be positive")
            if "dsrdtr" in options:
                self.dsrdtr = _flag(options["dsrdtr"], "dsrdtr")
        return kind

    def describe(self) -> str:
        """One line saying where tickets go, for logs and the kiosk's status line."""
        status = ", status check" if self.status_check else ""
        profile = f", profile {self.profile}" if self.profile else ""
        qr = f", QR {self.qr}"
        match self.kind:
            case "none":
                return "no printer (tickets are not printed)"
            case "file":
                return f"file/device printer {self.path}{profile}{qr}"
            case "net":
                host = f"[{self.host}]" if ":" in self.host else self.host
                return f"network printer {host}:{self.port}{profile}{qr}{status}, timeout {self.timeout:g} s"
            case "usb":
                return f"USB printer {self.vid:04x}:{self.pid:04x}{profile}{qr}{status}"
            case "serial":
                return f"serial printer {self.path} at {self.baudrate} baud{profile}{qr}{status}"
            case "preview":
                return f"preview PNGs in {self.path}"
        return self.url  # pragma: no cover

    def render(self, t: TicketPrint) -> bytes:
        """The bytes this printer gets for a ticket."""
        return render_escpos(t, qr=self.qr, profile=self.profile)

    def font_warning(self) -> str | None:
        """For preview://, when no CJK font draws Chinese: what to tell (logged once); else None."""
        if self.kind != "preview" or preview_has_cjk_font():
            return None
        _log_no_cjk_font()
        return NO_CJK_FONT

    def print_ticket(self, t: TicketPrint) -> str | None:
        """Print one ticket (blocking, bounded by the timeout); the PNG path for preview://."""
        if self.kind == "none":
            return None
        if self.kind == "preview":
            return self._write_preview(t)
        data = self.render(t)
        if self.kind == "file":
            self._send_file(data)
        elif self.kind == "net":
            self._send_net(data)
        elif self.kind == "usb":
            self._send_usb(data)
        elif self.kind == "serial":
            self._send_serial(data)
        return None

    # preview://

    def _write_preview(self, t: TicketPrint) -> str:
        self.font_warning()  # never drop the Chinese lines silently
        number = re.sub(r"[^0-9A-Za-z_-]", "_", t.number) or "ticket"
        name = f"{number}-{t.issued_at:%Y%m%d-%H%M%S}.png"
        path = os.path.join(self.path, name)
        try:
            os.makedirs(self.path, exist_ok=True)
            render_preview(t).save(path, "PNG")
        except OSError as e:
            raise _fault("error", f"cannot write {path}: {e.strerror or e}") from e
        return path

    # file://

    def _send_file(self, data: bytes) -> None:
        deadline = time.monotonic() + self.timeout
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        if not self.path.startswith("/dev/"):
            flags |= os.O_CREAT  # a plain file may be new; never create files in /dev
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO):
                raise _fault("offline", f"{self.path}: {e.strerror}") from e
            raise _fault("error", f"{self.path}: {e.strerror}") from e
        try:
            is_device = stat.S_ISCHR(os.fstat(fd).st_mode)
            view = memoryview(data)
            poller = select.poll()
            poller.register(fd, select.POLLOUT)
            while view:
                try:
                    view = view[os.write(fd, view) :]
                    continue
                except BlockingIOError:
                    pass
                except OSError as e:
                    if e.errno == errno.ENOSPC and is_device:
                        raise _fault("paper_out", f"{self.path}: {e.strerror}") from e
                    if e.errno in (errno.ENODEV, errno.EIO, errno.EPIPE, errno.ENXIO):
                        raise _fault("offline", f"{self.path}: {e.strerror}") from e
                    raise _fault("error", f"{self.path}: {e.strerror}") from e
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _fault(
                        "timeout",
                        f"{self.path} took no data for {self.timeout:g} s, "
                        f"{len(data) - len(view)} of {len(data)} bytes written",
                    )
                poller.poll(max(1, int(remaining * 1000)))
        finally:
            os.close(fd)

    # net://

    def _send_net(self, data: bytes) -> None:
        where = f"{self.host}:{self.port}"
        deadline = time.monotonic() + self.timeout
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except TimeoutError as e:
            raise _fault("timeout", f"no connection to {where} within {self.timeout:g} s") from e
        except socket.gaierror as e:
            raise _fault("error", f"unknown printer host {self.host}: {e.strerror}") from e
        except OSError as e:  # refused, unreachable, reset
            raise _fault("offline", f"cannot connect to {where}: {e.strerror or e}") from e
        try:
            if self.status_check:
                self._net_status(sock, deadline, where)
            view = memoryview(data)
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(remaining)
                view = view[sock.send(view) :]
        except TimeoutError as e:
            raise _fault("timeout", f"{where} took no data for {self.timeout:g} s") from e
        except PrinterFault:
            raise
        except OSError as e:
            raise _fault("offline", f"connection to {where} lost: {e.strerror or e}") from e
        finally:
            sock.close()

    def _net_status(self, sock: socket.socket, deadline: float, where: str) -> None:
        """Ask DLE EOT 1 (printer) and 4 (paper roll); a printer answers at once."""
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        sock.sendall(DLE_EOT_STATUS)
        reply = b""
        while len(reply) < 2:
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            chunk = sock.recv(2 - len(reply))
            if not chunk:
                raise _fault("offline", f"{where} closed the connection")
            reply += chunk
        printer, paper = reply[0], reply[1]
        if paper & 0x60:  # paper end sensor
            raise _fault("paper_out", f"{where} reports no paper")
        if printer & 0x08:  # offline: cover open, paper feed button, error
            raise _fault("offline", f"{where} reports it is offline (cover open or error)")

    # usb:// and serial:// (python-escpos)

    def _send_usb(self, data: bytes) -> None:
        printer_cls = _escpos_printers().Usb
        where = f"USB {self.vid:04x}:{self.pid:04x}"
        try:
            printer = printer_cls(
                self.vid,
                self.pid,
                timeout=max(1, int(self.timeout * 1000)),  # pyusb counts milliseconds
                in_ep=self.in_ep,
                out_ep=self.out_ep,
                profile=self.profile,
            )
        except Exception as e:  # noqa: BLE001 - pyusb/escpos raise many kinds
            raise _fault("error", f"{where}: {e}") from e
        self._send_escpos(printer, data, where)

    def _send_serial(self, data: bytes) -> None:
        printer_cls = _escpos_printers().Serial
        where = f"serial {self.path}"
        try:
            printer = printer_cls(
                self.path,
                baudrate=self.baudrate,
                timeout=self.timeout,
                dsrdtr=self.dsrdtr,
                profile=self.profile,
            )
        except Exception as e:  # noqa: BLE001
            raise _fault("error", f"{where}: {e}") from e
        self._send_escpos(printer, data, where)

    def _send_escpos(self, printer: Any, data: bytes, where: str) -> None:
        from escpos.exceptions import DeviceNotFoundError

        try:
            printer.open()
            device = printer.device
            if hasattr(device, "write_timeout"):  # pyserial: bound blocked writes too
                device.write_timeout = self.timeout
            if self.status_check:
                if not printer.is_online():
                    raise _fault("offline", f"{where} reports it is offline")
                if printer.paper_status() == 0:
                    raise _fault("paper_out", f"{where} reports no paper")
            printer._raw(data)
        except PrinterFault:
            raise
        except DeviceNotFoundError as e:
            raise _fault("offline", f"{where} not found: {str(e).splitlines()[0]}") from e
        except Exception as e:  # noqa: BLE001 - map pyusb/pyserial errors by name
            name = type(e).__name__
            if "Timeout" in name:
                raise _fault("timeout", f"{where} took no data for {self.timeout:g} s") from e
            if getattr(e, "errno", None) in (errno.ENODEV, errno.ENOENT, errno.EIO):
                raise _fault("offline", f"{where}: {e}") from e
            if name == "NoBackendError":
                raise _fault("error", f"{where}: libusb is missing (Debian: libusb-1.0-0)") from e
            raise _fault("error", f"{where}: {name}: {e}") from e
        finally:
            try:
                printer.close()
            except Exception:  # noqa: BLE001 - closing a dead device may fail too
                pass


@functools.cache
def _escpos_printers() -> Any:
    """Import escpos.printer without its side effects on the app's logging."""
    os.environ.setdefault(
        "ESCPOS_CAPABILITIES_PICKLE_DIR", os.path.join(tempfile.gettempdir(), "hall-escpos")
    )
    os.makedirs(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], exist_ok=True)
    root = logging.getLogger()
    handlers = list(root.handlers)
    import escpos.printer

    for handler in root.handlers[:]:  # undo escpos's logging.basicConfig()
        if handler not in handlers:
            root.removeHandler(handler)
    return escpos.printer
