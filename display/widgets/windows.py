"""Every window with its current ticket and its state (open, paused, closed)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import ItemGrid, VerticalScroll
from textual.widgets import Static

from display.state import BoardState
from display.strings import t

WINDOW_CELL_WIDTH = 17


class WindowCell(Static):
    """One window: its name, the ticket at it, its state. Never the staff."""

    def __init__(self, number: int) -> None:
        super().__init__(id=f"window-{number}", classes="window-cell")
        self.number = number
        self._shown: tuple[str, str, str | None] | None = None

    def show(self, state: BoardState, lang: str) -> None:
        w = state.windows.get(self.number) or {}
        wstate = w.get("state") or "closed"
        current = state.window_current_number(self.number)
        tstate = state.window_current_state(self.number)
        name = f"W{self.number}" if lang == "en" else f"{self.number}号"
        if wstate == "closed":
            right = t("w_closed", lang)
        elif wstate == "paused":
            right = t("w_paused", lang) + (f" {current}" if current else "")
        elif current:
            right = f"{current} {t('t_' + tstate, lang) if tstate in ('called', 'serving', 'parked') else ''}"
        else:
            right = t("idle", lang)
        text = f"{name:<4} {right.strip()}"
        if self._shown == (text, wstate, tstate):
            return  # redrawing an unchanged cell costs a refresh for nothing
        self._shown = (text, wstate, tstate)
        self.update(text, layout=False)  # one fixed line: no re-layout
        for s in ("open", "paused", "closed"):
            self.set_class(wstate == s, f"-{s}")
        self.set_class(tstate == "called", "-called")


class WindowsPanel(VerticalScroll):
    """A grid of window cells, as many columns as fit."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._numbers: list[int] = []

    def compose(self) -> ComposeResult:
        yield ItemGrid(id="window-grid", min_column_width=WINDOW_CELL_WIDTH, stretch_height=False)

    def show(self, state: BoardState, lang: str) -> None:
        if self.border_title != t("windows", lang):
            self.border_title = t("windows", lang)
        numbers = sorted(state.windows)
        grid = self.query_one("#window-grid", ItemGrid)
        if numbers != self._numbers:
            self._numbers = numbers
            grid.remove_children()
            cells = [WindowCell(n) for n in numbers]
            grid.mount_all(cells)
            for cell in cells:
                cell.show(state, lang)
            return
        for cell in grid.query(WindowCell):
            cell.show(state, lang)
