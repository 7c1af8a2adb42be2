"""HallState against a real hub: a raw hello's welcome, then the events real commands cause.

The hub of `tests/conftest.py` runs on a clock the test moves (so it can pass
midnight). A supervisor and a display connect with plain websockets; their
welcomes are loaded into `HallState`s and every event they are pushed is
applied as it comes. After each step the picture built from events must be
the one a fresh welcome gives (what "the hub is the only writer" promises),
and the look-ups must answer from it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from support.raw import TIMEOUT, Conn, Frame, connected

from shared.hallstate import HallState
from shared.protocol import CALLED, DONE, PARKED, W_CLOSED, W_OPEN, W_PAUSED, WAITING


class Watched:
    """A HallState fed by one raw session: its welcome, then every event it is pushed."""

    def __init__(self, session: Conn) -> None:
        self.session = session
        self.state = HallState()
        self.state.load_welcome(session.welcome)
        self.applied: list[Frame] = []

    async def apply_next(self) -> Frame:
        """Wait for the next pushed event and apply it."""
        while True:
            frame = await asyncio.wait_for(self.session.pushed.get(), TIMEOUT)
            if "seq" in frame:  # an event (not `metrics`)
                self.state.apply_event(frame)
                self.applied.append(frame)
                return frame

    async def catch_up(self, seq: int) -> None:
        """Apply pushed events until the state has seen `seq` (the hub's last event)."""
        while self.state.seq < seq:
            await self.apply_next()

    async def until(self, kind: str) -> Frame:
        """Apply pushed events until one of this type; that event."""
        while (frame := await self.apply_next())["type"] != kind:
            pass
        return frame


def live(w: Frame) -> tuple[Any, ...]:
    """What of a window events keep up to date (`priority_streak` is the engine's own)."""
    return (w["state"], w["current"], w["services"], w.get("pause_reason"))


def win(state: HallState, number: int) -> Frame:
    """A window that must be there."""
    w = state.window(number)
    assert w is not None, number
    return w


def busy(waiting: dict[str, int]) -> dict[str, int]:
    """The services somebody waits for (a welcome lists every service, events the touched ones)."""
    return {code: n for code, n in waiting.items() if n}


async def same_as_fresh(hub: Any, watched: Watched, role: str, tickets: bool) -> None:
    """The picture built from events is the one a fresh welcome gives."""
    async with connected(hub, role) as fresh_session:
        fresh = HallState()
        fresh.load_welcome(fresh_session.welcome)
    state = watched.state
    assert state.day == fresh.day
    assert {n: live(w) for n, w in state.windows.items()} == {
        n: live(w) for n, w in fresh.windows.items()
    }
    assert busy(state.waiting) == busy(fresh.waiting)
    assert state.notice == fresh.notice
    if tickets:  # a display keeps tickets a fresh display welcome no longer lists
        assert state.tickets == fresh.tickets
        assert state.seq == fresh.seq


async def test_welcome_then_real_events(hub: Any) -> None:
    instant = [datetime(2026, 11, 26, 1, 30, tzinfo=UTC)]  # 09:30 in the hall (UTC+8)
    await hub.stop()
    await hub.start(clock=lambda: instant[0])
    wire = hub.hall.to_wire()
    window = hub.hall.windows[0].number
    service = hub.hall.window(window).services[0]
    other = next(s.code for s in hub.hall.services if s.code != service)
    department = hub.hall.service(service).department

    async with (
        connected(hub, "supervisor") as sup_session,
        connected(hub, "display") as display_session,
        connected(hub, "kiosk") as kiosk,
    ):
        sup = Watched(sup_session)
        board = Watched(display_session)
        s = sup.state

        # The welcome: the catalogue's look-ups, every window closed, nothing waiting.
        assert s.loaded and s.day == "2026-11-26" and s.seq == sup_session.welcome["seq"]
        assert [x["code"] for x in s.services] == [x["code"] for x in wire["services"]]
        assert [d["code"] for d in s.departments] == [d["code"] for d in wire["departments"]]
        assert s.service(service) == next(x for x in wire["services"] if x["code"] == service)
        assert s.service("NO-SUCH") is None and s.service(None) is None
        assert (s.department(department) or {}).get("code") == department
        assert service in [x["code"] for x in s.services_of(department)]
        assert sorted(s.windows) == sorted(w["number"] for w in wire["windows"])
        assert all(w["state"] == W_CLOSED and w["current"] is None for w in s.windows.values())
        assert win(s, window)["name"] == hub.hall.window(window).name
        assert s.window(None) is None and s.window(9999) is None
        assert window in [w["number"] for w in s.windows_serving(service)]
        assert s.tickets == {} and s.notice is None
        assert s.waiting_for(service) == 0 and s.waiting_in(department) == 0

        first = (await kiosk.ok("issue", service=service))["ticket"]
        second = (await kiosk.ok("issue", service=service))["ticket"]
        async with connected(hub, "counter", window=window) as clerk:
            called = (await clerk.ok("call_next"))["ticket"]
            assert called["id"] == first["id"]
            await sup.catch_up(hub.server.engine.seq)
            await board.catch_up(called_seq := hub.server.engine.seq)
            assert win(s, window)["state"] == W_OPEN
            assert win(s, window)["current"] == first["id"]
            assert s.tickets[first["id"]]["state"] == CALLED
            assert s.tickets[second["id"]]["state"] == WAITING
            assert s.waiting_for(service) == 1 and s.waiting_in(department) == 1
            assert win(board.state, window)["current"] == first["id"]
            assert board.state.seq == called_seq
            await same_as_fresh(hub, sup, "supervisor", tickets=True)
            await same_as_fresh(hub, board, "display", tickets=False)

            await clerk.ok("start")
            await clerk.ok("park", reason="回家取身份证")
            await clerk.ok("call_next")
            await clerk.ok("start")
            await clerk.ok("finish", outcome="done")
            await clerk.ok("pause", reason="午休")
            until = instant[0] + timedelta(minutes=30)
            async with connected(hub, "supervisor") as supervisor:
                await supervisor.ok("notice", text="今日下午系统维护", minutes=30)
                await supervisor.ok("set_window", window=window, services=[other, service])
            await sup.catch_up(hub.server.engine.seq)
            await board.catch_up(hub.server.engine.seq)
            assert s.tickets[first["id"]]["state"] == PARKED
            assert s.tickets[second["id"]]["state"] == DONE
            assert win(s, window)["state"] == W_PAUSED
            assert win(s, window)["current"] is None
            assert s.waiting_for(service) == 0
            assert s.notice is not None and s.notice["text"] == "今日下午系统维护"
            assert datetime.fromisoformat(s.notice["until"]) == until
            assert window in [w["number"] for w in s.windows_serving(other)]
            await same_as_fresh(hub, sup, "supervisor", tickets=True)
            await same_as_fresh(hub, board, "display", tickets=False)

            # Back to work, one more ticket called and one waiting, then midnight passes: the
            # hub expires what is open and rolls the day (its own one-second tick, nobody asks).
            await clerk.ok("resume")
            third = (await kiosk.ok("issue", service=service))["ticket"]
            await clerk.ok("call_next")
            fourth = (await kiosk.ok("issue", service=service))["ticket"]
            await sup.catch_up(hub.server.engine.seq)
            await board.catch_up(hub.server.engine.seq)
            assert win(s, window)["current"] == third["id"]
            assert s.waiting_for(service) == 1
            seq_before = s.seq
            instant[0] = datetime(2026, 11, 26, 16, 0, 30, tzinfo=UTC)  # 00:00:30 next day
            rolled = await sup.until("day_rolled")
            await board.catch_up(rolled["seq"])
            expired = [e["ticket"]["id"] for e in sup.applied if e["type"] == "ticket_expired"]
            assert sorted(expired) == sorted(t["id"] for t in (first, third, fourth))
            for state in (s, board.state):
                assert state.day == "2026-11-27"
                assert state.tickets == {}
                assert all(n == 0 for n in state.waiting.values())
                assert all(w["current"] is None for w in state.windows.values())
                assert win(state, window)["state"] == W_OPEN
            assert s.seq == rolled["seq"] > seq_before
            assert s.notice is not None and s.notice["text"] == "今日下午系统维护"
            await same_as_fresh(hub, sup, "supervisor", tickets=True)
            await same_as_fresh(hub, board, "display", tickets=False)
