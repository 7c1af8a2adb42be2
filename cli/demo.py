"""`hall demo`: the demo hall in one terminal.

Sets up the demo catalogue in the database (once), demo staff PINs and a demo
kiosk token, starts the hub, and opens the kiosk, a counter (window 1, clerk
c001), the lobby board and the supervisor board as tmux tabs. Without tmux it
runs the hub and prints the commands to run in other terminals.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

DEMO_CLERK_PIN = "1234"
DEMO_SUPERVISOR = ("s001", "9999")
SESSION = "hall-demo"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of `hall demo`."""
    p.add_argument(
        "--port", type=int, default=8765, help="hub port (a free one is picked if taken)"
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


def _free_port(host: str, port: int) -> int:
    with socket.socket() as s:
        try:
            s.bind((host, port))
            return port
        except OSError:
            s.bind((host, 0))
            return int(s.getsockname()[1])


def prepare(db: str | None) -> tuple[str, str]:
    """Make the demo database ready; return (db URL argument, kiosk token)."""
    from hub import auth
    from hub.catalogue import DEMO_PATH, load_catalogue
    from hub.store import Store

    store = Store(db)
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
    return store.url, token


async def _sample_ticket(url: str, token: str) -> str | None:
    from shared.client import HubClient

    client = HubClient(url, {"role": "kiosk", "token": token})
    task = asyncio.create_task(client.run())
    try:
        if not await client.wait_online(10):
            return None
        hall = client.welcome["hall"] if client.welcome else {}
        service = hall["windows"][0]["services"][0]
        reply = await client.request("issue", service=service, timeout=10)
        return str(reply["url"])
    except Exception:
        return None
    finally:
        await client.close()
        task.cancel()


def run(args: argparse.Namespace) -> int:
    """Run the demo hall."""
    db_url, token = prepare(args.db)
    port = _free_port(args.host, args.port)
    hub_url = f"ws://{args.host if args.host != '0.0.0.0' else '127.0.0.1'}:{port}/ws"
    serve = _hall("serve", "--db", db_url, "--host", args.host, "--port", str(port))
    if args.public_url:
        serve += ["--public-url", args.public_url]
    hub = subprocess.Popen(serve, stdout=subprocess.PIPE, text=True)
    assert hub.stdout is not None
    line = hub.stdout.readline()
    if "ws://" not in line:
        print("hall: the hub did not start (see the messages above)", file=sys.stderr)
        return 1
    http = hub_url.replace("ws://", "http://").removesuffix("/ws")
    sample = asyncio.run(_sample_ticket(hub_url, token))
    printer = args.printer or "preview://var/tickets"
    apps = {
        "kiosk 取号": _hall("kiosk", "--hub", hub_url, "--token", token, "--printer", printer),
        "counter 窗口1": _hall("counter", "--hub", hub_url, "--window", "1", "--staff", "c001"),
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
        f"  clerks        c001 … c031, PIN {DEMO_CLERK_PIN} (c001 serves window 1)",
        f"  supervisor    s001, PIN {DEMO_SUPERVISOR[1]}",
        "  kiosk token   var/demo-kiosk.token   · ticket pictures in var/tickets/",
        "",
    ]
    print("\n".join(banner), flush=True)
    os.environ["HALL_LOGIN_HINT"] = (
        f"演示：工号 c001，密码 {DEMO_CLERK_PIN} / Demo: staff c001, PIN {DEMO_CLERK_PIN}"
    )
    tmux = shutil.which("tmux")
    try:
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
    hint = os.environ.get("HALL_LOGIN_HINT", "")
    env_prefix = (
        "cd "
        + shlex.quote(os.getcwd())
        + " && export HALL_LOGIN_HINT="
        + shlex.quote(hint)
        + " && "
    )
    subprocess.run([tmux, "kill-session", "-t", SESSION], capture_output=True)
    names = list(apps)
    first = names[0]
    subprocess.run(
        [
            tmux,
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-n",
            first,
            "-x",
            "160",
            "-y",
            "48",
            env_prefix + shlex.join(apps[first]),
        ],
        check=True,
    )
    for name in names[1:]:
        subprocess.run(
            [tmux, "new-window", "-t", SESSION, "-n", name, env_prefix + shlex.join(apps[name])],
            check=True,
        )
    info = (
        "printf '%s\\n' "
        + " ".join(shlex.quote(b) for b in banner)
        + "; echo 'Alt+1..5 或点击底部标签切换 / Alt+1..5 or click the tabs below'; exec bash --norc"
    )
    subprocess.run([tmux, "new-window", "-t", SESSION, "-n", "info 说明", info], check=True)
    for opt in (
        ["mouse", "on"],
        ["status-style", "bg=colour24,fg=white"],
        ["remain-on-exit", "off"],
    ):
        subprocess.run([tmux, "set-option", "-t", SESSION, *opt], check=True)
    for i in range(1, 6):
        subprocess.run(
            [tmux, "bind-key", "-n", f"M-{i}", "select-window", "-t", f"{SESSION}:{i - 1}"],
            check=True,
        )
    subprocess.run([tmux, "select-window", "-t", f"{SESSION}:0"], check=True)
    time.sleep(0.2)
    subprocess.run([tmux, "attach-session", "-t", SESSION])
    subprocess.run([tmux, "kill-session", "-t", SESSION], capture_output=True)
    return 0
