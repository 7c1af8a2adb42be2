"""Opening a connection: hello / welcome for every role, refused hellos, takeover, lockout."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from support.raw import (
    Refused,
    citizen,
    counter,
    display,
    healthz,
    hello,
    hub_seq,
    kiosk,
    open_raw,
    refused,
    supervisor,
)
from support.wait import wait_for

from hub import auth

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(30)]


def _check_hall(hall: dict) -> None:
    assert hall["id"] == "demo"
    assert {
        "name",
        "name_en",
        "timezone",
        "departments",
        "services",
        "windows",
        "policy",
    } <= hall.keys()
    assert len(hall["windows"]) == 31
    assert {w["number"] for w in hall["windows"]} == set(range(1, 32))
    assert any(s["code"] == "MZ-01" for s in hall["services"])
    # staff ids, names and windows are not part of the catalogue on the wire
    assert "staff" not in hall


async def test_welcome_for_every_role(hub) -> None:
    k = await kiosk(hub)
    issued = await k.ok("issue", service="MZ-01")
    d = await display(hub)
    c = await counter(hub, 13)
    s = await supervisor(hub)
    z = await citizen(hub, issued["token"])
    health = await healthz(hub)
    for conn, role in (
        (k, "kiosk"),
        (d, "display"),
        (c, "counter"),
        (s, "supervisor"),
        (z, "citizen"),
    ):
        w = conn.welcome
        assert w["type"] == "welcome" and w["v"] == 1 and w["role"] == role
        assert isinstance(w["seq"], int) and w["seq"] >= 0
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", w["day"]) and w["day"] == health["day"]
        _check_hall(w["hall"])
        st = w["state"]
        assert {"tickets", "windows", "waiting"} <= st.keys(), (role, st.keys())
        assert isinstance(st["waiting"], dict)
    tid = issued["ticket"]["id"]
    # display, counter, supervisor: the waiting ticket and every configured window
    assert k.state["tickets"] == [] and len(k.state["windows"]) == 31  # the kiosk came first
    for conn in (d, c, s):
        assert [t["id"] for t in conn.state["tickets"]] == [tid]
        assert len(conn.state["windows"]) == 31
        assert conn.state["waiting"]["MZ-01"] == 1
    # the counter's own window is open in its welcome, and held by it
    w13 = next(w for w in c.state["windows"] if w["number"] == 13)
    assert w13["state"] == "open" and w13["staff"] == hub.clerk(13)[0]
    assert c.seq == d.seq + 1  # window_opened
    # staff see who they are logged in as; nobody else gets `me`
    clerk13 = next(x for x in hub.hall.staff if x.id == hub.clerk(13)[0])
    assert c.state["me"] == {"staff": clerk13.id, "name": clerk13.name}
    assert s.state["me"]["staff"] == hub.supervisor[0]
    assert "me" not in d.state and "me" not in k.state and "me" not in z.state
    # the display's windows carry no staff
    assert all("staff" not in w for w in d.state["windows"])
    assert all("staff" not in t for t in d.state["tickets"])
    # the citizen: only its own ticket, its place in line
    assert z.state["ticket"]["id"] == tid
    assert z.state["ahead"] == 0 and isinstance(z.state["eta_min"], int)
    assert z.state["tickets"] == [] and z.state["windows"] == []
    assert health["clients"] == 5
    # several kiosk / display / supervisor / citizen connections at once are fine
    more = [
        await kiosk(hub),
        await display(hub),
        await supervisor(hub),
        await citizen(hub, issued["token"]),
    ]
    assert (await healthz(hub))["clients"] == 9
    for conn in (k, d, c, s, z, *more):
        await conn.close()


async def test_refused_hellos_without_credentials(hub) -> None:
    seq = await hub_seq(hub)
    cases: list[tuple[str | dict, str, int]] = [
        ("this is not json", "bad_hello", 4000),
        ("[1, 2, 3]", "bad_hello", 4000),
        ("null", "bad_hello", 4000),
        ({"type": "issue", "v": 1, "role": "kiosk", "token": hub.kiosk_token}, "bad_hello", 4000),
        ({"v": 1, "role": "display"}, "bad_hello", 4000),
        ({"type": "hello", "v": 2, "role": "display"}, "unsupported_version", 4000),
        (
            {"type": "hello", "v": 0, "role": "kiosk", "token": hub.kiosk_token},
            "unsupported_version",
            4000,
        ),
        ({"type": "hello", "v": "1", "role": "display"}, "unsupported_version", 4000),
        ({"type": "hello", "v": 1, "role": "janitor"}, "bad_hello", 4000),
        ({"type": "hello", "v": 1}, "bad_hello", 4000),
        (
            {"type": "hello", "v": 1, "role": "counter", "staff": "c001", "pin": "1234"},
            "bad_hello",
            4000,
        ),
        (
            {
                "type": "hello",
                "v": 1,
                "role": "counter",
                "staff": "c001",
                "pin": "1234",
                "window": "1",
            },
            "bad_hello",
            4000,
        ),
        ({"type": "hello", "v": 1, "role": "supervisor", "staff": "s001"}, "bad_hello", 4000),
        ({"type": "hello", "v": 1, "role": "kiosk"}, "auth_failed", 4001),
        (
            {"type": "hello", "v": 1, "role": "kiosk", "token": "not-a-device-token"},
            "auth_failed",
            4001,
        ),
        ({"type": "hello", "v": 1, "role": "kiosk", "token": 12345}, "auth_failed", 4001),
        (
            {"type": "hello", "v": 1, "role": "citizen", "ticket": "not-a-ticket-token"},
            "auth_failed",
            4001,
        ),
        ({"type": "hello", "v": 1, "role": "citizen"}, "auth_failed", 4001),
    ]
    for data, code, close in cases:
        frame, got_close = await refused(hub.url, data)
        assert (frame["code"], got_close) == (code, close), data
    assert await hub_seq(hub) == seq
    assert (await healthz(hub))["clients"] == 0


async def test_refused_message_language(hub) -> None:
    zh, _ = await refused(hub.url, {"type": "hello", "v": 1, "role": "kiosk", "token": "nope"})
    en, _ = await refused(
        hub.url, {"type": "hello", "v": 1, "role": "kiosk", "token": "nope", "lang": "en"}
    )
    assert zh["code"] == en["code"] == "auth_failed"
    assert re.search(r"[\u4e00-\u9fff]", zh["message"])
    assert en["message"].isascii() and en["message"] != zh["message"]


async def test_refused_staff_and_devices(hub) -> None:
    seq = await hub_seq(hub)
    # wrong PIN, unknown staff
    frame, close = await refused(
        hub.url,
        {"type": "hello", "v": 1, "role": "counter", "staff": "c003", "pin": "0000", "window": 3},
    )
    assert (frame["code"], close) == ("auth_failed", 4001)
    frame, close = await refused(
        hub.url, {"type": "hello", "v": 1, "role": "supervisor", "staff": "s001", "pin": "1234"}
    )
    assert (frame["code"], close) == ("auth_failed", 4001)
    frame, close = await refused(
        hub.url,
        {"type": "hello", "v": 1, "role": "counter", "staff": "x999", "pin": "1234", "window": 3},
    )
    assert (frame["code"], close) == ("auth_failed", 4001)
    frame, close = await refused(
        hub.url, {"type": "hello", "v": 1, "role": "supervisor", "staff": "nobody", "pin": "9999"}
    )
    assert (frame["code"], close) == ("auth_failed", 4001)
    # a window the clerk may not use (c003 has window 3 only), a window that does not exist
    frame, close = await refused(
        hub.url,
        {"type": "hello", "v": 1, "role": "counter", "staff": "c003", "pin": "1234", "window": 5},
    )
    assert (frame["code"], close) == ("forbidden", 4003)
    frame, close = await refused(
        hub.url,
        {"type": "hello", "v": 1, "role": "counter", "staff": "c003", "pin": "1234", "window": 99},
    )
    assert (frame["code"], close) == ("forbidden", 4003)
    # a supervisor at a counter, a clerk as supervisor
    frame, close = await refused(
        hub.url,
        {"type": "hello", "v": 1, "role": "counter", "staff": "s001", "pin": "9999", "window": 3},
    )
    assert (frame["code"], close) == ("forbidden", 4003)
    frame, close = await refused(
        hub.url, {"type": "hello", "v": 1, "role": "supervisor", "staff": "c003", "pin": "1234"}
    )
    assert (frame["code"], close) == ("forbidden", 4003)
    # a revoked kiosk token; another live kiosk still gets in
    k = await kiosk(hub)
    await k.close()
    other = auth.new_device_token()
    hub.store.add_device(hub.hall.id, "K2", "kiosk", auth.token_hash(other))
    assert hub.store.revoke_device(hub.hall.id, "K1")
    frame, close = await refused(
        hub.url, {"type": "hello", "v": 1, "role": "kiosk", "token": hub.kiosk_token}
    )
    assert (frame["code"], close) == ("auth_failed", 4001)
    k2 = await hello(hub.url, role="kiosk", token=other)
    await k2.close()
    # none of this changed anything
    assert await hub_seq(hub) == seq
    s = await supervisor(hub)
    assert all(w["state"] == "closed" for w in s.state["windows"])
    await s.close()


async def test_window_taken_by_another_clerk(hub) -> None:
    # c001 may use windows 1 and 2; c002 only window 2
    first = await counter(hub, 2, staff="c001")
    seq = await hub_seq(hub)
    with pytest.raises(Refused) as e:
        await counter(hub, 2, staff="c002")
    assert (e.value.code, e.value.close_code) == ("window_taken", 4003)
    assert await hub_seq(hub) == seq
    # the holder is untouched
    assert (await first.error("call_next", "queue_empty")) is not None
    assert not first.closed.is_set()
    await first.close()


async def test_same_clerk_reconnecting_takes_over(hub) -> None:
    old = await counter(hub, 1)
    k = await kiosk(hub)
    await k.ok("issue", service="JS-01")
    seq = await hub_seq(hub)
    new = await counter(hub, 1)
    assert await old.wait_closed() == 4002
    assert new.seq == seq  # no second window_opened: the session goes on
    assert await hub_seq(hub) == seq
    w1 = next(w for w in new.state["windows"] if w["number"] == 1)
    assert w1["state"] == "open" and w1["staff"] == "c001"
    reply = await new.ok("call_next")
    assert reply["ticket"]["number"] == "F001"
    assert (await healthz(hub))["clients"] == 2
    await new.close()
    await k.close()


async def test_five_failed_pins_lock_the_id(hub) -> None:
    bad = {"type": "hello", "v": 1, "role": "counter", "staff": "c005", "pin": "0000", "window": 5}
    good = dict(bad, pin="1234")
    codes = []
    for _ in range(5):
        frame, close = await refused(hub.url, bad)
        assert close == 4001
        codes.append(frame["code"])
    assert codes[:4] == ["auth_failed"] * 4
    assert codes[4] in ("auth_failed", "locked")
    before = datetime.now(UTC)
    # the right PIN does not open it now
    frame, close = await refused(hub.url, good)
    assert (frame["code"], close) == ("locked", 4001)
    frame, close = await refused(
        hub.url, {"type": "hello", "v": 1, "role": "supervisor", "staff": "c005", "pin": "1234"}
    )
    assert (frame["code"], close) == ("locked", 4001)
    # for five minutes
    until = hub.store.get_staff(hub.hall.id, "c005")["locked_until"]
    assert until is not None
    assert before + timedelta(minutes=4) < until <= before + timedelta(minutes=5, seconds=5)
    # other staff are not affected
    c6 = await counter(hub, 6)
    await c6.close()
    # six minutes later (a hub whose clock runs ahead) the right PIN works again
    await hub.stop()
    await hub.start(clock=lambda: datetime.now(UTC) + timedelta(minutes=6))
    c5 = await hello(hub.url, **{k: v for k, v in good.items() if k not in ("type", "v")})
    await c5.close()


async def test_parallel_wrong_pins_are_all_counted(hub) -> None:
    bad = {"type": "hello", "v": 1, "role": "counter", "staff": "c007", "pin": "0000", "window": 7}
    results = await asyncio.gather(*(refused(hub.url, bad) for _ in range(8)))
    assert all(close == 4001 for _, close in results)
    assert {f["code"] for f, _ in results} <= {"auth_failed", "locked"}
    frame, close = await refused(hub.url, dict(bad, pin="1234"))
    assert (frame["code"], close) == ("locked", 4001)


async def test_a_good_login_resets_the_failures(hub) -> None:
    bad = {"type": "hello", "v": 1, "role": "counter", "staff": "c008", "pin": "0000", "window": 8}
    for _ in range(3):
        assert (await refused(hub.url, bad))[0]["code"] == "auth_failed"
    c = await counter(hub, 8)
    await c.close()
    for _ in range(3):
        assert (await refused(hub.url, bad))[0]["code"] == "auth_failed"
    c = await counter(hub, 8)
    await c.close()


async def test_hello_with_a_bool_version_is_refused(hub) -> None:
    frame, close = await refused(
        hub.url, json.dumps({"type": "hello", "v": True, "role": "display"})
    )
    assert (frame["code"], close) == ("unsupported_version", 4000)


async def test_requests_pipelined_behind_the_hello(hub) -> None:
    # a client may send its first requests right behind its hello, without waiting for the welcome
    ws = await open_raw(hub.url)
    await ws.send(json.dumps({"type": "hello", "v": 1, "role": "kiosk", "token": hub.kiosk_token}))
    await ws.send(json.dumps({"type": "issue", "id": "p1", "service": "GT-00"}))
    await ws.send(json.dumps({"type": "issue", "id": "p2", "service": "GT-00"}))
    frames = []
    async with asyncio.timeout(5):
        while sum(f["type"] == "ok" for f in frames) < 2:
            frames.append(json.loads(await ws.recv()))
    assert frames[0]["type"] == "welcome" and frames[0]["seq"] == 0
    oks = {f["re"]: f["ticket"]["number"] for f in frames if f["type"] == "ok"}
    assert oks == {"p1": "K001", "p2": "K002"}
    assert [f["seq"] for f in frames if f["type"] == "ticket_issued"] == [1, 2]
    await ws.close()


HAN = re.compile(r"[\u4e00-\u9fff]")


def _in_language(frame: dict, lang: str) -> bool:
    """Whether an error frame's message is in that language (Chinese has Han characters)."""
    msg = frame["message"]
    return bool(HAN.search(msg)) if lang == "zh" else msg.isascii()


