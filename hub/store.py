"""Durable store (SQLModel): the event log and the rows the events change.

Every batch of requests is written in one transaction: its events, the
ticket / window / rating / complaint rows they change, and the replies of
the requests (for idempotent resends). The hub answers only after the
commit. Recovery replays the stored events of the current day through the
engine (see ``hub/engine.py``), so the state comes back exactly.

SQLite runs in WAL mode with ``synchronous=FULL``; PostgreSQL is used by URL.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    TypeDecorator,
    case,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Field, SQLModel, create_engine

from hub.auth import STAFF_ACTIVE, STAFF_REMOVED
from hub.cases import CASE_EVENTS, Case
from hub.catalogue import Hall, parse_catalogue
from hub.complaints import FINAL
from hub.engine import BookingKeys
from hub.engine import Engine as QueueEngine
from hub.reports import LiveDay
from shared.protocol import (
    BOOKING_EVENT_TYPES,
    COMPLAINT_EVENTS,
    PRIVATE_EVENT_FIELDS,
    CaseEvent,
    DayRolledEvent,
    Event,
    Ticket,
    Window,
    is_ticket_event,
    is_window_event,
)

DEFAULT_DB = "var/hall.db"


DDL_LOCK = 17017  # PostgreSQL advisory lock of the schema: one service at a time creates tables


def lock_ddl(conn: Connection) -> None:
    """On PostgreSQL, hold the schema lock to the end of `conn`'s transaction: two services
    creating the same tables at once (a hall and the district service on a new database) would
    otherwise collide (duplicate key in pg_type). Nothing on SQLite (its writes are serial)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({DDL_LOCK})")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, hands back aware datetimes on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return (
            value.astimezone(UTC).replace(tzinfo=None)
            if dialect.name == "sqlite"
            else value.astimezone(UTC)
        )

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _dt() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class HallRow(SQLModel, table=True):
    __tablename__ = "halls"
    id: str = Field(primary_key=True)
    catalogue: str = Field(sa_column=Column(Text, nullable=False))
    secret: str
    created_at: datetime | None = _dt()


class CatalogueVersionRow(SQLModel, table=True):
    """Every catalogue a hall has had (`hall catalogue apply`); the newest is the one in use
    (`halls.catalogue` holds its text too). Version 1 is the one `hall init` loaded."""

    __tablename__ = "catalogue_versions"
    hall_id: str = Field(primary_key=True)
    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    catalogue: str = Field(sa_column=Column(Text, nullable=False))
    applied_at: datetime | None = _dt()
    applied_by: str = ""
    note: str = ""  # e.g. "back to version 3"


class EventRow(SQLModel, table=True):
    __tablename__ = "events"
    hall_id: str = Field(primary_key=True)
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    day: str = Field(index=True)
    type: str
    at: datetime | None = _dt()
    payload: str = Field(sa_column=Column(Text, nullable=False))


class TicketRow(SQLModel, table=True):
    __tablename__ = "tickets"
    hall_id: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    day: str = Field(index=True)
    number: str
    service: str
    state: str
    token_hash: str | None = Field(default=None, index=True)
    data: str = Field(sa_column=Column(Text, nullable=False))


class WindowRow(SQLModel, table=True):
    __tablename__ = "windows"
    hall_id: str = Field(primary_key=True)
    number: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    state: str
    staff: str | None = None
    data: str = Field(sa_column=Column(Text, nullable=False))


class StaffRow(SQLModel, table=True):
    __tablename__ = "staff"
    hall_id: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    name: str
    pin_hash: str | None = None
    windows: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    supervisor: bool = False
    # 咨询台: may log in with role `desk` (hall staff add --desk)
    desk: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="0"))
    failures: int = 0
    locked_until: datetime | None = _dt()
    # hub.auth: active | disabled (cannot log in) | removed (cannot log in, kept for its name)
    status: str = Field(
        default=STAFF_ACTIVE, sa_column=Column(Text, nullable=False, server_default=STAFF_ACTIVE)
    )


class DeviceRow(SQLModel, table=True):
    __tablename__ = "devices"
    hall_id: str = Field(primary_key=True)
    name: str = Field(primary_key=True)
    role: str
    token_hash: str = Field(index=True)
    created_at: datetime | None = _dt()
    revoked: bool = False
    last_seen: datetime | None = _dt()  # the last hello, and from where
    address: str | None = None


class RatingRow(SQLModel, table=True):
    __tablename__ = "ratings"
    hall_id: str = Field(primary_key=True)
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    day: str
    ticket: str
    window: int
    level: int
    reason: str | None = None


class ComplaintRow(SQLModel, table=True):
    """One complaint, keyed by the seq of the event that received it; its later steps update
    the row (hub/complaints.py). Rows stored before the lifecycle have no state: received."""

    __tablename__ = "complaints"
    hall_id: str = Field(primary_key=True)
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    day: str
    id: str
    ticket: str = Field(index=True)  # "" when none; indexed: a citizen's hello reads by it
    text: str = Field(sa_column=Column(Text, nullable=False))
    state: str | None = Field(default=None, index=True)
    due: str | None = None
    updated_seq: int | None = None
    data: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class CaseRow(SQLModel, table=True):
    """A case (办件, hub/cases.py): the Case object as its last event left it (`data`)."""

    __tablename__ = "cases"
    # a period report reads the promised cases received up to a day (Store.case_counts):
    # by this index, ~78,000 rows of a year's 720,000, not a scan of the whole table
    __table_args__ = (Index("ix_cases_kind_day", "hall_id", "kind", "day"),)
    hall_id: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    day: str = Field(index=True)  # the received day
    service: str
    department: str = Field(index=True)
    window: int | None = None  # the receiving window
    clerk: str | None = None  # the receiving staff
    kind: str  # instant | promised
    state: str = Field(index=True)  # open | completed | returned
    due: str | None = None
    received_at: datetime | None = _dt()
    closed_at: datetime | None = _dt()
    data: str = Field(sa_column=Column(Text, nullable=False))


class BookingRow(SQLModel, table=True):
    """A booking (预约, hub/bookings.py) as its last event left it; outlives the day."""

    __tablename__ = "bookings"
    hall_id: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    day: str = Field(index=True)
    service: str
    start: str
    state: str
    # written by booking_made (an upsert of a later change leaves them as they are)
    token_hash: str | None = Field(default=None, index=True)
    code_hash: str | None = Field(default=None, index=True)
    mobile_hash: str | None = None
    data: str = Field(sa_column=Column(Text, nullable=False))


