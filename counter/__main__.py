"""`hall counter --window N [--staff ID] [--hub URL] [--lang zh|en]`: the window clerk's terminal."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from shared.protocol import DEFAULT_HUB


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the counter's options on a (sub)parser."""
    parser.add_argument("--window", type=int, required=True, help="window number (窗口号)")
    parser.add_argument("--staff", default=None, help="staff id to prefill (工号)")
    parser.add_argument(
        "--hub",
        default=os.environ.get("HALL_HUB", DEFAULT_HUB),
        help="hub URL (default: env HALL_HUB, else %(default)s)",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")


def run(args: argparse.Namespace) -> int:
    """Run the counter terminal until the clerk quits; the exit status."""
    from counter.app import CounterApp

    if args.window is None or args.window < 1:
        print("hall counter: --window must be a window number (1 or more).", file=sys.stderr)
        return 2
    # The client logs reconnects; a log line must never land on top of the TUI.
    logging.getLogger().addHandler(logging.NullHandler())
    app = CounterApp(args.window, staff=args.staff, hub_url=args.hub, lang=args.lang)
    try:
        app.run()
    except KeyboardInterrupt:
        return 130
    return 0 if app.return_code in (None, 0) else int(app.return_code)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `python -m counter --window 5`."""
    parser = argparse.ArgumentParser(prog="hall counter", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
