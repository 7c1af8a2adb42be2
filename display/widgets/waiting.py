"""How many people wait, per department."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from display.state import BoardState
from display.strings import t
from shared.i18n import name_of


class WaitingPanel(Static):
    """Waiting counts per department, and the hall total."""

    _key: object = None

    def show(self, state: BoardState, lang: str) -> None:
        rows = state.waiting_by_department()
        key = (lang, [(d.get("code"), n) for d, n in rows])
        if key == self._key:
            return
        self._key = key
        self.border_title = t("waiting", lang)
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(ratio=1)
        table.add_column(justify="right")
        total = 0
        for dept, n in rows:
            total += n
            prefix = dept.get("prefix") or ""
            table.add_row(
                Text(f"{prefix} {name_of(dept, lang)}".strip(), style="" if n else "dim"),
                Text(str(n), style="bold" if n else "dim"),
            )
        table.add_row(Text(t("waiting_total", lang), style="bold"), Text(str(total), style="bold"))
        self.update(table)
