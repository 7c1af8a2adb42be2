"""The hub's commands: init, serve, staff, device, report, calendar."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from hub import auth
from hub.calendar import render_year
from hub.catalogue import DEMO_PATH, CatalogueError, Hall, load_catalogue
from hub.store import Store, db_url
from shared.calling import number_key


class CliError(Exception):
    """A plain one-sentence error for stderr."""


def run(args: argparse.Namespace) -> int:
    """Run one hub command; a database that cannot be used is a CliError, not a traceback."""
    try:
        return int(globals()[f"cmd_{args.command}"](args))
    except SQLAlchemyError as e:
        raise CliError(_db_problem(args, e)) from None


def _shown(url: str) -> str:
    """A database URL fit to print: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:  # the URL itself is what is wrong
        return url


def _db_problem(args: argparse.Namespace, e: SQLAlchemyError) -> str:
    cause = e.orig if isinstance(e, DBAPIError) else e
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return f"cannot use the database {_shown(db_url(args.db))}: {lines[0] if lines else type(cause).__name__}"


def _store(args: argparse.Namespace) -> Store:
    return Store(args.db)


def _hall(store: Store, args: argparse.Namespace) -> tuple[Hall, str]:
    """The hall of the database (the one --hall names) and its secret."""
    try:
        return store.load_hall(getattr(args, "hall", None))
    except LookupError as e:
        raise CliError(str(e)) from None


def cmd_init(args: argparse.Namespace) -> int:
    """Create the tables and load the catalogue; a second run changes nothing."""
    if bool(args.demo) == bool(args.config):
        raise CliError("give either --demo or --config FILE")
    path = DEMO_PATH if args.demo else Path(args.config)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise CliError(f"cannot read the catalogue {path}: {e.strerror}") from None
    try:
        hall = load_catalogue(path)
    except CatalogueError as e:
        raise CliError(str(e)) from None
    store = _store(args)
    store.create_tables()
    created = store.save_hall(hall, text, auth.new_secret())
    if created:
        print(
            f"已创建大厅 {hall.id}（{hall.name}）/ created hall {hall.id}: {len(hall.services)} services, {len(hall.windows)} windows, database {_shown(store.url)}"
        )
    else:
        print(
            f"大厅 {hall.id} 已存在，未作改动 / hall {hall.id} exists already: nothing changed ({_shown(store.url)})"
        )
    return 0


def _parse_windows(text: str | None) -> list[int]:
    if not text:
        return []
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise CliError(
            f"--windows takes window numbers separated by commas, not {text!r}"
        ) from None


def cmd_staff(args: argparse.Namespace) -> int:
    """Add or list staff."""
    store = _store(args)
    hall, _ = _hall(store, args)
    hid = hall.id
    if args.staff_cmd == "add":
        windows = _parse_windows(args.windows)
        if not windows and not args.supervisor:
            raise CliError("a clerk needs --windows (or give --supervisor)")
        unknown = [w for w in windows if hall.window(w) is None]
        if unknown:
            raise CliError(f"no window {unknown[0]} in hall {hid}")
        if not args.pin.isdigit() or not 4 <= len(args.pin) <= 12:
            raise CliError("a PIN is 4 to 12 digits")
        store.put_staff(hid, args.id, args.name, auth.hash_pin(args.pin), windows, args.supervisor)
        role = "主管 supervisor" if args.supervisor else "窗口人员 clerk"
        print(f"已保存 {args.id} {args.name}（{role}）windows {','.join(map(str, windows)) or '-'}")
        return 0
    rows = store.list_staff(hid)
    for r in rows:
        pin = "PIN set" if r["pin_hash"] else "no PIN"
        sup = " supervisor" if r["supervisor"] else ""
        print(
            f"{r['id']}\t{r['name']}\twindows={','.join(map(str, r['windows'])) or '-'}\t{pin}{sup}"
        )
    return 0


