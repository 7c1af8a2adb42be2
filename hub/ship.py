"""Shipping a hall's events to the district's PostgreSQL, and the hall's presence there.

A hall joins a district one of two ways (README, "Setting up a district"):

- **shipping**: its hub keeps its own store (SQLite) and a `Shipper` thread
  copies the stored events to the district database in order, keyed by
  (hall, seq) and inserted with ``ON CONFLICT DO NOTHING``, so a resend after
  a lost acknowledgement changes nothing. The cursor is the district's own
  ``max(seq)`` for the hall, read again after every failure: after an outage
  of any length the shipper resumes exactly where the district stopped, never
  skipping (the local store keeps every event) and never duplicating. The
  hall's catalogue reaches the district's ``halls`` table (without the hall's
  secret: the district signs no ticket).
- **direct**: its hub runs on the district's PostgreSQL; nothing is copied.

Either way the link writes the hall's presence (`HallLinkRow`, table
``hall_links``): when it was last heard of (the district database's own
clock), the last seq it shipped, and its unattended windows, which the hub
knows from its connections and never writes as events. The district service
(`hub/district.py`) marks a hall stale when its presence stops.

The link also carries the district's complaint actions the other way: after
each step it reads the pending ``district_commands`` rows of its hall and hands
each to the hub (`on_command`, run on the hub's event loop as supervisor
``district:<staff>``), then writes the outcome back. The hub runs a command at
most once (its reply is stored with its events; see HubServer.district_command).

The shipper never touches the hub's queue: it runs in its own thread, reads
the local store with its own transactions (SQLite WAL lets the hub write
meanwhile), and a failure is logged once per outage and retried with a
backoff. The hub only pokes it (`wake`) after each commit, so an event
usually reaches the district within one round trip.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Column, Integer, Table, Text, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Field, SQLModel, create_engine

from hub.store import EVENTS, HALLS, Store, UTCDateTime, lock_ddl, make_engine

log = logging.getLogger("hall.ship")

BATCH = 2000  # events per district transaction while catching up
POLL_S = 1.0  # how often the shipper looks for events when nobody woke it
HEARTBEAT_S = 5.0  # presence written at least this often, events or not
BACKOFF_S = (0.5, 30.0)  # first and longest wait after a failure


class HallLinkRow(SQLModel, table=True):
    """A hall's presence in the district: written by its shipper (or its direct hub)."""

    __tablename__ = "hall_links"
    hall_id: str = Field(primary_key=True)
    mode: str  # ship | direct
    seen_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    shipped_seq: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    unattended: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


LINKS = cast(Table, HallLinkRow.__table__)  # type: ignore[attr-defined]

PENDING, APPLIED, REFUSED = "pending", "applied", "refused"
# what a district supervisor may ask a hall to do: the steps of a complaint (hub/complaints.py)
DISTRICT_COMMANDS = (
    "accept_complaint",
    "note_complaint",
    "answer_complaint",
    "close_complaint",
    "reject_complaint",
)


class DistrictCommandRow(SQLModel, table=True):
    """A district supervisor's action on a hall (docs/DISTRICT.md, "The complaint center").

    Written `pending` by the district service; the hall's link picks it up, its hub runs
    it as a supervisor command and the link writes the outcome back: `applied` (with the
    complaint record in `result` and the event's seq) or `refused` (`result` holds the
    error: code, zh, en). The hall is the source of truth; this row is the request."""

    __tablename__ = "district_commands"
    id: int | None = Field(default=None, primary_key=True)
    hall_id: str = Field(index=True)
    staff: str
    command: str
    args: str = Field(sa_column=Column(Text, nullable=False))  # JSON object
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(default=PENDING, index=True)
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    applied_seq: int | None = None
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


COMMANDS = cast(Table, DistrictCommandRow.__table__)  # type: ignore[attr-defined]
# a district command's outcome as the hub gives it: status (applied | refused), result, seq
Outcome = dict[str, Any]


def same_database(a: str, b: str) -> bool:
    """Whether two database URLs name the same database (driver and password aside)."""
    ua, ub = make_url(a), make_url(b)
    return (ua.host, ua.port or 5432, ua.database) == (ub.host, ub.port or 5432, ub.database)


