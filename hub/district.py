"""The district service (`hall district serve`): every hall of a district, live, on one page.

It reads the district's PostgreSQL, where each hall's events arrive (shipped
by `hub/ship.py`, or written by a hub that runs on that database), and keeps
one `QueueEngine` per hall, fed with that hall's events through the pure
engine's `apply` exactly as `Store.restore` does: the district's figures of a
hall are the hall's own.

Following: PostgreSQL's LISTEN/NOTIFY. The service installs a statement
trigger on ``events`` that notifies channel ``hall_events`` with the ids of
the halls a statement inserted rows for (one notification per hall per
transaction, whatever the batch size); on a notification it reads that
hall's events above its cursor. A slow poll of every hall (`SAFETY_POLL_S`)
catches what a dropped listening connection missed. docs/DISTRICT.md gives
the measured lag.

Serving: ``/district`` (the page, ``hub/web/district.*``) and its websocket
``/district/ws``: a district supervisor logs in with an account of the
``district_staff`` table (`hall district staff add`), scoped to all halls or
a list; the service pushes the summary of each hall in scope, and the
read-only view of one hall the page drills into (`watch`). The queue cannot be
changed from here.

The complaint center: the open complaints of the halls in scope (each hall's
engine keeps its complaint book, loaded at start from the hall's complaint
events) and the supervisor's actions on them (`act`). An action is only stored,
as a pending row of ``district_commands``; the hall's own link runs it on the
hall's hub and writes the outcome back (hub/ship.py, docs/DISTRICT.md).

Reports across halls: `per_hall` is the seam. Given the district store, a
per-hall report function and its period, it returns each hall's result; the
district's period report (`hall report --district`, `hub.report_out.district_report`)
is built from each hall's `load_report`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import JSON, Column, Table, Text, and_, func, or_, select
from sqlalchemy.engine import make_url
from sqlmodel import Field, SQLModel
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from hub import auth
from hub.auth import STAFF_ACTIVE, STAFF_DISABLED, STAFF_REMOVED
from hub.catalogue import Hall, parse_catalogue
from hub.complaints import EVENT_TYPES as COMPLAINT_EVENT_TYPES
from hub.complaints import FINAL
from hub.engine import Engine as QueueEngine
from hub.errors import RequestError
from hub.pages import NOT_FOUND, WEB, response
from hub.ship import COMMANDS, DISTRICT_COMMANDS, LINKS, PENDING, REFUSED
from hub.store import EVENTS, HALLS, Store, UTCDateTime, lock_ddl
from hub.validate import check_request
from shared.alerts import raise_alerts
from shared.i18n import pick
from shared.protocol import W_CLOSED, WAITING, dumps, iso

log = logging.getLogger("hall.district")

CHANNEL = "hall_events"
SAFETY_POLL_S = 2.0  # every hall is read this often whatever the notifications say
LINKS_POLL_S = 1.0  # presence rows read this often
HALLS_POLL_S = 5.0  # new halls and changed catalogues looked for this often
STALE_AFTER_S = 30.0  # a hall not heard of for this long is marked stale
PUSH_S = 0.25  # changes reach the pages at most this late
REFRESH_S = 5.0  # a summary is recomputed at least this often (waits grow, links age)
PULL_LIMIT = 20000  # events read per query
HELLO_TIMEOUT = 30.0
PAGE_CAP = 8 << 20  # unsent bytes a district page may have queued before it is dropped
LOCK_AFTER, LOCK_MINUTES = auth.LOCK_AFTER, auth.LOCK_MINUTES
COMMANDS_SHOWN = 200  # the newest district commands the pages are sent (pending ones always)
LOGGED_OUT = {  # why an open district page was logged out (`hall district staff ...`)
    STAFF_DISABLED: (
        "您的账号已被停用，已退出登录",
        "Your account was disabled: you are logged out",
    ),
    STAFF_REMOVED: ("您的账号已被删除，已退出登录", "Your account was removed: you are logged out"),
}


class DistrictStaffRow(SQLModel, table=True):
    """A district supervisor: all halls (`halls` null) or the halls listed."""

    __tablename__ = "district_staff"
    id: str = Field(primary_key=True)
    name: str
    pin_hash: str
    halls: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    failures: int = 0
    locked_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    status: str = Field(
        default=STAFF_ACTIVE, sa_column=Column(Text, nullable=False, server_default=STAFF_ACTIVE)
    )


DISTRICT_STAFF = cast(Table, DistrictStaffRow.__table__)  # type: ignore[attr-defined]

TRIGGER_SQL = [
    f"""
