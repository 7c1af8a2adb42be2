"""Ticket printer: exact ESC/POS bytes, the preview PNG, and real transports."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.printer import (
    DLE_EOT_STATUS,
    PrinterFault,
    TicketPrint,
    TicketPrinter,
    paper_for,
    render_escpos,
    render_preview,
)
from kiosk.ticket_layout import Text, build_layout, text_columns, wrap

URL = "https://hall.example.cn/t/Zk3q9vT2mWc8xYbN4pLr7A"
CST = timezone(timedelta(hours=8))

# A fault must come back instead of hanging; the bound is generous on purpose (a loaded machine
# is slow), it measures nothing: timings belong in bench/.
HANG_S = 30.0


def ticket(**changes: object) -> TicketPrint:
    base: dict[str, object] = dict(
        hall_name="朝阳区政务服务中心",
        hall_name_en="Chaoyang District Government Service Center",
        number="A012",
        department="公安分局",
        department_en="Public Security Bureau",
        service="居民身份证换领",
        service_en="Resident ID card renewal",
        ahead=3,
        eta_min=12,
        issued_at=datetime(2026, 5, 12, 9, 31, 5, tzinfo=CST),
        windows=("5号窗口", "6号窗口"),
        url=URL,
        priority=False,
    )
    base.update(changes)
    return TicketPrint(**base)  # type: ignore[arg-type]


def gs_qr_frames(data: bytes) -> list[tuple[int, int, bytes]]:
    """Every GS ( k frame as (cn, fn, parameters), checking each length field."""
    frames = []
    i = data.find(b"\x1d(k")
    while i != -1:
        n = data[i + 3] | data[i + 4] << 8
        body = data[i + 5 : i + 5 + n]
        assert len(body) == n, "GS ( k frame runs past the end of the stream"
        frames.append((body[0], body[1], bytes(body[2:])))
        i = data.find(b"\x1d(k", i + 5 + n)
    return frames


def raster_images(data: bytes) -> list[Image.Image]:
    """Decode every GS v 0 raster image in the stream back into a picture."""
    images = []
    i = data.find(b"\x1dv0")
    while i != -1:
        m, xl, xh, yl, yh = data[i + 3 : i + 8]
        assert m == 0
        row_bytes, height = xl | xh << 8, yl | yh << 8
        bits = data[i + 8 : i + 8 + row_bytes * height]
        assert len(bits) == row_bytes * height
        img = Image.frombytes("1", (row_bytes * 8, height), bytes(b ^ 0xFF for b in bits))
        images.append(img)
        i = data.find(b"\x1dv0", i + 8 + len(bits))
    return images


def decode(img: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img)]


# --- bytes ---------------------------------------------------------------------


def test_stream_starts_with_init_then_chinese_mode() -> None:
    data = render_escpos(ticket())
    assert data.startswith(b"\x1b@\x1c&")


@pytest.mark.parametrize(
    "text",
    [
        "朝阳区政务服务中心",
        "Chaoyang District Government Service Center",
        "部门：公安分局",
        "Department: Public Security Bureau",
        "事项：居民身份证换领",
        "Service: Resident ID card renewal",
        "前面还有 3 人 / 3 ahead",
        "预计等候 12 分钟",
        "办理窗口：5号窗口、6号窗口",
        "Windows: 5, 6",
        "2026-05-12 09:31",  # local time as given, not UTC
        "请留意叫号屏幕与语音提示",
        "Please watch the display for your number",
        "扫码查看排队进度",
        "Scan to follow your place in line",
    ],
)
def test_lines_are_sent_as_gb18030(text: str) -> None:
    data = render_escpos(ticket())
    assert text.encode("gb18030") + b"\n" in data or text.encode("gb18030") in data
    assert data.index(b"\x1c&") < data.index(text.encode("gb18030"))


def test_number_in_double_size_and_back_to_normal() -> None:
    data = render_escpos(ticket())
    at = data.index(b"\x1d!\x11A012\n")
    assert data.index(b"\x1d!\x00", at) < data.index("部门".encode("gb18030"))


def test_priority_mark_only_on_priority_tickets() -> None:
    mark = "绿色通道".encode("gb18030")
    assert mark not in render_escpos(ticket())
    data = render_escpos(ticket(priority=True))
    assert b"\x1dB\x01" + mark in data  # white on black


def test_native_qr_frames_hold_exactly_the_url() -> None:
    data = render_escpos(ticket())
    frames = gs_qr_frames(data)
    assert [(cn, fn) for cn, fn, _ in frames] == [
        (0x31, 0x41),  # model
        (0x31, 0x43),  # module size
        (0x31, 0x45),  # error correction
        (0x31, 0x50),  # store
        (0x31, 0x51),  # print
    ]
    assert frames[0][2] == b"\x32\x00"  # model 2
    assert 1 <= frames[1][2][0] <= 16
    assert frames[2][2] == b"\x31"  # level M
    assert frames[3][2] == b"\x30" + URL.encode()
    assert frames[4][2] == b"\x30"
    # The store frame's pL pH count cn, fn, m and the URL.
    n = len(URL) + 3
    assert b"\x1d(k" + bytes((n & 0xFF, n >> 8)) + b"\x31\x50\x30" + URL.encode() in data


def test_long_url_uses_both_length_bytes() -> None:
    url = "https://hall.example.cn/t/" + "x" * 300
    frames = gs_qr_frames(render_escpos(ticket(url=url)))
    assert frames[3][2] == b"\x30" + url.encode()


def test_ends_with_feed_and_cut() -> None:
    data = render_escpos(ticket())
    assert data.endswith(b"\x1bd\x04\x1dV\x00")


def test_profile_decides_cut_and_width() -> None:
    assert paper_for("TM-U220B").cut == b"\x1dV\x01"  # partial cutter only
    assert paper_for("TM-T88V").columns == 42
    no_cutter = render_escpos(ticket(), profile="ZJ-5870", qr="image")  # 58 mm, no cutter
    assert no_cutter.endswith(b"\x1bd\x04")
    assert b"\x1dV" not in no_cutter
    assert b"-" * 32 + b"\n" in no_cutter and b"-" * 33 not in no_cutter


def test_profile_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="unknown printer profile"):
        render_escpos(ticket(), profile="NoSuchModel")
    with pytest.raises(ValueError, match="no native QR"):
        render_escpos(ticket(), profile="ZJ-5870")
    with pytest.raises(ValueError, match="no QR code"):
        render_escpos(ticket(), profile="TM-U220B", qr="image")
    with pytest.raises(ValueError, match="qr must be"):
        render_escpos(ticket(), qr="svg")


def test_image_qr_is_a_raster_that_decodes_to_the_url() -> None:
    data = render_escpos(ticket(), qr="image")
    assert b"\x1dv0" in data
    assert b"\x1d(k" not in data
    (img,) = raster_images(data)
    assert decode(img.convert("L")) == [URL]
    assert data.endswith(b"\x1dV\x00")


def test_same_ticket_same_bytes() -> None:
    assert render_escpos(ticket()) == render_escpos(ticket())


# --- layout --------------------------------------------------------------------


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_every_line_fits_the_paper(columns: int) -> None:
    t = ticket(
        service="不动产登记（国有建设用地使用权及房屋所有权首次登记、转移登记、变更登记）",
        service_en="Real estate registration (first, transfer and change registration of "
        "state-owned construction land use rights and house ownership)",
        windows=tuple(f"{n}号窗口" for n in range(1, 12)),
    )
    texts = [b for b in build_layout(t, columns) if isinstance(b, Text)]
    for block in texts:
        assert text_columns(block.text) * block.scale <= columns, block.text
    joined = "".join(b.text for b in texts)
    assert "首次登记、转移登记" in joined  # wrapped, nothing lost


def test_wrap_breaks_english_at_spaces() -> None:
    assert wrap("Scan to follow your place in line", 12) == [
        "Scan to",
        "follow your",
        "place in",
        "line",
    ]
    assert wrap("前面还有人", 4) == ["前面", "还有", "人"]


# --- preview -------------------------------------------------------------------


def test_preview_png_decodes_to_the_url(tmp_path: Path) -> None:
    img = render_preview(ticket(priority=True))
    path = tmp_path / "t.png"
    img.save(path)
    with Image.open(path) as reread:
        assert reread.format == "PNG"
        assert decode(reread.convert("L")) == [URL]
    assert img.width == 576 + 2 * 24


# --- TicketPrinter: URLs -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty printer URL"),
        ("lp0", "unknown printer URL"),
        ("ftp://x", "unknown printer URL"),
        ("file://dev/usb/lp0", "absolute path"),
        ("net://", "needs a host"),
        ("net://printer:notaport", "bad port"),
        ("usb://04b8", "hex vendor and product"),
        ("usb://zz:01", "hex vendor and product"),
        ("serial://ttyUSB0", "absolute device path"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate must be a number"),
        ("net://10.0.0.5:9100?speed=1", "unknown option"),
        ("net://10.0.0.5:9100?profile=Nope", "unknown printer profile"),
        ("preview://", "needs a directory"),
    ],
)
def test_bad_urls_raise_clear_value_errors(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TicketPrinter(url)


def test_describe_names_the_printer() -> None:
    assert "10.0.0.5:9100" in TicketPrinter("net://10.0.0.5:9100").describe()
    assert "04b8:0e15" in TicketPrinter("usb://04B8:0E15").describe()
    assert "9600" in TicketPrinter("serial:///dev/ttyUSB0?baudrate=9600").describe()
    assert "/dev/usb/lp0" in TicketPrinter("file:///dev/usb/lp0").describe()
    assert TicketPrinter("net://printer").port == 9100


def test_none_prints_nothing(tmp_path: Path) -> None:
    printer = TicketPrinter("none")
    before = set(os.listdir(tmp_path))
    assert printer.print_ticket(ticket()) is None
    assert set(os.listdir(tmp_path)) == before
    assert "no printer" in printer.describe()


def test_preview_writes_a_png_and_returns_its_path(tmp_path: Path) -> None:
    out = tmp_path / "previews"
    path = TicketPrinter(f"preview://{out}").print_ticket(ticket())
    assert path is not None
    assert Path(path).parent == out
    assert Path(path).name == "A012-20260512-093105.png"
    with Image.open(path) as img:
        assert decode(img.convert("L")) == [URL]


# --- file:// -------------------------------------------------------------------


def test_file_gets_exactly_the_bytes(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    printer = TicketPrinter(f"file://{target}", qr="image")
    assert printer.print_ticket(ticket()) is None
    assert target.read_bytes() == render_escpos(ticket(), qr="image")
    printer.print_ticket(ticket(number="A013"))
    assert target.read_bytes() == render_escpos(ticket(), qr="image") + render_escpos(
        ticket(number="A013"), qr="image"
    )


def test_file_in_missing_directory_is_offline(tmp_path: Path) -> None:
    with pytest.raises(PrinterFault) as info:
        TicketPrinter(f"file://{tmp_path}/gone/lp0").print_ticket(ticket())
    assert info.value.kind == "offline"


def test_file_that_is_a_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PrinterFault) as info:
        TicketPrinter(f"file://{tmp_path}").print_ticket(ticket())
    assert info.value.kind == "error"


def test_fifo_without_reader_is_offline(tmp_path: Path) -> None:
    fifo = tmp_path / "lp"
    os.mkfifo(fifo)
    with pytest.raises(PrinterFault) as info:
        TicketPrinter(f"file://{fifo}").print_ticket(ticket())
    assert info.value.kind == "offline"


def test_device_that_takes_no_data_times_out(tmp_path: Path) -> None:
    # A FIFO whose reader never reads stands in for a stuck /dev/usb/lp0.
    fcntl = pytest.importorskip("fcntl")
    fifo = tmp_path / "lp"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        fcntl.fcntl(writer, 1031, 4096)  # F_SETPIPE_SZ: a one-page pipe
        os.close(writer)  # the pipe keeps its size while the reader holds it
        printer = TicketPrinter(f"file://{fifo}", qr="image", timeout=0.5)
        start = time.monotonic()
        with pytest.raises(PrinterFault) as info:
            printer.print_ticket(ticket())
        assert info.value.kind == "timeout"
        assert 0.4 < time.monotonic() - start < HANG_S  # it waited, and it came back
    finally:
        os.close(reader)


# --- net:// --------------------------------------------------------------------


class FakePrinter:
    """A TCP listener on 127.0.0.1 that records what each connection sent."""

    def __init__(self, status_reply: bytes | None = None) -> None:
        self.status_reply = status_reply
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.05)  # accept() wakes up to see close()
        self.closed = threading.Event()
        self.received: list[bytes] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                    if self.status_reply is not None and data.endswith(DLE_EOT_STATUS):
                        conn.sendall(self.status_reply)
                self.received.append(data)
                self.done.set()

    def close(self) -> None:
        self.closed.set()
        self.sock.close()
        self.thread.join(2)


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    printer = FakePrinter()
    yield printer
    printer.close()


@pytest.mark.parametrize("qr", ["native", "image"])
def test_network_printer_receives_exactly_the_bytes(fake_printer: FakePrinter, qr: str) -> None:
    printer = TicketPrinter(f"net://127.0.0.1:{fake_printer.port}", qr=qr, timeout=10)
    assert printer.print_ticket(ticket()) is None
    assert fake_printer.done.wait(10)
    assert fake_printer.received == [render_escpos(ticket(), qr=qr)]


def test_one_connection_per_ticket(fake_printer: FakePrinter) -> None:
    printer = TicketPrinter(f"net://127.0.0.1:{fake_printer.port}", timeout=10)
    for n in range(3):
        printer.print_ticket(ticket(number=f"A{n:03d}"))
    deadline = time.monotonic() + 60
    while len(fake_printer.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake_printer.received == [render_escpos(ticket(number=f"A{n:03d}")) for n in range(3)]


def test_refused_connection_is_offline() -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    with pytest.raises(PrinterFault) as info:
        TicketPrinter(f"net://127.0.0.1:{port}", timeout=0.5).print_ticket(ticket())
    assert info.value.kind == "offline"
    assert "offline" in info.value.message and "打印机" in info.value.message


def test_listener_that_never_accepts_times_out() -> None:
    # listen(0) with its accept queue filled: the kernel drops our SYN, as a
    # printer that has hung would leave the connection unanswered.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            s = socket.socket()
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", port))
            except TimeoutError:
                s.close()
                break
            fillers.append(s)
        else:
            pytest.skip("the kernel accepted every connection: cannot fill the backlog")
        printer = TicketPrinter(f"net://127.0.0.1:{port}", timeout=0.5)
        start = time.monotonic()
        with pytest.raises(PrinterFault) as info:
            printer.print_ticket(ticket())
        elapsed = time.monotonic() - start
        assert info.value.kind == "timeout"
        assert 0.4 < elapsed < HANG_S  # it waited, and it came back
    finally:
        for s in fillers:
            s.close()
        server.close()


def test_status_check_asks_then_prints() -> None:
    fake = FakePrinter(status_reply=b"\x16\x12")  # online, paper present
    try:
        printer = TicketPrinter(f"net://127.0.0.1:{fake.port}?status=1", timeout=10)
        printer.print_ticket(ticket())
        assert fake.done.wait(10)
        assert fake.received == [DLE_EOT_STATUS + render_escpos(ticket())]
    finally:
        fake.close()


def test_status_check_reports_paper_out() -> None:
    fake = FakePrinter(status_reply=b"\x16\x72")  # paper end sensor on
    try:
        printer = TicketPrinter(f"net://127.0.0.1:{fake.port}?status=1", timeout=10)
        with pytest.raises(PrinterFault) as info:
            printer.print_ticket(ticket())
        assert info.value.kind == "paper_out"
        assert fake.done.wait(10)
        assert fake.received == [DLE_EOT_STATUS]  # nothing printed
    finally:
        fake.close()


def test_status_check_on_a_silent_listener_times_out() -> None:
    # Accepts the connection, never reads or answers.
    server = socket.create_server(("127.0.0.1", 0))
    try:
        printer = TicketPrinter(f"net://127.0.0.1:{server.getsockname()[1]}?status=1", timeout=0.5)
        start = time.monotonic()
        with pytest.raises(PrinterFault) as info:
            printer.print_ticket(ticket())
        assert info.value.kind == "timeout"
        assert time.monotonic() - start < HANG_S
    finally:
        server.close()


# --- serial:// and usb:// (python-escpos) -------------------------------------


def test_serial_printer_on_a_pty_receives_the_bytes() -> None:
    pytest.importorskip("serial")
    master, slave = os.openpty()
    try:
        name = os.ttyname(slave)
        printer = TicketPrinter(f"serial://{name}?baudrate=9600&dsrdtr=0", timeout=10)
        root_handlers = list(logging.getLogger().handlers)
        printer.print_ticket(ticket())
        assert logging.getLogger().handlers == root_handlers  # escpos's basicConfig undone
        expected = render_escpos(ticket())
        got = b""
        os.set_blocking(master, False)
        deadline = time.monotonic() + 60
        while len(got) < len(expected) and time.monotonic() < deadline:
            try:
                got += os.read(master, 65536)
            except BlockingIOError:
                time.sleep(0.01)
        assert got == expected
    finally:
        os.close(master)
        os.close(slave)


def test_missing_serial_device_is_offline(tmp_path: Path) -> None:
    with pytest.raises(PrinterFault) as info:
        TicketPrinter(f"serial://{tmp_path}/ttyUSB9", timeout=0.5).print_ticket(ticket())
    assert info.value.kind == "offline"


def test_missing_usb_printer_faults_without_hanging() -> None:
    start = time.monotonic()
    with pytest.raises(PrinterFault) as info:
        TicketPrinter("usb://dead:beef", timeout=0.5).print_ticket(ticket())
    assert info.value.kind in ("offline", "error")  # "error" when libusb itself is missing
    assert time.monotonic() - start < HANG_S


def test_fault_kinds_are_checked() -> None:
    with pytest.raises(ValueError):
        PrinterFault("jammed", "x")  # type: ignore[arg-type]


def test_preview_without_a_cjk_font_keeps_english_and_the_qr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kiosk.printer as printer_module

    monkeypatch.setattr(printer_module, "find_cjk_font", lambda: None)
    printer_module._preview_font.cache_clear()
    try:
        assert not printer_module.preview_has_cjk_font()
        img = render_preview(ticket(priority=True))
        assert decode(img.convert("L")) == [URL]
    finally:
        printer_module._preview_font.cache_clear()


def test_preview_without_a_cjk_font_says_so_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import kiosk.printer as printer_module

    monkeypatch.setattr(printer_module, "find_cjk_font", lambda: None)
    printer_module._preview_font.cache_clear()
    printer_module._log_no_cjk_font.cache_clear()
    try:
        printer = TicketPrinter(f"preview://{tmp_path}")
        assert printer.font_warning() == printer_module.NO_CJK_FONT
        assert "中文字体" in printer_module.NO_CJK_FONT and "CJK" in printer_module.NO_CJK_FONT
        with caplog.at_level(logging.WARNING, logger="kiosk.printer"):
            printer.print_ticket(ticket())
            printer.print_ticket(ticket(number="A002"))
        assert [r.getMessage() for r in caplog.records] == [printer_module.NO_CJK_FONT]
        assert TicketPrinter("none").font_warning() is None  # only the preview draws text
    finally:
        printer_module._preview_font.cache_clear()
        printer_module._log_no_cjk_font.cache_clear()


# --- four-digit numbers and no open window (issues 19 and 11) ------------------------


@pytest.mark.parametrize(
    ("profile", "qr", "columns"), [(None, "native", 48), ("ZJ-5870", "image", 32)]
)
def test_a_four_digit_number_prints_whole_in_double_size(
    profile: str | None, qr: str, columns: int
) -> None:
    # after 999 the number grows a digit: F1000 is printed exactly like F999, one byte longer
    short = render_escpos(ticket(number="F999"), profile=profile, qr=qr)
    long = render_escpos(ticket(number="F1000"), profile=profile, qr=qr)
    assert long == short.replace(b"\x1d!\x11F999\n", b"\x1d!\x11F1000\n")
    assert long.count(b"\x1d!\x11F1000\n") == 1
    big = [b for b in build_layout(ticket(number="F1000"), columns) if isinstance(b, Text)]
    assert [(b.text, b.scale) for b in big if b.scale == 2] == [("F1000", 2)]  # one line


def test_no_open_window_prints_the_notice_not_minutes() -> None:
    data = render_escpos(ticket(eta_min=None))
    assert "预计等候".encode("gb18030") not in data
    lines = [b.text for b in build_layout(ticket(eta_min=None)) if isinstance(b, Text)]
    assert "暂无窗口受理，开窗后按顺序叫号" in lines
    assert " ".join(lines).count("you will be called in order when one opens") == 1
    assert "前面还有 3 人 / 3 ahead" in lines
