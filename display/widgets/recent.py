"""The last calls, newest first, with what became of each."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

from display.state import BoardState, Call
from display.strings import t
from shared.labels import state_label
from shared.protocol import (
    CALLED,
    CANCELLED,
    DONE,
    EXPIRED,
    NO_SHOW,
    PARKED,
    PENDING,
    SERVING,
    WAITING,
)

_STATE_STYLE = {
    CALLED: "bold",
    SERVING: "",
    PARKED: "dim",
    DONE: "dim",
    PENDING: "dim",
    NO_SHOW: "dim strike",
    EXPIRED: "dim",
    CANCELLED: "dim",
    WAITING: "dim",
}

Row = tuple[Call, str, str, str]  # call, window name, state label, style


def hhmm(at: str | None) -> str:
    """The HH:MM of a protocol time (already in the hall's offset)."""
    return at[11:16] if isinstance(at, str) and len(at) >= 16 else "--:--"


class RecentCalls(Widget):
    """The last 8 calls: number → window, time, state (plain lines: cheap to repaint)."""

    # (lang, rows): a reactive, so the widget repaints only when what it shows changes
    shown: reactive[tuple[str, list[Row]] | None] = reactive(None, init=False)

    def show(self, state: BoardState, lang: str) -> None:
        rows = []
        for call in state.recent_calls():
            tstate = state.ticket_state(call.ticket) or CALLED
            label = state_label(tstate, lang)
            if tstate == CALLED and call.recalls:
                label = t("recall_mark", lang)
            rows.append(
                (call, state.window_name(call.window, lang), label, _STATE_STYLE.get(tstate, ""))
            )
        self.shown = (lang, rows)

    def watch_shown(self, shown: tuple[str, list[Row]]) -> None:
        self.border_title = t("recent_calls", shown[0])

    @staticmethod
    def _short(call: Call, lang: str) -> str:
        return f"W{call.window}" if lang == "en" else f"{call.window}号"

    def render(self) -> RenderResult:
        lang, rows = self.shown or ("zh", [])
        if not rows:
            return Text(t("no_call", lang), style="dim")
        width = self.content_size.width
        label_w = max(cell_len(label) for _, _, label, _ in rows)
        # "A012  → window  10:29  label": full window names if they fit, else the short
        # ones (6号 / W6); the time goes only when even those do not fit.
        fixed = 6 + 2 + 1 + label_w
        full_w = max(cell_len(w) for _, w, _, _ in rows)
        short_w = max(cell_len(self._short(c, lang)) for c, _, _, _ in rows)
        show_time = width - fixed - 6 >= short_w
        room = width - fixed - (6 if show_time else 0)
        use_full = full_w <= room
        window_w = max(1, min(room, full_w if use_full else short_w))
        out = Text(no_wrap=True, overflow="crop")
        for i, (call, window, label, style) in enumerate(rows):
            if i:
                out.append("\n")
            name = window if use_full else self._short(call, lang)
            out.append(f"{call.number:<5} ", style=f"bold {style}")
            out.append(f"→ {set_cell_size(name, window_w)} ", style=style)
            if show_time:
                out.append(f"{hhmm(call.at)} ", style="dim")
            out.append(" " * (label_w - cell_len(label)) + label, style=style)
        return out