CREATE OR REPLACE FUNCTION hall_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{CHANNEL}', h) FROM (SELECT DISTINCT hall_id AS h FROM new_events) AS x;
  RETURN NULL;
END $$""",
    """
CREATE OR REPLACE TRIGGER hall_events_notify AFTER INSERT ON events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION hall_events_notify()""",
]


def prepare(store: Store) -> None:
    """The district's tables and the notification trigger (idempotent)."""
    if store.engine.dialect.name != "postgresql":
        raise ValueError(
            "the district's database is PostgreSQL (postgresql+psycopg://USER@HOST/DB)"
        )
    store.create_tables()
    with store.engine.begin() as conn:
        lock_ddl(conn)  # two services starting at once
        for sql in TRIGGER_SQL:
            conn.exec_driver_sql(sql)


# ---------------------------------------------------------------------- district staff


def add_staff(
    store: Store, staff_id: str, name: str, pin_hash: str, halls: list[str] | None
) -> None:
    """Create or replace a district supervisor (clears a lockout)."""
    from sqlalchemy.dialects import postgresql

    row = {
        "id": staff_id,
        "name": name,
        "pin_hash": pin_hash,
        "halls": halls,
        "failures": 0,
        "locked_until": None,
        "status": STAFF_ACTIVE,
    }
    ins = postgresql.insert(DISTRICT_STAFF).values(**row)
    with store.engine.begin() as conn:
        conn.execute(
            ins.on_conflict_do_update(
                index_elements=["id"], set_={k: v for k, v in row.items() if k != "id"}
            )
        )


def set_staff_status(store: Store, staff_id: str, status: str) -> bool:
    """Disable, enable (active) or remove a district supervisor; False: no such account.
    A removed account stays in the table (its commands name it) until `add` makes it anew."""
    with store.engine.begin() as conn:
        res = conn.execute(
            DISTRICT_STAFF.update()
            .where(DISTRICT_STAFF.c.id == staff_id)
            .values(status=status, failures=0, locked_until=None)
        )
    return bool(res.rowcount)


def staff_statuses(store: Store) -> dict[str, str]:
    """Every district supervisor's status, by id."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(DISTRICT_STAFF.c.id, DISTRICT_STAFF.c.status)).all()
    return {r[0]: r[1] for r in rows}


def list_staff(store: Store) -> list[dict[str, Any]]:
    """Every district supervisor."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(DISTRICT_STAFF).order_by(DISTRICT_STAFF.c.id)).mappings().all()
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class Supervisor:
    """Who is logged in on a district page, and which halls they may see (None: all)."""

    id: str
    name: str
    halls: frozenset[str] | None

    def may_see(self, hall_id: str) -> bool:
        return self.halls is None or hall_id in self.halls


class LoginError(Exception):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


def login(store: Store, staff_id: str, pin: str, now: datetime) -> Supervisor:
    """Check a district supervisor's PIN (with the hub's lockout rule); raise LoginError."""
    with store.engine.connect() as conn:
        row = (
            conn.execute(select(DISTRICT_STAFF).where(DISTRICT_STAFF.c.id == staff_id))
            .mappings()
            .first()
        )
    bad = LoginError("auth_failed", "工号或密码错误", "Wrong staff id or PIN")
    if row is None or row["status"] != STAFF_ACTIVE:
        auth.check_pin(pin, auth.dummy_hash())  # the same time as a known id
        raise bad
    left = auth.minutes_locked(row["locked_until"], now)
    if left:
        raise LoginError(
            "locked",
            f"密码错误次数过多，请 {left} 分钟后再试",
            f"Too many wrong PINs: try again in {left} min",
        )
    if not auth.check_pin(pin, row["pin_hash"]):
        failures = row["failures"] + 1
        until = now + timedelta(minutes=LOCK_MINUTES) if failures >= LOCK_AFTER else None
        with store.engine.begin() as conn:
            conn.execute(
                DISTRICT_STAFF.update()
                .where(DISTRICT_STAFF.c.id == staff_id)
                .values(failures=0 if until else failures, locked_until=until)
            )
        raise bad
    if row["failures"]:
        with store.engine.begin() as conn:
            conn.execute(
                DISTRICT_STAFF.update().where(DISTRICT_STAFF.c.id == staff_id).values(failures=0)
            )
    halls = row["halls"]
    return Supervisor(row["id"], row["name"], None if halls is None else frozenset(halls))


