"""The supervisor's alerts: overdue tickets, unserved services, long pauses, bad ratings, printer faults,
complaints, and the staff locked out after wrong PINs."""

from __future__ import annotations

from datetime import datetime
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


class PickList(Static, can_focus=True):
    """A live list the supervisor picks from with the keyboard once it has the focus.

    `show(items, lang)` replaces the list (it changes live); up/down move the pick,
    which follows the item's id. Unfocused it is a plain list; focused it shows its
    keys under the title and marks the picked line. Subclasses give the words.
    """

    TITLE = ""  # strings key of the title
    KEYS = ""  # strings key of the keys line

    shown: var[tuple[str, list[dict[str, Any]]] | None] = var(None, init=False)
    selected: var[str | None] = var(None, init=False)  # the picked item's id

    def show(self, items: list[dict[str, Any]], lang: str) -> None:
        self.shown = (lang, items)

    def _ids(self) -> list[str]:
        return [str(x.get("id")) for x in self.shown[1]] if self.shown else []

    def picked_id(self) -> str | None:
        """The picked item's id (the first one until another is picked)."""
        ids = self._ids()
        if not ids:
            return None
        return self.selected if self.selected in ids else ids[0]

    def action_move(self, step: int) -> None:
        ids = self._ids()
        if not ids:
            return
        cur = self.picked_id()
        i = ids.index(cur) if cur in ids else 0
        self.selected = ids[max(0, min(len(ids) - 1, i + step))]

    def watch_selected(self) -> None:
        self._draw()

    def watch_has_focus(self, has_focus: bool) -> None:
        # after the focus moved (an on_focus handler may run before has_focus is set)
        super().watch_has_focus(has_focus)
        self._draw()

    def watch_shown(self) -> None:
        self._draw()

    def line(self, item: dict[str, Any], lang: str) -> Text:
        """One item's line."""
        raise NotImplementedError

    def _draw(self) -> None:
        if self.shown is None:
            return
        lang, items = self.shown
        self.display = bool(items)
        if not items:
            self.update("")
            return
        lines = [Text(t(self.TITLE, lang), style="bold")]
        if self.has_focus:
            lines.append(Text(t(self.KEYS, lang), style="dim"))
        picked = self.picked_id() if self.has_focus else None
        for item in items:
            line = self.line(item, lang)
            if picked is not None:
                here = str(item.get("id")) == picked
                line = Text.assemble((t("c_selected", lang) if here else "  ", "bold"), line)
                if here:
                    line.stylize("reverse")
            lines.append(line)
        self.update(Text("\n").join(lines))


class ComplaintsList(PickList):
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

    TITLE, KEYS = "complaints_title", "c_keys"

    def current(self) -> str | None:
        """The picked complaint's id (the first one until another is picked)."""
        return self.picked_id()

    def action_act(self, action: str) -> None:
        self.post_message(self.ActionRequested(action, self.current()))

    def line(self, item: dict[str, Any], lang: str) -> Text:
        c = item
        en = 1 if lang == "en" else 0
        urgency = c.get("urgency")
        mark = t("c_overdue", lang) if urgency == "overdue" else ""
        mark = t("c_due_soon", lang) if urgency == "due_soon" else mark
        state = C_STATES.get(str(c.get("state")), (c.get("state"), c.get("state")))[en]
        who = " ".join(
            str(x)
            for x in (c.get("number"), c.get("window") and f"#{c.get('window')}", c.get("staff"))
            if x
        )
        style = "bold red" if urgency == "overdue" else ("yellow" if urgency else "")
        return Text(
            t("complaint_line", lang, id=c.get("id"), state=state, due=c.get("due"),
              urgency=mark, who=who or "—"),
            style=style,
        )  # fmt: skip


class LockedList(PickList):
    """Staff locked out after wrong PINs (hidden when there are none).

    Focused (F5 on the board), up/down pick one and `u` asks to unlock the picked one:
    the list posts `UnlockRequested` and the app asks before it sends `unlock_staff`.
    The pick follows the staff id as the list changes live (the hub's `locked_staff`).
    """

    BINDINGS = [
        Binding("up", "move(-1)", "上一位 Prev", show=False),
        Binding("down", "move(1)", "下一位 Next", show=False),
        Binding("u", "unlock", "解锁 Unlock"),
    ]

    class UnlockRequested(Message):
        """Unlock a clerk: `staff` is the picked {id, name}, None when nobody is locked out."""

        def __init__(self, staff: dict[str, Any] | None) -> None:
            super().__init__()
            self.staff = staff

    TITLE, KEYS = "locked_title", "u_keys"

    def current(self) -> dict[str, Any] | None:
        """The picked clerk (the first one until another is picked)."""
        pid = self.picked_id()
        if pid is None or self.shown is None:
            return None
        return next(p for p in self.shown[1] if str(p.get("id")) == pid)

    def action_unlock(self) -> None:
        self.post_message(self.UnlockRequested(self.current()))

    def line(self, item: dict[str, Any], lang: str) -> Text:
        until = str(item.get("locked_until") or "")
        try:
            until = datetime.fromisoformat(until).strftime("%H:%M")
        except ValueError:
            pass
        return Text(
            t("locked_line", lang, id=item.get("id"), name=item.get("name") or "", until=until)
        )
