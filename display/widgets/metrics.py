"""The supervisor's same-day figures: one row per window, and the hall totals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.reactive import var
from textual.widgets import DataTable, Static

from display.state import BoardState
from display.strings import t
from shared.i18n import name_of
from shared.labels import METRIC_LABELS, metric_label, window_state_label
from shared.protocol import W_CLOSED, W_OPEN, W_PAUSED

# The table's columns: metric fields (shared.labels names them), plus the window's state and staff.
COLUMNS = (
    "window",
    "state",
    "staff",
    "received",
    "completed",
    "completion_rate",
    "pending",
    "transferred_in",
    "transferred_out",
    "no_show",
    "first_responsibility_closure_rate",
    "avg_wait_s",
    "avg_service_s",
    "on_duty_s",
    "paused_s",
    "ratings",
)
HALL_TOTALS = (
    "issued",
    "waiting",
    "received",
    "completed",
    "completion_rate",
    "pending",
    "no_show",
    "cancelled",
    "first_responsibility_closure_rate",
    "avg_wait_s",
    "max_wait_s",
    "avg_service_s",
    "ratings",
)


def heading(key: str, lang: str) -> str:
    """A column heading: the metric field's label, or the board's own word for state and staff."""
    return metric_label(key, lang, short=True) if key in METRIC_LABELS else t(f"m_{key}", lang)


def fmt_rate(value: Any) -> str:
    """A rate in [0, 1] as a percentage; — when there is none."""
    return f"{value * 100:.0f}%" if isinstance(value, int | float) else "—"


def fmt_duration(value: Any) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour on; — when there is none."""
    if not isinstance(value, int | float):
        return "—"
    s = int(round(value))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def fmt_ratings(value: Any, lang: str) -> str:
    """Mean rating and how many, e.g. 4.5(2条); — when none."""
    if not isinstance(value, dict) or not value.get("count"):
        return "—"
    avg = value.get("avg")
    avg_s = f"{avg:.1f}" if isinstance(avg, int | float) else "—"
    return t("ratings_fmt", lang, avg=avg_s, count=value["count"])


def fmt_count(value: Any) -> str:
    return str(value) if isinstance(value, int) else "—"


def value_text(key: str, value: Any, lang: str) -> str:
    """A metric field's value as the board shows it, by the field's unit."""
    unit = METRIC_LABELS[key].unit
    if unit == "rate":
        return fmt_rate(value)
    if unit == "s":
        return fmt_duration(value)
    if unit == "ratings":
        return fmt_ratings(value, lang)
    return fmt_count(value)


def cell(key: str, row: dict[str, Any], state: BoardState, lang: str) -> str | Text:
    """One cell of the per-window table."""
    if key == "window":
        return state.window_name(row.get("window"), lang)
    number = row.get("window")
    w = state.windows.get(number) or {} if isinstance(number, int) else {}
    if key == "state":
        wstate = w.get("state") or W_CLOSED
        style = {W_OPEN: "green", W_PAUSED: "yellow", W_CLOSED: "dim"}.get(wstate, "")
        return Text(window_state_label(wstate, lang), style=style)
    if key == "staff":
        return str(w.get("staff") or "—")
    return value_text(key, row.get(key), lang)


class MetricsTable(DataTable[str | Text]):
    """Per-window same-day figures (docs/DESIGN.md, Same-day metrics)."""

    lang: var[str | None] = var(None, init=False)  # the language of the column headings

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def watch_lang(self, lang: str) -> None:
        self.clear(columns=True)
        for key in COLUMNS:
            self.add_column(heading(key, lang), key=key)

    def show(self, state: BoardState, lang: str, now: datetime | None) -> None:
        self.lang = lang
        rows = state.window_metrics(now)
        wanted = [str(r.get("window")) for r in rows]
        if [str(k.value) for k in self.rows] != wanted:
            self.clear()
            for r in rows:
                self.add_row(*(cell(k, r, state, lang) for k in COLUMNS), key=str(r.get("window")))
            return
        for r in rows:
            row_key = str(r.get("window"))
            for key in COLUMNS:
                value = cell(key, r, state, lang)
                if str(self.get_cell(row_key, key)) != str(value):  # unchanged cells cost nothing
                    self.update_cell(row_key, key, value)