class RequestRow(SQLModel, table=True):
    __tablename__ = "requests"
    hall_id: str = Field(primary_key=True)
    day: str = Field(primary_key=True)
    identity: str = Field(primary_key=True)
    req_id: str = Field(primary_key=True)
    reply: str = Field(sa_column=Column(Text, nullable=False))


class RollupRow(SQLModel, table=True):
    """One closed day's report rollup (hub/reports.py), written when the day closes."""

    __tablename__ = "daily_rollups"
    hall_id: str = Field(primary_key=True)
    day: str = Field(primary_key=True)
    data: str = Field(sa_column=Column(Text, nullable=False))
    promised: str = Field(sa_column=Column(Text, nullable=False))  # the day's 承诺件, JSON


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


HALLS, EVENTS, TICKETS, WINDOWS, STAFF, DEVICES, RATINGS, COMPLAINTS, CASES, REQUESTS, BOOKINGS = (
    _table(m)
    for m in (
        HallRow,
        EventRow,
        TicketRow,
        WindowRow,
        StaffRow,
        DeviceRow,
        RatingRow,
        ComplaintRow,
        CaseRow,
        RequestRow,
        BookingRow,
    )
)
CATALOGUE_VERSIONS = _table(CatalogueVersionRow)
ROLLUPS = _table(RollupRow)


def db_url(arg: str | None) -> str:
    """The database URL: the argument, else env HALL_DB, else the SQLite file var/hall.db."""
    url = arg or os.environ.get("HALL_DB") or DEFAULT_DB
    if "://" not in url:
        path = Path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    return url


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine with the pragmas durability needs."""
    if url.startswith(("sqlite://", "sqlite+pysqlite://")):
        eng = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return eng
    scheme, _, rest = url.partition("://")
    if scheme in ("postgresql", "postgres"):
        url = "postgresql+psycopg://" + rest
    elif scheme != "postgresql+psycopg":
        raise ArgumentError(
            f"unsupported database {scheme!r}: give a SQLite file or a postgresql+psycopg://USER@HOST:PORT/DB URL"
        )
    return create_engine(url, pool_pre_ping=True)


def _not_indexed(col: Any) -> Any:
    """`col || ''`: the same value, but an expression, so the query planner reads the
    events by their day index rather than by the primary key's `hall_id` (which, on
    SQLite, read every event of the hall to find the days of a range: 2 s for a year)."""
    return col + ""


def _insert(dialect: str, table: Table) -> Any:
    """The dialect's INSERT (its module imported only when a statement is built: a report
    writes none)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(table)


