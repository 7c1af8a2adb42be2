"""Bad input to `hall` never ends in a traceback: one plain sentence, a non-zero status, no change."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from hub import auth
from hub.store import Store

SCRIPT = Path(sys.executable).with_name("hall")
HALL = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli.main"]


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALL_DB", raising=False)


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run `hall ARGV` in process; it must fail with a message and no traceback: the message."""
    try:
        status = main(list(argv))
    except SystemExit as e:  # argparse refuses with its usage line
        status = int(e.code or 0)
    out, err = capsys.readouterr()
    assert status != 0, (argv, out)
    assert "Traceback" not in out + err and err.strip(), (argv, err)
    return err.strip().splitlines()[-1]


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert status == 0, (argv, err)
    return out


def test_a_gbk_catalogue_is_refused_as_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    toml = tmp_path / "hall.toml"
    toml.write_bytes('[hall]\nid = "gbk"\nname = "政务服务大厅"\n'.encode("gbk"))
    db = str(tmp_path / "hall.db")
    assert "UTF-8" in refused(capsys, "init", "--config", str(toml), "--db", db)
    assert not Path(db).exists() or Store(db).days("gbk") == []


def test_a_port_out_of_range_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "hall.db")
    for port in ("99999", "-1", "http"):
        assert "--port" in refused(capsys, "serve", "--port", port, "--db", db)
    assert "--port" in refused(capsys, "demo", "--port", "70000", "--db", db)


def test_a_malformed_database_url_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["staff", "list"], ["init", "--demo"], ["report"], ["device", "list"]):
        message = refused(capsys, *argv, "--db", "postgresql+psycopg://:::")
        assert "not a database URL" in message
    # a password in a URL that does not parse is not printed either
    message = refused(capsys, "staff", "list", "--db", "postgresql+psycopg://u:secret@h:x/db")
    assert "secret" not in message


def test_an_impossible_day_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "hall.db")
    ok(capsys, "init", "--demo", "--db", db)
    for day in ("2026-02-30", "2026-13-01", "yesterday"):
        assert "not a valid date" in refused(capsys, "report", "--day", day, "--db", db)


def test_staff_add_refuses_empty_names_fullwidth_pins_and_duplicates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "hall.db")
    ok(capsys, "init", "--demo", "--db", db)
    add = ("staff", "add", "--windows", "1", "--db", db)
    assert "non-empty" in refused(capsys, *add, "--id", "", "--name", "张敏", "--pin", "1234")
    assert "non-empty" in refused(capsys, *add, "--id", "c100", "--name", " ", "--pin", "1234")
    assert "full-width" in refused(
        capsys, *add, "--id", "c100", "--name", "张敏", "--pin", "１２３４"
    )
    store = Store(db)
    try:
        assert store.get_staff("demo", "c100") is None and store.get_staff("demo", "") is None
        # a catalogue clerk without a PIN is set up by add; one with a PIN needs --update
        ok(capsys, *add, "--id", "c001", "--name", "张敏", "--pin", "1234")
        message = refused(capsys, *add, "--id", "c001", "--name", "李四", "--pin", "5678")
        assert "--update" in message
        row = store.get_staff("demo", "c001")
        assert row is not None and row["name"] == "张敏"
        ok(capsys, *add, "--id", "c001", "--name", "李四", "--pin", "5678", "--update")
        row = store.get_staff("demo", "c001")
        assert row is not None and row["name"] == "李四"
    finally:
        store.dispose()


def test_a_revoked_devices_name_can_be_used_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "hall.db")
    ok(capsys, "init", "--demo", "--db", db)
    first = ok(capsys, "device", "add", "--name", "K1", "--db", db).splitlines()[-1]
    assert "K1" in refused(capsys, "device", "add", "--name", "K1", "--db", db)  # still in use
    ok(capsys, "device", "revoke", "K1", "--db", db)
    second = ok(capsys, "device", "add", "--name", "K1", "--db", db).splitlines()[-1]
    assert second != first
    store = Store(db)
    try:
        assert store.device_by_token("demo", auth.token_hash(first)) is None
        dev = store.device_by_token("demo", auth.token_hash(second))
        assert dev is not None and dev["name"] == "K1"
    finally:
        store.dispose()
    assert "K1\tkiosk\tactive" in ok(capsys, "device", "list", "--db", db)


def test_the_console_script_prints_no_traceback(tmp_path: Path) -> None:
    """The same through the installed `hall` script, as a user runs it."""
    toml = tmp_path / "hall.toml"
    toml.write_bytes('[hall]\nid = "gbk"\nname = "大厅"\n'.encode("gbk"))
    for argv in (
        ["init", "--config", str(toml)],
        ["serve", "--port", "99999"],
        ["staff", "list", "--db", "postgresql+psycopg://:::"],
    ):
        done = subprocess.run(
            [*HALL, *argv, *([] if "--db" in argv else ["--db", str(tmp_path / "x.db")])],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0 and done.stderr.strip(), (argv, done)
        assert "Traceback" not in done.stderr, (argv, done.stderr)


def test_a_public_url_phones_cannot_reach_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "hall.db")
    ok(capsys, "init", "--demo", "--db", db)
    serve = ("serve", "--db", db, "--host", "0.0.0.0", "--port", "0")
    for url in ("http://0.0.0.0:8765", "http://localhost:8765", "http://127.0.0.1:8765"):
        assert "phones cannot reach" in refused(capsys, *serve, "--public-url", url)
    assert "http://" in refused(capsys, *serve, "--public-url", "192.168.1.10:8765")


async def test_serve_on_all_addresses_puts_a_lan_address_in_the_qr_codes(tmp_path: Path) -> None:
    from hub.cli import lan_address

    db = str(tmp_path / "hall.db")
    subprocess.run([*HALL, "init", "--demo", "--db", db], check=True, capture_output=True)
    proc = subprocess.Popen(
        [*HALL, "serve", "--db", db, "--host", "0.0.0.0", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 60)
        m = re.search(r"\(board (http://[^/]+)/board\)", line)
        assert m, line
        addr = lan_address()
        assert addr is not None, "this machine has no LAN address to test with"
        assert m.group(1).startswith(f"http://{addr}:") and "0.0.0.0" not in m.group(1)
        warning = await asyncio.wait_for(asyncio.to_thread(proc.stderr.readline), 60)
        assert "--public-url" in warning and m.group(1) in warning
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
