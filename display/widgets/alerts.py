"""The supervisor's alerts: overdue tickets, unserved services, long pauses, bad ratings, printer faults, complaints."""

from __future__ import annotations

from rich.text import Text
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

    _key: object = None

    def show(self, alerts: list[Alert], lang: str) -> None:
        if (lang, alerts) == self._key:
            return
        self._key = (lang, alerts)
        if not alerts:
            self.update(Text(t("no_alerts", lang), style="dim"))
            return
        self.update(Text("\n").join(alert_line(a, lang) for a in alerts))


class AlertSummary(Static):
    """One line under the header: how many alerts, and the most urgent one."""

    _key: object = None

    def show(self, alerts: list[Alert], lang: str) -> None:
        if (lang, alerts[:1]) == self._key:
            return
        self._key = (lang, alerts[:1])
        self.set_class(bool(alerts), "-shown")
        if not alerts:
            self.update("")
            return
        first = alert_line(alerts[0], lang)
        head = Text(t("tab_alerts", lang, n=len(alerts)) + ": ", style="bold")
        self.update(Text.assemble(head, first))
