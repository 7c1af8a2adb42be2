"""Welcomes, replies and events made by the real engine and views, for tests without a hub.

A `Day` is the demo hall's `hub.engine.Engine` on DAY, driven through
`Engine.execute` as the hub's writer drives it, on a clock the scene sets
command by command. What a connection of some role receives is made by the
hub's own `hub.views` (and goes through JSON, as on the wire), so these frames
cannot drift from what the hub sends: a change to the engine, the views or the
demo hall shows in the snapshot and state tests that start from them.

The scenes at the bottom are the days those tests show.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from hub import auth, views
from hub.catalogue import DEMO_PATH, Hall, load_catalogue
from hub.engine import Actor, Engine, Event, Result
from hub.session import Session
from shared.protocol import dumps

Frame = dict[str, Any]

DAY = date(2026, 11, 26)
KIOSK = "K1"
SUPERVISOR = "s001"
# The hall's secret and address: fixed, so citizen tokens, ticket URLs and QR codes are too.
SECRET = "5eed" * 16
PUBLIC_URL = "http://192.168.1.10:8765"


@cache
def demo_hall() -> Hall:
    """The demo hall of hub/demo_hall.toml (what `hall init --demo` loads)."""
    return load_catalogue(DEMO_PATH)


def at(clock: str) -> datetime:
    """A hall-local instant of DAY: ``at("09:15")``, ``at("10:29:30")``."""
    return datetime.combine(DAY, time.fromisoformat(clock), tzinfo=ZoneInfo(demo_hall().timezone))


def clerk_of(window: int) -> str:
    """The staff id of a window's own clerk (the one holding the fewest windows)."""
    return min(
        (s for s in demo_hall().staff if window in s.windows), key=lambda s: len(s.windows)
    ).id


def wire(frame: object) -> Frame:
    """A frame as a client gets it: through JSON, nothing shared with the engine."""
    return json.loads(dumps(frame))  # type: ignore[no-any-return]


