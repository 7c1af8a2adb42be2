"""`hall demo`: the demo hall in one terminal.

Sets up the demo catalogue in the database (once), demo staff PINs and a demo
kiosk token, starts the hub, and opens the kiosk, a counter (at a window that
serves the kiosk's first tile, so the first ticket can be called), the
consultation desk, the lobby board and the supervisor board as tmux windows: in the current session when run
inside tmux, else in a session of its own tmux server (socket `-L hall-demo`).
Without tmux it runs the hub and prints the commands to run in other terminals.
It says which system packages are missing and what that degrades, and exits
non-zero when it cannot start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from cli.main import port
from hub.cli import CliError

DEMO_CLERK_PIN = "1234"
DEMO_SUPERVISOR = ("s001", "9999")
DEMO_DESK = "c024"  # the consultation desk's clerk (window 24, 咨询服务台) also runs `hall desk`
SESSION = "hall-demo"
SOCKET = "hall-demo"  # the demo's own tmux server when not run inside tmux

# System packages a hall PC needs (Debian names): (what to look for, package, what degrades).
CJK_PACKAGES = "fonts-wqy-zenhei or fonts-noto-cjk"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of `hall demo`."""
    p.add_argument(
        "--port", type=port, default=8765, help="hub port (a free one is picked if taken)"
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="hub address (0.0.0.0 to let phones on the LAN in)"
    )
    p.add_argument("--public-url", default=None, help="base URL phones use for ticket pages")
    p.add_argument(
        "--no-tmux", action="store_true", help="only run the hub and print the app commands"
    )
    p.add_argument(
        "--printer", default=None, help="kiosk printer URL (default preview://var/tickets)"
    )