# ---------------------------------------------------------------------- one hall, followed


@dataclass
class HallView:
    """One hall as the district follows it."""

    hall: Hall
    catalogue: str
    engine: QueueEngine
    last_at: str | None = None  # the `at` of its newest event
    mode: str | None = None  # ship | direct | None (no presence written yet)
    seen_at: datetime | None = None
    unattended: dict[int, str] = field(default_factory=dict)
    summary: dict[str, Any] | None = None
    summary_at: float = 0.0

    @property
    def seq(self) -> int:
        return self.engine.seq

    def apply(self, events: Iterable[Mapping[str, Any]]) -> int:
        """Apply events above the cursor, in order, up to the first gap; how many were new.

        A gap (an event not visible yet) stops here: the rest is read again from the cursor.
        """
        n = 0
        for ev in events:
            if ev["seq"] <= self.engine.seq:
                continue
            if ev["seq"] != self.engine.seq + 1:
                log.warning("hall %s: seq %d after %d: waiting", self.hall.id, ev["seq"], self.seq)
                break
            self.engine.apply(cast(Any, ev))
            self.last_at = ev["at"]
            n += 1
        if n:
            self.summary = None
        return n

    def stale(self, now: datetime, stale_after: float) -> bool:
        return self.seen_at is None or (now - self.seen_at).total_seconds() > stale_after

    def windows(self) -> list[dict[str, Any]]:
        return [
            {**w, "unattended_since": self.unattended.get(w["number"])}
            for w in self.engine.windows.values()
        ]

    def alerts(self, now: datetime) -> list[dict[str, Any]]:
        eng = self.engine
        raised = raise_alerts(
            tickets=eng.tickets.values(),
            windows=self.windows(),
            waiting=eng.waiting_counts(),
            policy=eng.policy,
            ratings=eng.ratings,
            printer_faults=eng.printer_faults,
            complaints=eng.complaints,
            now=now,
        )
        return [
            {"kind": a.kind, "subject": a.subject, "seconds": round(a.seconds), "urgent": a.urgent}
            for a in raised
        ]

    def summarize(self, now: datetime, stale_after: float) -> dict[str, Any]:
        """The hall's line on the district page."""
        eng = self.engine
        m = eng.metrics(now)["hall"]
        open_windows = [w for w in eng.windows.values() if w["state"] != W_CLOSED]
        waits = [
            (now - datetime.fromisoformat(t["queued_at"])).total_seconds()
            for t in eng.tickets.values()
            if t["state"] == WAITING and t.get("queued_at")
        ]
        alerts = self.alerts(now)
        kinds: dict[str, int] = {}
        for a in alerts:
            kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
        return {
            "id": self.hall.id,
            "name": self.hall.name,
            "name_en": self.hall.name_en,
            "day": eng.day.isoformat(),
            "today": now.astimezone(eng.tz).date() == eng.day,  # else: the hall's last day so far
            "seq": eng.seq,
            "last_event_at": self.last_at,
            "seen_at": iso(self.seen_at) if self.seen_at else None,
            "mode": self.mode,
            "stale": self.stale(now, stale_after),
            "windows": len(eng.windows),
            "windows_open": len(open_windows),
            "unattended": sorted(
                n
                for n in self.unattended
                if n in eng.windows and eng.windows[n]["state"] != W_CLOSED
            ),
            "waiting": m["waiting"],
            "longest_wait_s": round(max(waits)) if waits else None,
            "issued": m["issued"],
            "received": m["received"],
            "completed": m["completed"],
            "completion_rate": m["completion_rate"],
            "alerts": len(alerts),
            "alert_kinds": kinds,
        }

    def complaints(self, now: datetime) -> list[dict[str, Any]]:
        """The hall's open complaints as its supervisor board lists them (with `urgency`),
        each naming the hall: the district's complaint center."""
        today = now.astimezone(self.engine.tz).date()
        return [
            {**r, "hall": self.hall.id, "hall_name": self.hall.name}
            for r in self.engine.complaint_book.board(today)
        ]

    def detail(self, now: datetime, stale_after: float) -> dict[str, Any]:
        """The read-only supervisor view of the hall (the drill-down)."""
        eng = self.engine
        return {
            "summary": self.summarize(now, stale_after),
            "windows": self.windows(),
            "waiting": eng.waiting_counts(),
            "services": {s.code: [s.name, s.name_en] for s in self.hall.services},
            "metrics": eng.metrics(now),
            "alerts": self.alerts(now),
            "tickets": [t for t in eng.tickets.values() if t["state"] == WAITING][:300],
            "complaints": list(eng.complaints),
            "ratings": list(eng.ratings)[-50:],
        }


