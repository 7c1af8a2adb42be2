"""`hall kiosk`: run the touch kiosk in this terminal, or serve it to a browser (--web).

`cli/main.py` calls `add_arguments(parser)` to declare the options and `run(args)`
to run; `python -m kiosk ...` works on its own too.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from shared.protocol import DEFAULT_HUB

DEFAULT_WEB_PORT = 8000
ENV_TOKEN = "HALL_KIOSK_TOKEN"
ENV_PIN = "HALL_KIOSK_PIN"
ENV_LOG = "HALL_KIOSK_LOG"

log = logging.getLogger("hall.kiosk")


def add_arguments(parser: argparse.ArgumentParser, *, common: bool = False) -> None:
    """Declare the kiosk's options (and --db/--hub too when `common`)."""
    if common:
        parser.add_argument("--db", default=os.environ.get("HALL_DB"), help="unused by the kiosk")
        parser.add_argument(
            "--hub",
            default=os.environ.get("HALL_HUB", DEFAULT_HUB),
            help="hub URL (default: env HALL_HUB, else %(default)s)",
        )
    parser.add_argument(
        "--token",
        default=os.environ.get(ENV_TOKEN),
        help=f"kiosk device token from `hall device add --role kiosk` (default: env {ENV_TOKEN})",
    )
    parser.add_argument(
        "--printer",
        default="none",
        help="none, file:///dev/usb/lp0, net://HOST:9100, usb://VID:PID, "
        "serial:///dev/ttyUSB0, preview://DIR (default: none)",
    )
    parser.add_argument(
        "--qr",
        choices=("native", "image"),
        default="native",
        help="QR code on paper: the printer's own (native) or a raster image",
    )
    parser.add_argument(
        "--idle",
        type=float,
        default=30.0,
        help="seconds without a touch before the kiosk returns home (default: 30)",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="starting language")
    parser.add_argument(
        "--admin-pin",
        dest="admin_pin",
        default=None,
        help=f"staff PIN for reprint (ctrl+r) and exit (ctrl+x) (default: env {ENV_PIN}, else 0000)",
    )
    parser.add_argument(
        "--voice",
        action="store_true",
        help="read the care mode's screens aloud with espeak-ng (apt-get install espeak-ng)",
    )
    parser.add_argument("--web", action="store_true", help="serve the kiosk to a browser")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to serve on with --web (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_WEB_PORT,
        help=f"port to serve on with --web (default: {DEFAULT_WEB_PORT})",
    )


def _opt(args: argparse.Namespace, name: str, default: Any = None) -> Any:
    value = getattr(args, name, None)
    return default if value is None else value


def _fail(message: str) -> int:
    print(f"hall kiosk: {message}", file=sys.stderr)
    return 2


def _setup_logging() -> None:
    """Log to a file: a line on stderr would land on top of the kiosk's screen."""
    path = Path(os.environ.get(ENV_LOG) or Path("var") / "kiosk.log")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def run(args: argparse.Namespace) -> int:
    """Run the kiosk as the options say; the exit status."""
    hub = _opt(args, "hub") or os.environ.get("HALL_HUB") or DEFAULT_HUB
    token = _opt(args, "token") or os.environ.get(ENV_TOKEN)
    admin_pin = _opt(args, "admin_pin") or os.environ.get(ENV_PIN) or "0000"
    idle = float(_opt(args, "idle", 30.0))
    lang = _opt(args, "lang", "zh")
    printer_url = _opt(args, "printer", "none")
    qr = _opt(args, "qr", "native")
    if not token:
        return _fail(
            "a kiosk needs a device token: give --token T "
            f"(or env {ENV_TOKEN}); create one with `hall device add --role kiosk --name K1`"
        )
    if idle <= 0:
        return _fail("--idle must be a positive number of seconds")
    if lang not in ("zh", "en"):
        return _fail("--lang must be zh or en")
    if not hub.startswith(("ws://", "wss://")):
        return _fail(f"--hub must be a ws:// or wss:// URL, not {hub!r}")

    # Check the printer URL before anything else (also in --web mode, where each tab opens it).
    from kiosk.printer import TicketPrinter

    try:
        printer = TicketPrinter(printer_url, qr=qr)
    except ValueError as exc:
        return _fail(str(exc))

    if _opt(args, "web", False):
        return _serve_web(args, hub=hub, token=token, admin_pin=admin_pin)

    _setup_logging()
    from kiosk.app import KioskApp, KioskConfig

    log.info("kiosk starting: hub %s, %s", hub, printer.describe())
    voice = bool(_opt(args, "voice", False))
    config = KioskConfig(
        hub=hub, token=token, idle=idle, lang=lang, admin_pin=admin_pin, voice=voice
    )
    app = KioskApp(config, printer=None if printer.kind == "none" else printer)
    try:
        result = app.run()
    except Exception:  # the user never sees a stack trace; the log keeps it
        log.exception("kiosk crashed")
        return _fail("the kiosk stopped on an unexpected error (see the log, var/kiosk.log)")
    return result if isinstance(result, int) else 0


def _serve_web(args: argparse.Namespace, *, hub: str, token: str, admin_pin: str) -> int:
    """Serve the same app to browsers with textual-serve (one app process per tab)."""
    from textual_serve.server import Server

    port = int(_opt(args, "port", DEFAULT_WEB_PORT))
    host = _opt(args, "host", "127.0.0.1")
    if not 0 < port < 65536:
        return _fail("--port must be between 1 and 65535")
    # Secrets go through the environment, not the command line (ps shows that).
    os.environ[ENV_TOKEN] = token
    os.environ[ENV_PIN] = admin_pin
    command = shlex.join(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--hub",
            hub,
            "--printer",
            _opt(args, "printer", "none"),
            "--qr",
            _opt(args, "qr", "native"),
            "--idle",
            str(_opt(args, "idle", 30.0)),
            "--lang",
            _opt(args, "lang", "zh"),
            *(["--voice"] if _opt(args, "voice", False) else []),
        ]
    )
    server = Server(command, host=host, port=port, title="hall kiosk")
    print(f"kiosk served at http://{host}:{port}", flush=True)
    try:
        server.serve()
    except OSError as exc:
        return _fail(f"cannot serve on {host}:{port}: {exc.strerror or exc}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m kiosk`."""
    parser = argparse.ArgumentParser(prog="hall kiosk", description="touch kiosk of the hall")
    add_arguments(parser, common=True)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
