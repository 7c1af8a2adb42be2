"""The lobby board's body: the latest call on top; windows, recent calls and waiting counts below."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from display.state import BoardState

from .call import LatestCall
from .recent import RecentCalls
from .waiting import WaitingPanel
from .windows import WindowsPanel


class LobbyBoard(Vertical):
    """Everything the public sees (and nothing private: no staff, notes, ratings, complaints)."""

    def compose(self) -> ComposeResult:
        yield LatestCall(id="latest-call")
        with Horizontal(id="board-lower"):
            yield WindowsPanel(id="windows")
            yield RecentCalls(id="recent")
            yield WaitingPanel(id="waiting")

    def show(self, state: BoardState, lang: str) -> None:
        self.query_one(LatestCall).show(state.latest_call(), lang)
        self.query_one(WindowsPanel).show(state, lang)
        self.query_one(RecentCalls).show(state, lang)
        self.query_one(WaitingPanel).show(state, lang)