async def _refused_both(url: str, data: dict, code: str) -> tuple[dict, dict]:
    """The same hello refused with `code` for a zh and an en client: (zh frame, en frame)."""
    zh, _ = await refused(url, data)
    en, _ = await refused(url, dict(data, lang="en"))
    assert zh["code"] == en["code"] == code, (zh, en)
    assert _in_language(zh, "zh"), zh
    assert _in_language(en, "en"), en
    return zh, en


async def test_every_refusal_in_the_clients_language(hub) -> None:
    clerk = {"type": "hello", "v": 1, "role": "counter", "pin": "1234"}
    await _refused_both(hub.url, {"v": 1, "role": "display"}, "bad_hello")
    await _refused_both(hub.url, {"type": "hello", "v": 1, "role": "janitor"}, "bad_hello")
    await _refused_both(hub.url, dict(clerk, staff="c003"), "bad_hello")  # no window
    await _refused_both(
        hub.url, {"type": "hello", "v": 2, "role": "display"}, "unsupported_version"
    )
    await _refused_both(
        hub.url, {"type": "hello", "v": 1, "role": "kiosk", "token": "nope"}, "auth_failed"
    )
    await _refused_both(hub.url, dict(clerk, staff="c003", pin="0000", window=3), "auth_failed")
    await _refused_both(hub.url, dict(clerk, staff="c003", window=5), "forbidden")
    await _refused_both(
        hub.url, {"type": "hello", "v": 1, "role": "supervisor", "staff": "c003", "pin": "1234"},
        "forbidden",
    )  # fmt: skip
    holder = await counter(hub, 2, staff="c001")
    await _refused_both(hub.url, dict(clerk, staff="c002", window=2), "window_taken")
    await holder.close()
    # locked: the failure that locks the id, then the next try; the minutes come from auth
    for sid, window, lock_lang in (("c009", 9, "zh"), ("c010", 10, "en")):
        bad = dict(clerk, staff=sid, pin="0000", window=window)
        for _ in range(auth.LOCK_AFTER - 1):
            await refused(hub.url, bad)
        locking, _ = await refused(hub.url, dict(bad, lang=lock_lang))
        assert locking["code"] == "locked" and _in_language(locking, lock_lang), locking
        assert str(auth.LOCK_MINUTES) in locking["message"]
        other = "en" if lock_lang == "zh" else "zh"
        again, _ = await refused(hub.url, dict(bad, pin="1234", lang=other))
        assert again["code"] == "locked" and _in_language(again, other), again
        assert str(auth.LOCK_MINUTES) in again["message"]