def _upsert_statement(dialect: str, table: Table, keys: Sequence[str], cols: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET cols (SQLite and PostgreSQL spell it alike)."""
    ins = _insert(dialect, table)
    return ins.on_conflict_do_update(
        index_elements=list(keys), set_={c: ins.excluded[c] for c in cols}
    )


class _Writes:
    """The write path's statements, built once: one executemany per table per batch."""

    def __init__(self, dialect: str) -> None:
        ticket_cols = ["day", "number", "service", "state", "data"]
        self.events = EVENTS.insert()
        # a ticket's token hash is written when it is issued and kept by every later change
        self.tickets_issued = _upsert_statement(
            dialect, TICKETS, ("hall_id", "id"), [*ticket_cols, "token_hash"]
        )
        self.tickets = _upsert_statement(dialect, TICKETS, ("hall_id", "id"), ticket_cols)
        self.windows = _upsert_statement(
            dialect, WINDOWS, ("hall_id", "number"), ["state", "staff", "data"]
        )
        self.ratings = RATINGS.insert()
        self.complaints = _upsert_statement(
            dialect, COMPLAINTS, ("hall_id", "seq"), ["state", "due", "updated_seq", "data"]
        )
        self.cases = _upsert_statement(
            dialect,
            CASES,
            ("hall_id", "id"),
            [
                "day",
                "service",
                "department",
                "window",
                "clerk",
                "kind",
                "state",
                "due",
                "received_at",
                "closed_at",
                "data",
            ],
        )
        self.requests = REQUESTS.insert()
        # a booking's hashes are written when it is made and kept by every later change
        booking_cols = ["day", "service", "start", "state", "data"]
        self.bookings_made = _upsert_statement(
            dialect,
            BOOKINGS,
            ("hall_id", "id"),
            [*booking_cols, "token_hash", "code_hash", "mobile_hash"],
        )
        self.bookings = _upsert_statement(dialect, BOOKINGS, ("hall_id", "id"), booking_cols)


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def encode_event(ev: Event) -> tuple[str, str]:
    """An event's JSON as staff get it and as it is stored, encoded once.

    The stored text is the staff text with the store-only fields
    (`PRIVATE_EVENT_FIELDS`) appended, so the hub encodes each event once for
    both the database and the fan-out.
    """
    public: dict[str, Any] = {}
    private: dict[str, Any] = {}
    for k, v in ev.items():
        (private if k in PRIVATE_EVENT_FIELDS else public)[k] = v
    staff = _json(public)
    return staff, (f"{staff[:-1]},{_json(private)[1:]}" if private else staff)


def case_row(hall_id: str, c: Mapping[str, Any]) -> dict[str, Any]:
    """The `cases` row of a Case."""
    closed = c.get("completed_at") if c["state"] != "open" else None
    return {
        "hall_id": hall_id,
        "id": c["id"],
        "day": c["day"],
        "service": c["service"],
        "department": c["department"],
        "window": c.get("window"),
        "clerk": c.get("clerk"),
        "kind": c["kind"],
        "state": c["state"],
        "due": c.get("due"),
        "received_at": datetime.fromisoformat(c["received_at"]),
        "closed_at": datetime.fromisoformat(closed) if closed else None,
        "data": _json(c),
    }


def _windows_left(ev: Event) -> list[Window]:
    """The Windows as an event left them."""
    if is_window_event(ev):
        return [ev["window"]]
    if is_ticket_event(ev):
        return [ev["_window_after"]] if "_window_after" in ev else []
    if ev["type"] in ("day_rolled", "catalogue"):
        return cast(DayRolledEvent, ev)["windows"]
    return []


class Store:
    """The hall's database: tables, catalogue, staff, devices, events, requests."""

    def __init__(self, url: str | None = None) -> None:
        self.url = db_url(url)
        self.engine = make_engine(self.url)
        self._writes_built: _Writes | None = None

    @property
    def _writes(self) -> _Writes:
        """The write path's statements, built at the first commit (a report needs none)."""
        if self._writes_built is None:
            self._writes_built = _Writes(self.engine.dialect.name)
        return self._writes_built

    def create_tables(self) -> None:
        """Create every table that does not exist yet (one transaction; on PostgreSQL under
        the DDL lock, so that services starting at once on a new database do not collide)."""
        with self.engine.begin() as conn:
            lock_ddl(conn)
            SQLModel.metadata.create_all(conn)
            self._add_new_columns(conn)

    def add_new_columns(self) -> None:
        """Add the columns a newer version added to a table made by an older one.

        Only columns that may be null or have a server default are added this way.
        """
        with self.engine.begin() as conn:
            lock_ddl(conn)
            self._add_new_columns(conn)

    @staticmethod
    def _add_new_columns(conn: Connection) -> None:
        insp = inspect(conn)
        for table in (STAFF, DEVICES, COMPLAINTS):
            if not insp.has_table(table.name):
                continue
            have = {c["name"] for c in insp.get_columns(table.name)}
            for col in table.columns:
                if col.name in have:
                    continue
                ddl = f"ALTER TABLE {table.name} ADD COLUMN {col.name} {col.type.compile(conn.dialect)}"
                if col.server_default is not None:
                    ddl += f" NOT NULL DEFAULT '{col.server_default.arg}'"  # type: ignore[attr-defined]
                conn.exec_driver_sql(ddl)
        for table in (COMPLAINTS, CASES):  # indexes a newer version added
            if insp.has_table(table.name):
                for index in table.indexes:
                    index.create(conn, checkfirst=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # --- catalogue

    def save_hall(self, hall: Hall, text: str, secret: str) -> bool:
        """Store a catalogue; return False if a hall with this id is already stored (nothing changes)."""
        with self.engine.begin() as conn:
            exists = conn.execute(select(HALLS.c.id).where(HALLS.c.id == hall.id)).first()
            if exists:
                return False
            conn.execute(
                HALLS.insert(),
                {
                    "id": hall.id,
                    "catalogue": text,
                    "secret": secret,
                    "created_at": datetime.now(UTC),
                },
            )
            staff_rows = [
                {
                    "hall_id": hall.id,
                    "id": s.id,
                    "name": s.name,
                    "pin_hash": None,
                    "windows": list(s.windows),
                    "supervisor": s.supervisor,
                    "failures": 0,
                    "locked_until": None,
                }
                for s in hall.staff
            ]
            if staff_rows:
                conn.execute(STAFF.insert(), staff_rows)
            self._first_version(conn, hall.id)
        return True

    # --- catalogue versions (`hall catalogue apply`; a running hub polls catalogue_head)

    def _first_version(self, conn: Any, hall_id: str) -> None:
        """Version 1 is the catalogue `hall init` stored (added here for databases made before
        versions existed)."""
        have = conn.execute(
            select(func.count()).where(CATALOGUE_VERSIONS.c.hall_id == hall_id)
        ).scalar()
        if have:
            return
        row = conn.execute(
            select(HALLS.c.catalogue, HALLS.c.created_at).where(HALLS.c.id == hall_id)
        ).first()
        if row is None:
            return
        conn.execute(
            CATALOGUE_VERSIONS.insert(),
            {
                "hall_id": hall_id,
                "version": 1,
                "catalogue": row[0],
                "applied_at": row[1] or datetime.now(UTC),
                "applied_by": "hall init",
                "note": "",
            },
        )

    def catalogue_head(self, hall_id: str) -> int:
        """The newest catalogue version of the hall (the one in use); 1 before any apply."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(CATALOGUE_VERSIONS.name):
                return 1
            v = conn.execute(
                select(func.max(CATALOGUE_VERSIONS.c.version)).where(
                    CATALOGUE_VERSIONS.c.hall_id == hall_id
                )
            ).scalar()
        return int(v or 1)

    def catalogue_versions(self, hall_id: str) -> list[dict[str, Any]]:
        """Every catalogue version of the hall, oldest first (without their text)."""
        with self.engine.begin() as conn:
            self._first_version(conn, hall_id)
            rows = (
                conn.execute(
                    select(
                        CATALOGUE_VERSIONS.c.version,
                        CATALOGUE_VERSIONS.c.applied_at,
                        CATALOGUE_VERSIONS.c.applied_by,
                        CATALOGUE_VERSIONS.c.note,
                    )
                    .where(CATALOGUE_VERSIONS.c.hall_id == hall_id)
                    .order_by(CATALOGUE_VERSIONS.c.version)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def catalogue_entry(self, hall_id: str, version: int) -> dict[str, Any] | None:
        """One catalogue version: version, catalogue (its TOML text), applied_at, applied_by,
        note; or None."""
        with self.engine.begin() as conn:
            self._first_version(conn, hall_id)
            row = (
                conn.execute(
                    select(CATALOGUE_VERSIONS).where(
                        CATALOGUE_VERSIONS.c.hall_id == hall_id,
                        CATALOGUE_VERSIONS.c.version == version,
                    )
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def add_catalogue_version(
        self, hall_id: str, text: str, by: str, note: str = "", expect: int | None = None
    ) -> int:
        """Store a new catalogue version and make it the hall's catalogue, in one transaction;
        its number. With `expect`, refused (ValueError) when the newest version is not that one
        (someone applied meanwhile)."""
        with self.engine.begin() as conn:
            self._first_version(conn, hall_id)
            head = int(
                conn.execute(
                    select(func.max(CATALOGUE_VERSIONS.c.version)).where(
                        CATALOGUE_VERSIONS.c.hall_id == hall_id
                    )
                ).scalar()
                or 0
            )
            if expect is not None and head != expect:
                raise ValueError(
                    f"version {head} was applied meanwhile (not {expect}): look again and retry"
                )
            version = head + 1
            conn.execute(
                CATALOGUE_VERSIONS.insert(),
                {
                    "hall_id": hall_id,
                    "version": version,
                    "catalogue": text,
                    "applied_at": datetime.now(UTC),
                    "applied_by": by,
                    "note": note,
                },
            )
            conn.execute(HALLS.update().where(HALLS.c.id == hall_id).values(catalogue=text))
        return version

    def load_hall(self, hall_id: str | None = None) -> tuple[Hall, str]:
        """The stored catalogue (the only one, or the one named) and the hall's secret."""
        with self.engine.connect() as conn:
            rows: Sequence[Any] = []
            if inspect(conn).has_table(HALLS.name):  # else a database `hall init` never saw
                rows = conn.execute(select(HALLS.c.id, HALLS.c.catalogue, HALLS.c.secret)).all()
        if hall_id is not None:
            rows = [r for r in rows if r[0] == hall_id]
        if not rows:
            raise LookupError(
                "no hall in this database: run `hall init --demo` or `hall init --config FILE` first"
            )
        if len(rows) > 1:
            raise LookupError("several halls in this database: name one with --hall ID")
        hid, text, secret = rows[0]
        return parse_catalogue(text, f"<catalogue of hall {hid}>"), secret

    # --- staff and devices

    def get_staff(self, hall_id: str, staff_id: str) -> dict[str, Any] | None:
        """A staff row as a dict, or None."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(STAFF).where(
                        STAFF.c.hall_id == hall_id,
                        STAFF.c.id == staff_id,
                    )
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def list_staff(self, hall_id: str) -> list[dict[str, Any]]:
        """Every staff member of the hall."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(select(STAFF).where(STAFF.c.hall_id == hall_id).order_by(STAFF.c.id))
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def put_staff(
        self,
        hall_id: str,
        staff_id: str,
        name: str,
        pin_hash: str,
        windows: list[int],
        supervisor: bool,
    ) -> None:
        """Create or replace a staff member (clears any lockout)."""
        self.put_staff_many(hall_id, [(staff_id, name, pin_hash, windows, supervisor)])

    def put_staff_many(
        self, hall_id: str, staff: list[tuple[str, str, str, list[int], bool]]
    ) -> None:
        """Create or replace several staff members in one transaction: (id, name, pin hash, windows, supervisor)."""
        rows = [
            {
                "hall_id": hall_id,
                "id": sid,
                "name": name,
                "pin_hash": pin_hash,
                "windows": windows,
                "supervisor": supervisor,
                "failures": 0,
                "locked_until": None,
            }
            for sid, name, pin_hash, windows, supervisor in staff
        ]
        ins = _insert(self.engine.dialect.name, STAFF)
        cols = ["name", "pin_hash", "windows", "supervisor", "failures", "locked_until"]
        stmt = ins.on_conflict_do_update(
            index_elements=["hall_id", "id"],
            set_={
                **{c: ins.excluded[c] for c in cols},
                # a removed id added again is active again; a disabled one stays disabled
                "status": case(
                    (STAFF.c.status == STAFF_REMOVED, STAFF_ACTIVE), else_=STAFF.c.status
                ),
            },
        )
        with self.engine.begin() as conn:
            conn.execute(stmt, rows)

    def update_staff(self, hall_id: str, staff_id: str, **values: Any) -> bool:
        """Change some columns of a staff member (status, name, windows, pin_hash, failures,
        locked_until); False if there is no such staff member."""
        with self.engine.begin() as conn:
            res = conn.execute(
                STAFF.update()
                .where(STAFF.c.hall_id == hall_id, STAFF.c.id == staff_id)
                .values(**values)
            )
        return bool(res.rowcount)

    def staff_status(self, hall_id: str) -> dict[str, tuple[str, list[int], bool, bool]]:
        """Every staff member's (status, windows, supervisor, desk): what the hub polls."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    STAFF.c.id, STAFF.c.status, STAFF.c.windows, STAFF.c.supervisor, STAFF.c.desk
                ).where(STAFF.c.hall_id == hall_id)
            ).all()
        return {r[0]: (r[1], list(r[2] or ()), bool(r[3]), bool(r[4])) for r in rows}

    def locked_staff(self, hall_id: str, now: datetime) -> list[dict[str, Any]]:
        """Active staff locked out after wrong PINs at `now`: id, name, locked_until (by id)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(STAFF.c.id, STAFF.c.name, STAFF.c.locked_until)
                .where(
                    STAFF.c.hall_id == hall_id,
                    STAFF.c.status == STAFF_ACTIVE,
                    STAFF.c.locked_until.is_not(None),
                )
                .order_by(STAFF.c.id)
            ).all()
        out = []
        for sid, name, until in rows:
            until = until if until.tzinfo else until.replace(tzinfo=UTC)
            if until > now:
                out.append({"id": sid, "name": name, "locked_until": until})
        return out

    def staff_request(
        self,
        hall_id: str,
        staff_id: str,
        values: dict[str, Any],
        day: str,
        identity: str,
        req_id: str,
        reply: dict[str, Any],
    ) -> None:
        """A staff row change made by a request (`change_pin`, `unlock_staff`) and the request's
        reply, in one transaction: durable before its ok, and a resent request gets that reply."""
        with self.engine.begin() as conn:
            conn.execute(
                STAFF.update()
                .where(STAFF.c.hall_id == hall_id, STAFF.c.id == staff_id)
                .values(**values)
            )
            conn.execute(
                REQUESTS.insert(),
                {
                    "hall_id": hall_id,
                    "day": day,
                    "identity": identity,
                    "req_id": req_id,
                    "reply": _json(reply),
                },
            )

    def set_staff_failures(
        self, hall_id: str, staff_id: str, failures: int, locked_until: datetime | None
    ) -> None:
        """Record failed logins and a lockout."""
        with self.engine.begin() as conn:
            conn.execute(
                STAFF.update()
                .where(STAFF.c.hall_id == hall_id, STAFF.c.id == staff_id)
                .values(failures=failures, locked_until=locked_until)
            )

    def add_device(self, hall_id: str, name: str, role: str, token_hash: str) -> None:
        """Register a device (a revoked one's name may be used again: its row gets the new token);
        raises ValueError if an active device has the name."""
        row = {
            "role": role,
            "token_hash": token_hash,
            "created_at": datetime.now(UTC),
            "last_seen": None,
            "address": None,
        }
        this = (DEVICES.c.hall_id == hall_id, DEVICES.c.name == name)
        with self.engine.begin() as conn:
            exists = conn.execute(select(DEVICES.c.revoked).where(*this)).first()
            if exists is None:
                conn.execute(
                    DEVICES.insert(), {"hall_id": hall_id, "name": name, **row, "revoked": False}
                )
            elif exists.revoked:
                conn.execute(DEVICES.update().where(*this).values(**row, revoked=False))
            else:
                raise ValueError(f"a device named {name!r} is in use (revoke it first)")

    def list_devices(self, hall_id: str) -> list[dict[str, Any]]:
        """Every device of the hall."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(DEVICES).where(DEVICES.c.hall_id == hall_id).order_by(DEVICES.c.name)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def revoke_device(self, hall_id: str, name: str) -> bool:
        """Revoke a device's token; False if there is no such device."""
        with self.engine.begin() as conn:
            res = conn.execute(
                DEVICES.update()
                .where(DEVICES.c.hall_id == hall_id, DEVICES.c.name == name)
                .values(revoked=True)
            )
        return bool(res.rowcount)

    def device_by_token(self, hall_id: str, token_hash: str) -> dict[str, Any] | None:
        """The live device with this token hash, or None."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(DEVICES).where(
                        DEVICES.c.hall_id == hall_id,
                        DEVICES.c.token_hash == token_hash,
                        DEVICES.c.revoked.is_(False),
                    )
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def device_seen(self, hall_id: str, name: str, at: datetime, address: str | None) -> None:
        """Record a device's hello: when and from which address."""
        with self.engine.begin() as conn:
            conn.execute(
                DEVICES.update()
                .where(DEVICES.c.hall_id == hall_id, DEVICES.c.name == name)
                .values(last_seen=at, address=address)
            )

    def ticket_by_token(self, hall_id: str, token_hash: str) -> Ticket | None:
        """A stored ticket (any day) by its token hash."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(TICKETS.c.data).where(
                    TICKETS.c.hall_id == hall_id,
                    TICKETS.c.token_hash == token_hash,
                )
            ).first()
        return json.loads(row[0]) if row else None

    # --- the write path

    def commit(
        self,
        hall_id: str,
        day: date,
        events: Iterable[Event],
        replies: Iterable[tuple[str, str, dict[str, Any]]],
        payloads: Sequence[str] | None = None,
    ) -> None:
        """Write a batch of events and request replies in one transaction.

        `payloads` are the events' stored texts when the caller has encoded
        them already (`encode_event`), else they are encoded here.

        The events carry every row they change: a ticket event its Ticket (and,
        when issued, the hash of the citizen's token) and the Window it left, a
        window event its Window, `day_rolled` every Window. The last one of each
        in the batch is what the batch left.
        """
        ev_rows: list[dict[str, Any]] = []
        tickets: dict[str, dict[str, Any]] = {}
        windows: dict[int, Window] = {}
        ratings: list[dict[str, Any]] = []
        complaints: dict[str, dict[str, Any]] = {}
        cases: dict[str, dict[str, Any]] = {}  # the last event of each case in the batch
        bookings: dict[str, dict[str, Any]] = {}
        ev_day = day.isoformat()
        for i, ev in enumerate(events):
            if ev["type"] == "day_rolled":
                ev_day = cast(DayRolledEvent, ev)["day"]
            ev_rows.append(
                {
                    "hall_id": hall_id,
                    "seq": ev["seq"],
                    "day": ev_day,
                    "type": ev["type"],
                    "at": datetime.fromisoformat(ev["at"]),
                    "payload": encode_event(ev)[1] if payloads is None else payloads[i],
                }
            )
            windows.update((w["number"], w) for w in _windows_left(ev))
            if is_ticket_event(ev):
                t = ev["ticket"]
                row = {
                    "hall_id": hall_id,
                    "id": t["id"],
                    "day": t["id"][:4] + "-" + t["id"][4:6] + "-" + t["id"][6:8],
                    "number": t["number"],
                    "service": t["service"],
                    "state": t["state"],
                    "data": _json(t),
                }
                if "_token_hash" in ev:
                    row["token_hash"] = ev["_token_hash"]
                elif t["id"] in tickets and "token_hash" in tickets[t["id"]]:
                    row["token_hash"] = tickets[t["id"]]["token_hash"]
                tickets[t["id"]] = row
                if ev["type"] == "ticket_rated":
                    ratings.append(
                        {
                            "hall_id": hall_id,
                            "seq": ev["seq"],
                            "day": ev_day,
                            "ticket": t["id"],
                            "window": ev["window"],
                            "level": ev["level"],
                            "reason": ev.get("reason"),
                        }
                    )
            elif ev["type"] in CASE_EVENTS:
                cev = cast(CaseEvent, ev)["case"]
                cases[cev["id"]] = case_row(hall_id, cev)
            elif ev["type"] in COMPLAINT_EVENTS and "record" in ev:
                r = cast(dict[str, Any], ev)["record"]
                complaints[r["id"]] = {
                    "hall_id": hall_id,
                    "seq": r["seq"],
                    "day": r["received_at"][:10],
                    "id": r["id"],
                    "ticket": r["ticket"] or "",
                    "text": r["text"],
                    "state": r["state"],
                    "due": r["due"],
                    "updated_seq": r["updated_seq"],
                    "data": _json(r),
                }
            elif ev["type"] in BOOKING_EVENT_TYPES:
                b = cast(dict[str, Any], ev)["booking"]
                brow = {
                    "hall_id": hall_id,
                    "id": b["id"],
                    "day": b["day"],
                    "service": b["service"],
                    "start": b["start"],
                    "state": b["state"],
                    "data": _json(b),
                }
                before = bookings.get(b["id"], {})
                for k in ("token_hash", "code_hash", "mobile_hash"):
                    if f"_{k}" in ev:
                        brow[k] = cast(dict[str, Any], ev)[f"_{k}"]
                    elif k in before:
                        brow[k] = before[k]
                bookings[b["id"]] = brow
        window_rows = [
            {
                "hall_id": hall_id,
                "number": n,
                "state": w["state"],
                "staff": w.get("staff"),
                "data": _json(w),
            }
            for n, w in windows.items()
        ]
        req_rows = [
            {
                "hall_id": hall_id,
                "day": ev_day,
                "identity": ident,
                "req_id": rid,
                "reply": _json(reply),
            }
            for ident, rid, reply in replies
        ]
        w = self._writes
        with self.engine.begin() as conn:
            if ev_rows:
                conn.execute(w.events, ev_rows)
            issued = [r for r in tickets.values() if "token_hash" in r]
            changed = [r for r in tickets.values() if "token_hash" not in r]
            made = [r for r in bookings.values() if "token_hash" in r]
            moved = [r for r in bookings.values() if "token_hash" not in r]
            for stmt, rows in (
                (w.tickets_issued, issued),
                (w.tickets, changed),
                (w.bookings_made, made),
                (w.bookings, moved),
                (w.windows, window_rows),
                (w.ratings, ratings),
                (w.complaints, list(complaints.values())),
                (w.cases, list(cases.values())),
                (w.requests, req_rows),
            ):
                if rows:
                    conn.execute(stmt, rows)

    # --- recovery

    def last_day(self, hall_id: str) -> str | None:
        """The day of the newest stored event, or None for a new hall."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(EVENTS.c.day)
                .where(EVENTS.c.hall_id == hall_id)
                .order_by(EVENTS.c.seq.desc())
                .limit(1)
            ).first()
        return row[0] if row else None

    def events_of_day(self, hall_id: str, day: str) -> list[Event]:
        """The stored events of one hall-local day, in order (found by the day index:
        by the primary key, SQLite read every event of the hall, ~3.5 s after a year)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(EVENTS.c.payload)
                .where(_not_indexed(EVENTS.c.hall_id) == hall_id, EVENTS.c.day == day)
                .order_by(EVENTS.c.seq)
            ).all()
        return [json.loads(r[0]) for r in rows]

    def max_seq(self, hall_id: str) -> int:
        """The last event seq of the hall (0 for none)."""
        with self.engine.connect() as conn:
            v = conn.execute(
                select(func.max(EVENTS.c.seq)).where(EVENTS.c.hall_id == hall_id)
            ).scalar()
        return int(v or 0)

    def replies_of_day(self, hall_id: str, day: str) -> dict[tuple[str, str], dict[str, Any]]:
        """The stored request replies of a day, by (identity, request id)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(REQUESTS.c.identity, REQUESTS.c.req_id, REQUESTS.c.reply).where(
                    REQUESTS.c.hall_id == hall_id,
                    REQUESTS.c.day == day,
                )
            ).all()
        return {(r[0], r[1]): json.loads(r[2]) for r in rows}

    def reply_of(
        self, hall_id: str, identity: str, req_id: str, since: str
    ) -> dict[str, Any] | None:
        """The stored reply of a request of day `since` or later (a district command's: it is
        run once, whatever day it was run on; the key's day prefix bounds the search)."""
        with self.engine.connect() as conn:
            v = conn.execute(
                select(REQUESTS.c.reply).where(
                    REQUESTS.c.hall_id == hall_id,
                    REQUESTS.c.day >= since,
                    REQUESTS.c.identity == identity,
                    REQUESTS.c.req_id == req_id,
                )
            ).scalar()
        return None if v is None else cast(dict[str, Any], json.loads(v))

    def days(self, hall_id: str) -> list[str]:
        """Every day that has events, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(EVENTS.c.day)
                .where(EVENTS.c.hall_id == hall_id)
                .group_by(EVENTS.c.day)
                .order_by(EVENTS.c.day)
            ).all()
        return [r[0] for r in rows]

    # --- period reports: daily rollups (hub/reports.py)

    def rollups(self, hall_id: str, start: str, end: str) -> list[dict[str, Any]]:
        """The stored rollups of the days from `start` to `end` (both included), oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ROLLUPS.c.data)
                .where(ROLLUPS.c.hall_id == hall_id, ROLLUPS.c.day >= start, ROLLUPS.c.day <= end)
                .order_by(ROLLUPS.c.day)
            ).all()
        return [json.loads(r[0]) for r in rows]

    def first_day(self, hall_id: str) -> str | None:
        """The oldest day with events, or None (the day index read in order: its first
        entry of the hall; MIN(day) over the hall's key read every event of the hall)."""
        with self.engine.connect() as conn:
            v = conn.execute(
                select(EVENTS.c.day)
                .where(_not_indexed(EVENTS.c.hall_id) == hall_id)
                .order_by(EVENTS.c.day)
                .limit(1)
            ).scalar()
        return str(v) if v else None

    def put_rollup(self, hall_id: str, rollup: dict[str, Any]) -> None:
        """Write (or replace) one day's rollup (its promised cases in their own column)."""
        stmt = _upsert_statement(
            self.engine.dialect.name, ROLLUPS, ("hall_id", "day"), ["data", "promised"]
        )
        data = {k: v for k, v in rollup.items() if k != "promised"}
        row = {
            "hall_id": hall_id,
            "day": rollup["day"],
            "data": _json(data),
            # only cases derived from ticket events (days before cases were recorded): the
            # others are in the `cases` table
            "promised": _json(
                rollup.get("promised", []) if rollup.get("cases_from") == "tickets" else []
            ),
        }
        with self.engine.begin() as conn:
            conn.execute(stmt, row)

    def get_span(self, hall_id: str, key: str) -> dict[str, Any] | None:
        """A stored merged span of rollups (key "M2026-11": a closed month), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ROLLUPS.c.data).where(ROLLUPS.c.hall_id == hall_id, ROLLUPS.c.day == key)
            ).first()
        return json.loads(row[0]) if row else None

    def put_span(self, hall_id: str, key: str, span: dict[str, Any]) -> None:
        """Store a merged span under `key` (beside the days: keys that are not dates)."""
        self.put_rollup(hall_id, {**span, "day": key})

    def rollup_promised(self, hall_id: str, end: str) -> list[dict[str, Any]]:
        """The promised cases of every stored rollup up to `end` (no `cases` table)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ROLLUPS.c.promised).where(
                    ROLLUPS.c.hall_id == hall_id, ROLLUPS.c.day >= "0", ROLLUPS.c.day <= end
                )
            ).all()
        return [c for r in rows for c in json.loads(r[0])]

    def ensure_rollups(self, hall: Hall, before: str) -> int:
        """Compute and store the rollup of every day before `before` that has events but none.

        A day is closed once a later day has begun; its events no longer change.
        Returns how many rollups were written.
        """
        from hub.reports import rollup_day

        with self.engine.connect() as conn:
            last = conn.execute(
                select(func.max(ROLLUPS.c.day)).where(
                    ROLLUPS.c.hall_id == hall.id,
                    ROLLUPS.c.day < "A",  # days, not spans
                )
            ).scalar()
            days = [
                r[0]
                for r in conn.execute(
                    select(EVENTS.c.day)
                    .where(
                        _not_indexed(EVENTS.c.hall_id) == hall.id,
                        EVENTS.c.day > (last or ""),
                        EVENTS.c.day < before,
                    )
                    .distinct()
                    .order_by(EVENTS.c.day)
                ).all()
            ]
        done = 0
        for day in days:  # rollups are written oldest first: only days after the last one
            events = self.events_of_day(hall.id, day)
            self.put_rollup(hall.id, rollup_day(hall, date.fromisoformat(day), events))
            done += 1
        return done

    def promised_cases(self, hall_id: str, end: str) -> list[dict[str, Any]] | None:
        """The promised cases (承诺件) received up to `end` from the `cases` table, or None
        when the database has no such table."""
        if not inspect(self.engine).has_table("cases"):
            return None
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT data FROM cases WHERE hall_id = :h AND kind = 'promised' AND day <= :e"
                ),
                {"h": hall_id, "e": end},
            ).all()
        return [json.loads(r[0]) for r in rows]

    def case_counts(self, hall_id: str, start: str, end: str) -> dict[str, Any] | None:
        """The promised cases' figures of the period counted in SQL (the `cases` table;
        None when there is none): what `hub.reports.count_cases` gives from the cases'
        JSON, by one GROUP BY over the case columns with `case_flags`' rules as CASE
        expressions. The closing day is the first 10 characters of the case's own
        `completed_at` (else `closed_at`) as `case_flags` reads it, taken from `data`
        (SQLite json_extract, PostgreSQL ->>), so the figures are identical."""
        from hub.reports import OVERDUE_KEYS, VIEWS, new_case_counts

        if not inspect(self.engine).has_table("cases"):
            return None
        if self.engine.dialect.name == "postgresql":
            cd = (
                "substr(coalesce(CAST(data AS json)->>'completed_at', "
                "CAST(data AS json)->>'closed_at'), 1, 10)"
            )
            number = "CAST(x.data AS json)->>'number'"
        else:
            cd = (
                "substr(coalesce(json_extract(data, '$.completed_at'), "
                "json_extract(data, '$.closed_at')), 1, 10)"
            )
            number = "json_extract(x.data, '$.number')"
        # only a closed case's closing day counts (`closed` below): an open one's is not read
        cd = f"CASE WHEN state <> 'open' THEN {cd} END"
        # the closing day is read once per case (a materialised CTE), then every flag is
        # a cheap comparison of columns, and one statement gives the groups, the
        # completions per day and the overdue cases' ids
        closed = "(state <> 'open' AND cd IS NOT NULL AND cd <= :e)"
        completed = f"({closed} AND state = 'completed')"
        has_due = "(due IS NOT NULL AND due <> '')"
        flags = {
            "completed": f"day >= :s AND {completed}",
            "on_time": f"day >= :s AND {completed} AND (NOT {has_due} OR cd <= due)",
            "returned": f"day >= :s AND {closed} AND state = 'returned'",
            "open": f"NOT {closed}",
            "overdue": f"NOT {closed} AND {has_due} AND due < :e",
        }
        sums = ", ".join(f"SUM(CASE WHEN {w} THEN 1 ELSE 0 END)" for w in flags.values())
        zeros = ", ".join("0" for _ in flags)
        no_keys = "NULL, NULL, NULL, NULL"
        sql = (
            'WITH c AS MATERIALIZED (SELECT id, "window" AS w, department AS dep, clerk AS cl, '
            f"service AS sv, state, due, day, {cd} AS cd FROM cases "
            "WHERE hall_id = :h AND kind = 'promised' AND day <= :e) "
            f"SELECT 'g', w, dep, cl, sv, NULL, NULL, NULL, NULL, {sums} FROM c "
            "GROUP BY w, dep, cl, sv "
            f"UNION ALL SELECT 'd', {no_keys}, cd, NULL, NULL, NULL, COUNT(*), {zeros[3:]} "
            f"FROM c WHERE {flags['completed']} GROUP BY cd "
            f"UNION ALL SELECT 'o', w, dep, cl, sv, id, day, due, (SELECT {number} FROM cases x "
            f"WHERE x.hall_id = :h AND x.id = c.id), {zeros} FROM c WHERE {flags['overdue']}"
        )
        params = {"h": hall_id, "s": start, "e": end}
        out = new_case_counts()
        groups: list[Any] = []
        with self.engine.connect() as conn:
            for tag, w, dep, cl, sv, extra, day, due, number, *counts in conn.execute(
                text(sql), params
            ):
                if tag == "g":
                    groups.append((w, dep, cl, sv, *counts))
                elif tag == "d" and extra is not None:
                    out["by_day"][extra] = int(counts[0])
                elif tag == "o":
                    c = {
                        "id": extra,
                        "number": number,
                        "service": sv,
                        "department": dep,
                        "window": w,
                        "clerk": cl,
                        "day": day,
                        "due": due,
                    }
                    out["overdue"].append({k: c[k] for k in OVERDUE_KEYS})
        rows = out["rows"]
        for window, department, clerk, service, *counts in groups:
            keys = zip(("hall", *VIEWS), ("", window, department, clerk, service), strict=True)
            for view, key in keys:
                if key is None:
                    continue
                row = rows[view].setdefault(str(key), dict.fromkeys(flags, 0))
                for k, n in zip(flags, counts, strict=True):
                    row[k] += int(n or 0)
        return out

    def case_ids(self, hall_id: str, ids: Iterable[str]) -> set[str]:
        """Which of these case ids the `cases` table holds."""
        want = list(dict.fromkeys(ids))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(want), 500):
                found.update(
                    r[0]
                    for r in conn.execute(
                        select(CASES.c.id).where(
                            CASES.c.hall_id == hall_id, CASES.c.id.in_(want[i : i + 500])
                        )
                    )
                )
        return found

    def restore(
        self,
        hall: Hall,
        today: date,
        token_hash_of: Callable[[str], str] | None = None,
        version: int | None = None,
        booking_keys: BookingKeys | None = None,
        live_rollup: bool = False,
    ) -> QueueEngine:
        """Rebuild the engine from the stored events of the newest day.

        With `live_rollup` the engine keeps the day's report rollup as the events apply
        (`Engine.live_rollup`, the hub's: its reports take today from it).

        `token_hash_of` is the live engine's (see Engine): it gives the hash of
        the citizen token of each ticket issued from now on. `hall` is catalogue
        `version` (default: the newest); the day's `catalogue` events change it as
        they did live.
        the citizen token of each ticket issued from now on. The bookings of that
        day and later come from their table first (they outlive the day); the
        day's events then replay over them (a booking event puts its booking).
        """
        day = self.last_day(hall.id)
        eng = QueueEngine(
            hall, date.fromisoformat(day) if day else today, token_hash_of, booking_keys
        )
        for row in self.bookings_from(hall.id, eng.day.isoformat()):
            eng.bookings.load(
                json.loads(row["data"]), row["token_hash"], row["code_hash"], row["mobile_hash"]
            )
        # the open cases from their table, then the day's events (which end where the table is)
        eng.cases.lookup = lambda cid: self.case_by_id(hall.id, cid)
        eng.cases.load(self.open_cases(hall.id))
        eng.catalogue_version = self.catalogue_head(hall.id) if version is None else version
        eng.complaint_book.load(self.open_complaints(hall.id))
        if live_rollup:
            eng.live_rollup = LiveDay(hall, eng.day)
        if day:
            for ev in self.events_of_day(hall.id, day):
                eng.apply(ev)
        eng.seq = max(eng.seq, self.max_seq(hall.id))
        return eng

    # --- cases (办件)

    def open_cases(self, hall_id: str) -> list[Case]:
        """Every open case of the hall (state open), from the `cases` table."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(CASES.c.data).where(CASES.c.hall_id == hall_id, CASES.c.state == "open")
            ).all()
        return [json.loads(r[0]) for r in rows]

    def case_by_id(self, hall_id: str, case_id: str) -> Case | None:
        """A case (open or closed) from the `cases` table, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(CASES.c.data).where(CASES.c.hall_id == hall_id, CASES.c.id == case_id)
            ).first()
        return json.loads(row[0]) if row else None

    def cases(self, hall_id: str) -> list[Case]:
        """Every case of the hall (any state), from the `cases` table, by id."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(CASES.c.data).where(CASES.c.hall_id == hall_id).order_by(CASES.c.id)
            ).all()
        return [json.loads(r[0]) for r in rows]

    def recount_cases(self, hall_id: str) -> list[Case]:
        """Every case as the raw event log says (the last case event of each id), by id."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(EVENTS.c.payload)
                .where(EVENTS.c.hall_id == hall_id, EVENTS.c.type.in_(sorted(CASE_EVENTS)))
                .order_by(EVENTS.c.seq)
            ).all()
        last: dict[str, Case] = {}
        for (payload,) in rows:
            c = json.loads(payload)["case"]
            last[c["id"]] = c
        return [last[k] for k in sorted(last)]

    # --- complaints

    def open_complaints(self, hall_id: str) -> list[dict[str, Any]]:
        """The complaints not closed or rejected, as their rows hold them (old rows: received)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(COMPLAINTS)
                .where(
                    COMPLAINTS.c.hall_id == hall_id,
                    (COMPLAINTS.c.state.is_(None)) | COMPLAINTS.c.state.notin_(FINAL),
                )
                .order_by(COMPLAINTS.c.seq)
            ).mappings()
            return [_complaint_record(r) for r in rows]

    def complaints(self, hall_id: str) -> list[dict[str, Any]]:
        """Every complaint of the hall, oldest first (reports, checks)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(COMPLAINTS).where(COMPLAINTS.c.hall_id == hall_id).order_by(COMPLAINTS.c.seq)
            ).mappings()
            return [_complaint_record(r) for r in rows]

    def complaints_of_ticket(self, hall_id: str, ticket: str) -> list[dict[str, Any]]:
        """The complaints naming a ticket, closed ones too, oldest first (a citizen's hello)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(COMPLAINTS)
                .where(COMPLAINTS.c.hall_id == hall_id, COMPLAINTS.c.ticket == ticket)
                .order_by(COMPLAINTS.c.seq)
            ).mappings()
            return [_complaint_record(r) for r in rows]

    def booking_by_token(self, hall_id: str, token_hash: str) -> dict[str, Any] | None:
        """A stored booking (any day) by the hash of its token."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(BOOKINGS.c.data).where(
                    BOOKINGS.c.hall_id == hall_id, BOOKINGS.c.token_hash == token_hash
                )
            ).first()
        return json.loads(row[0]) if row else None

    def bookings_from(self, hall_id: str, day: str) -> list[dict[str, Any]]:
        """The stored bookings of `day` and later (rows as dicts)."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(BOOKINGS)
                    .where(BOOKINGS.c.hall_id == hall_id, BOOKINGS.c.day >= day)
                    .order_by(BOOKINGS.c.id)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def replay_day(self, hall: Hall, day: str) -> QueueEngine | None:
        """An engine holding one past day's state (for reports), or None if the day has no events."""
        events = self.events_of_day(hall.id, day)
        if not events:
            return None
        eng = QueueEngine(hall, date.fromisoformat(day))
        for ev in events:
            eng.apply(ev)
        return eng


