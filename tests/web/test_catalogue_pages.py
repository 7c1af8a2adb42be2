"""`hall catalogue apply` while the lobby board, the supervisor board and a ticket page are open:
each page takes the `catalogue` event on the connection it has (no reconnect) and redraws."""

from __future__ import annotations

import asyncio
import tomllib
from typing import Any

import pytest

from cli.main import main
from hub.catalogue_text import dump_toml

pytestmark = pytest.mark.browser


async def hall_cli(hub: Any, capsys: Any, *args: str) -> str:
    status = await asyncio.to_thread(main, [*args, "--db", str(hub.db)])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


async def test_pages_refresh_their_catalogue(
    hub: Any, open_page: Any, kiosk: Any, capsys: Any, tmp_path: Any
) -> None:
    issued = await kiosk.ok("issue", service="JS-01")
    lobby, lobby_rec = await open_page(hub.http + "/board")
    sup, sup_rec = await open_page(hub.http + "/board?supervisor")
    await sup.fill("#login-staff", hub.supervisor[0])
    await sup.fill("#login-pin", hub.supervisor[1])
    await sup.click("#login-submit")
    await sup.wait_for_selector("#supervisor", state="visible")
    ticket, ticket_rec = await open_page(issued["url"])
    await lobby.wait_for_function(
        "() => document.getElementById('hall-name').textContent.includes('万柏林')"
    )
    await ticket.wait_for_function(
        "() => document.getElementById('hall-name').textContent.includes('万柏林')"
    )
    assert await sup.text_content("#catalogue-version") == "目录版本 1 / catalogue v1"
    sockets = [
        len([u for u in r.urls if u.startswith("ws")]) for r in (lobby_rec, sup_rec, ticket_rec)
    ]

    doc = tomllib.loads(await hall_cli(hub, capsys, "catalogue", "show"))
    doc["hall"]["name"] = "万柏林区政务服务中心（新）"
    js01 = next(s for s in doc["services"] if s["code"] == "JS-01")
    doc["services"].append({**js01, "code": "JS-77", "name": "新增事项"})
    new = tmp_path / "new.toml"
    new.write_text(dump_toml(doc), encoding="utf-8")
    await hall_cli(hub, capsys, "catalogue", "apply", str(new), "--yes")

    for page in (lobby, sup, ticket):
        await page.wait_for_function(
            "() => document.getElementById('hall-name').textContent.includes('（新）')",
            timeout=60000,
        )
    await sup.wait_for_function(
        "() => document.getElementById('catalogue-version').textContent.includes('2')"
    )
    assert await sup.locator("#svc-JS-77").count() == 1  # the window services form offers it
    # the same connections: no page reconnected for it
    after = [
        len([u for u in r.urls if u.startswith("ws")]) for r in (lobby_rec, sup_rec, ticket_rec)
    ]
    assert after == sockets
    for rec in (lobby_rec, sup_rec, ticket_rec):
        assert rec.errors == []
