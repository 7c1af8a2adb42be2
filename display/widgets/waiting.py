"""How many people wait, per department."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

from display.state import BoardState
from display.strings import t
from shared.i18n import name_of


class WaitingPanel(Widget):
    """Waiting counts per department, and the hall total; fits itself to its height."""

    # (lang, [(department, count)]): a reactive, so the widget repaints only on a change
    shown: reactive[tuple[str, list[tuple[str, int]]] | None] = reactive(None, init=False)

    def show(self, state: BoardState, lang: str) -> None:
        rows = [
            (f"{d.get('prefix') or ''} {name_of(d, lang)}".strip(), n)
            for d, n in state.waiting_by_department()
        ]
        self.shown = (lang, rows)

    def watch_shown(self, shown: tuple[str, list[tuple[str, int]]]) -> None:
        self.border_title = t("waiting", shown[0])

    def render(self) -> RenderResult:
        lang, all_rows = self.shown or ("zh", [])
        width = self.content_size.width
        room = max(1, self.content_size.height - 1)  # one line for the total
        rows = all_rows
        if len(rows) > room:
            rows = [
                r for r in rows if r[1]
            ]  # a crowded hall: departments nobody waits for go first
        hidden = 0
        if len(rows) > room:
            keep = max(0, room - 1)
            hidden = len(rows) - keep
            rows = rows[:keep]
        total = sum(n for _, n in all_rows)
        out = Text(no_wrap=True, overflow="crop")

        def line(name: str, count: str, style: str) -> None:
            if out:
                out.append("\n")
            room_for_name = max(1, width - cell_len(count) - 1)
            if cell_len(name) > room_for_name:
                name = set_cell_size(name, room_for_name - 1) + "…"
            out.append(set_cell_size(name, room_for_name) + " ", style=style)
            out.append(count, style=style or "bold")

        for name, n in rows:
            line(name, str(n), "" if n else "dim")
        if hidden:
            line(t("more_departments", lang, n=hidden), "", "dim")
        line(t("waiting_total", lang), str(total), "bold")
        return out
