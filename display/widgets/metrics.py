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
from shared.protocol import W_CLOSED, W_OPEN, W_PAUSED

# (metric field, column heading 中文, English): headings kept short so the table fits.
COLUMNS = (
    ("window", "窗口", "Window"),
    ("state", "状态", "State"),
    ("staff", "工号", "Staff"),
    ("received", "收件", "Recv"),
    ("completed", "办结", "Done"),
    ("completion_rate", "办结率", "Done %"),
    ("pending", "承诺件", "Pend."),
    ("transferred_in", "转入", "T-in"),
    ("transferred_out", "转出", "T-out"),
    ("no_show", "过号", "No-show"),
    ("first_responsibility_closure_rate", "首问办结率", "1st-resp %"),
    ("avg_wait_s", "平均等候", "Avg wait"),
    ("avg_service_s", "平均办理", "Avg svc"),
    ("on_duty_s", "在岗", "On duty"),
    ("paused_s", "暂停", "Paused"),
    ("ratings", "评价", "Ratings"),
)


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


def cell(key: str, row: dict[str, Any], state: BoardState, lang: str) -> str | Text:
    """One cell of the per-window table."""
    if key == "window":
        return state.window_name(row.get("window"), lang)
    number = row.get("window")
    w = state.windows.get(number) or {} if isinstance(number, int) else {}
    if key == "state":
        wstate = w.get("state") or W_CLOSED
        style = {W_OPEN: "green", W_PAUSED: "yellow", W_CLOSED: "dim"}.get(wstate, "")
        return Text(
            t(f"w_{wstate}", lang) if wstate in (W_OPEN, W_PAUSED, W_CLOSED) else wstate,
            style=style,
        )
    if key == "staff":
        return str(w.get("staff") or "—")
    value = row.get(key)
    if key.endswith("_rate"):
        return fmt_rate(value)
    if key.endswith("_s"):
        return fmt_duration(value)
    if key == "ratings":
        return fmt_ratings(value, lang)
    return fmt_count(value)


class MetricsTable(DataTable[str | Text]):
    """Per-window same-day figures (docs/DESIGN.md, Same-day metrics)."""

    lang: var[str | None] = var(None, init=False)  # the language of the column headings

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def watch_lang(self, lang: str) -> None:
        self.clear(columns=True)
        for key, zh, en in COLUMNS:
            self.add_column(en if lang == "en" else zh, key=key)

    def show(self, state: BoardState, lang: str, now: datetime | None) -> None:
        self.lang = lang
        rows = state.window_metrics(now)
        wanted = [str(r.get("window")) for r in rows]
        if [str(k.value) for k in self.rows] != wanted:
            self.clear()
            for r in rows:
                self.add_row(
                    *(cell(k, r, state, lang) for k, _, _ in COLUMNS), key=str(r.get("window"))
                )
            return
        for r in rows:
            row_key = str(r.get("window"))
            for key, _, _ in COLUMNS:
                value = cell(key, r, state, lang)
                if str(self.get_cell(row_key, key)) != str(value):  # unchanged cells cost nothing
                    self.update_cell(row_key, key, value)


class HallTotals(Static):
    """The hall's totals for the day."""

    shown: var[tuple[str, dict[str, Any]] | None] = var(None, init=False)  # (lang, totals)

    def show(self, state: BoardState, lang: str) -> None:
        self.shown = (lang, state.hall_metrics())

    def watch_shown(self, shown: tuple[str, dict[str, Any]]) -> None:
        lang, m = shown
        self.border_title = t("hall_totals", lang)
        if not m:
            self.update(t("no_metrics", lang))
            return
        items = [
            ("m_issued", fmt_count(m.get("issued"))),
            ("m_waiting", fmt_count(m.get("waiting"))),
            ("m_received", fmt_count(m.get("received"))),
            ("m_completed", fmt_count(m.get("completed"))),
            ("m_completion_rate", fmt_rate(m.get("completion_rate"))),
            ("m_pending", fmt_count(m.get("pending"))),
            ("m_no_show", fmt_count(m.get("no_show"))),
            ("m_cancelled", fmt_count(m.get("cancelled"))),
            ("m_frc", fmt_rate(m.get("first_responsibility_closure_rate"))),
            ("m_avg_wait", fmt_duration(m.get("avg_wait_s"))),
            ("m_max_wait", fmt_duration(m.get("max_wait_s"))),
            ("m_avg_service", fmt_duration(m.get("avg_service_s"))),
            ("m_ratings", fmt_ratings(m.get("ratings"), lang)),
        ]
        table = Table.grid(padding=(0, 2))
        per_row = 5
        for _ in range(per_row):
            table.add_column()
        cells = [Text.assemble((t(k, lang) + " ", "dim"), (v, "bold")) for k, v in items]
        for i in range(0, len(cells), per_row):
            chunk = cells[i : i + per_row]
            table.add_row(*chunk, *[""] * (per_row - len(chunk)))
        self.update(table)