def _hall(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


def _free_port(host: str, wanted: int) -> int:
    """`wanted` when it is free, else 0: the hub then picks a free port and says which (no
    port is picked here for the hub to bind later, which another process could take)."""
    with socket.socket() as s:
        try:
            s.bind((host, wanted))
        except OSError:
            return 0
        return wanted


def missing_packages() -> list[tuple[str, str]]:
    """The system packages this machine lacks: (package, what degrades without it)."""
    from kiosk.printer import find_cjk_font

    missing = []
    if find_cjk_font() is None:
        missing.append(
            (
                CJK_PACKAGES,
                "no Chinese in the ticket preview PNG and in Chromium's web pages;"
                " the kiosk care mode's text stays normal size",
            )
        )
    if shutil.which("espeak-ng") is None:
        missing.append(
            (
                "espeak-ng",
                "no voice: `hall display --voice` and `hall kiosk --voice` (care mode) stay silent",
            )
        )
    if not any(shutil.which(c) for c in ("chromium", "chromium-browser", "google-chrome")):
        missing.append(("chromium", "only if wanted: the web board /board on a TV's browser"))
    if shutil.which("tmux") is None:
        missing.append(("tmux", "the demo runs only the hub and prints the app commands"))
    return missing


def demo_counter(hall: Any) -> tuple[str, int, str]:
    """(clerk, window, service) of the demo counter: a window serving the kiosk's first tile."""
    first = hall.department_services(hall.departments[0].code)[0].code
    for w in hall.windows:
        if first in w.services:
            for s in hall.staff:
                if not s.supervisor and w.number in s.windows:
                    return s.id, w.number, first
    raise CliError(f"no clerk serves {first}, the first service of the demo hall")


def who_serves_what(hall: Any) -> list[str]:
    """One line per department: its windows and their clerks."""
    lines = []
    for d in hall.departments:
        codes = {s.code for s in hall.department_services(d.code)}
        windows = [w.number for w in hall.windows if codes & set(w.services)]
        clerks = [s.id for s in hall.staff if not s.supervisor and set(s.windows) & set(windows)]
        if windows:
            lines.append(
                f"    {d.code:<3} windows {','.join(map(str, windows)):<9} "
                f"clerks {', '.join(clerks):<22} {d.name}"
            )
    return lines


def prepare(db: str | None) -> tuple[str, str, Any]:
    """Make the demo database ready; return (db URL argument, kiosk token, the hall)."""
    from hub import auth
    from hub.catalogue import DEMO_PATH, load_catalogue
    from hub.store import Store

    try:
        store = Store(db)
    except ValueError:
        raise CliError(f"not a database URL: {db}") from None
    store.create_tables()
    hall = load_catalogue(DEMO_PATH)
    if store.save_hall(hall, DEMO_PATH.read_text(encoding="utf-8"), auth.new_secret()):
        print(f"已创建演示大厅 / demo hall created in {store.url}")
    stored, _ = store.load_hall()
    for s in stored.staff:
        row = store.get_staff(stored.id, s.id)
        if row is None or not row["pin_hash"]:
            pin = DEMO_SUPERVISOR[1] if s.supervisor else DEMO_CLERK_PIN
            store.put_staff(
                stored.id, s.id, s.name, auth.hash_pin(pin), list(s.windows), s.supervisor
            )
    if stored.staff_member(DEMO_DESK) is not None:
        store.update_staff(stored.id, DEMO_DESK, desk=True)
    var = Path("var")
    var.mkdir(exist_ok=True)
    token_file = var / "demo-kiosk.token"
    token = token_file.read_text().strip() if token_file.exists() else ""
    dev = store.device_by_token(stored.id, auth.token_hash(token)) if token else None
    if dev is None:
        token = auth.new_device_token()
        name = f"DEMO-{uuid.uuid4().hex[:6]}"
        store.add_device(stored.id, name, "kiosk", auth.token_hash(token))
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
    store.dispose()
    return store.url, token, stored


async def _sample_ticket(url: str, token: str, service: str) -> str | None:
    from shared.client import HubClient

    client = HubClient(url, {"role": "kiosk", "token": token})
    task = asyncio.create_task(client.run())
    try:
        if not await client.wait_online(10):
            return None
        reply = await client.request("issue", service=service, timeout=10)
        return str(reply["url"])
    except Exception:
        return None
    finally:
        await client.close()
        task.cancel()


def run(args: argparse.Namespace) -> int:
    """Run the demo hall; non-zero when it cannot start."""
    # Ctrl+C stops the demo even when it was started with SIGINT ignored (a background job of a
    # shell script inherits that, and Python then leaves SIGINT ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    missing = missing_packages()
    db_url, token, hall = prepare(args.db)
    clerk, window, first_service = demo_counter(hall)
    port_ = _free_port(args.host, args.port)
    serve = _hall("serve", "--db", db_url, "--host", args.host, "--port", str(port_))
    if args.public_url:
        serve += ["--public-url", args.public_url]
    hub = subprocess.Popen(serve, stdout=subprocess.PIPE, text=True)
    assert hub.stdout is not None
    try:
        line = hub.stdout.readline()
        listening = re.search(r"ws://\S+:(\d+)/ws", line)
        if listening is None:
            print("hall: the hub did not start (see the messages above)", file=sys.stderr)
            return 1
        host = args.host if args.host not in ("0.0.0.0", "::") else "127.0.0.1"
        hub_url = f"ws://{host}:{listening.group(1)}/ws"
        http = hub_url.replace("ws://", "http://").removesuffix("/ws")
        sample = asyncio.run(_sample_ticket(hub_url, token, first_service))
        printer = args.printer or "preview://var/tickets"
        apps = {
            "kiosk 取号": _hall("kiosk", "--hub", hub_url, "--token", token, "--printer", printer),
            f"counter 窗口{window}": _hall(
                "counter", "--hub", hub_url, "--window", str(window), "--staff", clerk
            ),
            "desk 咨询台": _hall("desk", "--hub", hub_url, "--staff", DEMO_DESK),
            "board 大厅屏": _hall("display", "--hub", hub_url),
            "supervisor 主管": _hall(
                "display", "--hub", hub_url, "--supervisor", "--staff", DEMO_SUPERVISOR[0]
            ),
        }
        banner = [
            "",
            "演示大厅已启动 / The demo hall is running",
            f"  hub           {hub_url}",
            f"  web board     {http}/board      (supervisor: {http}/board?supervisor, s001 / 9999)",
            f"  ticket page   {sample or '(take a ticket at the kiosk; its QR code opens the page)'}",
            f"  counter       {clerk} at window {window}, PIN {DEMO_CLERK_PIN}: serves {first_service},"
            " the kiosk's first tile (F1 calls the first ticket)",
            f"  desk          {DEMO_DESK}, PIN {DEMO_CLERK_PIN}: the consultation desk (咨询台)",
            f"  supervisor    s001, PIN {DEMO_SUPERVISOR[1]}",
            "  kiosk token   var/demo-kiosk.token   · ticket pictures in var/tickets/",
            f"  who serves what (every clerk's PIN is {DEMO_CLERK_PIN}):",
            *who_serves_what(hall),
            "",
        ]
        if missing:
            banner += ["缺少的系统软件包 / Missing system packages (apt-get install …):"]
            banner += [f"  {pkg:<34} {what}" for pkg, what in missing]
            banner.append("")
        print("\n".join(banner), flush=True)
        os.environ["HALL_LOGIN_HINT"] = (
            f"演示：工号已填好，密码 {DEMO_CLERK_PIN} / Demo: the staff id is filled in, PIN {DEMO_CLERK_PIN}"
        )
        tmux = shutil.which("tmux")
        if tmux and not args.no_tmux and sys.stdin.isatty():
            return _tmux(tmux, apps, banner)
        print("在其他终端运行 / In other terminals run:")
        for name, cmd in apps.items():
            print(f"  {name:16} {shlex.join(cmd)}")
        print("\n按 Ctrl+C 停止 / Ctrl+C stops the hub.", flush=True)
        for out in hub.stdout:
            print(out, end="")
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        hub.terminate()
        try:
            hub.wait(10)
        except subprocess.TimeoutExpired:
            hub.kill()


def _tmux(tmux: str, apps: dict[str, list[str]], banner: list[str]) -> int:
    """The apps as tmux windows; 1 when tmux refuses."""
    hint = os.environ.get("HALL_LOGIN_HINT", "")
    prefix = f"cd {shlex.quote(os.getcwd())} && export HALL_LOGIN_HINT={shlex.quote(hint)} && "
    commands = {name: prefix + shlex.join(cmd) for name, cmd in apps.items()}
    try:
        if os.environ.get("TMUX"):
            return _in_current_session(tmux, commands)
        return _own_server(tmux, commands, banner)
    except subprocess.CalledProcessError as e:
        err = (e.stderr or "").strip()
        print(f"hall: tmux could not open the demo windows: {err or e}", file=sys.stderr)
        return 1


def _run(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()


def _in_current_session(tmux: str, commands: dict[str, str]) -> int:
    """Inside tmux: the apps open as windows of the current session; Ctrl+C here closes them."""
    ids: list[str] = []
    try:
        for name, command in commands.items():
            ids.append(
                _run(tmux, "new-window", "-d", "-P", "-F", "#{window_id}", "-n", name, command)
            )
        print(
            "演示窗口已在当前 tmux 会话中打开 / The demo's windows are open in this tmux session"
            " (prefix + w lists them).\n按 Ctrl+C 停止演示 / Ctrl+C here stops the demo.",
            flush=True,
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        for window_id in ids:
            subprocess.run([tmux, "kill-window", "-t", window_id], capture_output=True)


def _own_server(tmux: str, commands: dict[str, str], banner: list[str]) -> int:
    """Outside tmux: a session on the demo's own tmux server, attached until it is left."""
    t = [tmux, "-L", SOCKET]
    subprocess.run([*t, "kill-session", "-t", SESSION], capture_output=True)
    names = list(commands)
    _run(*t, "new-session", "-d", "-s", SESSION, "-n", names[0], "-x", "160", "-y", "48",
         commands[names[0]])  # fmt: skip
    for name in names[1:]:
        _run(*t, "new-window", "-t", SESSION, "-n", name, commands[name])
    info = (
        "printf '%s\\n' "
        + " ".join(shlex.quote(b) for b in banner)
        + f"; echo 'Alt+1..{len(names) + 1} 或点击底部标签切换 / Alt+1..{len(names) + 1} or click"
        " the tabs below'; exec bash --norc"
    )
    _run(*t, "new-window", "-t", SESSION, "-n", "info 说明", info)
    for opt in (["mouse", "on"], ["status-style", "bg=colour24,fg=white"]):
        _run(*t, "set-option", "-t", SESSION, *opt)
    for i in range(1, len(names) + 2):  # the demo's own server: these keys change nobody's tmux
        _run(*t, "bind-key", "-n", f"M-{i}", "select-window", "-t", f"{SESSION}:{i - 1}")
    _run(*t, "select-window", "-t", f"{SESSION}:0")
    try:
        attached = subprocess.run(
            [*t, "attach-session", "-t", SESSION], stderr=subprocess.PIPE, text=True
        )
    finally:
        subprocess.run([*t, "kill-server"], capture_output=True)
    if attached.returncode != 0:
        err = attached.stderr.strip()
        print(f"hall: tmux could not show the demo: {err or attached.returncode}", file=sys.stderr)
        return 1
    return 0