class Shipper:
    """Ships one hall's events and presence to the district database, in a thread of its own.

    `target` is the district database (a URL, or an engine shared by several
    shippers, as the benchmark does); None: the hall's own store is the
    district database (a direct hall), and only presence is written.
    """

    def __init__(
        self,
        source: Store,
        hall_id: str,
        target: str | Engine | None,
        *,
        poll_s: float = POLL_S,
        heartbeat_s: float = HEARTBEAT_S,
        backoff_s: tuple[float, float] = BACKOFF_S,
        batch: int = BATCH,
    ) -> None:
        self.source = source
        self.hall_id = hall_id
        if target is None or (isinstance(target, str) and same_database(target, source.url)):
            self.ship_events = False
            self.target = source.engine
        else:
            self.ship_events = True
            self.target = district_engine(target) if isinstance(target, str) else target
        self._own_engine = isinstance(target, str) and self.ship_events
        self.poll_s = poll_s
        self.heartbeat_s = heartbeat_s
        self.backoff_s = backoff_s
        self.batch = batch
        self.unattended: Mapping[int, str] = {}  # replaced whole by the hub (never mutated)
        self.cursor: int | None = None  # the district's max seq of the hall; None: read it again
        self.shipped = 0  # events this shipper inserted (a resend that changed nothing not counted)
        self.failures = 0  # failed steps in a row
        self.ready = False  # tables and catalogue are in the district
        self._catalogue: str | None = None
        self._beat = 0.0
        self._sent_unattended: Mapping[int, str] | None = None
        # the hub's runner of district commands (HubServer sets it): blocks until the hall's
        # engine ran and committed the command; raises when it cannot tell (retried later)
        self.on_command: Callable[[Mapping[str, Any]], Outcome] | None = None
        self.commands_done = 0  # district commands whose outcome this link wrote back
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start the thread (it runs until `stop`)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"ship-{self.hall_id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current step."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._own_engine:
            self.target.dispose()

    def wake(self) -> None:
        """Something was committed: ship now rather than at the next poll (any thread)."""
        self._wake.set()

    def set_unattended(self, unattended: Mapping[int, str]) -> None:
        """The hub's unattended windows changed (number -> since when, ISO)."""
        self.unattended = dict(unattended)
        self._wake.set()

    def _run(self) -> None:
        delay = self.backoff_s[0]
        while not self._stop.is_set():
            try:
                more = self.step()
            except Exception as e:  # the link is down, the district refuses: log, wait, retry
                if self._stop.is_set():
                    break  # a step cut short by the stop (a district command's wait)
                self.failures += 1
                self.cursor = None
                if self.failures == 1:
                    log.warning("hall %s: cannot reach the district: %s", self.hall_id, _why(e))
                else:
                    log.debug("hall %s: still cannot reach the district: %s", self.hall_id, e)
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff_s[1])
                continue
            if self.failures:
                log.warning(
                    "hall %s: district reached again after %d tries", self.hall_id, self.failures
                )
            self.failures = 0
            delay = self.backoff_s[0]
            if not more:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    # ------------------------------------------------------------------ one step

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def step(self) -> bool:
        """Ship what is there (at most one batch), then run the district's pending commands
        for this hall; True when more is waiting. Raises on failure."""
        if not self.ready:
            self._prepare()
        more = self._ship()
        if self.on_command is not None:
            self._commands()
        return more

    def _ship(self) -> bool:
        if not self.ship_events:
            self._presence(None, force=False)
            return False
        if self.cursor is None:
            with self.target.connect() as conn:
                v = conn.execute(
                    select(func.max(EVENTS.c.seq)).where(EVENTS.c.hall_id == self.hall_id)
                ).scalar()
            self.cursor = int(v or 0)
        self._catalogue_changed()
        with self.source.engine.connect() as conn:
            rows = conn.execute(
                select(EVENTS.c.seq, EVENTS.c.day, EVENTS.c.type, EVENTS.c.at, EVENTS.c.payload)
                .where(EVENTS.c.hall_id == self.hall_id, EVENTS.c.seq > self.cursor)
                .order_by(EVENTS.c.seq)
                .limit(self.batch)
            ).all()
        if not rows:
            self._presence(None, force=False)
            return False
        values = [
            {
                "hall_id": self.hall_id,
                "seq": r[0],
                "day": r[1],
                "type": r[2],
                "at": r[3],
                "payload": r[4],
            }
            for r in rows
        ]
        ins = postgresql.insert(EVENTS).on_conflict_do_nothing(index_elements=["hall_id", "seq"])
        with self.target.begin() as conn:
            res = conn.execute(ins.returning(EVENTS.c.seq), values)
            self.shipped += len(res.all())
            self._presence(conn, force=True, seq=rows[-1][0])
        self.cursor = rows[-1][0]
        return len(rows) == self.batch

    def _prepare(self) -> None:
        """The district's tables and this hall's catalogue, once per start."""
        with self.target.begin() as conn:
            lock_ddl(conn)  # the district service may be creating them right now
            SQLModel.metadata.create_all(conn, tables=[EVENTS, HALLS, LINKS, COMMANDS])
        if self.ship_events:
            self._catalogue = None
            self._catalogue_changed()
        self.ready = True

    def _commands(self) -> None:
        """The district's pending commands for this hall, oldest first: each run by the hub,
        its outcome written back (only over a row still pending: a second writer changes
        nothing). A command the hub already committed is not run again (the hub looks up
        its stored reply): the write-back after a crash repeats the outcome, nothing else."""
        assert self.on_command is not None
        with self.target.connect() as conn:
            rows = (
                conn.execute(
                    select(COMMANDS)
                    .where(COMMANDS.c.hall_id == self.hall_id, COMMANDS.c.status == PENDING)
                    .order_by(COMMANDS.c.id)
                    .limit(50)
                )
                .mappings()
                .all()
            )
        for row in rows:
            if self._stop.is_set():
                return
            out = self.on_command(dict(row))
            with self.target.begin() as conn:
                conn.execute(
                    COMMANDS.update()
                    .where(COMMANDS.c.id == row["id"], COMMANDS.c.status == PENDING)
                    .values(
                        status=out["status"],
                        result=json.dumps(out.get("result"), ensure_ascii=False),
                        applied_seq=out.get("applied_seq"),
                        done_at=func.now(),
                    )
                )
            self.commands_done += 1

    def _catalogue_changed(self) -> None:
        """Copy the hall's catalogue to the district when it is new or changed."""
        with self.source.engine.connect() as conn:
            text = conn.execute(
                select(HALLS.c.catalogue).where(HALLS.c.id == self.hall_id)
            ).scalar()
        if text is None or text == self._catalogue:
            return
        ins = postgresql.insert(HALLS).values(
            id=self.hall_id, catalogue=text, secret="", created_at=datetime.now(UTC)
        )
        with self.target.begin() as conn:
            conn.execute(ins.on_conflict_do_update(index_elements=["id"], set_={"catalogue": text}))
        self._catalogue = text

    def _presence(self, conn: Any, *, force: bool, seq: int | None = None) -> None:
        """Write the hall's presence: always with shipped events, else every `heartbeat_s`
        or when the unattended windows changed."""
        unattended = self.unattended
        now = time.monotonic()
        if (
            not force
            and unattended == self._sent_unattended
            and now - self._beat < self.heartbeat_s
        ):
            return
        values: dict[str, Any] = {
            "hall_id": self.hall_id,
            "mode": "ship" if self.ship_events else "direct",
            "seen_at": func.now(),
            "unattended": json.dumps({str(k): v for k, v in sorted(unattended.items())}),
        }
        if seq is not None:
            values["shipped_seq"] = seq
        ins = postgresql.insert(LINKS).values(**{**values, "shipped_seq": seq or 0})
        stmt = ins.on_conflict_do_update(
            index_elements=["hall_id"], set_={k: v for k, v in values.items() if k != "hall_id"}
        )
        if conn is None:
            with self.target.begin() as c:
                c.execute(stmt)
        else:
            conn.execute(stmt)
        self._beat = now
        self._sent_unattended = unattended


# a line that drops packets instead of refusing: give up a connection attempt or a silent
# connection within seconds (libpq's own options), then the shipper's backoff retries
LINK_OPTIONS = {"connect_timeout": 10, "keepalives_idle": 10, "keepalives_interval": 5,
                "keepalives_count": 3}  # fmt: skip


def district_engine(url: str) -> Engine:
    """The shipper's engine on the district database: one connection, libpq's timeouts."""
    base = make_engine(url)  # the URL checked and normalised as the hub's own
    eng = create_engine(
        base.url, pool_pre_ping=True, pool_size=1, max_overflow=1, connect_args=LINK_OPTIONS
    )
    base.dispose()
    return eng


def _why(e: Exception) -> str:
    """The first line of an error, without the SQL and the traceback."""
    cause = getattr(e, "orig", None) or e
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__
