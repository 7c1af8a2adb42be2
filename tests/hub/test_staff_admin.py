"""`hall staff disable|enable|remove|set|passwd|unlock` and `hall device list` against a running hub.

The CLI runs in this process (a worker thread, its own database connection)
while a real hub serves the same SQLite file: the hub learns of the change by
itself (it reads the staff table once a second) and logs the clerk out.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from support.raw import Refused, counter, hello, kiosk, supervisor

from cli.main import main
from hub import auth

pytestmark = pytest.mark.fast_hub


async def hall(capsys: pytest.CaptureFixture[str], hub: Any, *args: str) -> str:
    """Run `hall ARGS --db <the hub's database>`; its stdout (it must succeed)."""
    status = await asyncio.to_thread(main, [*args, "--db", str(hub.db)])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


async def refused_hello(url: str, **fields: Any) -> tuple[str, int | None]:
    with pytest.raises(Refused) as r:
        await hello(url, **fields)
    return r.value.frame["code"], r.value.close_code


async def test_disable_logs_a_clerk_out_at_once_and_refuses_them(
    hub: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sid, pin = hub.clerk(1)
    c = await counter(hub, 1)
    s = await supervisor(hub)
    other = await counter(hub, 3)
    await hall(capsys, hub, "staff", "disable", sid)
    out = await c.next("logged_out")
    assert (out["code"], out["window"]) == ("disabled", 1) and "停用" in out["reason"]
    assert await c.wait_closed() == 4003
    # their window is closed for them: nobody holds it, the board sees it
    closed = await s.next(lambda f: f.get("type") == "window_closed")
    assert closed["window"]["number"] == 1 and closed["window"]["staff"] is None
    clerk = {"role": "counter", "staff": sid, "pin": pin, "window": 1}
    assert await refused_hello(hub.url, **clerk) == ("auth_failed", 4001)
    # nobody else was touched
    await other.ok("pause", reason="break")
    await hall(capsys, hub, "staff", "enable", sid)
    again = await hello(hub.url, **clerk)
    await again.close()
    # removed: refused, and the name stays for the history of past tickets
    await hall(capsys, hub, "staff", "remove", sid)
    assert await refused_hello(hub.url, **clerk) == ("auth_failed", 4001)
    listing = await hall(capsys, hub, "staff", "list")
    assert re.search(rf"^{sid}\t\S+\twindows=-\tno PIN removed$", listing, re.M), listing
    await s.close()
    await other.close()


async def test_set_windows_passwd_and_unlock(hub: Any, capsys: pytest.CaptureFixture[str]) -> None:
    sid, pin = hub.clerk(1)
    c = await counter(hub, 1)
    row = hub.store.get_staff(hub.hall.id, sid)
    keep = [w for w in row["windows"] if w != 1] or [2]
    await hall(capsys, hub, "staff", "set", sid, "--windows", ",".join(map(str, keep)))
    assert (await c.next("logged_out"))["code"] == "window_removed"
    assert await c.wait_closed() == 4003

    w = keep[0]
    await hall(capsys, hub, "staff", "passwd", sid, "--pin", "86420")
    clerk = {"role": "counter", "staff": sid, "window": w}
    assert (await refused_hello(hub.url, **clerk, pin=pin))[0] == "auth_failed"
    await (await hello(hub.url, **clerk, pin="86420")).close()
    for _ in range(auth.LOCK_AFTER):
        code, _ = await refused_hello(hub.url, **clerk, pin="00000")
    assert code == "locked"
    assert (await refused_hello(hub.url, **clerk, pin="86420"))[0] == "locked"
    await hall(capsys, hub, "staff", "unlock", sid)
    conn = await hello(hub.url, **clerk, pin="86420")
    await conn.close()


async def test_device_list_shows_last_seen_and_a_revoked_name_is_reused(
    hub: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    k = await kiosk(hub)
    listing = await hall(capsys, hub, "device", "list")
    assert re.search(
        r"^K1\tkiosk\tactive\t\S+ \S+\t\d{4}-\d\d-\d\d \d\d:\d\d\t127\.0\.0\.1$", listing, re.M
    ), listing
    await k.close()
    await hall(capsys, hub, "device", "revoke", "K1")
    token = (await hall(capsys, hub, "device", "add", "--name", "K1")).splitlines()[-1]
    assert await refused_hello(hub.url, role="kiosk", token=hub.kiosk_token) == (
        "auth_failed",
        4001,
    )
    k = await hello(hub.url, role="kiosk", token=token)
    await k.close()


def test_a_database_of_the_older_version_gets_the_new_columns(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    db = str(tmp_path / "old.db")
    assert main(["init", "--demo", "--db", db]) == 0
    conn = sqlite3.connect(db)  # as the version before: no staff.status, devices.last_seen/address
    for table, col in (("staff", "status"), ("devices", "last_seen"), ("devices", "address")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {col}")
    conn.commit()
    conn.close()
    assert (
        main(
            [
                "staff",
                "add",
                "--id",
                "c9",
                "--name",
                "王",
                "--pin",
                "1234",
                "--windows",
                "1",
                "--db",
                db,
            ]
        )
        == 0
    )
    assert main(["staff", "disable", "c9", "--db", db]) == 0
    assert main(["device", "list", "--db", db]) == 0
    assert main(["staff", "list", "--db", db]) == 0
    assert "c9\t王\twindows=1\tPIN set disabled" in capsys.readouterr().out
