"""The lobby board's body: the latest call on top; windows, recent calls and waiting counts below."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var

from display.state import RECENT_SHOWN, BoardState

from .call import LatestCall
from .recent import RecentCalls
from .waiting import WaitingPanel
from .windows import WINDOW_CELL_WIDTH, WindowsPanel


class LobbyBoard(Vertical):
    """Everything the public sees (and nothing private: no staff, notes, ratings, complaints)."""

    needs: var[tuple[int, int]] = var((0, 0), init=False)  # (windows, departments) below

    def compose(self) -> ComposeResult:
        yield LatestCall(id="latest-call")
        with Horizontal(id="board-lower"):
            yield WindowsPanel(id="windows")
            yield RecentCalls(id="recent")
            yield WaitingPanel(id="waiting")

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Give the lower part the rows it needs (up to 45 %), the latest call the rest."""
        width, height = self.size
        if not height:
            return
        windows, departments = self.needs
        panel = self.query_one(WindowsPanel)
        # WindowsPanel is 2fr of 4fr, less its border (until it has been laid out once).
        grid_width = panel.content_size.width or max(1, width * 2 // 4 - 2)
        columns = max(1, (grid_width + 1) // (WINDOW_CELL_WIDTH + 1))
        rows = max(-(-windows // columns), departments + 1, RECENT_SHOWN) + 2
        lower = max(8, min(rows, height * 45 // 100))
        self.query_one("#board-lower").styles.height = lower

    def watch_needs(self) -> None:
        self._fit()

    def show(self, state: BoardState, lang: str) -> None:
        self.needs = (len(state.windows), len(state.departments))
        self.query_one(LatestCall).show(state.latest_call(), lang)
        self.query_one(WindowsPanel).show(state, lang)
        self.query_one(RecentCalls).show(state, lang)
        self.query_one(WaitingPanel).show(state, lang)
