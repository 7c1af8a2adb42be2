"""`hall desk [--staff ID] [--hub URL] [--lang zh|en] [--printer URL]`: the consultation desk (咨询台)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from shared.protocol import DEFAULT_HUB


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the desk's options on a (sub)parser."""
    parser.add_argument("--staff", default=None, help="staff id to prefill (工号)")
    parser.add_argument(
        "--hub",
        default=os.environ.get("HALL_HUB", DEFAULT_HUB),
        help="hub URL (default: env HALL_HUB, else %(default)s)",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    parser.add_argument(
        "--printer",
        default=os.environ.get("HALL_DESK_PRINTER", "none"),
        help="the desk's ticket printer, a kiosk printer URL (none, file://, net://, usb://, "
        "serial://, preview://DIR); none: the ticket is shown with its QR code",
    )


def run(args: argparse.Namespace) -> int:
    """Run the desk until the clerk quits; the exit status."""
    from desk.app import DeskApp

    printer = None
    if args.printer and args.printer != "none":
        from kiosk.printer import PrinterFault, TicketPrinter

        try:
            printer = TicketPrinter(args.printer)
        except (PrinterFault, ValueError) as e:
            print(f"hall desk: --printer {args.printer}: {e}", file=sys.stderr)
            return 2
    logging.getLogger().addHandler(logging.NullHandler())
    app = DeskApp(staff=args.staff, hub_url=args.hub, lang=args.lang, printer=printer)
    try:
        app.run()
    except KeyboardInterrupt:
        return 130
    return 0 if app.return_code in (None, 0) else int(app.return_code)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `python -m desk`."""
    parser = argparse.ArgumentParser(prog="hall desk", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
