"""The last calls, newest first, with what became of each."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from display.state import BoardState
from display.strings import STRINGS, t

_STATE_STYLE = {
    "called": "bold",
    "serving": "",
    "parked": "dim",
    "done": "dim",
    "pending": "dim",
    "no_show": "dim strike",
    "expired": "dim",
    "cancelled": "dim",
    "waiting": "dim",
}


def hhmm(at: str | None) -> str:
    """The HH:MM of a protocol time (already in the hall's offset)."""
    return at[11:16] if isinstance(at, str) and len(at) >= 16 else "--:--"


class RecentCalls(Static):
    """The last 8 calls: number → window, time, state."""

    _key: object = None

    def show(self, state: BoardState, lang: str) -> None:
        calls = state.recent_calls()
        key = (
            lang,
            [(c, state.ticket_state(c.ticket), state.window_name(c.window, lang)) for c in calls],
        )
        if key == self._key:
            return
        self._key = key
        self.border_title = t("recent_calls", lang)
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(justify="left", no_wrap=True, min_width=4)
        table.add_column(justify="left", no_wrap=True, overflow="ellipsis", ratio=1)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        for call in calls:
            tstate = state.ticket_state(call.ticket) or "called"
            style = _STATE_STYLE.get(tstate, "")
            label_key = f"t_{tstate}"
            label = t(label_key, lang) if label_key in STRINGS else tstate
            if tstate == "called" and call.recalls:
                label = t("recall_mark", lang)
            table.add_row(
                Text(call.number, style=f"bold {style}"),
                Text(f"→ {state.window_name(call.window, lang)}", style=style),
                Text(hhmm(call.at), style="dim"),
                Text(label, style=style),
            )
        if not state.recent:
            table.add_row(Text(t("no_call", lang), style="dim"), "", "", "")
        self.update(table)
