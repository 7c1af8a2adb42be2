"""`hall`: the one console script (init, serve, kiosk, counter, desk, display, staff, device, report, calendar, demo)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from shared.protocol import DEFAULT_HUB

DB_HELP = "database URL or SQLite file (default: env HALL_DB, else var/hall.db)"
HUB_HELP = "hub websocket URL (default: env HALL_HUB, else ws://127.0.0.1:8765/ws)"

APPS = {
    "kiosk": ("kiosk.__main__", "touch kiosk: choose a service, get a ticket / 自助取号机"),
    "counter": ("counter.__main__", "window clerk terminal / 窗口叫号终端"),
    "desk": ("desk.__main__", "consultation desk: log, assisted issue, look-up / 咨询台"),
    "display": ("display.__main__", "lobby display or supervisor board / 大厅显示屏与主管看板"),
    "demo": ("cli.demo", "the whole demo hall in one terminal / 演示大厅"),
}


def port(text: str) -> int:
    """An argparse type: a TCP port, 0 to 65535 (0 picks a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port: give 0 to 65535")
    return value


def _common(p: argparse.ArgumentParser, hub: bool = False) -> None:
    p.add_argument("--db", default=None, help=DB_HELP)
    p.add_argument("--hall", default=None, help="hall id, when one database holds several halls")
    if hub:
        p.add_argument("--hub", default=os.environ.get("HALL_HUB", DEFAULT_HUB), help=HUB_HELP)


def _staff_admin(ss: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`hall staff disable|enable|remove|set|passwd|unlock ID` (hub/cli.py cmd_staff_admin)."""
    helps = {
        "disable": "log a staff member out now and refuse their logins / 停用",
        "enable": "allow a disabled staff member to log in again / 启用",
        "remove": "remove a staff member (their name stays on past tickets) / 删除",
        "set": "change a staff member's name, windows or desk flag / 修改",
        "passwd": "set a new PIN (asked twice, or --pin) / 重设密码",
        "unlock": "clear a lockout after failed PINs / 解锁",
    }
    for name, help_text in helps.items():
        a = ss.add_parser(name, help=help_text)
        _common(a)
        a.add_argument("id", help="staff id, e.g. c001")
        a.set_defaults(command="staff_admin")
        if name == "set":
            a.add_argument("--name", default=None)
            a.add_argument("--windows", default=None, help="the windows allowed from now, e.g. 1,2")
            a.add_argument(
                "--desk",
                action=argparse.BooleanOptionalAction,
                default=None,
                help="consultation desk staff (咨询台) or not",
            )
        if name == "passwd":
            a.add_argument("--pin", default=None, help="4 to 12 digits (else asked twice)")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of every subcommand; with `only`, an app's own options are added
    only when it is that app (importing every app module, and through `cli.demo` the hub's
    commands, cost every `hall report` about 0.1 s)."""
    parser = argparse.ArgumentParser(
        prog="hall",
        description="政务服务大厅排队叫号系统 / Queue system of a government service hall.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create the tables and load a catalogue / 初始化")
    _common(p)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--demo", action="store_true", help="load the demo hall (万柏林区政务服务中心)")
    g.add_argument("--config", metavar="FILE", help="load a hall catalogue TOML file")

    p = sub.add_parser("serve", help="run the hub / 运行中心服务")
    _common(p)
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the hall LAN)"
    )
    p.add_argument("--port", type=port, default=8765, help="port (0 picks a free one)")
    p.add_argument(
        "--public-url",
        default=None,
        help="base URL phones use for ticket pages, e.g. http://192.168.1.10:8765",
    )
    p.add_argument(
        "--ship-to",
        default=None,
        metavar="URL",
        help="the district's PostgreSQL: ship this hall's events there (a hub on the district's "
        "own database only reports its presence) / 上报区级中心",
    )
    p.add_argument(
        "--visitor-limit",
        type=int,
        default=None,
        metavar="N",
        help="预约 pages: visitor hellos and requests allowed per address per minute (default 120)",
    )

    p = sub.add_parser(
        "staff", help="add, list, disable, enable, remove, change or unlock staff / 工作人员"
    )
    _common(p)
    ss = p.add_subparsers(dest="staff_cmd", required=True)
    a = ss.add_parser(
        "add",
        help="add a staff member (or set up one the catalogue lists); --update changes one",
    )
    _common(a)
    a.add_argument("--id", required=True, help="staff id (工号), not empty")
    a.add_argument("--name", required=True, help="name, not empty")
    a.add_argument(
        "--pin",
        required=True,
        help="4 to 12 ASCII digits 0-9 (full-width digits such as １２３４ are refused); "
        "stored as a salted scrypt hash",
    )
    a.add_argument("--windows", default=None, help="windows allowed, e.g. 1,2")
    a.add_argument("--supervisor", action="store_true")
    a.add_argument(
        "--desk", action="store_true", help="consultation desk staff (咨询台): may run `hall desk`"
    )
    a.add_argument(
        "--update",
        action="store_true",
        help="change a staff member who already has a PIN (name, PIN, windows)",
    )
    lp = ss.add_parser("list", help="list staff")
    _common(lp)
    _staff_admin(ss)

    p = sub.add_parser("device", help="kiosk device tokens / 设备令牌")
    _common(p)
    ds = p.add_subparsers(dest="device_cmd", required=True)
    a = ds.add_parser("add", help="register a device; prints its token once, on the last line")
    _common(a)
    a.add_argument("--role", choices=["kiosk"], default="kiosk")
    a.add_argument("--name", required=True)
    lp = ds.add_parser("list", help="list devices")
    _common(lp)
    r = ds.add_parser("revoke", help="revoke a device's token")
    _common(r)
    r.add_argument("name")

    p = sub.add_parser("calendar", help="the working-day calendar / 工作日历")
    _common(p)
    cs = p.add_subparsers(dest="calendar_cmd", required=True)
    a = cs.add_parser("show", help="print a year month by month (休 holiday, 班 weekend worked)")
    _common(a)
    a.add_argument("--year", type=int, default=None, help="YYYY (default: this year)")
    a.add_argument("--config", metavar="FILE", help="a catalogue TOML file instead of the database")
    p = sub.add_parser("catalogue", help="the catalogue, changed live and versioned / 事项目录")
    _common(p)
    gs = p.add_subparsers(dest="catalogue_cmd", required=True)
    a = gs.add_parser("show", help="print the catalogue in use as TOML (what `apply` reads)")
    _common(a)
    a.add_argument("--version", type=int, default=None, help="an older version N instead")
    a = gs.add_parser(
        "apply", help="check a catalogue, print the difference, apply it to the running hall"
    )
    _common(a)
    a.add_argument("file", nargs="?", help="a catalogue TOML file (the layout `init` reads)")
    a.add_argument("--version", type=int, default=None, help="go back to version N instead")
    a.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    a.add_argument("--by", default=None, help="who applies it (default: the OS user)")
    a = gs.add_parser("history", help="list the versions: time and who applied them")
    _common(a)
    p = sub.add_parser("backup", help="copy the database while the hub runs / 在线备份数据库")
    _common(p)
    p.add_argument("file", help="the backup file to write (SQLite), or for pg_dump (PostgreSQL)")
    p = sub.add_parser(
        "restore", help="replace the database by a backup (the hub stopped) / 从备份恢复"
    )
    _common(p)
    p.add_argument("file", help="a file `hall backup` wrote")

    p = sub.add_parser("district", help="the district service over many halls / 区级中心")
    ds = p.add_subparsers(dest="district_cmd", required=True)
    a = ds.add_parser("serve", help="serve /district: every hall of the district, live / 区级看板")
    _common(a)
    a.add_argument("--host", default="127.0.0.1", help="address to listen on")
    a.add_argument("--port", type=port, default=8780, help="port (0 picks a free one)")
    a.add_argument(
        "--stale-after",
        type=float,
        default=30.0,
        help="seconds without news from a hall before it is marked stale",
    )
    dst = ds.add_parser("staff", help="district supervisors / 区级主管账号")
    dss = dst.add_subparsers(dest="district_staff_cmd", required=True)
    a = dss.add_parser("add", help="add or replace a district supervisor")
    _common(a)
    a.add_argument("id", help="staff id, not empty")
    a.add_argument("--name", required=True)
    a.add_argument("--pin", default=None, help="4 to 12 digits (else asked twice)")
    g = a.add_mutually_exclusive_group(required=True)
    g.add_argument("--halls", default=None, help="the halls they may see, e.g. xiang-a,jie-b")
    g.add_argument("--all", action="store_true", help="every hall of the district")
    a = dss.add_parser("list", help="list district supervisors (with their state)")
    _common(a)
    for what, text in (
        ("disable", "stop an account from logging in (an open page is logged out) / 停用"),
        ("enable", "let a disabled account log in again / 启用"),
        ("remove", "remove an account (an open page is logged out; `add` makes it anew) / 删除"),
    ):
        a = dss.add_parser(what, help=text)
        _common(a)
        a.add_argument("id", help="staff id")

    p = sub.add_parser(
        "report",
        help="figures of a day or any period per window, department, clerk, service / 统计报表",
        description="The period report (docs/REPORTS.md) of the period one option names "
        "(--day, --week, --month, --from/--to, --since-opening), else of the latest recorded "
        "day; --tickets: one row per ticket of a day (--day, else the latest).",
    )
    _common(p)
    p.add_argument(
        "--day", default=None, help="one day YYYY-MM-DD (default: the latest recorded day)"
    )
    p.add_argument("--week", default=None, help="an ISO week: 2026-W48")
    p.add_argument("--month", default=None, help="a month: 2026-11")
    p.add_argument("--from", dest="start", default=None, help="first day YYYY-MM-DD")
    p.add_argument("--to", dest="end", default=None, help="last day YYYY-MM-DD")
    p.add_argument("--since-opening", action="store_true", help="from the first recorded day")
    p.add_argument(
        "--by",
        choices=["window", "department", "clerk", "service"],
        default=None,
        help="the rows of the table / CSV view (default window; JSON holds every view)",
    )
    p.add_argument("--format", choices=["table", "json", "csv", "xlsx", "html"], default="table")
    p.add_argument("--output", default=None, help="write to this file")
    p.add_argument("--lang", choices=["zh", "en"], default=None, help="headers (default 中文)")
    p.add_argument(
        "--district",
        action="store_true",
        help="across every hall of a district database (--db): per-hall totals and the district's / 区级汇总",
    )
    p.add_argument(
        "--halls",
        default=None,
        help="with --district: only these halls (comma-separated ids)",
    )
    p.add_argument(
        "--tickets",
        action="store_true",
        help="one row per ticket (wait, walk = called to start, service time, over the wait target)",
    )

    for name, (module, help_text) in APPS.items():
        p = sub.add_parser(name, help=help_text, conflict_handler="resolve")
        _common(p, hub=True)
        p.set_defaults(app_module=module)
        if only is not None and only != name:
            continue
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        adder = getattr(mod, "add_arguments", None)
        if adder is not None:
            adder(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hall` console script."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    args = build_parser(command if command in APPS else "").parse_args(words)
    from hub.cli import CliError

    try:
        if getattr(args, "app_module", None):
            mod = importlib.import_module(args.app_module)
            return int(mod.run(args) or 0)
        from hub import cli as hub_cli

        return hub_cli.run(args)
    except CliError as e:
        print(f"hall: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hall report | head`: the reader is gone, so is our output
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