def open_complaints(store: Store, hall_id: str) -> list[dict[str, Any]]:
    """A hall's open complaints, from its complaint events in the district database (a
    shipping hall's complaint table stays at the hall; every step's event carries the whole
    record, so the newest record of each complaint is the complaint)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(EVENTS.c.payload)
            .where(EVENTS.c.hall_id == hall_id, EVENTS.c.type.in_(COMPLAINT_EVENT_TYPES))
            .order_by(EVENTS.c.seq)
        ).all()
    records: dict[str, dict[str, Any]] = {}
    for (payload,) in rows:
        r = json.loads(payload).get("record")
        if isinstance(r, dict) and isinstance(r.get("id"), str):
            records[r["id"]] = r
    return [r for r in records.values() if r.get("state") not in FINAL]


def replay(
    hall: Hall, day: str | None, events: Iterable[Mapping[str, Any]], today: date
) -> QueueEngine:
    """A hall's engine of its newest day, as `Store.restore` rebuilds it."""
    eng = QueueEngine(hall, date.fromisoformat(day) if day else today)
    for ev in events:
        eng.apply(cast(Any, ev))
    return eng


# ---------------------------------------------------------------------- reports across halls

R = TypeVar("R")
P = TypeVar("P")


def per_hall(
    store: Store,
    report: Callable[[Store, Hall, P], R],
    period: P,
    halls: Iterable[str] | None = None,
) -> dict[str, R]:
    """Each hall's result of a per-hall report over `period`, by hall id (the seam of
    `hall report --district`): the district report of the period reports issue is made of
    these, each computed by the very function a hall runs on its own store."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(HALLS.c.id, HALLS.c.catalogue).order_by(HALLS.c.id)).all()
    wanted = None if halls is None else set(halls)
    out: dict[str, R] = {}
    for hid, text in rows:
        if wanted is not None and hid not in wanted:
            continue
        out[hid] = report(store, parse_catalogue(text, f"<catalogue of hall {hid}>"), period)
    return out


# ---------------------------------------------------------------------- the service


@dataclass(eq=False)
class Page:
    """One logged-in district page (its websocket)."""

    ws: ServerConnection
    who: Supervisor
    lang: str
    watching: str | None = None
    complaints_sent: str = ""  # the last `complaints` frame sent (sent again only when changed)


def _conninfo(url: str) -> str:
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


class DistrictServer:
    """`hall district serve`: follows every hall of the district database, serves /district."""

    def __init__(
        self,
        store: Store,
        *,
        host: str = "127.0.0.1",
        port: int = 8780,
        stale_after: float = STALE_AFTER_S,
        safety_poll: float = SAFETY_POLL_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.host = host
        self.port = port
        self.stale_after = stale_after
        self.safety_poll = safety_poll
        self.clock = clock
        self.halls: dict[str, HallView] = {}
        self.pages: set[Page] = set()
        self.dirty: set[str] = set()  # halls notified, to read
        self.changed = asyncio.Event()  # something for the pages
        self.kick = asyncio.Event()  # something for the puller
        self.server: Server | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.listening = False
        self.stopping = False
        self.applied = 0  # events applied since start
        self.commands: list[dict[str, Any]] = []  # the newest district commands (rows)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self.stopping = False
        await asyncio.to_thread(prepare, self.store)
        await self._load_halls()
        await self._read_links()
        await self._pull(None)
        self.server = await serve(
            self._handler,
            self.host,
            self.port,
            process_request=self._http,
            compression=None,
            max_size=1 << 16,
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._follow()),
            asyncio.create_task(self._poll_links()),
            asyncio.create_task(self._poll_commands()),
            asyncio.create_task(self._push()),
        ]

    async def stop(self) -> None:
        # the loops also end on `stopping`: Python 3.11's wait_for may swallow a cancellation
        # that comes as its inner wait completes, so a cancel alone could be lost
        self.stopping = True
        self.kick.set()
        self.changed.set()
        for t in self.tasks:
            t.cancel()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=5)
        self.tasks = []
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 5)
            self.server = None
        self.pages.clear()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/district"

    # ------------------------------------------------------------------ following

    async def _load_halls(self) -> None:
        """Add new halls; rebuild a hall whose catalogue changed."""
        rows = await asyncio.to_thread(self._query, select(HALLS.c.id, HALLS.c.catalogue))
        for row in rows:
            hid, text = row["id"], row["catalogue"]
            have = self.halls.get(hid)
            if have is not None and have.catalogue == text:
                continue
            try:
                hall = parse_catalogue(text, f"<catalogue of hall {hid}>")
            except Exception as e:  # a catalogue this version cannot read: the hall is left out
                log.warning("hall %s: cannot read its catalogue: %s", hid, e)
                continue
            day = await asyncio.to_thread(self.store.last_day, hid)
            events = await asyncio.to_thread(self.store.events_of_day, hid, day) if day else []
            today = self.clock().astimezone(ZoneInfo(hall.timezone)).date()
            view = HallView(hall, text, replay(hall, day, events, today))
            # complaints outlive the day: the open ones of earlier days, then the day's steps
            for r in await asyncio.to_thread(open_complaints, self.store, hid):
                view.engine.complaint_book.apply({"record": r})
            view.last_at = events[-1]["at"] if events else None
            # the view's seq is the last event it applied, never the hall's max seq read later:
            # the hall may ship between the two reads, and those events would be skipped
            if have is not None:
                view.mode, view.seen_at, view.unattended = have.mode, have.seen_at, have.unattended
            self.halls[hid] = view
            self.changed.set()

    def _read_pending(self, cursors: dict[str, int]) -> list[tuple[str, int, str]]:
        """Events above each hall's cursor (one query for all the halls asked)."""
        if not cursors:
            return []
        cond = or_(*(and_(EVENTS.c.hall_id == h, EVENTS.c.seq > s) for h, s in cursors.items()))
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(EVENTS.c.hall_id, EVENTS.c.seq, EVENTS.c.payload)
                .where(cond)
                .order_by(EVENTS.c.hall_id, EVENTS.c.seq)
                .limit(PULL_LIMIT)
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    async def _pull(self, which: set[str] | None) -> bool:
        """Read and apply the new events of these halls (None: all); True when more may wait."""
        cursors = {h: v.seq for h, v in self.halls.items() if which is None or h in which}
        unknown = set(which or ()) - set(self.halls)
        if unknown:
            await self._load_halls()
        rows = await asyncio.to_thread(self._read_pending, cursors)
        by_hall: dict[str, list[Any]] = {}
        for hid, _seq, payload in rows:
            by_hall.setdefault(hid, []).append(json.loads(payload))
        for hid, evs in by_hall.items():
            view = self.halls.get(hid)
            if view is None:
                continue
            self.applied += view.apply(evs)
        if rows:
            self.changed.set()
        return len(rows) == PULL_LIMIT

    async def _listen(self) -> None:
        """LISTEN on the district database; each notification names a hall to read."""
        delay = 0.5
        while not self.stopping:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    _conninfo(self.store.url), autocommit=True
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    delay = 0.5
                    self.kick.set()  # what was inserted before LISTEN took effect
                    async for n in conn.notifies():
                        self.dirty.add(n.payload)
                        self.kick.set()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("cannot listen on the district database: %s", e)
            self.listening = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _follow(self) -> None:
        """Read the notified halls at once; every hall every `safety_poll` s; new halls too."""
        loop = asyncio.get_running_loop()
        last_all = last_halls = loop.time()
        while not self.stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.kick.wait(), self.safety_poll)
            self.kick.clear()
            try:
                now = loop.time()
                if now - last_halls >= HALLS_POLL_S:
                    last_halls = now
                    await self._load_halls()
                if now - last_all >= self.safety_poll or not self.listening:
                    last_all = now
                    self.dirty.clear()
                    while await self._pull(None):
                        pass
                elif self.dirty:
                    which, self.dirty = self.dirty, set()
                    while await self._pull(which):
                        pass
            except Exception as e:  # the database is away: the pages show the halls as they were
                log.warning("cannot read the district database: %s", e)
                await asyncio.sleep(1.0)

    async def _read_links(self) -> None:
        rows = await asyncio.to_thread(self._query, select(LINKS))
        for r in rows:
            view = self.halls.get(r["hall_id"])
            if view is None:
                continue
            try:
                unattended = {int(k): str(v) for k, v in json.loads(r["unattended"]).items()}
            except (ValueError, AttributeError):
                unattended = {}
            if (view.mode, view.seen_at, view.unattended) != (r["mode"], r["seen_at"], unattended):
                view.mode, view.seen_at, view.unattended = r["mode"], r["seen_at"], unattended
                view.summary = None

    async def _poll_links(self) -> None:
        while not self.stopping:
            await asyncio.sleep(LINKS_POLL_S)
            try:
                await self._read_links()
            except Exception as e:
                log.warning("cannot read the halls' links: %s", e)

    async def _read_commands(self) -> None:
        """The pending district commands and the newest others; pages told when they changed."""
        rows = await asyncio.to_thread(
            self._query,
            select(COMMANDS)
            .where(
                (COMMANDS.c.status == PENDING)
                | (
                    COMMANDS.c.id
                    > select(func.max(COMMANDS.c.id) - COMMANDS_SHOWN).scalar_subquery()
                )
            )
            .order_by(COMMANDS.c.id),
        )
        commands = [dict(r) for r in rows]
        if commands != self.commands:
            self.commands = commands
            self.changed.set()

    async def _poll_commands(self) -> None:
        """Outcomes the halls wrote back; accounts disabled or removed (their pages logged out)."""
        while not self.stopping:
            await asyncio.sleep(LINKS_POLL_S)
            try:
                await self._read_commands()
                statuses = await asyncio.to_thread(staff_statuses, self.store)
            except Exception as e:
                log.warning("cannot read the district's commands: %s", e)
                continue
            for page in list(self.pages):
                status = statuses.get(page.who.id, STAFF_REMOVED)
                if status != STAFF_ACTIVE:
                    self.pages.discard(page)
                    zh, en = LOGGED_OUT.get(status, LOGGED_OUT[STAFF_REMOVED])
                    asyncio.create_task(_refuse(page.ws, "logged_out", pick(page.lang, zh, en)))

    def _query(self, stmt: Any) -> list[Any]:
        """Rows of a select, as mappings (run in a thread)."""
        with self.store.engine.connect() as conn:
            return list(conn.execute(stmt).mappings().all())

    # ------------------------------------------------------------------ figures

    def summaries(self) -> dict[str, dict[str, Any]]:
        """Every hall's line, recomputed when it changed or grew old."""
        now = self.clock()
        mono = asyncio.get_running_loop().time()
        out = {}
        for hid, view in self.halls.items():
            if view.summary is None or mono - view.summary_at >= REFRESH_S:
                view.summary = view.summarize(now, self.stale_after)
                view.summary_at = mono
            else:  # staleness moves with the clock alone
                view.summary["stale"] = view.stale(now, self.stale_after)
            out[hid] = view.summary
        return out

    def halls_frame(self, who: Supervisor, lines: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "type": "halls",
            "at": iso(self.clock()),
            "stale_after": self.stale_after,
            "halls": [lines[h] for h in sorted(lines) if who.may_see(h)],
        }

    def complaints_frame(self, page: Page) -> dict[str, Any]:
        """The complaint center of a page: the open complaints of the halls in its scope, and
        the district's commands for them (pending ones first to wait for the hall)."""
        now = self.clock()
        complaints = [
            r
            for hid in sorted(self.halls)
            if page.who.may_see(hid)
            for r in self.halls[hid].complaints(now)
        ]
        commands = [
            command_view(c, page.lang) for c in self.commands if page.who.may_see(c["hall_id"])
        ]
        return {"type": "complaints", "complaints": complaints, "commands": commands}

    async def _push(self) -> None:
        """Send the pages what changed (at most every PUSH_S), and everything every REFRESH_S."""
        loop = asyncio.get_running_loop()
        last = 0.0
        while not self.stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), REFRESH_S)
            self.changed.clear()
            wait = PUSH_S - (loop.time() - last)
            if wait > 0:
                await asyncio.sleep(wait)
            last = loop.time()
            if not self.pages:
                continue
            lines = self.summaries()
            now = self.clock()
            for page in list(self.pages):
                self._send(page, self.halls_frame(page.who, lines))
                text = dumps(self.complaints_frame(page))
                if text != page.complaints_sent:
                    page.complaints_sent = text
                    self._send_text(page, text)
                if page.watching is not None and page.watching in self.halls:
                    detail = self.halls[page.watching].detail(now, self.stale_after)
                    self._send(page, {"type": "hall", "hall": detail})

    # ------------------------------------------------------------------ HTTP and websocket

    def _http(self, conn: ServerConnection, request: Request) -> Response | None:
        path = request.path.partition("?")[0]
        if path == "/district/ws":
            return None
        if path in ("/district", "/district/"):
            return _file("district.html")
        if path.startswith("/static/"):
            name = path[len("/static/") :]
            if name in ("district.js", "district.css", "labels.js"):
                return _file(name)
            return response(404, NOT_FOUND, "text/plain")
        if path == "/healthz":
            body = {"status": "ok", "halls": len(self.halls), "listening": self.listening}
            return response(200, json.dumps(body).encode(), "application/json")
        if path == "/":
            return response(302, b"", "text/plain", extra=[("Location", "/district")])
        return response(404, NOT_FOUND, "text/plain")

    def _send(self, page: Page, frame: object) -> None:
        """Queue a frame; a page that stopped reading (past `PAGE_CAP` unsent bytes) is closed."""
        self._send_text(page, dumps(frame))

    def _send_text(self, page: Page, text: str) -> None:
        with contextlib.suppress(Exception):
            if page.ws.transport.get_write_buffer_size() > PAGE_CAP:
                self.pages.discard(page)
                page.ws.transport.abort()
                return
            asyncio.get_running_loop().create_task(page.ws.send(text))

    async def _handler(self, ws: ServerConnection) -> None:
        try:
            raw = await asyncio.wait_for(ws.recv(), HELLO_TIMEOUT)
        except (TimeoutError, ConnectionClosed):
            return
        lang = "zh"
        try:
            hello = json.loads(raw)
            if not isinstance(hello, dict) or hello.get("type") != "hello":
                raise ValueError
            lang = "en" if hello.get("lang") == "en" else "zh"
            staff, pin = hello.get("staff"), hello.get("pin")
            if not isinstance(staff, str) or not isinstance(pin, str) or not staff or not pin:
                raise LoginError("bad_args", "请输入工号和密码", "Give your staff id and PIN")
            who = await asyncio.to_thread(login, self.store, staff, pin, self.clock())
        except LoginError as e:
            await _refuse(ws, e.code, pick(lang, e.zh, e.en))
            return
        except ValueError:
            await _refuse(ws, "bad_request", pick(lang, "请先登录", "Log in first (hello)"))
            return
        except Exception:
            log.exception("district login failed")
            await _refuse(ws, "unavailable", pick(lang, "服务暂时不可用", "Service unavailable"))
            return
        page = Page(ws, who, lang)
        lines = self.summaries()
        await ws.send(
            dumps(
                {
                    "type": "welcome",
                    "me": {
                        "staff": who.id,
                        "name": who.name,
                        "halls": None if who.halls is None else sorted(who.halls),
                    },
                    **{k: v for k, v in self.halls_frame(who, lines).items() if k != "type"},
                }
            )
        )
        page.complaints_sent = dumps(self.complaints_frame(page))
        await ws.send(page.complaints_sent)
        self.pages.add(page)
        try:
            async for message in ws:
                if kind_of(message) == "act":
                    await self._act(page, message)
                    continue
                self._on_frame(page, message)
        except ConnectionClosed:
            pass
        finally:
            self.pages.discard(page)

    async def _act(self, page: Page, message: str | bytes) -> None:
        """A supervisor's action on a complaint: stored for the hall (pending), answered ok
        with the command; the hall applies it when its link reads it (hub/ship.py)."""
        frame = json.loads(message)
        rid = frame.get("id")
        rid = rid if isinstance(rid, str) and 0 < len(rid) <= 64 else None
        try:
            row = self._check_act(page, frame)
            row["id"] = await asyncio.to_thread(self._insert_command, row)
        except RequestError as e:
            self._send(page, {**_error(page.lang, e.code, e.zh, e.en), "re": rid})
            return
        except Exception as e:
            log.warning("cannot store a district command: %s", e)
            self._send(
                page,
                {
                    **_error(
                        page.lang,
                        "unavailable",
                        "区级数据库暂时不可用，未保存，请重试",
                        "The district database is unavailable: not saved, try again",
                    ),
                    "re": rid,
                },
            )
            return
        self.commands = [*self.commands, row]
        self._send(page, {"type": "ok", "re": rid, "command": command_view(row, page.lang)})
        self.changed.set()

    def _check_act(self, page: Page, frame: dict[str, Any]) -> dict[str, Any]:
        """The row of a valid action in the page's scope; raises RequestError."""
        hid, command = frame.get("hall"), frame.get("command")
        if not isinstance(hid, str) or not page.who.may_see(hid) or hid not in self.halls:
            raise RequestError("forbidden", "无权处理该大厅的投诉", "You may not act on this hall")
        if command not in DISTRICT_COMMANDS:
            raise RequestError(
                "bad_args", f"未知的投诉操作：{command}", f"Unknown complaint action: {command}"
            )
        args: dict[str, object] = {
            k: frame[k] for k in ("complaint", "text", "reason") if k in frame
        }
        _, checked = check_request({**args, "type": command, "id": "district"}, "supervisor")
        cid = checked["complaint"]
        if cid not in self.halls[hid].engine.complaint_book.items:
            raise RequestError("not_found", f"没有这件投诉：{cid}", f"No such complaint: {cid}")
        return {
            "hall_id": hid,
            "staff": page.who.id,
            "command": command,
            "args": json.dumps(
                {k: v for k, v in checked.items() if k != "type"}, ensure_ascii=False
            ),
            "created_at": self.clock(),
            "status": PENDING,
            "result": None,
            "applied_seq": None,
            "done_at": None,
        }

    def _insert_command(self, row: dict[str, Any]) -> int:
        with self.store.engine.begin() as conn:
            return int(
                conn.execute(
                    COMMANDS.insert()
                    .values(**{k: v for k, v in row.items() if k != "id"})
                    .returning(COMMANDS.c.id)
                ).scalar_one()
            )

    def _on_frame(self, page: Page, message: str | bytes) -> None:
        try:
            frame = json.loads(message)
            kind = frame.get("type") if isinstance(frame, dict) else None
        except ValueError:
            kind = None
        if kind == "watch":
            hid = frame.get("hall")
            if hid is None:
                page.watching = None
                return
            if not isinstance(hid, str) or hid not in self.halls or not page.who.may_see(hid):
                self._send(
                    page,
                    _error(page.lang, "forbidden", "无权查看该大厅", "You may not see this hall"),
                )
                return
            page.watching = hid
            detail = self.halls[hid].detail(self.clock(), self.stale_after)
            self._send(page, {"type": "hall", "hall": detail})
            return
        self._send(
            page,
            _error(page.lang, "read_only", "区级看板只读", "The district view is read-only"),
        )


