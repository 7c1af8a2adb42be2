"""The hub's commands: init, serve, staff, device, report, calendar, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import ipaddress
import json
import re
import shutil
import signal
import socket
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from hub import auth
from hub.auth import STAFF_ACTIVE, STAFF_DISABLED, STAFF_REMOVED
from hub.calendar import render_year
from hub.catalogue import DEMO_PATH, CatalogueError, Hall, load_catalogue, parse_catalogue
from hub.catalogue_text import diff, show
from hub.store import (
    Store,
    backup_sqlite,
    check_backup,
    db_url,
    hub_lock_path,
    restore_sqlite,
    sqlite_path,
    take_hub_lock,
)
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
    except (SQLAlchemyError, ValueError):  # the URL itself is what is wrong: hide user:password@
        return re.sub(r"//[^/@]*@", "//***@", url)


def _db_problem(args: argparse.Namespace, e: SQLAlchemyError) -> str:
    cause = e.orig if isinstance(e, DBAPIError) else e
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return f"cannot use the database {_shown(db_url(args.db))}: {lines[0] if lines else type(cause).__name__}"


def _store(args: argparse.Namespace) -> Store:
    try:
        return Store(args.db)
    except (SQLAlchemyError, ValueError):  # a URL SQLAlchemy cannot even parse
        raise CliError(
            f"not a database URL: {_shown(db_url(args.db))} (give postgresql+psycopg://USER@HOST/DB "
            "or a SQLite file path)"
        ) from None


def _hall(store: Store, args: argparse.Namespace) -> tuple[Hall, str]:
    """The hall of the database (the one --hall names) and its secret."""
    store.add_new_columns()  # a database of an older version, before its hub restarted
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
    except UnicodeDecodeError as e:
        raise CliError(
            f"the catalogue {path} is not UTF-8 text (byte {e.start} is not UTF-8; "
            "GBK or GB18030, perhaps): save it as UTF-8 and run init again"
        ) from None
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


def _check_pin(pin: str) -> None:
    """A PIN is 4 to 12 ASCII digits; full-width digits (１２３４) are refused, not guessed at."""
    if re.fullmatch(r"[0-9]{4,12}", pin):
        return
    if any(ch.isdigit() and not ch.isascii() for ch in pin):
        raise CliError(
            "the PIN has full-width or other non-ASCII digits: type it with 0-9 "
            "(switch the input method to half-width)"
        )
    raise CliError("a PIN is 4 to 12 digits 0-9")


def cmd_staff(args: argparse.Namespace) -> int:
    """Add or list staff."""
    store = _store(args)
    hall, _ = _hall(store, args)
    hid = hall.id
    if args.staff_cmd == "add":
        sid, name = args.id.strip(), args.name.strip()
        if not sid or not name:
            raise CliError("a staff member needs a non-empty --id and --name")
        windows = _parse_windows(args.windows)
        desk = bool(getattr(args, "desk", False))
        if not windows and not args.supervisor and not desk:
            raise CliError("a clerk needs --windows (or give --supervisor or --desk)")
        unknown = [w for w in windows if hall.window(w) is None]
        if unknown:
            raise CliError(f"no window {unknown[0]} in hall {hid}")
        _check_pin(args.pin)
        row = store.get_staff(hid, sid)
        if row is not None and row["pin_hash"] and not args.update:
            raise CliError(
                f"staff {sid} exists already ({row['name']}): give --update to change them"
            )
        store.put_staff(hid, sid, name, auth.hash_pin(args.pin), windows, args.supervisor)
        store.update_staff(hid, sid, desk=desk)
        role = "主管 supervisor" if args.supervisor else "窗口人员 clerk"
        role += "，咨询台 desk" if desk else ""
        print(f"已保存 {sid} {name}（{role}）windows {','.join(map(str, windows)) or '-'}")
        return 0
    rows = store.list_staff(hid)
    for r in rows:
        pin = "PIN set" if r["pin_hash"] else "no PIN"
        sup = " supervisor" if r["supervisor"] else ""
        sup += " desk" if r.get("desk") else ""
        sup += f" {r['status']}" if r["status"] != STAFF_ACTIVE else ""
        print(
            f"{r['id']}\t{r['name']}\twindows={','.join(map(str, r['windows'])) or '-'}\t{pin}{sup}"
        )
    return 0


def cmd_staff_admin(args: argparse.Namespace) -> int:
    """disable, enable, remove, set, passwd, unlock: a running hub applies it within a second."""
    store = _store(args)
    hall, _ = _hall(store, args)
    hid, sid = hall.id, args.id
    row = store.get_staff(hid, sid)
    if row is None:
        raise CliError(f"no staff member {sid!r} in hall {hid}")
    what = args.staff_cmd
    if row["status"] == STAFF_REMOVED and what != "remove":
        raise CliError(f"{sid} was removed: add them again with `hall staff add`")
    values: dict[str, Any]
    if what in ("disable", "enable", "remove"):
        values = {
            "status": {"disable": STAFF_DISABLED, "enable": STAFF_ACTIVE}.get(what, STAFF_REMOVED)
        }
        if what == "remove":  # the row stays: past tickets and reports keep the name
            values.update(pin_hash=None, windows=[])
        said = {
            "disable": "已停用 / disabled",
            "enable": "已启用 / enabled",
            "remove": "已删除 / removed",
        }[what]
    elif what == "set":
        values = {}
        if args.name is not None:
            if not args.name.strip():
                raise CliError("--name cannot be empty")
            values["name"] = args.name.strip()
        if args.windows is not None:
            windows = _parse_windows(args.windows)
            unknown = [w for w in windows if hall.window(w) is None]
            if unknown:
                raise CliError(f"no window {unknown[0]} in hall {hid}")
            if not windows and not row["supervisor"] and not row.get("desk"):
                raise CliError("a clerk needs at least one window")
            values["windows"] = windows
        if getattr(args, "desk", None) is not None:
            values["desk"] = args.desk
        if not values:
            raise CliError("give --name, --windows or --desk/--no-desk")
        said = "已修改 / changed"
    elif what == "passwd":
        values = {
            "pin_hash": auth.hash_pin(_new_pin(args.pin)),
            "failures": 0,
            "locked_until": None,
        }
        said = "已设置新密码 / new PIN set"
    else:  # unlock
        values = {"failures": 0, "locked_until": None}
        said = "已解锁 / unlocked"
    store.update_staff(hid, sid, **values)
    print(f"{sid} {values.get('name', row['name'])} {said}")
    return 0


def _new_pin(given: str | None) -> str:
    """A new PIN from --pin, else asked twice on the terminal."""
    if given is None:
        if not sys.stdin.isatty():
            raise CliError("give --pin (there is no terminal to ask for it on)")
        given = getpass.getpass("新密码 / new PIN: ")
        if getpass.getpass("再输一次 / again: ") != given:
            raise CliError("the two PINs differ: nothing changed")
    if not given.isdigit() or not 4 <= len(given) <= 12:
        raise CliError("a PIN is 4 to 12 digits")
    return given


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
        seen = f"{d['last_seen'].astimezone(tz):%Y-%m-%d %H:%M}" if d["last_seen"] else "never"
        print(
            f"{d['name']}\t{d['role']}\t{state}\t{d['created_at'].astimezone(tz):%Y-%m-%d %H:%M}"
            f"\t{seen}\t{d['address'] or '-'}"
        )
    return 0


WILDCARDS = ("0.0.0.0", "::", "")


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_public_url(url: str | None, host: str) -> None:
    """Refuse a --public-url phones cannot reach: not http(s), 0.0.0.0, or localhost when the
    hub listens for the LAN."""
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname is None:
        raise CliError(f"--public-url {url!r} is not an http:// or https:// URL with a host")
    example = "give this machine's LAN address, e.g. --public-url http://192.168.1.10:8765"
    if parts.hostname in WILDCARDS:
        raise CliError(f"phones cannot reach {parts.hostname} (--public-url {url}): {example}")
    if _loopback(parts.hostname) and not _loopback(host):
        raise CliError(
            f"phones cannot reach {parts.hostname}, it is each phone itself "
            f"(--public-url {url}): {example}"
        )


def lan_address() -> str | None:
    """This machine's address on the LAN: the source address of its default route (a UDP
    socket connected to a private address; nothing is sent), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 9))
            addr = str(s.getsockname()[0])
    except OSError:
        return None
    return None if addr in WILDCARDS or _loopback(addr) else addr


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the hub until SIGTERM / SIGINT."""
    import resource

    from hub.server import HubServer

    check_public_url(args.public_url, args.host)
    ship_to = _ship_url(args.ship_to)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a hall has many displays and phones
    store = _store(args)
    lock = _hub_lock(store)  # noqa: F841  (held until the process ends)
    store.create_tables()
    hall, secret = _hall(store, args)

    async def main() -> None:
        # before the line that says we listen: whoever reads it may send SIGTERM at once
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        limit = getattr(args, "visitor_limit", None)
        server = HubServer(
            store,
            hall,
            secret,
            host=args.host,
            port=args.port,
            public_url=args.public_url,
            link=_link(store, hall, ship_to),
            **({} if limit is None else {"visitor_limit": max(1, limit)}),
        )
        try:
            await server.start()
        except OSError as e:
            raise CliError(f"cannot listen on {args.host}:{args.port}: {e.strerror}") from None
        if args.public_url is None and args.host in WILDCARDS:
            addr = lan_address()
            if addr is not None:
                server.public_url = f"http://{addr}:{server.port}"
                print(
                    f"hall: no --public-url: ticket QR codes use {server.public_url} "
                    "(this machine's LAN address); give --public-url if phones reach the hub "
                    "by another address",
                    file=sys.stderr,
                )
            else:
                print(
                    "hall: no --public-url and no LAN address found: phones cannot open the "
                    "ticket QR codes; give --public-url http://ADDRESS:PORT",
                    file=sys.stderr,
                )
        print(
            f"hall hub for {hall.name} listening on {server.url} (board {server.base_url}/board)",
            flush=True,
        )
        await stop.wait()
        await server.stop()
        store.dispose()

    asyncio.run(main())
    return 0


def _ship_url(ship_to: str | None) -> str | None:
    """The district database URL of --ship-to (PostgreSQL only), or None."""
    if ship_to is None:
        return None
    if not ship_to.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        raise CliError(
            f"--ship-to {_shown(ship_to)}: the district's database is PostgreSQL "
            "(postgresql+psycopg://USER@HOST/DB)"
        )
    return ship_to


def _link(store: Store, hall: Hall, ship_to: str | None) -> Any:
    """The hub's district link (hub/ship.py): shipping to `ship_to`, presence only for a hub on
    PostgreSQL (the district's database, as a direct hall), none for a lone SQLite hall."""
    from hub.ship import Shipper

    if ship_to is None:
        return Shipper(store, hall.id, None) if store.engine.dialect.name == "postgresql" else None
    url = db_url(ship_to)
    if not url.startswith(("postgresql", "postgres")):
        raise CliError(
            f"--ship-to {_shown(url)}: the district's database is PostgreSQL (postgresql+psycopg://USER@HOST/DB)"
        )
    try:
        return Shipper(store, hall.id, url)
    except (SQLAlchemyError, ValueError):
        raise CliError(f"--ship-to: not a database URL: {_shown(url)}") from None


def _hub_lock(store: Store) -> IO[str] | None:
    """Hold the hub lock of a SQLite database; a second hub on the same file is refused."""
    path = sqlite_path(store.url)
    if path is None:
        return None
    lock = take_hub_lock(path)
    if lock is None:
        raise CliError(
            f"另一个中心服务正在使用该数据库 / another hub is using {path} (it holds {hub_lock_path(path)})"
        )
    return lock


def _pg_instructions(args: argparse.Namespace, tool: str, file: str) -> int:
    """Print the `pg_dump` / `pg_restore` line for the database URL (no password in it)."""
    if shutil.which(tool) is None:
        raise CliError(
            f"{tool} 未安装 / {tool} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) and run this command again"
        )
    u = make_url(db_url(args.db))
    conn = [tool, "-h", u.host or "127.0.0.1", "-p", str(u.port or 5432)]
    conn += ["-U", u.username] if u.username else []
    if tool == "pg_dump":
        line = [*conn, "--format=custom", "--file", file, "-d", u.database or ""]
        print(
            "PostgreSQL 请用 pg_dump 备份（中心服务运行时可执行）/ back up PostgreSQL with pg_dump (safe while the hub runs):"
        )
    else:
        line = [*conn, "--clean", "--if-exists", "-d", u.database or "", file]
        print(
            "先停止中心服务，再用 pg_restore 恢复 / stop the hub first, then restore with pg_restore:"
        )
    print("  " + " ".join(line))
    print("  (密码放在 ~/.pgpass 或 PGPASSWORD / the password goes in ~/.pgpass or PGPASSWORD)")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database while the hub runs (SQLite); say what to run for PostgreSQL."""
    store = _store(args)
    db_file = sqlite_path(store.url)
    if db_file is None:
        return _pg_instructions(args, "pg_dump", args.file)
    dest = Path(args.file)
    if not db_file.is_file():
        raise CliError(f"no database at {db_file}")
    if dest.exists() and dest.resolve() == db_file.resolve():
        raise CliError("the backup file cannot be the database itself")
    if not dest.parent.is_dir():
        raise CliError(f"no folder {dest.parent} for the backup")
    try:
        backup_sqlite(db_file, dest)
    except (OSError, sqlite3.Error) as e:
        raise CliError(f"cannot back up {db_file} to {dest}: {e}") from None
    print(f"已备份 / backed up {db_file} to {dest} ({dest.stat().st_size} bytes)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database by a backup; refused while a hub uses the database."""
    store = _store(args)
    db_file = sqlite_path(store.url)
    if db_file is None:
        return _pg_instructions(args, "pg_restore", args.file)
    backup = Path(args.file)
    if not backup.is_file():
        raise CliError(f"no backup file {backup}")
    try:
        check_backup(backup)
    except ValueError as e:
        raise CliError(str(e)) from None
    lock = take_hub_lock(db_file)
    if lock is None:
        raise CliError(
            f"中心服务正在使用该数据库，请先停止 / a hub is using {db_file}: stop it first (it holds {hub_lock_path(db_file)})"
        )
    try:
        store.dispose()
        restore_sqlite(backup, db_file)
    except (OSError, sqlite3.Error) as e:
        raise CliError(f"cannot restore {backup} to {db_file}: {e}") from None
    finally:
        lock.close()
    print(f"已从 {backup} 恢复 / restored {db_file} from {backup}")
    return 0


def _period_report(args: argparse.Namespace, store: Store, hall: Hall) -> int:
    """`hall report` over a period (hub/reports.py; docs/REPORTS.md)."""
    from hub.report_out import PeriodError, hall_today, load_report, parse_period, render

    today = hall_today(hall)
    named = args.day or args.week or args.month or args.start or args.end
    day = args.day
    if not named and not args.since_opening:  # no period: the latest recorded day
        day = store.last_day(hall.id)
        if day is None:
            raise CliError("尚无任何记录 / no records yet")
    # the first recorded day only where the period starts there (one indexed query)
    first = (
        store.first_day(hall.id) if args.since_opening or (args.end and not args.start) else None
    )
    try:
        start, end = parse_period(
            day,
            args.week,
            args.month,
            args.start,
            args.end,
            first_day=date.fromisoformat(first) if first else None,
            today=today,
        )
    except PeriodError as e:
        raise CliError(str(e)) from None
    report = load_report(store, hall, start, end, today)
    view = args.by or "window"
    lang = args.lang or "zh"
    if args.format == "xlsx":
        if not args.output:
            raise CliError("--format xlsx 需要 --output FILE / needs --output FILE")
        from hub.report_xlsx import write_xlsx

        try:
            write_xlsx(report, args.output, lang)
        except OSError as e:
            raise CliError(f"无法写入 / cannot write {args.output}: {e.strerror}") from None
        return 0
    if args.format == "html":
        from hub.report_html import bulletin

        text = bulletin(report, hall)
    else:
        text = render(report, view, args.format, lang)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise CliError(f"无法写入 / cannot write {args.output}: {e.strerror}") from None
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _district_report(args: argparse.Namespace, store: Store) -> int:
    """`hall report --district`: the period report across the halls of a district
    database (hub/report_out.py: district_report; docs/DISTRICT.md)."""
    from hub.report_out import PeriodError, district_report, parse_period, render

    if args.format in ("xlsx", "html") or args.tickets:
        raise CliError(
            "--district 支持 table、csv、json / --district gives --format table, csv or json"
        )
    store.add_new_columns()
    halls = [h.strip() for h in args.halls.split(",") if h.strip()] if args.halls else None
    from sqlalchemy import select

    from hub.store import HALLS

    with store.engine.connect() as conn:
        known = [r[0] for r in conn.execute(select(HALLS.c.id).order_by(HALLS.c.id))]
    if halls:
        unknown = [h for h in halls if h not in known]
        if unknown:
            raise CliError(f"没有大厅 {unknown[0]} / no hall {unknown[0]} in this database")
    firsts = [d for h in (halls or known) if (d := store.first_day(h))]
    today = datetime.now(UTC).date()
    try:
        start, end = parse_period(
            args.day,
            args.week,
            args.month,
            args.start,
            args.end,
            first_day=date.fromisoformat(min(firsts)) if firsts else None,
            today=today + timedelta(days=1),  # a hall east of UTC may be a day ahead
        )
        report = district_report(store, start, end, halls)
    except PeriodError as e:
        raise CliError(str(e)) from None
    text = render(report, args.by or "window", args.format, args.lang or "zh")
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise CliError(f"无法写入 / cannot write {args.output}: {e.strerror}") from None
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The period report (hub/reports.py; docs/REPORTS.md): of the period an option names,
    else of the latest recorded day; `--tickets`: one row per ticket of a day."""
    store = _store(args)
    if getattr(args, "district", False):
        return _district_report(args, store)
    hall, _ = _hall(store, args)
    if not getattr(args, "tickets", False):
        return _period_report(args, store, hall)
    if args.day is not None:
        try:
            args.day = date.fromisoformat(args.day).isoformat()
        except ValueError:
            raise CliError(f"--day {args.day} is not a valid date (YYYY-MM-DD)") from None
    day = args.day or store.last_day(hall.id)
    eng = store.replay_day(hall, day) if day else None
    if eng is None:
        raise CliError(f"no records for {day or 'any day'}")
    return _report_tickets(eng.tickets.values(), args.format, hall.policy.max_wait_minutes)


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


def _district_store(args: argparse.Namespace) -> Store:
    from hub import district

    store = _store(args)
    try:
        district.prepare(store)
    except ValueError as e:
        raise CliError(str(e)) from None
    return store


DISTRICT_STATUS = {"disable": "disabled", "enable": "active", "remove": "removed"}
DISTRICT_DONE = {
    "disable": "已停用 / disabled (an open page is logged out)",
    "enable": "已启用 / enabled",
    "remove": "已删除 / removed (an open page is logged out)",
}


def _district_staff_status(store: Store, what: str, sid: str) -> int:
    """`hall district staff disable | enable | remove ID`: the service logs an open page out
    within a second (hub/district.py)."""
    from hub import district

    rows = {r["id"]: r for r in district.list_staff(store)}
    row = rows.get(sid)
    if row is None:
        raise CliError(f"没有区级主管 {sid} / no district supervisor {sid}")
    if row["status"] == "removed" and what != "remove":
        raise CliError(
            f"{sid} 已删除，请用 `hall district staff add` 重新添加 / "
            f"{sid} was removed: add them again with `hall district staff add`"
        )
    district.set_staff_status(store, sid, DISTRICT_STATUS[what])
    print(f"区级主管 {sid} {DISTRICT_DONE[what]}")
    return 0


def cmd_district(args: argparse.Namespace) -> int:
    """`hall district serve | staff add | list | disable | enable | remove` (hub/district.py)."""
    from hub import district

    if args.district_cmd == "staff":
        store = _district_store(args)
        if args.district_staff_cmd == "list":
            for r in district.list_staff(store):
                scope = "全部 / all" if r["halls"] is None else ",".join(r["halls"])
                print(f"{r['id']}\t{r['name']}\t{scope}\t{r['status']}")
            return 0
        if args.district_staff_cmd in DISTRICT_STATUS:
            return _district_staff_status(store, args.district_staff_cmd, args.id.strip())
        sid, name = args.id.strip(), args.name.strip()
        if not sid or not name:
            raise CliError("工号和姓名不能为空 / the id and the name must not be empty")
        halls: list[str] | None = None
        if not args.all:
            halls = sorted({h.strip() for h in args.halls.split(",") if h.strip()})
            if not halls:
                raise CliError("--halls: 请列出大厅 / name at least one hall, e.g. --halls a,b")
        pin = _new_pin(args.pin)
        district.add_staff(store, sid, name, auth.hash_pin(pin), halls)
        scope = "全部大厅 / every hall" if halls is None else ", ".join(halls)
        print(f"已保存区级主管 / district supervisor {sid} ({name}) saved: {scope}")
        return 0
    store = _district_store(args)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        server = district.DistrictServer(
            store, host=args.host, port=args.port, stale_after=args.stale_after
        )
        try:
            await server.start()
        except OSError as e:
            raise CliError(f"cannot listen on {args.host}:{args.port}: {e.strerror}") from None
        print(f"hall district service: {len(server.halls)} halls, page {server.url}", flush=True)
        await stop.wait()
        await server.stop()
        store.dispose()

    asyncio.run(main())
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


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def cmd_catalogue(args: argparse.Namespace) -> int:
    """`hall catalogue show | apply FILE | apply --version N | history`."""
    store = _store(args)
    try:
        hall, _ = _hall(store, args)
        store.create_tables()  # catalogue_versions in a database made before it existed
        hid = hall.id
        head = store.catalogue_head(hid)
        tz = ZoneInfo(hall.timezone)
        if args.catalogue_cmd == "history":
            print("version\tapplied at\tby\tnote / 版本 时间 操作人 备注")
            for v in store.catalogue_versions(hid):
                at = f"{v['applied_at'].astimezone(tz):%Y-%m-%d %H:%M}" if v["applied_at"] else "-"
                mark = " *" if v["version"] == head else ""
                print(f"{v['version']}{mark}\t{at}\t{v['applied_by'] or '-'}\t{v['note'] or ''}")
            return 0
        if args.catalogue_cmd == "show":
            version = head if args.version is None else args.version
            shown = _version_hall(store, hid, version)
            sys.stdout.write(show(shown, version))
            return 0
        return _catalogue_apply(args, store, hall, head)
    finally:
        store.dispose()


def _version_hall(store: Store, hid: str, version: int) -> Hall:
    entry = store.catalogue_entry(hid, version)
    if entry is None:
        raise CliError(
            f"没有版本 {version} / no catalogue version {version} (see `hall catalogue history`)"
        )
    try:
        return parse_catalogue(entry["catalogue"], f"<catalogue version {version}>")
    except CatalogueError as e:
        raise CliError(str(e)) from None


def _catalogue_apply(args: argparse.Namespace, store: Store, hall: Hall, head: int) -> int:
    hid = hall.id
    current = _version_hall(store, hid, head)
    note = ""
    if args.version is not None:
        if args.file:
            raise CliError("give a FILE or --version N, not both")
        new = _version_hall(store, hid, args.version)
        text = store.catalogue_entry(hid, args.version)["catalogue"]  # type: ignore[index]
        note = f"back to version {args.version}"
    elif args.file:
        path = Path(args.file)
        try:
            text = sys.stdin.read() if args.file == "-" else path.read_bytes().decode("utf-8-sig")
        except OSError as e:
            raise CliError(f"cannot read the catalogue {path}: {e.strerror}") from None
        except UnicodeDecodeError as e:
            raise CliError(
                f"the catalogue {path} is not UTF-8 text (byte {e.start}): save it as UTF-8"
            ) from None
        try:
            new = parse_catalogue(text, args.file)
        except CatalogueError as e:
            raise CliError(str(e)) from None
    else:
        raise CliError("give a catalogue FILE (or --version N to go back)")
    if new.id != hid:
        raise CliError(
            f"the catalogue is of hall {new.id!r}, this database holds hall {hid!r}: "
            "[hall] id cannot change"
        )
    changes = diff(current, new)
    if not changes:
        print(
            f"与当前版本 {head} 相同，未作改动 / the same as version {head} in use: nothing changed"
        )
        return 0
    print(f"与当前版本 {head} 相比 / changes from version {head}:")
    for line in changes:
        print(f"  {line}")
    if any(line.startswith("staff:") for line in changes):
        print(
            "  (工作人员以 `hall staff` 管理 / [[staff]] only seeds `hall init`: "
            "manage staff with `hall staff`)"
        )
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("give --yes to apply without a terminal to confirm on: nothing changed")
        answer = input("应用到运行中的大厅？/ apply to the running hall? [y/N] ").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("未应用 / not applied")
            return 1
    try:
        version = store.add_catalogue_version(hid, text, args.by or _os_user(), note, expect=head)
    except ValueError as e:
        raise CliError(str(e)) from None
    print(
        f"已应用为版本 {version}；运行中的中心服务一秒内生效 / applied as version {version}: "
        "a running hub uses it within a second"
    )
    return 0
