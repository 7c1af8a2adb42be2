"""The supervisor's alerts: overdue tickets, unserved services, long pauses, bad ratings, printer faults, complaints."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from display.state import Alert
from display.strings import t


def alert_line(a: Alert, lang: str) -> Text:
    """One alert as a line of text."""
    style = "bold red" if a.severity == "error" else "yellow"
    line = Text()
    if a.new:
        line.append(f"[{t('new_mark', lang)}] ", style="bold reverse")
    line.append("■ " if a.severity == "error" else "□ ", style=style)
    line.append(a.text, style=style if a.severity == "error" else "")
    return line


class AlertsList(Static):
    """Every current alert, one per line."""

    shown: var[tuple[str, list[Alert]] | None] = var(None, init=False)  # (lang, alerts)

    def show(self, alerts: list[Alert], lang: str) -> None:
        self.shown = (lang, alerts)

    def watch_shown(self, shown: tuple[str, list[Alert]]) -> None:
        lang, alerts = shown
        if not alerts:
            self.update(Text(t("no_alerts", lang), style="dim"))
            return
        self.update(Text("\n").join(alert_line(a, lang) for a in alerts))


class AlertSummary(Static):
    """One line under the header: how many alerts, and the most urgent one."""

    shown: var[tuple[str, int, Alert | None] | None] = var(None, init=False)  # lang, n, first

    def show(self, alerts: list[Alert], lang: str) -> None:
        self.shown = (lang, len(alerts), alerts[0] if alerts else None)

    def watch_shown(self, shown: tuple[str, int, Alert | None]) -> None:
        lang, n, first_alert = shown
        self.set_class(first_alert is not None, "-shown")
        if first_alert is None:
            self.update("")
            return
        first = alert_line(first_alert, lang)
        head = Text(t("tab_alerts", lang, n=n) + ": ", style="bold")
        self.update(Text.assemble(head, first))
