"""The `hall` console script: init, staff, device, report (in process), serve (a real process).

The forms are a contract (docs/DESIGN.md, "Configuration and commands"): scripts
outside the project call them, read the token on the last line of `device
add`, wait for the `ws://` line of `serve`, and expect one plain sentence on
stderr with a non-zero status when something is wrong.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from support import raw

from cli.main import main
from hub import auth
from hub.catalogue import DEMO_PATH
from hub.server import HubServer
from hub.store import DEVICES, HALLS, STAFF, Store

SCRIPT = Path(sys.executable).with_name("hall")
HALL = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli.main"]
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # 256 bits, URL-safe base64


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The --db of one test: a SQLite file in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "hall.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALL_DB", raising=False)


def hall(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `hall ARGV` in process: (status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status, out, err = hall(capsys, *argv)
    assert status == 0, f"hall {' '.join(argv)}: {err}"
    return out


def one_sentence(err: str) -> str:
    """The error on stderr: one line, `hall: ...`, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hall: ") and "Traceback" not in err, err
    return lines[0]


def rows(store: Store, table: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings().all()]


def db_bytes(db: str) -> bytes:
    """Everything SQLite wrote for this database (main file and WAL)."""
    return b"".join(p.read_bytes() for p in Path(db).parent.glob(Path(db).name + "*"))


# --- init --------------------------------------------------------------------------


def test_init_twice_changes_nothing(capsys: pytest.CaptureFixture[str], db: str) -> None:
    out = ok(capsys, "init", "--demo", "--db", db)
    assert "demo" in out and "created" in out
    ok(
        capsys,
        "staff",
        "add",
        "--id",
        "c001",
        "--name",
        "张敏",
        "--pin",
        "4321",
        "--windows",
        "1,2",
        "--db",
        db,
    )
    store = Store(db)
    try:
        before = (rows(store, HALLS), rows(store, STAFF))
        out = ok(capsys, "init", "--demo", "--db", db)
        assert "nothing changed" in out
        assert (rows(store, HALLS), rows(store, STAFF)) == before  # same secret, PIN kept
        assert len(before[0]) == 1
    finally:
        store.dispose()


def test_init_with_a_bad_catalogue(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "hall.db")
    text = DEMO_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("minutes = 10\n", "minutes = 0\n", 1), encoding="utf-8")
    status, out, err = hall(capsys, "init", "--config", str(bad), "--db", db)
    assert status != 0 and out == ""
    line = one_sentence(err)
    # the file, the entry and the field
    assert (
        str(bad) in line
        and re.search(r"services\[\d+\] \([A-Z]{2}-\d\d\)", line)
        and "'minutes'" in line
    ), line
    # nothing was stored
    status, _, err = hall(capsys, "staff", "list", "--db", db)
    assert status != 0 and "hall init" in one_sentence(err)

    for content, expected in [
        ('[hall]\nid = "x"\nname = "x"\n', "name_en"),  # a missing field
        ("[hall\n", "invalid TOML"),
    ]:
        bad.write_text(content, encoding="utf-8")
        status, _, err = hall(capsys, "init", "--config", str(bad), "--db", db)
        assert status != 0
        line = one_sentence(err)
        assert str(bad) in line and expected in line, line
    status, _, err = hall(capsys, "init", "--config", str(tmp_path / "nowhere.toml"), "--db", db)
    assert status != 0 and "nowhere.toml" in one_sentence(err)


