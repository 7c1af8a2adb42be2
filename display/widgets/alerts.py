"""The supervisor's alerts: overdue tickets, unserved services, long pauses, bad ratings, printer faults, complaints."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
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


class ComplaintsList(Static, can_focus=True):
    """The open complaints with their deadlines, earliest first (hidden when there are none).

    Focused (F4 on the board), up/down pick one and a key acts on the picked one:
    the list posts `ActionRequested` and the app sends the supervisor's command
    (asking for the text of a note, an answer or a reason first). The pick follows
    the complaint's id as the list changes live.
    """

    BINDINGS = [
        Binding("up", "move(-1)", "上一件 Prev", show=False),
        Binding("down", "move(1)", "下一件 Next", show=False),
        Binding("a", "act('accept')", "受理 Accept"),
        Binding("n", "act('note')", "记录 Note"),
        Binding("y", "act('answer')", "答复 Answer"),
        Binding("c", "act('close')", "结案 Close"),
        Binding("x", "act('reject')", "驳回 Reject"),
    ]

    class ActionRequested(Message):
        """Act on a complaint: `action` is accept, note, answer, close or reject; `complaint`
        is None when the list has nothing to act on (the app says so)."""

        def __init__(self, action: str, complaint: str | None) -> None:
            super().__init__()
            self.action = action
            self.complaint = complaint

    shown: var[tuple[str, list[dict[str, Any]]] | None] = var(None, init=False)
    selected: var[str | None] = var(None, init=False)  # the picked complaint's id

    def show(self, complaints: list[dict[str, Any]], lang: str) -> None:
        self.shown = (lang, complaints)

    def _ids(self) -> list[str]:
        return [str(c.get("id")) for c in self.shown[1]] if self.shown else []

    def current(self) -> str | None:
        """The picked complaint's id (the first one until another is picked)."""
        ids = self._ids()
        if not ids:
            return None
        return self.selected if self.selected in ids else ids[0]

    def action_move(self, step: int) -> None:
        ids = self._ids()
        if not ids:
            return
        cur = self.current()
        i = ids.index(cur) if cur in ids else 0
        self.selected = ids[max(0, min(len(ids) - 1, i + step))]

    def action_act(self, action: str) -> None:
        self.post_message(self.ActionRequested(action, self.current()))

    def watch_selected(self) -> None:
        self._draw()

    def on_focus(self) -> None:
        self._draw()

    def on_blur(self) -> None:
        self._draw()

    def watch_shown(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.shown is None:
            return
        lang, complaints = self.shown
        self.display = bool(complaints)
        if not complaints:
            self.update("")
            return
        lines = [Text(t("complaints_title", lang), style="bold")]
        if self.has_focus:
            lines.append(Text(t("c_keys", lang), style="dim"))
        picked = self.current() if self.has_focus else None
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
            line = Text(
                t("complaint_line", lang, id=c.get("id"), state=state, due=c.get("due"),
                  urgency=mark, who=who or "—"),
                style=style,
            )  # fmt: skip
            if picked is not None:
                here = str(c.get("id")) == picked
                line = Text.assemble((t("c_selected", lang) if here else "  ", "bold"), line)
                if here:
                    line.stylize("reverse")
            lines.append(line)
        self.update(Text("\n").join(lines))