class Day:
    """The demo hall's engine on DAY; commands in at the clock given, frames out per role."""

    def __init__(self) -> None:
        self.hall = demo_hall()
        self.engine = Engine(self.hall, DAY)
        self.last: list[Event] = []  # the events of the last command

    # --- commands: (actor, hall-local clock, command type, its arguments)

    def run(self, actor: Actor, clock: str, command: str, **args: Any) -> Result:
        """Execute one command at `clock`; its result (an EngineError if refused)."""
        result, self.last = self.engine.execute(actor, {"type": command, **args}, at(clock))
        return result

    def kiosk(self, clock: str, command: str, **args: Any) -> Result:
        return self.run(Actor("kiosk", KIOSK), clock, command, **args)

    def counter(self, window: int, clock: str, command: str, **args: Any) -> Result:
        return self.run(Actor("counter", clerk_of(window), window), clock, command, **args)

    def supervisor(self, clock: str, command: str, **args: Any) -> Result:
        return self.run(Actor("supervisor", SUPERVISOR), clock, command, **args)

    def citizen(self, ticket: str, clock: str, command: str, **args: Any) -> Result:
        return self.run(Actor("citizen", ticket), clock, command, **args)

    def issue(self, clock: str, service: str, priority: str = "normal") -> str:
        """Issue a ticket at the kiosk; its number."""
        return str(
            self.kiosk(clock, "issue", service=service, priority=priority)["ticket"]["number"]
        )

    def roll(self, when: datetime) -> list[Event]:
        """The day roll the hub runs when `when` is on a later day; its events."""
        self.last = self.engine.roll_day(when)
        return self.last

    def id_of(self, number: str) -> str:
        """The id of today's ticket with this number."""
        return f"{DAY:%Y%m%d}-{number}"

    # --- frames

    def session(self, role: str, window: int | None = None, lang: str = "zh") -> Session:
        """The session `hub.session` admits for a hello of `role` (a counter at `window`)."""
        if role == "kiosk":
            return Session(role, f"kiosk:{KIOSK}", lang, Actor("kiosk", KIOSK))
        if role in ("counter", "supervisor"):
            sid = clerk_of(window) if role == "counter" and window is not None else SUPERVISOR
            staff = next(s for s in self.hall.staff if s.id == sid)
            actor = Actor(role, sid, window if role == "counter" else None)
            return Session(role, f"staff:{sid}", lang, actor, sid, staff.name, window)
        return Session(role, f"{role}:test", lang)

    def welcome(self, role: str, clock: str, window: int | None = None) -> Frame:
        """The welcome the hub sends a connection of `role` (a counter at `window`) at `clock`."""
        session = self.session(role, window)
        return wire(views.welcome(self.engine, self.hall.to_wire(), session, at(clock)))

    def pushed(self, role: str) -> list[Frame]:
        """The last command's events as a connection of `role` is pushed them."""
        out = [views.staff_event(ev) for ev in self.last]
        if role == "display":
            out = [f for f in map(views.lobby_event, out) if f is not None]
        return [wire(f) for f in out]

    def metrics(self, clock: str) -> Frame:
        """The `metrics` frame the hub pushes counters and supervisors at `clock`."""
        return wire(views.metrics_frame(self.engine, at(clock)))

    def estimates(self, clock: str) -> Frame:
        """The `estimates` frame the hub pushes kiosks at `clock`: what a new ticket would be told."""
        return wire(views.estimates_frame(self.engine, at(clock)))

    def issue_reply(
        self, clock: str, service: str | None, priority: str = "normal", **visit: Any
    ) -> Frame:
        """The ok reply a kiosk gets to `issue`, with the citizen's token and ticket URL.

        The token and URL are added as `hub.server` adds them to an issue reply. A visit:
        `service` None and `services=[...]` or `bundle=...`.
        """
        what = visit if service is None else {"service": service}
        result = self.kiosk(clock, "issue", priority=priority, **what)
        reply = dict(views.ok_reply(self.session("kiosk"), result), re="r1")
        token = auth.ticket_token(SECRET, self.hall.id, result["ticket"]["id"])
        return wire({**reply, "token": token, "url": f"{PUBLIC_URL}/t/{token}"})


# --------------------------------------------------------------------------- the scenes

LOBBY_NOW = at("10:30")
KIOSK_NOW = at("09:15")


def lobby_day() -> Day:
    """A busy morning up to 10:30, for the lobby and supervisor boards.

    Windows 1-6 open (计生局 1 and 2, 文体局 3 and 4, 市容环卫局 5 and 6), the rest
    closed. F001 done at 1 (a private note, rated 5); H001 served at 3, handed
    off to 计生局 (rated 1 for window 3) and now served at 2; H002 a no-show at 3
    (its citizen complains); H003 served at 3; window 4 paused since 10:05;
    G001 called at 5 and recalled, G002 called at 6 at 10:29:30. Waiting: F002
    (55 minutes, over the hall's 45), F003 (priority), F004, H004, G003. A
    notice until 12:00 and a printer out of paper.
    """
    d = Day()
    d.counter(1, "08:55", "open_window")
    d.counter(2, "08:58", "open_window")
    for window in (3, 4, 5, 6):
        d.counter(window, "09:00", "open_window")
    d.issue("09:00", "JS-01")  # F001
    d.counter(1, "09:05", "call_next")
    d.counter(1, "09:06", "start")
    d.issue("09:15", "WT-01")  # H001
    d.counter(1, "09:20", "finish", outcome="done", note="材料齐全 SECRET-NOTE")
    d.issue("09:20", "WT-02")  # H002
    d.citizen(d.id_of("F001"), "09:21", "rate", level=5)
    d.issue("09:25", "WT-01")  # H003
    d.issue("09:30", "SR-01")  # G001
    d.issue("09:35", "JS-01")  # F002
    d.issue("09:40", "SR-02")  # G002
    d.counter(3, "09:45", "call_next")  # H001
    d.counter(3, "09:46", "start")
    d.counter(3, "09:55", "transfer", service="JS-03", reason="需计生局先行办理")
    d.citizen(d.id_of("H001"), "10:00", "rate", level=1, reason="态度差 BAD-RATING")
    d.supervisor("10:00", "notice", text="今日 12:00-13:00 午休期间 3 号窗口暂停服务", minutes=120)
    d.counter(3, "10:01", "call_next")  # H002
    d.counter(3, "10:03", "no_show")
    d.counter(4, "10:05", "pause", reason="系统维护")
    d.citizen(d.id_of("H002"), "10:10", "complain", text="叫号太快没听见")
    d.issue("10:10", "JS-02", priority="priority")  # F003
    d.counter(2, "10:12", "call_next")  # H001, handed off: first
    d.counter(2, "10:13", "start")
    d.issue("10:15", "JS-02")  # F004
    d.counter(3, "10:20", "call_next")  # H003
    d.counter(3, "10:21", "start")
    d.issue("10:22", "WT-03")  # H004
    d.issue("10:25", "SR-03")  # G003
    d.kiosk("10:26", "printer_status", ok=False, kind="paper_out", message="缺纸")
    d.counter(5, "10:27", "call_next")  # G001
    d.counter(5, "10:28", "recall")
    d.counter(6, "10:29:30", "call_next")  # G002
    return d