def kind_of(message: str | bytes) -> object:
    """The `type` of a frame (None when it is not a JSON object)."""
    try:
        frame = json.loads(message)
    except ValueError:
        return None
    return frame.get("type") if isinstance(frame, dict) else None


def command_view(row: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A district command as the pages show it: refused ones with their error in `lang`."""
    try:
        args = json.loads(row["args"])
        result = json.loads(row["result"]) if row["result"] else None
    except ValueError:
        args, result = {}, None
    out: dict[str, Any] = {
        "id": row["id"],
        "hall": row["hall_id"],
        "staff": row["staff"],
        "command": row["command"],
        "complaint": args.get("complaint"),
        "text": args.get("text") or args.get("reason"),
        "status": row["status"],
        "created_at": iso(row["created_at"]) if row["created_at"] else None,
        "done_at": iso(row["done_at"]) if row["done_at"] else None,
        "applied_seq": row["applied_seq"],
    }
    if row["status"] == REFUSED and isinstance(result, dict):
        out["error"] = {
            "code": result.get("code"),
            "message": pick(lang, str(result.get("zh")), str(result.get("en"))),
        }
    return out


def _error(lang: str, code: str, zh: str, en: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": pick(lang, zh, en)}


async def _refuse(ws: ServerConnection, code: str, message: str) -> None:
    with contextlib.suppress(ConnectionClosed):
        await ws.send(dumps({"type": "error", "code": code, "message": message}))
        await ws.close(4001, code)


def _file(name: str) -> Response:
    f = WEB / name
    if not f.is_file():
        return response(404, NOT_FOUND, "text/plain")
    ctype = {"html": "text/html", "js": "application/javascript", "css": "text/css"}[
        name.rsplit(".", 1)[1]
    ]
    return response(200, f.read_bytes(), ctype)
