"""Every window with its current ticket and its state (open, paused, closed)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import ItemGrid, VerticalScroll
from textual.reactive import var
from textual.widgets import Static

from display.state import BoardState
from display.strings import t
from shared.labels import state_label, window_mark_label, window_state_label
from shared.protocol import CALLED, PARKED, SERVING, W_CLOSED, W_OPEN, W_PAUSED

WINDOW_CELL_WIDTH = 17


class WindowCell(Static):
    """One window: its name, the ticket at it, its state. Never the staff."""

    # (text, window state, ticket state, unattended): a reactive, so an unchanged cell costs
    # no refresh
    shown: var[tuple[str, str, str | None, bool] | None] = var(None, init=False)

    def __init__(self, number: int) -> None:
        super().__init__(id=f"window-{number}", classes="window-cell")
        self.number = number

    def show(self, state: BoardState, lang: str) -> None:
        w = state.windows.get(self.number) or {}
        wstate = w.get("state") or W_CLOSED
        current = state.window_current_number(self.number)
        tstate = state.window_current_state(self.number)
        name = f"W{self.number}" if lang == "en" else f"{self.number}号"
        # supervisors only: the hub marks an open window whose terminal is gone
        unattended = wstate != W_CLOSED and bool(w.get("unattended_since"))
        if unattended:
            right = window_mark_label("unattended", lang) + (f" {current}" if current else "")
        elif wstate == W_CLOSED:
            right = window_state_label(W_CLOSED, lang)
        elif wstate == W_PAUSED:
            right = window_state_label(W_PAUSED, lang) + (f" {current}" if current else "")
        elif current:
            right = f"{current} {state_label(tstate, lang) if tstate in (CALLED, SERVING, PARKED) else ''}"
        else:
            right = t("idle", lang)
        self.shown = (f"{name:<4} {right.strip()}", wstate, tstate, unattended)

    def watch_shown(self, shown: tuple[str, str, str | None, bool]) -> None:
        text, wstate, tstate, unattended = shown
        self.update(text, layout=False)  # one fixed line: no re-layout
        for s in (W_OPEN, W_PAUSED, W_CLOSED):
            self.set_class(wstate == s, f"-{s}")
        self.set_class(tstate == CALLED, "-called")
        self.set_class(unattended, "-unattended")


class WindowsPanel(VerticalScroll):
    """A grid of window cells, as many columns as fit."""

    lang: var[str] = var("", init=False)
    numbers: var[list[int]] = var(list, init=False)  # the windows there are cells for

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cells: list[WindowCell] = []

    def compose(self) -> ComposeResult:
        yield ItemGrid(id="window-grid", min_column_width=WINDOW_CELL_WIDTH, stretch_height=False)

    def show(self, state: BoardState, lang: str) -> None:
        self.lang = lang
        self.numbers = sorted(state.windows)
        for cell in self._cells:
            cell.show(state, lang)

    def watch_lang(self, lang: str) -> None:
        self.border_title = t("windows", lang)

    def watch_numbers(self, numbers: list[int]) -> None:
        grid = self.query_one("#window-grid", ItemGrid)
        grid.remove_children()
        self._cells = [WindowCell(n) for n in numbers]
        grid.mount_all(self._cells)