def lobby_welcome() -> Frame:
    """What a lobby display receives at 10:30 of `lobby_day`."""
    return lobby_day().welcome("display", "10:30")


def supervisor_welcome() -> Frame:
    """What a supervisor receives at 10:30 of `lobby_day`: staff, notes, metrics, alerts' data."""
    return lobby_day().welcome("supervisor", "10:30")


def kiosk_day() -> Day:
    """Early morning up to 09:15: windows 13 and 14 (民政局) open, a few tickets waiting.

    Waiting: three for MZ-01 and one for MZ-02 (served at 13 and 14), two for
    GH-01 and five for LD-00, whose windows are still closed.
    """
    d = Day()
    d.counter(13, "08:30", "open_window")
    d.counter(14, "08:30", "open_window")
    for clock, service in (
        ("08:40", "MZ-01"),
        ("08:42", "GH-01"),
        ("08:45", "LD-00"),
        ("08:47", "MZ-01"),
        ("08:50", "LD-00"),
        ("08:52", "MZ-02"),
        ("08:55", "LD-00"),
        ("08:58", "GH-01"),
        ("09:00", "LD-00"),
        ("09:05", "MZ-01"),
        ("09:10", "LD-00"),
    ):
        d.issue(clock, service)
    return d


def kiosk_welcome() -> Frame:
    """What a kiosk receives at 09:15 of `kiosk_day`."""
    return kiosk_day().welcome("kiosk", "09:15")


def kiosk_issue_reply() -> Frame:
    """The reply to the kiosk's `issue` of MZ-01 at 09:15 of `kiosk_day` (four ahead on the A line)."""
    return kiosk_day().issue_reply("09:15", "MZ-01")


def kiosk_visit_reply() -> Frame:
    """The reply to the kiosk's `issue` of the bundle KB-01 (两项并联 and a fee step) at 09:15."""
    return kiosk_day().issue_reply("09:15", None, bundle="KB-01")


COUNTER_NOW = at("10:30")
COUNTER_WINDOW = 13  # 民政局 (MZ-01, MZ-02, MZ-03), its clerk c013


