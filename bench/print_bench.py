"""Time render + send of tickets to a local fake network printer (ESC/POS over TCP).

    .venv/bin/python bench/print_bench.py [-n 200] [--qr native|image]

Each ticket is rendered with render_escpos() and sent by TicketPrinter over a
fresh TCP connection to a listener on 127.0.0.1 that reads until EOF, as a
JetDirect printer does. Prints the median and p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.printer import TicketPrint, TicketPrinter  # noqa: E402


def serve(sock: socket.socket, stop: threading.Event, counts: list[int]) -> None:
    """Accept connections and read each to EOF (a printer that always keeps up)."""
    sock.settimeout(0.1)
    while not stop.is_set():
        try:
            conn, _ = sock.accept()
        except TimeoutError:
            continue
        except OSError:
            return
        with conn:
            total = 0
            while chunk := conn.recv(65536):
                total += len(chunk)
            counts.append(total)


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="tickets (default 200)")
    parser.add_argument("--qr", choices=("native", "image"), default="native")
    args = parser.parse_args()

    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    counts: list[int] = []
    thread = threading.Thread(target=serve, args=(server, stop, counts), daemon=True)
    thread.start()
    printer = TicketPrinter(f"net://127.0.0.1:{server.getsockname()[1]}", qr=args.qr, timeout=2)
    issued = datetime(2026, 5, 12, 9, 0, tzinfo=timezone(timedelta(hours=8)))

    times: list[float] = []
    for i in range(args.n):
        t = TicketPrint(
            hall_name="朝阳区政务服务中心",
            hall_name_en="Chaoyang District Government Service Center",
            number=f"A{i + 1:03d}",
            department="公安分局",
            department_en="Public Security Bureau",
            service="居民身份证换领",
            service_en="Resident ID card renewal",
            ahead=i % 40,
            eta_min=(i % 40) * 4,
            issued_at=issued + timedelta(seconds=17 * i),
            windows=("5号窗口", "6号窗口"),
            url=f"https://hall.example.cn/t/{i:032x}",
            priority=i % 7 == 0,
        )
        start = time.perf_counter()
        printer.print_ticket(t)
        times.append((time.perf_counter() - start) * 1000)

    deadline = time.monotonic() + 5
    while len(counts) < args.n and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    server.close()
    thread.join(2)

    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * len(times))) - 1)]
    print(f"{args.n} tickets, qr={args.qr}, {statistics.mean(counts or [0]):.0f} bytes each")
    print(
        f"render+send median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, "
        f"max {times[-1]:.2f} ms; received {len(counts)}/{args.n}"
    )
    return 0 if len(counts) == args.n else 1


if __name__ == "__main__":
    raise SystemExit(main())