def cmd_device(args: argparse.Namespace) -> int:
    """Add, list or revoke devices (kiosks)."""
    store = _store(args)
    hall, _ = _hall(store, args)
    hid = hall.id
    if args.device_cmd == "add":
        token = auth.new_device_token()
        try:
            store.add_device(hid, args.name, args.role, auth.token_hash(token))
        except ValueError as e:
            raise CliError(str(e)) from None
        print(
            f"设备 {args.name}（{args.role}）已登记；令牌只显示这一次 / device added; the token is shown once:"
        )
        print(token)
        return 0
    if args.device_cmd == "revoke":
        if not store.revoke_device(hid, args.name):
            raise CliError(f"no device named {args.name!r}")
        print(f"已吊销 {args.name} / revoked")
        return 0
    tz = ZoneInfo(hall.timezone)
    for d in store.list_devices(hid):
        state = "revoked" if d["revoked"] else "active"
        print(f"{d['name']}\t{d['role']}\t{state}\t{d['created_at'].astimezone(tz):%Y-%m-%d %H:%M}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the hub until SIGTERM / SIGINT."""
    import resource

    from hub.server import HubServer

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a hall has many displays and phones
    store = _store(args)
    store.create_tables()
    hall, secret = _hall(store, args)

    async def main() -> None:
        # before the line that says we listen: whoever reads it may send SIGTERM at once
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        server = HubServer(
            store, hall, secret, host=args.host, port=args.port, public_url=args.public_url
        )
        try:
            await server.start()
        except OSError as e:
            raise CliError(f"cannot listen on {args.host}:{args.port}: {e.strerror}") from None
        print(
            f"hall hub for {hall.name} listening on {server.url} (board {server.base_url}/board)",
            flush=True,
        )
        await stop.wait()
        await server.stop()
        store.dispose()

    asyncio.run(main())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Print a day's metrics per window (table, JSON or CSV)."""
    store = _store(args)
    hall, _ = _hall(store, args)
    days = store.days(hall.id)
    day = args.day or (days[-1] if days else None)
    eng = store.replay_day(hall, day) if day else None
    if eng is None:
        raise CliError(f"no records for {day or 'any day'}")
    from datetime import timedelta

    end = min(datetime.now(UTC), eng.day_start(eng.day + timedelta(days=1)))
    if getattr(args, "tickets", False):
        return _report_tickets(eng.tickets.values(), args.format, hall.policy.max_wait_minutes)
    m = eng.metrics(end)
    if args.format == "json":
        print(json.dumps(m, ensure_ascii=False, indent=2))
        return 0
    cols = [
        "window",
        "received",
        "completed",
        "pending",
        "completion_rate",
        "transferred_in",
        "transferred_out",
        "no_show",
        "first_responsibility_closure_rate",
        "avg_wait_s",
        "avg_service_s",
        "on_duty_s",
        "paused_s",
    ]

    def fmt(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.2f}" if v <= 1 else f"{v:.0f}"
        return str(v)

    if args.format == "csv":
        w = csv.writer(sys.stdout)
        w.writerow([*cols, "ratings_count", "ratings_avg"])
        for row in m["windows"]:
            w.writerow(
                [row.get(c) for c in cols] + [row["ratings"]["count"], row["ratings"]["avg"]]
            )
        return 0
    print(
        f"{hall.name} {m['day']}  issued {m['hall']['issued']}  received {m['hall']['received']}  completed {m['hall']['completed']}  completion rate {fmt(m['hall']['completion_rate'])}"
    )
    print("\t".join(cols))
    for row in m["windows"]:
        print("\t".join(fmt(row.get(c)) for c in cols))
    return 0


TICKET_COLUMNS = [
    "id",
    "number",
    "service",
    "department",
    "priority",
    "state",
    "window",
    "staff",
    "first_window",
    "handoffs",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "wait_s",
    "walk_s",
    "service_s",
    "over_target",
]


def _seconds(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    return round((datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds(), 3)


def ticket_rows(tickets: Any, max_wait_minutes: int) -> list[dict[str, Any]]:
    """One row per ticket with the times supervisors ask for: wait, walk (called → start), service."""
    rows = []
    # by day, prefix and number as an integer: F999 before F1000 (the id compares as text)
    for t in sorted(tickets, key=lambda t: (t["id"][:8], number_key(t["number"]))):
        wait = _seconds(t["queued_at"], t["called_at"])
        fr = t.get("first_responsible") or {}
        rows.append(
            {
                "id": t["id"],
                "number": t["number"],
                "service": t["service"],
                "department": t["department"],
                "priority": t["priority"],
                "state": t["state"],
                "window": t["window"],
                "staff": t["staff"],
                "first_window": fr.get("window"),
                "handoffs": len(t.get("handoffs") or ()),
                "issued_at": t["issued_at"],
                "called_at": t["called_at"],
                "started_at": t["started_at"],
                "ended_at": t["ended_at"],
                "wait_s": wait,
                "walk_s": _seconds(t["called_at"], t["started_at"]),
                "service_s": _seconds(t["started_at"], t["ended_at"])
                if t["state"] in ("done", "pending")
                else None,
                "over_target": None if wait is None else wait > max_wait_minutes * 60,
            }
        )
    return rows


def _report_tickets(tickets: Any, fmt: str, max_wait_minutes: int) -> int:
    rows = ticket_rows(tickets, max_wait_minutes)
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if fmt == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=TICKET_COLUMNS)
        w.writeheader()
        w.writerows(rows)
        return 0
    print("\t".join(TICKET_COLUMNS))
    for r in rows:
        print("\t".join("-" if r[c] is None else str(r[c]) for c in TICKET_COLUMNS))
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    """`hall calendar show --year YYYY`: the hall's working-day calendar (or a file's)."""
    if args.config:
        try:
            hall = load_catalogue(args.config)
        except CatalogueError as e:
            raise CliError(str(e)) from None
    else:
        store = _store(args)
        try:
            hall, _ = _hall(store, args)
        finally:
            store.dispose()
    year = args.year or datetime.now(ZoneInfo(hall.timezone)).year
    print(render_year(hall.calendar, year))
    return 0
