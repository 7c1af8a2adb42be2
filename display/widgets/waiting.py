"""How many people wait, per department."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from display.state import BoardState
from display.strings import t
from shared.i18n import name_of


class WaitingPanel(Widget):
    """Waiting counts per department, and the hall total; fits itself to its height."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[tuple[str, int]] = []
        self._lang = "zh"
        self._key: object = None

    def show(self, state: BoardState, lang: str) -> None:
        rows = [
            (f"{d.get('prefix') or ''} {name_of(d, lang)}".strip(), n)
            for d, n in state.waiting_by_department()
        ]
        key = (lang, rows)
        if key == self._key:
            return
        self._key = key
        self._rows = rows
        self._lang = lang
        self.border_title = t("waiting", lang)
        self.refresh()

    def render(self) -> RenderResult:
        lang = self._lang
        room = max(1, self.content_size.height - 1)  # one line for the total
        rows = self._rows
        if len(rows) > room:
            rows = [
                r for r in rows if r[1]
            ]  # a crowded hall: departments nobody waits for go first
        hidden = 0
        if len(rows) > room:
            keep = max(0, room - 1)
            hidden = len(rows) - keep
            rows = rows[:keep]
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right", no_wrap=True)
        for name, n in rows:
            table.add_row(
                Text(name, style="" if n else "dim"), Text(str(n), style="bold" if n else "dim")
            )
        if hidden:
            table.add_row(Text(t("more_departments", lang, n=hidden), style="dim"), "")
        total = sum(n for _, n in self._rows)
        row: list[Any] = [
            Text(t("waiting_total", lang), style="bold"),
            Text(str(total), style="bold"),
        ]
        table.add_row(*row)
        return table