class HallTotals(Static):
    """The hall's totals for the day."""

    # (lang, totals, the closing-time forecast line or "")
    shown: var[tuple[str, dict[str, Any], str] | None] = var(None, init=False)

    def show(self, state: BoardState, lang: str) -> None:
        self.shown = (lang, state.hall_metrics(), closing_line(state.closing, lang))

    def watch_shown(self, shown: tuple[str, dict[str, Any], str]) -> None:
        lang, m, closing = shown
        self.border_title = t("hall_totals", lang)
        if not m:
            self.update(t("no_metrics", lang))
            return
        table = Table.grid(padding=(0, 2))
        per_row = 5
        for _ in range(per_row):
            table.add_column()
        cells = [
            Text.assemble(
                (metric_label(k, lang) + " ", "dim"), (value_text(k, m.get(k), lang), "bold")
            )
            for k in HALL_TOTALS
        ]
        for i in range(0, len(cells), per_row):
            chunk = cells[i : i + per_row]
            table.add_row(*chunk, *[""] * (per_row - len(chunk)))
        if closing:
            table.add_row(Text(closing, style="bold"), *[""] * (per_row - 1))
        self.update(table)


class CaseTotals(Static):
    """Open cases (办件) per department: open, due soon (amber), overdue (red)."""

    shown: var[tuple[str, list[tuple[str, dict[str, int]]]] | None] = var(None, init=False)

    def show(self, state: BoardState, lang: str) -> None:
        rows = [(name_of(d, lang) or str(d.get("code")), n) for d, n in state.case_counts()]
        self.shown = (lang, rows)

    def watch_shown(self, shown: tuple[str, list[tuple[str, dict[str, int]]]]) -> None:
        lang, rows = shown
        self.border_title = t("cases_title", lang)
        if not rows:
            self.update(Text(t("cases_none", lang), style="dim"))
            return
        lines = []
        for name, n in rows:
            style = "bold red" if n["overdue"] else "yellow" if n["due_soon"] else ""
            lines.append(Text(t("cases_row", lang, department=name, **n), style=style))
        self.update(Text("\n").join(lines))


def closing_line(closing: dict[str, Any] | None, lang: str) -> str:
    """The supervisor's closing-time forecast: how many still wait at closing, when all are
    done ("" in a hall always open)."""
    if not closing:
        return ""

    def hm(value: Any) -> str:
        try:
            return datetime.fromisoformat(str(value)).strftime("%H:%M")
        except ValueError:
            return "?"

    text = t("closing", lang, at=hm(closing.get("closes_at")), n=closing.get("waiting_at_close"))
    if closing.get("finish_at"):
        text += t("closing_done", lang, at=hm(closing["finish_at"]))
    if closing.get("unserved"):
        text += t("closing_unserved", lang, n=closing["unserved"])
    return text


class BookingSlots(Static):
    """预约: today's bookings per slot and service (hidden in a hall without any today)."""

    shown: var[tuple[str, tuple[str, ...]] | None] = var(None, init=False)  # (lang, lines)

    def show(self, state: BoardState, lang: str) -> None:
        names = {s.get("code"): s for s in state.services}
        lines = tuple(
            t(
                "bookings_row",
                lang,
                slot=f"{r['start'][11:16]}-{r['end'][11:16]}",
                service=name_of(names.get(r["service"]) or {"name": r["service"]}, lang),
                booked=r["booked"],
                checked_in=r["checked_in"],
                no_show=r["no_show"],
            )
            for r in state.booking_slots()
        )
        self.shown = (lang, lines)

    def watch_shown(self, shown: tuple[str, tuple[str, ...]]) -> None:
        lang, lines = shown
        self.display = bool(lines)
        if lines:
            self.update(
                Text("\n").join([Text(t("bookings_title", lang), style="bold"), *map(Text, lines)])
            )
