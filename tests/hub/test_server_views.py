"""The hub's pure parts without a socket: reading a hello, the lockout policy, the one place
errors are localised, and who sees what (`hub.views`) on a real engine with the demo hall."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from hub import auth, views
from hub.catalogue import DEMO_PATH, load_catalogue
from hub.engine import Actor, Engine, EngineError
from hub.errors import RequestError, error_frame
from hub.session import Hello, Refusal, Session, read_hello
from shared.protocol import CLOSE_BAD_HELLO, PARKED, WAITING

NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)  # 09:30 in the demo hall (Asia/Shanghai)
HAN = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------------- hello, errors


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "bad_hello"),
        ("[1]", "bad_hello"),
        ('{"type": "issue", "v": 1}', "bad_hello"),
        ('{"type": "hello", "v": 2}', "unsupported_version"),
        ('{"type": "hello", "v": true}', "unsupported_version"),
        ('{"type": "hello", "v": 1.0}', "unsupported_version"),
    ],
)
def test_read_hello_refuses(raw: str, code: str) -> None:
    for lang in ("zh", "en"):
        frame = raw if not raw.startswith("{") else json.dumps(dict(json.loads(raw), lang=lang))
        got = read_hello(frame)
        assert isinstance(got, Refusal)
        assert (got.error.code, got.close) == (code, CLOSE_BAD_HELLO)
        assert got.lang == (lang if raw.startswith("{") else "zh")


def test_read_hello_accepts() -> None:
    got = read_hello('{"type": "hello", "v": 1, "role": "display", "lang": "en"}')
    assert isinstance(got, Hello) and (got.role, got.lang) == ("display", "en")


@pytest.mark.parametrize(
    "error",
    [RequestError("bad_args", "缺少参数 x", "missing argument 'x'"),
     EngineError("queue_empty", "没有等候的群众", "Nobody is waiting for this window")],
)  # fmt: skip
def test_error_frame_in_the_clients_language(error: RequestError | EngineError) -> None:
    zh, en = error_frame("r1", error, "zh"), error_frame("r1", error, "en")
    assert zh == {"type": "error", "re": "r1", "code": error.code, "message": error.zh}
    assert en["message"] == error.en and en["message"].isascii()
    assert HAN.search(zh["message"])


# ---------------------------------------------------------------------- lockout


def test_the_lock_after_the_last_allowed_failure() -> None:
    failures, until = 0, None
    for _ in range(auth.LOCK_AFTER - 1):
        failures, until = auth.after_failure(failures, NOW)
        assert until is None
    assert failures == auth.LOCK_AFTER - 1
    failures, until = auth.after_failure(failures, NOW)
    assert (failures, until) == (0, NOW + timedelta(minutes=auth.LOCK_MINUTES))
    assert auth.minutes_locked(until, NOW) == auth.LOCK_MINUTES
    assert auth.minutes_locked(until, NOW + timedelta(minutes=auth.LOCK_MINUTES - 0.9)) == 1
    assert auth.minutes_locked(until, until) == 0
    assert auth.minutes_locked(None, NOW) == 0


def test_an_unknown_id_costs_a_real_pin_check() -> None:
    assert auth.dummy_hash() == auth.dummy_hash()  # computed once
    assert auth.dummy_hash().startswith("scrypt$") and not auth.check_pin("1234", auth.dummy_hash())


async def test_pin_checks_of_one_id_take_turns() -> None:
    checks = auth.OneCheckPerStaff()
    inside: list[str] = []
    most = {"c1": 0, "c2": 0}

    async def check(sid: str) -> None:
        async with checks.turn(sid):
            inside.append(sid)
            most[sid] = max(most[sid], inside.count(sid))
            await asyncio.sleep(0.01)
            inside.remove(sid)

    await asyncio.gather(*(check(sid) for sid in ("c1", "c2") * 4))
    assert most == {"c1": 1, "c2": 1}
    assert not checks._turns  # nothing kept for ids nobody is checking


# ---------------------------------------------------------------------- views


@pytest.fixture
def engine() -> Engine:
    """The demo hall at 09:30: window 13 open; A (MZ-01) parked there, B and C waiting."""
    eng = Engine(load_catalogue(DEMO_PATH), date(2026, 11, 26))
    clerk = Actor("counter", "c013", 13)
    kiosk = Actor("kiosk", "K1")
    eng.execute(clerk, {"type": "open_window"}, NOW)
    for _ in range(3):
        eng.execute(kiosk, {"type": "issue", "service": "MZ-01"}, NOW)
    eng.execute(clerk, {"type": "call_next"}, NOW)
    eng.execute(clerk, {"type": "start"}, NOW)
    eng.execute(clerk, {"type": "park", "reason": "回家取身份证"}, NOW)
    return eng


def _session(role: str, staff: str | None = None, ticket: str | None = None) -> Session:
    return Session(role, f"{role}:x", staff=staff, ticket=ticket)


def test_each_role_sees_its_snapshot(engine: Engine) -> None:
    hall = {"id": "demo"}
    display = views.welcome(engine, hall, _session("display"), NOW)
    assert display["role"] == "display" and display["seq"] == engine.seq
    state = display["state"]
    assert "me" not in state and "metrics" not in state
    assert all("staff" not in w for w in state["windows"])
    assert all("staff" not in t and "note" not in t for t in state["tickets"])
    supervisor = views.welcome(engine, hall, _session("supervisor", staff="s001"), NOW)["state"]
    assert {"me", "metrics", "complaints", "ratings", "printer_faults"} <= supervisor.keys()
    assert len(supervisor["tickets"]) == 3
    ticket = next(t for t in engine.tickets.values() if t["state"] == WAITING)
    citizen = views.welcome(engine, hall, _session("citizen", ticket=ticket["id"]), NOW)["state"]
    assert citizen["ticket"]["id"] == ticket["id"] and citizen["tickets"] == []
    assert (citizen["ahead"], citizen["eta_min"]) == engine.position(ticket["id"])


def test_what_the_lobby_and_a_citizen_see_of_events(engine: Engine) -> None:
    clerk = Actor("counter", "c013", 13)
    parked = next(t for t in engine.tickets.values() if t["state"] == PARKED)
    engine.execute(clerk, {"type": "unpark", "ticket": parked["id"]}, NOW)
    _, more = engine.execute(clerk, {"type": "park", "reason": "缺材料"}, NOW)
    ev = views.staff_event(more[-1])
    assert ev["type"] == "ticket_parked" and ev["reason"] == "缺材料"
    lobby = views.lobby_event(ev)
    assert lobby is not None and "reason" not in lobby and "staff" not in lobby["ticket"]
    assert views.lobby_event({"type": "complaint", "seq": 1, "at": "x"}) is None
    # only the citizen of that ticket, and only when it is connected
    assert views.citizen_event(engine, ev, set()) is None
    seen = views.citizen_event(engine, ev, {parked["id"]})
    assert seen is not None and seen[0] == parked["id"]
    assert "reason" not in seen[1] and set(seen[1]["waiting"]) == {parked["service"]}
    notice = {"type": "notice", "seq": 9, "at": "x", "text": "维护", "staff": "s001"}
    assert views.citizen_event(engine, notice, set()) == (
        None,
        {k: v for k, v in notice.items() if k != "staff"},
    )


def test_positions_match_the_engine(engine: Engine) -> None:
    ids = list(engine.tickets)
    now = datetime.fromisoformat(engine.tickets[ids[-1]]["issued_at"])
    places = views.positions(engine, [*ids, "20261126-Z999"], now)
    assert places == {tid: engine.position(tid, now) for tid in ids}
    assert views.position_frame(places[ids[-1]]) == {
        "type": "position", "ahead": places[ids[-1]][0], "eta_min": places[ids[-1]][1]
    }  # fmt: skip


def test_a_citizen_sees_its_own_ticket_in_replies(engine: Engine) -> None:
    ticket = next(iter(engine.tickets.values()))
    mine = views.ok_reply(_session("citizen", ticket=ticket["id"]), {"ticket": ticket})
    theirs = views.ok_reply(_session("counter"), {"ticket": ticket})
    assert mine["type"] == theirs["type"] == "ok"
    assert "staff" not in mine["ticket"] and theirs["ticket"] is ticket
