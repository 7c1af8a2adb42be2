"""`hall demo`: the first ticket is one the demo counter can call; inside tmux it opens its windows
in the current session (a private tmux server here, `-L`), and it exits non-zero when tmux refuses."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.client import HubClient

SCRIPT = Path(sys.executable).with_name("hall")
HALL = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli.main"]
WAIT = 120.0  # four Textual apps start on a loaded machine: generous, it measures nothing
# a whole demo starts and stops in each test: on a loaded machine that alone can take
# minutes (the suite's 120 s per test is for tests that start one hub)
pytestmark = pytest.mark.timeout(600)


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("HALL_DB", "HALL_HUB", "TMUX")}
    e["PYTHONUNBUFFERED"] = "1"
    return e


def wait_until(cond: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


async def test_the_first_ticket_is_called_by_the_demo_counter(tmp_path: Path) -> None:
    # started with SIGINT ignored, as a background job of a shell script starts it: Ctrl+C
    # (SIGINT) must still stop the demo
    proc = subprocess.Popen(
        [*HALL, "demo", "--no-tmux", "--db", str(tmp_path / "hall.db"), "--port", "0"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env(),
        preexec_fn=ignore_sigint,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("Ctrl+C" in x for x in lines):
            line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), WAIT)
            assert line, "".join(lines)
            lines.append(line)
        out = "".join(lines)
        # keep reading what the demo prints (the hub's log) so that it never blocks
        # on a full pipe, and can answer Ctrl+C at the end
        rest: list[str] = []
        drain = threading.Thread(target=lambda: rest.extend(proc.stdout or ()), daemon=True)
        drain.start()
        assert "Traceback" not in out
        m = re.search(r"counter\s+(c\d+) at window (\d+), PIN (\d+): serves (\S+),", out)
        assert m, out
        clerk, window, pin, service = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        assert service == "MZ-01"  # the kiosk's first tile: 民政局, its first service
        assert re.search(r"desk\s+c024, PIN 1234", out), out
        assert re.search(rf"MZ\s+windows [0-9,]*\b{window}\b.*{clerk}.*民政局", out), out
        url = re.search(r"hub\s+(ws://\S+)", out)
        assert url, out
        # the demo's first ticket is the sample; the demo counter calls it with F1 (call_next)
        client = HubClient(
            url.group(1), {"role": "counter", "staff": clerk, "pin": pin, "window": window}
        )
        task = asyncio.create_task(client.run())
        try:
            assert await client.wait_online(30)
            called = await client.request("call_next", timeout=30)
            assert called["ticket"]["service"] == "MZ-01"
        finally:
            await client.close()
            await asyncio.wait_for(task, 30)
        # the demo's desk clerk logs in to the consultation desk with the printed PIN
        desk = HubClient(url.group(1), {"role": "desk", "staff": "c024", "pin": pin})
        task = asyncio.create_task(desk.run())
        try:
            assert await desk.wait_online(30)
        finally:
            await desk.close()
            await asyncio.wait_for(task, 30)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()  # leave no demo (and its hub) behind
            proc.wait()
            raise AssertionError("the demo did not stop on Ctrl+C (SIGINT)") from None
        assert rc == 0


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[list[str]]:
    """A private tmux server (its own -L socket): the tests never touch the user's tmux."""
    if subprocess.run(["which", "tmux"], capture_output=True).returncode != 0:
        pytest.fail("tmux is not installed (apt-get install tmux)")
    cmd = ["tmux", "-L", f"hall-test-{secrets.token_hex(4)}", "-f", "/dev/null"]
    yield cmd
    subprocess.run([*cmd, "kill-server"], capture_output=True)


def windows(tmux: list[str]) -> list[str]:
    done = subprocess.run(
        [*tmux, "list-windows", "-a", "-F", "#{window_name}"], capture_output=True, text=True
    )
    return done.stdout.splitlines()


def start_in_tmux(tmux: list[str], tmp_path: Path, shell: str) -> None:
    """Run `shell` in a new session of the private server (a terminal, as a user has one)."""
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "outer", "-n", "shell", "-x", "200", "-y", "50",
         f"cd {shlex.quote(str(tmp_path))} && {shell}; echo $? > rc; sleep 600"],
        check=True,
        env=env(),
    )  # fmt: skip


def demo(tmp_path: Path) -> str:
    return shlex.join(
        [*HALL, "demo", "--db", str(tmp_path / "hall.db"), "--port", "0", "--printer", "none"]
    )


def test_demo_inside_tmux_opens_its_windows_in_the_current_session(
    tmux: list[str], tmp_path: Path
) -> None:
    start_in_tmux(tmux, tmp_path, demo(tmp_path))
    apps = {"kiosk 取号", "desk 咨询台", "board 大厅屏", "supervisor 主管"}
    try:
        wait_until(
            lambda: apps <= set(windows(tmux)) and len(windows(tmux)) == 6, "the demo windows"
        )
    except AssertionError:
        pane = subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", "outer:shell"], capture_output=True, text=True
        ).stdout
        raise AssertionError(f"windows {windows(tmux)}; the demo's pane:\n{pane}") from None
    names = windows(tmux)
    assert names[0] == "shell" and "kiosk 取号" in names and "board 大厅屏" in names
    assert "desk 咨询台" in names
    assert any(n.startswith("counter 窗口") for n in names)
    rc = tmp_path / "rc"
    time.sleep(1)  # the demo is waiting for Ctrl+C: nothing ended it
    assert not rc.exists()
    subprocess.run([*tmux, "send-keys", "-t", "outer:shell", "C-c"], check=True)
    wait_until(rc.exists, "the demo to exit")
    wait_until(lambda: rc.read_text().strip() != "", "the exit status")
    assert rc.read_text().strip() == "0"
    wait_until(lambda: windows(tmux) == ["shell"], "the demo windows closed")


def test_demo_exits_non_zero_when_tmux_refuses(tmux: list[str], tmp_path: Path) -> None:
    # TMUX names a server that is not there: tmux refuses every window
    bogus = shlex.quote(f"{tmp_path}/no-such-socket,1,0")
    start_in_tmux(tmux, tmp_path, f"TMUX={bogus} {demo(tmp_path)} 2> err")
    rc = tmp_path / "rc"
    wait_until(lambda: rc.exists() and rc.read_text().strip(), "the demo to exit")
    assert rc.read_text().strip() == "1"
    err = (tmp_path / "err").read_text()
    assert "tmux could not open the demo windows" in err and "Traceback" not in err


def test_demo_names_the_missing_system_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    import cli.demo
    import kiosk.printer

    monkeypatch.setattr(kiosk.printer, "find_cjk_font", lambda: None)
    monkeypatch.setattr(cli.demo.shutil, "which", lambda name: None)
    missing = dict(cli.demo.missing_packages())
    assert set(missing) == {cli.demo.CJK_PACKAGES, "espeak-ng", "chromium", "tmux"}
    assert "voice" in missing["espeak-ng"] and "Chinese" in missing[cli.demo.CJK_PACKAGES]
    monkeypatch.setattr(kiosk.printer, "find_cjk_font", lambda: ("/f.ttc", 0))
    monkeypatch.setattr(cli.demo.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert cli.demo.missing_packages() == []