def test_init_never_prints_a_password(capsys: pytest.CaptureFixture[str], pg_url: str) -> None:
    url = make_url(pg_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    for _ in range(2):  # created, then exists already
        out = ok(capsys, "init", "--demo", "--db", url)
        assert "s3cret-pw" not in out and "postgres:***@" in out, out


def test_a_second_hall_in_the_same_database(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    town = tmp_path / "town.toml"
    town.write_text(
        DEMO_PATH.read_text(encoding="utf-8").replace('id = "demo"', 'id = "xiaojing"', 1),
        encoding="utf-8",
    )
    ok(capsys, "init", "--demo", "--db", db)
    assert "created hall xiaojing" in ok(capsys, "init", "--config", str(town), "--db", db)
    status, _, err = hall(capsys, "staff", "list", "--db", db)
    assert status != 0 and "--hall" in one_sentence(err)
    assert "c001" in ok(capsys, "staff", "list", "--db", db, "--hall", "xiaojing")


def test_commands_on_a_database_they_cannot_use(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = hall(capsys, "device", "list", "--db", str(tmp_path / "empty.db"))
    assert status != 0 and "hall init" in one_sentence(err)
    status, _, err = hall(
        capsys, "report", "--db", "postgresql+psycopg://postgres:secret@127.0.0.1:1/none"
    )
    line = one_sentence(err)
    assert status != 0 and "127.0.0.1:1" in line and "secret" not in line, line
    status, _, err = hall(capsys, "staff", "list", "--db", "mysql://u@h/x")
    assert status != 0 and "mysql" in one_sentence(err)


# --- staff and devices --------------------------------------------------------------


def test_staff_add_and_list(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ok(capsys, "init", "--demo", "--db", db)
    pin = "80264179"
    out = ok(
        capsys,
        "staff",
        "add",
        "--id",
        "c100",
        "--name",
        "赵磊",
        "--pin",
        pin,
        "--windows",
        "3,4",
        "--db",
        db,
    )
    assert pin not in out and "c100" in out
    out = ok(
        capsys,
        "staff",
        "add",
        "--id",
        "s002",
        "--name",
        "刘洋",
        "--pin",
        "97531",
        "--supervisor",
        "--db",
        db,
    )
    listing = ok(capsys, "staff", "list", "--db", db)
    assert pin not in listing and "97531" not in listing
    line = next(x for x in listing.splitlines() if x.startswith("c100"))
    assert "赵磊" in line and "3,4" in line and "PIN set" in line
    assert "supervisor" in next(x for x in listing.splitlines() if x.startswith("s002"))
    assert "no PIN" in next(
        x for x in listing.splitlines() if x.startswith("c002")
    )  # from the catalogue

    store = Store(db)
    try:
        row = store.get_staff("demo", "c100")
        assert row is not None
        assert row["pin_hash"].startswith("scrypt$") and pin not in row["pin_hash"]
        assert auth.check_pin(pin, row["pin_hash"]) and not auth.check_pin("0000", row["pin_hash"])
        assert (row["windows"], row["supervisor"]) == ([3, 4], False)
        # a new PIN replaces the old one and lifts a lockout
        store.set_staff_failures("demo", "c100", 4, None)
        ok(
            capsys,
            "staff",
            "add",
            "--id",
            "c100",
            "--name",
            "赵磊",
            "--pin",
            "1111",
            "--windows",
            "3",
            "--update",
            "--db",
            db,
        )
        row = store.get_staff("demo", "c100")
        assert row is not None and auth.check_pin("1111", row["pin_hash"]) and row["failures"] == 0
    finally:
        store.dispose()
    if not db.startswith("postgresql"):
        assert pin.encode() not in db_bytes(db)

    for argv, word in [
        (["--pin", "12ab", "--windows", "1"], "PIN"),
        (["--pin", "123", "--windows", "1"], "PIN"),
        (["--pin", "1234", "--windows", "99"], "99"),
        (["--pin", "1234", "--windows", "1,x"], "--windows"),
        (["--pin", "1234"], "--windows"),  # a clerk needs windows
    ]:
        status, out, err = hall(
            capsys, "staff", "add", "--id", "c200", "--name", "x", *argv, "--db", db
        )
        assert status != 0 and word in one_sentence(err), (argv, err)
        assert argv[1] not in out


def test_device_add_list_revoke(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ok(capsys, "init", "--demo", "--db", db)
    out = ok(capsys, "device", "add", "--role", "kiosk", "--name", "K1", "--db", db)
    token = out.rstrip("\n").splitlines()[-1]
    assert TOKEN.fullmatch(token), out  # alone on the last line
    assert out.count(token) == 1
    store = Store(db)
    try:
        (dev,) = rows(store, DEVICES)
        assert dev["token_hash"] == auth.token_hash(token) and token not in dev["token_hash"]
        assert (dev["name"], dev["role"], dev["revoked"]) == ("K1", "kiosk", False)
    finally:
        store.dispose()
    if not db.startswith("postgresql"):
        assert token.encode() not in db_bytes(db)

    other = ok(capsys, "device", "add", "--name", "K2", "--db", db).splitlines()[-1]
    assert TOKEN.fullmatch(other) and other != token
    status, _, err = hall(capsys, "device", "add", "--role", "kiosk", "--name", "K1", "--db", db)
    assert status != 0 and "K1" in one_sentence(err)

    listing = ok(capsys, "device", "list", "--db", db)
    assert token not in listing and other not in listing
    m = re.search(r"^K1\tkiosk\tactive\t(\d{4}-\d\d-\d\d \d\d:\d\d)\tnever\t-$", listing, re.M)
    assert m, listing
    # when it was added, in the hall's time (Asia/Shanghai), not UTC
    added = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M").replace(
        tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert abs(added - datetime.now(UTC)) < timedelta(minutes=5)
    ok(capsys, "device", "revoke", "K1", "--db", db)
    listing = ok(capsys, "device", "list", "--db", db)
    assert re.search(r"^K1\tkiosk\trevoked", listing, re.M) and re.search(
        r"^K2\tkiosk\tactive", listing, re.M
    )
    status, _, err = hall(capsys, "device", "revoke", "K9", "--db", db)
    assert status != 0 and "K9" in one_sentence(err)


async def test_a_revoked_kiosk_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "hall.db")
    ok(capsys, "init", "--demo", "--db", db)
    token = ok(capsys, "device", "add", "--role", "kiosk", "--name", "K1", "--db", db).splitlines()[
        -1
    ]
    store = Store(db)
    hall_, secret = store.load_hall()
    server = HubServer(store, hall_, secret, host="127.0.0.1", port=0)
    await server.start()
    try:
        c = await raw.hello(server.url, role="kiosk", token=token)
        assert (await c.ok("issue", service="JS-01"))["ticket"]["number"] == "F001"
        await c.close()
        ok(capsys, "device", "revoke", "K1", "--db", db)
        with pytest.raises(raw.Refused) as refused:
            await raw.hello(server.url, role="kiosk", token=token)
        assert refused.value.code == "auth_failed" and refused.value.close_code == 4001
    finally:
        await server.stop()
        store.dispose()


# --- report -------------------------------------------------------------------------


async def test_report_json_and_csv(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ok(capsys, "init", "--demo", "--db", db)
    ok(
        capsys,
        "staff",
        "add",
        "--id",
        "c001",
        "--name",
        "张敏",
        "--pin",
        "1234",
        "--windows",
        "1,2",
        "--db",
        db,
    )
    token = ok(capsys, "device", "add", "--name", "K1", "--db", db).splitlines()[-1]
    status, _, err = hall(capsys, "report", "--db", db)
    assert status != 0 and "no records" in one_sentence(err)

    store = Store(db)
    hall_, secret = store.load_hall()
    server = HubServer(store, hall_, secret, host="127.0.0.1", port=0)
    await server.start()
    try:
        kiosk = await raw.hello(server.url, role="kiosk", token=token)
        for service in ("JS-01", "JS-02", "WT-01"):
            await kiosk.ok("issue", service=service)
        counter = await raw.hello(server.url, role="counter", staff="c001", pin="1234", window=1)
        await counter.ok("call_next")
        await counter.ok("start")
        await counter.ok("finish", outcome="done")
        await counter.ok("call_next")
        await counter.ok("no_show")
        day = server.engine.day.isoformat()
        live = server.engine.metrics(server.clock())
        await kiosk.close()
        await counter.close()
    finally:
        await server.stop()
        store.dispose()

    # a bare `hall report` is the period report of the latest recorded day, as --day D
    m = json.loads(ok(capsys, "report", "--format", "json", "--db", db))
    assert (m["from"], m["to"]) == (day, day)
    assert (m["hall"]["received"], m["hall"]["no_show"]) == (
        live["hall"]["received"],
        live["hall"]["no_show"],
    )
    assert set(m) >= {"from", "to", "hall", "windows", "departments", "clerks", "services"}
    assert (
        m["hall"]["received"],
        m["hall"]["completed"],
        m["hall"]["completion_rate"],
        m["hall"]["tickets"],
        m["hall"]["no_show"],
    ) == (1, 1, 1.0, 2, 1)
    w1 = m["windows"][0]
    assert (
        w1["window"],
        w1["received"],
        w1["completed"],
        w1["tickets"],
        w1["no_show"],
        w1["completion_rate"],
    ) == (1, 1, 1, 2, 1, 1.0)
    assert {"open", "overdue", "on_time_rate", "avg_wait_s", "class"} <= set(w1)
    assert len(m["windows"]) == 31
    again = json.loads(ok(capsys, "report", "--format", "json", "--day", day, "--db", db))
    assert again == m

    table = list(csv.reader(io.StringIO(ok(capsys, "report", "--format", "csv", "--db", db))))
    header, body = table[0], table[1:]
    assert header[:2] == ["窗口", "名称"] and "办结率" in header
    assert len(body) == 31
    row = dict(zip(header, body[0], strict=True))
    assert (row["窗口"], row["收件(件)"], row["办结(件)"], row["过号(张)"], row["办结率"]) == (
        "1",
        "1",
        "1",
        "1",
        "100.0%",
    )

    text = ok(capsys, "report", "--lang", "en", "--db", db)
    assert day in text and "received 1" in text

    # one row per ticket, with the times of each step and the derived durations
    rows = list(
        csv.DictReader(
            io.StringIO(ok(capsys, "report", "--tickets", "--format", "csv", "--db", db))
        )
    )
    assert [(r["number"], r["state"]) for r in rows] == [
        ("F001", "done"),
        ("F002", "no_show"),
        ("H001", "waiting"),
    ]
    done = rows[0]
    issued, called = (
        datetime.fromisoformat(done["issued_at"]),
        datetime.fromisoformat(done["called_at"]),
    )
    started, ended = (
        datetime.fromisoformat(done["started_at"]),
        datetime.fromisoformat(done["ended_at"]),
    )
    assert float(done["wait_s"]) == pytest.approx((called - issued).total_seconds(), abs=1e-3)
    assert float(done["walk_s"]) == pytest.approx((started - called).total_seconds(), abs=1e-3)
    assert float(done["service_s"]) == pytest.approx((ended - started).total_seconds(), abs=1e-3)
    assert (done["window"], done["staff"], done["first_window"], done["over_target"]) == (
        "1",
        "c001",
        "1",
        "False",
    )
    assert rows[1]["service_s"] == "" and rows[2]["wait_s"] == ""
    as_json = json.loads(ok(capsys, "report", "--tickets", "--format", "json", "--db", db))
    assert [r["id"] for r in as_json] == [r["id"] for r in rows]

    # a day without records: a period report of zeros; its tickets: none to list
    empty = json.loads(ok(capsys, "report", "--day", "2020-01-01", "--format", "json", "--db", db))
    assert (empty["from"], empty["hall"]["received"], empty["hall"]["tickets"]) == (
        "2020-01-01",
        0,
        0,
    )
    status, _, err = hall(capsys, "report", "--tickets", "--day", "2020-01-01", "--db", db)
    assert status != 0 and "2020-01-01" in one_sentence(err)


# --- serve --------------------------------------------------------------------------


@pytest.mark.timeout(120)
async def test_serve_prints_its_url_and_stops_on_sigterm(db: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HALL_DB", "HALL_HUB")}
    done = subprocess.run(
        [*HALL, "init", "--demo", "--db", db], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    proc = await asyncio.create_subprocess_exec(
        *HALL, "serve", "--db", db, "--port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        m = re.search(r"ws://([\d.]+):(\d+)/ws", line)
        assert m and m.group(1) == "127.0.0.1" and int(m.group(2)) > 0, line
        port = int(m.group(2))

        def get(path: str) -> tuple[int, str, bytes]:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                return r.status, r.headers["Content-Type"], r.read()

        status, ctype, body = await asyncio.to_thread(get, "/healthz")
        health = json.loads(body)
        assert status == 200 and ctype.startswith("application/json")
        assert (
            health["status"] == "ok"
            and health["seq"] == 0
            and re.fullmatch(r"\d{4}-\d\d-\d\d", health["day"])
        )

        display = await raw.hello(m.group(0), role="display")

        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        assert await display.wait_closed() == 1001
        rest = (await proc.stdout.read()).decode()
        assert rest == "", f"serve printed more than one line: {rest!r}"
        err = (await proc.stderr.read()).decode()
        assert "Traceback" not in err, err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_serve_without_a_hall(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HALL_DB"}
    done = subprocess.run(
        [*HALL, "serve", "--db", str(tmp_path / "none.db"), "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode != 0 and done.stdout == ""
    assert "hall init" in one_sentence(done.stderr)


def test_serve_on_a_busy_port(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "hall.db")
    ok(capsys, "init", "--demo", "--db", db)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, out, err = hall(capsys, "serve", "--db", db, "--port", str(port))
    assert status != 0 and out == ""
    assert f"127.0.0.1:{port}" in one_sentence(err)