def _complaint_record(row: Any) -> dict[str, Any]:
    """A complaint row as a Complaint record; a row from before the lifecycle is received."""
    if row["data"]:
        return cast(dict[str, Any], json.loads(row["data"]))
    day = date.fromisoformat(row["day"])
    return {
        "id": row["id"],
        "seq": row["seq"],
        "updated_seq": row["seq"],
        "state": "received",
        "source": "page",
        "text": row["text"],
        "contact": None,
        "ticket": row["ticket"] or None,
        "number": None,
        "window": None,
        "staff": None,
        "case": None,
        "level": None,
        "received_by": None,
        "received_at": f"{day.isoformat()}T00:00:00",
        "due": row["due"] or day.isoformat(),
        "supervisor": None,
        "notes": [],
        "answer": None,
        "answered_at": None,
        "closed_at": None,
        "reason": None,
    }


# --- backup and restore (SQLite: the online backup API; PostgreSQL: pg_dump, run by the operator)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite database URL, or None for PostgreSQL (and in-memory SQLite)."""
    if not url.startswith(("sqlite://", "sqlite+pysqlite://")):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def hub_lock_path(db_file: Path) -> Path:
    """The lock file a running hub holds next to its SQLite database."""
    return db_file.with_name(db_file.name + ".hub-lock")