async def test_window_taken_in_the_writer_in_the_clients_language(hub, monkeypatch) -> None:
    """Two clerks pass the hello's check for window 2 while the writer is busy: the engine
    refuses the second one's open_window, and that refusal too is in the client's language."""
    server = hub.server
    for first, second in (("c001", ("c002", "zh")), ("c002", ("c001", "en"))):
        entered, gate = threading.Event(), threading.Event()
        commit = server.store.commit

        def held(*args: object, commit=commit, entered=entered, gate=gate) -> object:
            entered.set()
            gate.wait(5)
            return commit(*args)

        monkeypatch.setattr(server.store, "commit", held)
        k = await kiosk(hub)
        issued = await k.send_request("issue", service="JS-01")
        await wait_for(entered.is_set)  # the writer now waits in its commit
        sid, lang = second
        holder = asyncio.create_task(counter(hub, 2, staff=first))
        await wait_for(lambda: server.queue.qsize() == 1)
        loser = asyncio.create_task(
            refused(
                hub.url,
                {"type": "hello", "v": 1, "role": "counter", "staff": sid, "pin": "1234",
                 "window": 2, "lang": lang},
            )
        )  # fmt: skip
        await wait_for(lambda: server.queue.qsize() == 2)
        monkeypatch.undo()
        gate.set()
        frame, close = await loser
        assert (frame["code"], close) == ("window_taken", 4003)
        assert _in_language(frame, lang), frame
        assert (await issued)["type"] == "ok"
        winner = await holder
        await winner.ok("logout")
        await winner.wait_closed()
        await k.close()


async def test_refusals_say_what_is_wrong(hub) -> None:
    """A window the hall does not have, a window not the clerk's, a clerk at the supervisor
    board: the codes stay `forbidden`, the message names the problem, in the client's language."""
    cases = [
        ({"role": "counter", "staff": "c003", "pin": "1234", "window": 999},
         "本大厅没有 999 号窗口", "This hall has no window 999"),
        ({"role": "counter", "staff": "c003", "pin": "1234", "window": 5},
         "工号 c003 无权使用 5 号窗口", "Staff c003 may not use window 5"),
        ({"role": "supervisor", "staff": "c003", "pin": "1234"},
         "工号 c003 不是值班主管，请用主管工号登录",
         "Staff c003 is not a supervisor: log in with a supervisor's staff id"),
    ]  # fmt: skip
    for fields, zh, en in cases:
        for lang, text in (("zh", zh), ("en", en)):
            frame, close = await refused(hub.url, {"type": "hello", "v": 1, **fields, "lang": lang})
            assert (frame["code"], close, frame["message"]) == ("forbidden", 4003, text)
