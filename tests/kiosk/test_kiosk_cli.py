"""`hall kiosk` options: plain one-sentence errors, and --web serving the app to a browser."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kiosk.__main__ import add_arguments, run

ROOT = Path(__file__).resolve().parents[2]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser, common=True)
    return parser.parse_args(list(argv))


def test_defaults() -> None:
    args = parse("--token", "T")
    assert args.printer == "none" and args.qr == "native"
    assert args.idle == 30.0 and args.lang == "zh" and not args.web
    assert args.admin_pin is None  # then env HALL_KIOSK_PIN, else "0000"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ((), "device token"),
        (("--token", "T", "--printer", "lpt1"), "printer URL"),
        (("--token", "T", "--printer", "net://"), "needs a host"),
        (("--token", "T", "--idle", "0"), "--idle"),
        (("--token", "T", "--hub", "http://x"), "ws://"),
    ],
)
def test_bad_options_fail_in_one_sentence(
    argv: tuple[str, ...],
    words: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HALL_KIOSK_TOKEN", raising=False)
    assert run(parse(*argv)) == 2
    err = capsys.readouterr().err
    assert err.startswith("hall kiosk: ") and words in err
    assert "Traceback" not in err and err.count("\n") == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_web_serves_the_kiosk_page(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HALL_KIOSK_TOKEN": "tok-SECRET-123"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--web", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    page = r.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "hall kiosk" in page
        assert "tok-SECRET-123" not in page  # the token goes through the environment
    finally:
        proc.terminate()
        proc.wait(10)