def take_hub_lock(db_file: Path) -> IO[str] | None:
    """Take the hub lock of a SQLite database (an exclusive flock); None if a process holds it.

    `hall serve` holds it while it runs and `hall restore` while it restores:
    the kernel drops it when the process ends, even by SIGKILL. Keep the
    returned file open as long as the lock is needed.
    """
    f = hub_lock_path(db_file).open("a", encoding="utf-8")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        return None
    return f


def _self_contained(conn: sqlite3.Connection) -> None:
    """Make a copied database one file (rollback journal, not WAL), checked."""
    conn.execute("PRAGMA journal_mode=DELETE")
    ok = conn.execute("PRAGMA quick_check").fetchone()
    if not ok or ok[0] != "ok":
        raise sqlite3.DatabaseError(f"the copy fails its check: {ok[0] if ok else '?'}")


def backup_sqlite(db_file: Path, dest: Path) -> None:
    """Copy a live SQLite database to `dest` in one consistent snapshot (the online backup API).

    The copy is one step under one read transaction (WAL lets the hub go on
    writing meanwhile), so it holds every transaction committed before it
    began; it is written beside `dest` and renamed, so `dest` is never half a
    database.
    """
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            _self_contained(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(tmp, dest)


def check_backup(path: Path) -> None:
    """Raise ValueError unless `path` is a SQLite database that holds a hall."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()
            halls = conn.execute("SELECT count(*) FROM halls").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise ValueError(f"{path} is not a hall backup: {e}") from None
    if not ok or ok[0] != "ok" or not halls or not halls[0]:
        raise ValueError(f"{path} is not a hall backup (no hall in it, or damaged)")


def restore_sqlite(backup: Path, db_file: Path) -> None:
    """Replace the database in `db_file` by the backup (the caller holds the hub lock)."""
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(db_file, timeout=30)
        try:
            dst.execute("PRAGMA journal_mode=WAL")
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
