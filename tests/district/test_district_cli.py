"""`hall serve --ship-to`, `hall district serve` and `hall district staff` as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.district import district_seqs
from support.wait import wait_for

from cli.main import main
from hub import district
from hub.store import HALLS, Store

pytestmark = pytest.mark.postgres
HALL = [sys.executable, "-m", "cli.main"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_district_staff_add_and_list(capsys: pytest.CaptureFixture[str], pg_url: str) -> None:
    status, out, err = run(
        capsys,
        "district",
        "staff",
        "add",
        "d001",
        "--name",
        "区主管",
        "--all",
        "--pin",
        "2468",
        "--db",
        pg_url,
    )
    assert status == 0, err
    assert "d001" in out and "every hall" in out
    status, _, _ = run(
        capsys, "district", "staff", "add", "d002", "--name", "甲乡专管", "--halls", "xiang-a, jie-b",
        "--pin", "1357", "--db", pg_url,
    )  # fmt: skip
    assert status == 0
    status, out, _ = run(capsys, "district", "staff", "list", "--db", pg_url)
    assert out.splitlines() == [
        "d001\t区主管\t全部 / all\tactive",
        "d002\t甲乡专管\tjie-b,xiang-a\tactive",
    ]
    store = Store(pg_url)
    try:
        who = district.login(store, "d002", "1357", datetime.now(UTC))
        assert who.halls == frozenset({"xiang-a", "jie-b"})
    finally:
        store.dispose()
    for bad in (["--halls", " , "], ["--all", "--pin", "12"]):
        args = ["district", "staff", "add", "d003", "--name", "x", *bad, "--db", pg_url]
        if "--pin" not in bad:
            args += ["--pin", "1234"]
        status, out, err = run(capsys, *args)
        assert status == 2 and err.startswith("hall: ") and "Traceback" not in err, err


def test_district_staff_disable_enable_remove(
    capsys: pytest.CaptureFixture[str], pg_url: str
) -> None:
    db = ["--db", pg_url]
    status, _, err = run(capsys, "district", "staff", "add", "d001", "--name", "区主管", "--all",
                         "--pin", "2468", *db)  # fmt: skip
    assert status == 0, err
    store = Store(pg_url)
    now = datetime.now(UTC)
    try:
        status, out, _ = run(capsys, "district", "staff", "disable", "d001", *db)
        assert status == 0 and "disabled" in out
        _, out, _ = run(capsys, "district", "staff", "list", *db)
        assert out.splitlines() == ["d001\t区主管\t全部 / all\tdisabled"]
        with pytest.raises(district.LoginError) as e:
            district.login(store, "d001", "2468", now)
        assert (e.value.zh, e.value.en) == ("工号或密码错误", "Wrong staff id or PIN")
        assert run(capsys, "district", "staff", "enable", "d001", *db)[0] == 0
        assert district.login(store, "d001", "2468", now).id == "d001"
        assert run(capsys, "district", "staff", "remove", "d001", *db)[0] == 0
        _, out, _ = run(capsys, "district", "staff", "list", *db)
        assert out.splitlines() == ["d001\t区主管\t全部 / all\tremoved"]
        with pytest.raises(district.LoginError):
            district.login(store, "d001", "2468", now)
        status, _, err = run(capsys, "district", "staff", "enable", "d001", *db)
        assert status == 2 and "add them again" in err and "Traceback" not in err
        status, _, err = run(capsys, "district", "staff", "disable", "nobody", *db)
        assert status == 2 and "no district supervisor nobody" in err
    finally:
        store.dispose()


def test_district_needs_postgresql(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "district", "staff", "list", "--db", str(tmp_path / "x.db"))
    assert status == 2 and "PostgreSQL" in err
    status, _, err = run(
        capsys, "serve", "--db", str(tmp_path / "x.db"), "--ship-to", str(tmp_path / "y.db")
    )
    assert status == 2 and "PostgreSQL" in err


@pytest.mark.timeout(300)
async def test_ship_to_and_district_serve(tmp_path: Path, pg_url: str) -> None:
    """A hall on SQLite started with --ship-to reaches the district the service shows."""
    env = {k: v for k, v in os.environ.items() if k not in ("HALL_DB", "HALL_HUB")}
    db = str(tmp_path / "hall.db")
    init = await asyncio.create_subprocess_exec(*HALL, "init", "--demo", "--db", db, env=env)
    assert await init.wait() == 0
    hub = await asyncio.create_subprocess_exec(
        *HALL, "serve", "--db", db, "--port", "0", "--ship-to", pg_url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    svc = await asyncio.create_subprocess_exec(
        *HALL, "district", "serve", "--db", pg_url, "--port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    store = Store(pg_url)
    try:
        assert hub.stdout is not None and svc.stdout is not None and svc.stderr is not None
        await asyncio.wait_for(hub.stdout.readline(), 120)
        line = (await asyncio.wait_for(svc.stdout.readline(), 120)).decode()
        m = re.search(r"http://127.0.0.1:(\d+)/district", line)
        if m is None:  # the service ended: say what it said
            await asyncio.wait_for(svc.wait(), 30)
            raise AssertionError(f"{line!r}; {(await svc.stderr.read()).decode()}")

        def catalogue() -> bool:
            with store.engine.connect() as conn:
                return conn.execute(HALLS.select().where(HALLS.c.id == "demo")).first() is not None

        await wait_for(catalogue, 30, "the hall's catalogue in the district")

        def get(path: str) -> tuple[int, str, bytes]:
            with urllib.request.urlopen(f"http://127.0.0.1:{m.group(1)}{path}", timeout=10) as r:
                return r.status, r.headers["Content-Type"], r.read()

        status, ctype, body = await asyncio.to_thread(get, "/district")
        assert status == 200 and ctype.startswith("text/html") and "区级看板" in body.decode()
        status, _, body = await asyncio.to_thread(get, "/healthz")
        assert json.loads(body)["status"] == "ok"
        assert district_seqs(store, "demo") == []  # a new hall: nothing to ship yet
        for p in (hub, svc):
            p.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(p.wait(), 30) == 0
        err = (await svc.stderr.read()).decode()
        assert "Traceback" not in err, err
    finally:
        for p in (hub, svc):
            if p.returncode is None:
                p.kill()
                await p.wait()
        store.dispose()
