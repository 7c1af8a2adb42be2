"""The supervisor's alerts: overdue tickets, unserved services, long pauses, bad ratings, printer faults, complaints."""

from __future__ import annotations

from typing import Any

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


C_STATES = {
    "received": ("已收到", "received"),
    "accepted": ("已受理", "accepted"),
    "investigating": ("调查中", "investigating"),
    "answered": ("已答复", "answered"),
}


class ComplaintsList(Static):
    """The open complaints with their deadlines, earliest first (hidden when there are none).

    The terminal board lists them; accepting, noting, answering and closing is done on the
    web board (/board?supervisor).
    """

    shown: var[tuple[str, list[dict[str, Any]]] | None] = var(None, init=False)

    def show(self, complaints: list[dict[str, Any]], lang: str) -> None:
        self.shown = (lang, complaints)

    def watch_shown(self, shown: tuple[str, list[dict[str, Any]]]) -> None:
        lang, complaints = shown
        self.display = bool(complaints)
        if not complaints:
            self.update("")
            return
        lines = [Text(t("complaints_title", lang), style="bold")]
        en = 1 if lang == "en" else 0
        for c in complaints:
            urgency = c.get("urgency")
            mark = t("c_overdue", lang) if urgency == "overdue" else ""
            mark = t("c_due_soon", lang) if urgency == "due_soon" else mark
            state = C_STATES.get(str(c.get("state")), (c.get("state"), c.get("state")))[en]
            who = " ".join(
                str(x)
                for x in (
                    c.get("number"),
                    c.get("window") and f"#{c.get('window')}",
                    c.get("staff"),
                )
                if x
            )
            style = "bold red" if urgency == "overdue" else ("yellow" if urgency else "")
            lines.append(
                Text(
                    t("complaint_line", lang, id=c.get("id"), state=state, due=c.get("due"),
                      urgency=mark, who=who or "—"),
                    style=style,
                )
            )  # fmt: skip
        self.update(Text("\n").join(lines))