def counter_day(current: str | None = None) -> Day:
    """Window 13's morning up to 10:30; `current`: None (idle), "called" or "serving".

    Window 13 served A001 (done, rated 5), parked A002, marked A003 a no-show; window 14
    (民政局 too) is paused for lunch, window 11 (规划分局) handed D001 off to
    MZ-01 at 10:05 and D002 at 10:26, window 12 is closed. Waiting for window
    13: D001 and D002 (handed off), A004 (50 minutes: overdue), A007 (priority),
    A005, A006, A008; D003 waits for 规划分局. "called": D001 called at 10:28:30
    and recalled; "serving": D001 called at 10:18 and served since 10:20.
    """
    d = Day()
    me = COUNTER_WINDOW
    d.counter(me, "08:55", "open_window")
    d.counter(14, "09:00", "open_window")
    d.counter(11, "09:00", "open_window")
    d.issue("09:10", "MZ-01")  # A001
    d.counter(me, "09:20", "call_next")
    d.counter(me, "09:21", "start")
    d.counter(me, "09:30", "finish", outcome="done")
    d.issue("09:30", "MZ-02")  # A002
    d.citizen(d.id_of("A001"), "09:31", "rate", level=5)
    d.issue("09:35", "MZ-01")  # A003
    d.counter(me, "09:40", "call_next")  # A002
    d.issue("09:40", "MZ-01")  # A004
    d.counter(me, "09:41", "start")
    d.counter(me, "09:45", "park", reason="回家取材料")
    d.counter(me, "09:50", "call_next")  # A003
    d.issue("09:50", "GH-01")  # D001
    d.counter(me, "09:52", "no_show")
    d.counter(11, "09:55", "call_next")  # D001
    d.counter(11, "09:56", "start")
    d.counter(14, "10:00", "pause", reason="午休")
    d.issue("10:00", "GH-02")  # D002
    d.counter(11, "10:05", "transfer", service="MZ-01", reason="需民政局先行登记")
    d.counter(11, "10:08", "call_next")  # D002
    d.counter(11, "10:09", "start")
    d.issue("10:10", "MZ-01")  # A005
    d.issue("10:12", "MZ-01")  # A006
    if current == "serving":
        d.counter(me, "10:18", "call_next")  # D001, handed off: first
        d.counter(me, "10:20", "start")
    d.issue("10:21", "MZ-02", priority="priority")  # A007
    d.issue("10:23", "GH-01")  # D003
    d.counter(11, "10:26", "transfer", service="MZ-01", reason="需民政局先行登记")
    d.issue("10:27", "MZ-01")  # A008
    if current == "called":
        d.counter(me, "10:28:30", "call_next")  # D001
        d.counter(me, "10:29", "recall")
    return d


def counter_welcome(current: str | None = None) -> Frame:
    """What window 13's counter holds at 10:30 of `counter_day`: its welcome and the metrics.

    A counter's welcome carries no metrics; the hub pushes them (and answers a
    `metrics` request) right after. `CounterState` takes them from either, so
    the metrics frame of 10:30 is put into the welcome's state here.
    """
    d = counter_day(current)
    welcome = d.welcome("counter", "10:30", window=COUNTER_WINDOW)
    welcome["state"]["metrics"] = d.metrics("10:30")["metrics"]
    return welcome


VISIT_NOW = at("09:40")


def visit_day() -> Day:
    """A visit of the bundle KB-01 (GH-05 and SR-02 in parallel, then the fee step at window 28):
    issued at 09:00, served at 11 (09:05-09:12, noted) and 5 (09:15-09:25, noted), and now at
    the fee window 28, serving since 09:31."""
    d = Day()
    for window in (11, 5, 28):
        d.counter(window, "08:55", "open_window")
    d.kiosk("09:00", "issue", bundle="KB-01")
    d.counter(11, "09:05", "call_next")
    d.counter(11, "09:06", "start")
    d.counter(11, "09:12", "finish", outcome="done", note="牌匾样式已核准")
    d.counter(5, "09:15", "call_next")
    d.counter(5, "09:16", "start")
    d.counter(5, "09:25", "finish", outcome="done", note="占道 3 个月")
    d.counter(28, "09:30", "call_next")
    d.counter(28, "09:31", "start")
    return d


def visit_counter_welcome() -> Frame:
    """What the fee window 28's counter receives at 09:40 of `visit_day`."""
    return visit_day().welcome("counter", "09:40", window=28)
