"""The header: window, services, state, clerk, clock, online status."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from counter.model import CounterState
from counter.strings import preset_text, t
from shared.i18n import name_of
from shared.labels import window_state_label
from shared.protocol import W_CLOSED, W_OPEN, W_PAUSED


class WindowHeader(Static):
    """Two lines about this window; updated by the screen on every change and every second."""

    shown: var[Text] = var(Text, init=False)
    """The text on show; setting an equal text does not redraw."""

    def show(self, state: CounterState, lang: str, now: datetime, online: bool) -> None:
        """Redraw from the state."""
        w = state.window()
        # service names hold 、 and commas themselves
        names = " · ".join(name_of(state.service(c), lang) for c in w.get("services") or ())
        wstate = state.window_state
        state_txt = window_state_label(wstate, lang)
        if wstate == W_PAUSED and w.get("pause_reason"):
            reason = preset_text(w["pause_reason"], lang)
            state_txt = t("paused_reason", lang, state=state_txt, reason=reason)
        line1 = Text()
        line1.append(f" {name_of(w, lang)} ", style="bold reverse")
        line1.append("  ")
        line1.append(f" {state_txt} ", style=f"bold {_STATE_STYLE.get(wstate, '')}")
        line1.append(f"   {t('clerk', lang)}: ", style="dim")
        clerk = f"{state.staff_name} ({state.staff})" if state.staff_name else state.staff
        line1.append(clerk or "—", style="bold")
        line1.append("   ")
        line1.append(now.strftime("%H:%M:%S"), style="bold")
        line1.append("   ")
        if online:
            line1.append(t("online", lang), style="bold green")
        else:
            line1.append(t("offline", lang), style="bold red")
        line2 = Text(f" {t('services', lang)}: ", style="dim")
        line2.append(names or "—", style="")
        self.shown = Text("\n").join([line1, line2])

    def watch_shown(self, text: Text) -> None:
        self.update(text)


_STATE_STYLE = {
    W_OPEN: "white on dark_green",
    W_PAUSED: "black on yellow",
    W_CLOSED: "white on red",
}
