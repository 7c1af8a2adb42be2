"""`hall display`: the lobby board; `hall display --supervisor --staff ID`: the supervisor board."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from shared.protocol import DEFAULT_HUB


def _add(parser: argparse.ArgumentParser, *names: str, **kwargs: Any) -> None:
    """Declare an option unless the caller's parser already has it (e.g. a shared --hub)."""
    if any(n in parser._option_string_actions for n in names):
        return
    parser.add_argument(*names, **kwargs)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of `hall display`."""
    _add(
        parser,
        "--hub",
        default=os.environ.get("HALL_HUB", DEFAULT_HUB),
        help="the hub's websocket URL (default: env HALL_HUB, else %(default)s)",
    )
    _add(parser, "--voice", action="store_true", help="announce calls with espeak-ng (Mandarin)")
    _add(
        parser, "--voice-en", action="store_true", help="also announce in English (implies --voice)"
    )
    _add(parser, "--supervisor", action="store_true", help="the supervisor board (asks the PIN)")
    _add(parser, "--staff", help="the supervisor's staff ID (with --supervisor)")
    _add(parser, "--lang", choices=("zh", "en"), default="zh", help="language of the labels")
    _add(
        parser,
        "--stale-seconds",
        type=float,
        default=30.0,
        help="check the hub after this long without a frame (default %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the board until quit; return the exit status."""
    supervisor = bool(getattr(args, "supervisor", False))
    staff = getattr(args, "staff", None)
    stale = float(getattr(args, "stale_seconds", 30.0) or 30.0)
    if supervisor and not staff:
        print("hall display: the supervisor board needs --staff ID.", file=sys.stderr)
        return 2
    if stale <= 0:
        print("hall display: --stale-seconds must be positive.", file=sys.stderr)
        return 2
    hub = getattr(args, "hub", None) or os.environ.get("HALL_HUB", DEFAULT_HUB)
    if not hub.startswith(("ws://", "wss://")):
        print(f"hall display: {hub!r} is not a ws:// or wss:// URL.", file=sys.stderr)
        return 2

    from textual.logging import TextualHandler

    # Log lines must not land on top of the board.
    logging.basicConfig(level=logging.WARNING, handlers=[TextualHandler()], force=True)
    from display.app import DisplayApp

    app = DisplayApp(
        hub,
        supervisor=supervisor,
        staff=staff,
        lang=getattr(args, "lang", "zh") or "zh",
        voice=bool(getattr(args, "voice", False)),
        voice_en=bool(getattr(args, "voice_en", False)),
        stale_seconds=stale,
    )
    try:
        result = app.run()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a user never sees a stack trace
        print(f"hall display: {exc}", file=sys.stderr)
        return 1
    if result is None:
        return app.return_code or 0
    return int(result)


def main(argv: list[str] | None = None) -> int:
    """Run `python -m display` on its own."""
    parser = argparse.ArgumentParser(prog="hall display", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
