"""The main screen: header, current ticket, queue, parked and no-show lists, figures, log, F1–F10."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import RichLog

from counter.model import (
    ACTIONS,
    LIST_ACTIONS,
    clip,
    fmt_clock,
    fmt_duration,
    seconds_between,
)
from counter.screens.reason import ReasonDialog
from counter.screens.transfer import TransferDialog
from counter.strings import PARK_PRESETS, PAUSE_PRESETS, preset_text, reason_text, t
from counter.widgets.actions import KEYS, ActionBar
from counter.widgets.banner import OfflineBanner
from counter.widgets.current import CurrentTicket
from counter.widgets.figures import Figures
from counter.widgets.header import WindowHeader
from counter.widgets.tables import TicketTable
from shared.calling import is_handed_off
from shared.i18n import name_of

if TYPE_CHECKING:
    from counter.app import CounterApp

# Service names are cut to these widths (cells) so the lists never scroll sideways.
QUEUE_SERVICE_W = 22
LIST_SERVICE_W = 12


class MainScreen(Screen[None]):
    """Everything a clerk works with; every action on a function key and a button."""

    BINDINGS = [Binding(KEYS[action], action, action, show=True) for action in ACTIONS]

    app: CounterApp  # type: ignore[assignment]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.enabled: set[str] = set()

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield WindowHeader(id="header")
        yield OfflineBanner(t(lang, "offline_banner"), id="offline")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                current = CurrentTicket(id="current")
                current.border_title = t(lang, "current")
                yield current
                figures = Figures(id="figures")
                figures.border_title = t(lang, "figures")
                yield figures
                log = RichLog(id="log", max_lines=200, wrap=True, min_width=20)
                log.border_title = t(lang, "log")
                log.can_focus = False
                yield log
            with Vertical(id="right"):
                queue = TicketTable("call", id="queue")
                queue.border_subtitle = t(lang, "queue_hint")
                yield queue
                with Horizontal(id="lists"):
                    parked = TicketTable("unpark", id="parked")
                    parked.border_title = t(lang, "parked")
                    parked.border_subtitle = t(lang, "parked_hint")
                    yield parked
                    no_shows = TicketTable("requeue", id="no-shows")
                    no_shows.border_title = t(lang, "no_shows")
                    no_shows.border_subtitle = t(lang, "no_show_hint")
                    yield no_shows
        yield ActionBar(lang, id="actions")

    def on_mount(self) -> None:
        log = self.query_one("#log", RichLog)
        for line in self.app.log_lines:
            log.write(line)
        self.update_view()
        self.query_one("#queue", TicketTable).focus()
        self.set_interval(1.0, self.update_view)

    # ------------------------------------------------------------ data down

    def update_view(self) -> None:
        """Redraw every part from the app's state (cheap when nothing changed)."""
        app, lang = self.app, self.lang
        state, now = app.state, app.now()
        self.query_one(WindowHeader).show(state, lang, now, app.online)
        self.query_one(OfflineBanner).set_online(app.online or not state.welcomed)
        self.query_one(CurrentTicket).show(state, lang, now)
        self.query_one(Figures).show(state.figures(), lang)
        self._show_lists(now)
        enabled = state.enabled(online=app.online, busy=app.busy, now=now)
        if enabled != self.enabled:
            self.enabled = enabled
            self.refresh_bindings()
        self.query_one(ActionBar).show(enabled, paused=state.window_state == "paused")

    def _show_lists(self, now: Any) -> None:
        lang, state = self.lang, self.app.state
        queue = state.queue(now)
        table = self.query_one("#queue", TicketTable)
        table.border_title = f"{t(lang, 'queue')} ({len(queue)})"
        table.set_rows(
            [
                t(lang, k)
                for k in ("col_number", "col_service", "col_wait", "col_mark", "col_reason")
            ],
            [
                (
                    ticket["id"],
                    (
                        ticket["number"],
                        clip(name_of(state.service(ticket["service"]), lang), QUEUE_SERVICE_W),
                        fmt_duration(seconds_between(ticket.get("queued_at"), now)),
                        self._marks(ticket),
                        reason_text(lang, reason),
                    ),
                )
                for ticket, reason in queue
            ],
        )
        heads = [t(lang, k) for k in ("col_number", "col_time", "col_service")]
        self.query_one("#parked", TicketTable).set_rows(
            heads, [self._short_row(p, p.get("started_at")) for p in state.parked()]
        )
        self.query_one("#no-shows", TicketTable).set_rows(
            heads, [self._short_row(n, n.get("ended_at")) for n in state.no_shows()]
        )

    def _short_row(self, ticket: dict[str, Any], at: str | None) -> tuple[str, tuple[str, ...]]:
        service = clip(
            name_of(self.app.state.service(ticket["service"]), self.lang), LIST_SERVICE_W
        )
        return ticket["id"], (ticket["number"], fmt_clock(at), service)

    def _marks(self, ticket: dict[str, Any]) -> str:
        marks = []
        if ticket.get("priority") == "priority":
            marks.append(t(self.lang, "mark_priority"))
        if is_handed_off(ticket):
            marks.append(t(self.lang, "mark_handoff"))
        return " ".join(marks)

    def write_log(self, line: str) -> None:
        """Append a line to the visible log."""
        self.query_one("#log", RichLog).write(line)

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTIONS or action in LIST_ACTIONS:
            return True if action in self.enabled else None  # disabled, still shown
        return True

    @on(ActionBar.ActionPressed)
    async def _button(self, event: ActionBar.ActionPressed) -> None:
        await self.run_action(event.action)

    @on(TicketTable.TicketChosen)
    def _ticket_chosen(self, event: TicketTable.TicketChosen) -> None:
        action = event.table.action
        ticket = self.app.state.tickets.get(event.ticket_id)
        if ticket is None or action not in self.enabled:
            return
        number = ticket["number"]
        self.app.send(action, {"ticket": ticket["id"]}, t(self.lang, f"l_{action}", number=number))

    def _number(self) -> str:
        current = self.app.state.current()
        return current["number"] if current else ""

    def action_call_next(self) -> None:
        def done(reply: dict[str, Any]) -> str:
            reason = reason_text(self.lang, reply.get("reason"))
            return t(self.lang, "l_call_next", number=reply["ticket"]["number"], reason=reason)

        self.app.send("call_next", {}, done)

    def action_recall(self) -> None:
        self.app.send("recall", {}, t(self.lang, "l_recall", number=self._number()))

    def action_start(self) -> None:
        self.app.send("start", {}, t(self.lang, "l_start", number=self._number()))

    def action_finish_done(self) -> None:
        self.app.send(
            "finish", {"outcome": "done"}, t(self.lang, "l_finish_done", number=self._number())
        )

    def action_finish_pending(self) -> None:
        number = self._number()

        def chosen(note: str | None) -> None:
            if note is None:
                return
            args = {"outcome": "pending", **({"note": note} if note else {})}
            self.app.send("finish", args, t(self.lang, "l_finish_pending", number=number))

        dialog = ReasonDialog(
            self.lang,
            t(self.lang, "pending_title", number=number),
            required=False,
            placeholder=t(self.lang, "pending_note"),
        )
        self.app.push_screen(dialog, chosen)

    def action_transfer(self) -> None:
        number = self._number()

        def chosen(args: dict[str, Any] | None) -> None:
            if args is None:
                return
            state = self.app.state
            target = name_of(state.service(args["service"]), self.lang)
            if "window" in args:
                target += " · " + name_of(state.window(args["window"]), self.lang)
            self.app.send(
                "transfer", args, t(self.lang, "l_transfer", number=number, target=target)
            )

        self.app.push_screen(TransferDialog(self.app.state, self.lang, number), chosen)

    def action_no_show(self) -> None:
        self.app.send("no_show", {}, t(self.lang, "l_no_show", number=self._number()))

    def action_park(self) -> None:
        number = self._number()

        def chosen(reason: str | None) -> None:
            if reason:
                line = t(self.lang, "l_park", number=number, reason=preset_text(self.lang, reason))
                self.app.send("park", {"reason": reason}, line)

        title = t(self.lang, "park_title", number=number)
        self.app.push_screen(ReasonDialog(self.lang, title, PARK_PRESETS), chosen)

    def action_pause_resume(self) -> None:
        if self.app.state.window_state == "paused":
            self.app.send("resume", {}, t(self.lang, "l_resume"))
            return

        def chosen(reason: str | None) -> None:
            if reason:
                line = t(self.lang, "l_pause", reason=preset_text(self.lang, reason))
                self.app.send("pause", {"reason": reason}, line)

        dialog = ReasonDialog(self.lang, t(self.lang, "pause_title"), PAUSE_PRESETS)
        self.app.push_screen(dialog, chosen)

    def action_logout(self) -> None:
        self.app.logout()
