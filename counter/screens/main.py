"""The main screen: header, current ticket, queue, parked and no-show lists, figures, log, F1–F10.

Data flows down: the app calls `show()` with its state on every change and
every second. Requests flow up: every action posts `ActionRequested` (or
`LogoutRequested`), which the app sends to the hub. An action that needs a
reason or a target first posts `DialogRequested`; the app shows the dialog,
whose answer (`dismiss`) comes back to this screen, which then posts the
`ActionRequested`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.screen import ModalScreen, Screen
from textual.widgets import RichLog

from counter.model import (
    ACTIONS,
    LIST_ACTIONS,
    CounterState,
    clip,
    fmt_clock,
    fmt_duration,
    seconds_between,
)
from counter.screens.pin import PinDialog
from counter.screens.reason import ReasonDialog
from counter.screens.transfer import TransferDialog
from counter.strings import PARK_PRESETS, PAUSE_PRESETS, preset_text, t
from counter.widgets.actions import KEYS, ActionBar
from counter.widgets.banner import OfflineBanner
from counter.widgets.current import CurrentTicket
from counter.widgets.figures import Figures
from counter.widgets.header import WindowHeader
from counter.widgets.tables import TicketTable
from shared.alerts import CASE_DUE_SOON, CASE_OVERDUE, case_urgency
from shared.calling import is_handed_off, served_service
from shared.i18n import name_of
from shared.labels import reason_label, state_label
from shared.protocol import PARKED, W_PAUSED

# Service names are cut to these widths (cells) so the lists never scroll sideways.
QUEUE_SERVICE_W = 22
LIST_SERVICE_W = 12

# The log line of a command that succeeded: a text, or made from the hub's reply.
LogLine = str | Callable[[dict[str, Any]], str]


class MainScreen(Screen[None]):
    """Everything a clerk works with; every action on a function key and a button."""

    BINDINGS = [
        *(Binding(KEYS[action], action, action, show=True) for action in ACTIONS),
        Binding("f12", "cases", "cases", show=False),  # named on the figures panel instead
        Binding("ctrl+p", "change_pin", "PIN", show=False),
    ]

    class ActionRequested(Message):
        """The clerk asked for a command; `line` goes to the log once the hub has carried it out."""

        def __init__(self, command: str, args: dict[str, Any], line: LogLine) -> None:
            super().__init__()
            self.command = command
            self.args = args
            self.line = line

    class LogoutRequested(Message):
        """The clerk asked to log out (and so to close the window)."""

    class CasesRequested(Message):
        """The clerk asked for the department's open cases (F12)."""

    class DialogRequested(Message):
        """Show `dialog` over the screen; its answer (`dismiss`) goes to `answered`."""

        def __init__(self, dialog: ModalScreen[Any], answered: Callable[[Any], None]) -> None:
            super().__init__()
            self.dialog = dialog
            self.answered = answered

    enabled: var[set[str]] = var(set, init=False, bindings=True)
    """The actions that fit now; the keys and buttons of the others are greyed out."""

    def __init__(self, lang: str, state: CounterState) -> None:
        super().__init__()
        self.lang = lang
        self.state = state
        self.now: datetime | None = None  # the clock of the last `show()`
        self.online = False
        self.busy = False
        self._early_log: list[str] | None = []  # lines written before the log was mounted

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield WindowHeader(id="header")
        yield OfflineBanner(t("offline_banner", lang), id="offline")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                current = CurrentTicket(id="current")
                current.border_title = t("current", lang)
                yield current
                figures = Figures(id="figures")
                figures.border_title = t("figures", lang)
                yield figures
                log = RichLog(id="log", max_lines=200, wrap=True, min_width=20)
                log.border_title = t("log", lang)
                log.can_focus = False
                yield log
            with Vertical(id="right"):
                queue = TicketTable("call", id="queue")
                queue.border_subtitle = t("queue_hint", lang)
                yield queue
                with Horizontal(id="lists"):
                    parked = TicketTable("unpark", id="parked")
                    parked.border_title = state_label(PARKED, lang)
                    parked.border_subtitle = t("parked_hint", lang)
                    yield parked
                    no_shows = TicketTable("requeue", id="no-shows")
                    no_shows.border_title = t("no_shows", lang)
                    no_shows.border_subtitle = t("no_show_hint", lang)
                    yield no_shows
        yield ActionBar(lang, id="actions")

    def on_mount(self) -> None:
        log = self.query_one("#log", RichLog)
        for line in self._early_log or ():
            log.write(line)
        self._early_log = None
        self._redraw()
        self.query_one("#queue", TicketTable).focus()

    # ------------------------------------------------------------ data down

    def show(self, state: CounterState, *, now: datetime, online: bool, busy: bool) -> None:
        """Show this state at this time (cheap when nothing changed)."""
        self.state, self.now, self.online, self.busy = state, now, online, busy
        if self.is_mounted:
            self._redraw()

    def write_log(self, line: str) -> None:
        """Append a line to the visible log."""
        if self._early_log is None:
            self.query_one("#log", RichLog).write(line)
        else:
            self._early_log.append(line)

    def _redraw(self) -> None:
        if self.now is None:
            return  # nothing shown yet
        state, lang, now = self.state, self.lang, self.now
        self.query_one(WindowHeader).show(state, lang, now, self.online)
        self.query_one(OfflineBanner).set_online(self.online or not state.loaded)
        self.query_one(CurrentTicket).show(state, lang, now)
        self.query_one(Figures).show(state.figures(), lang)
        self.query_one(Figures).border_subtitle = self._cases_key()
        self._show_lists(now)
        self.enabled = state.enabled(online=self.online, busy=self.busy, now=now)
        self.query_one(ActionBar).show(self.enabled, paused=state.window_state == W_PAUSED)

    def _cases_key(self) -> str:
        """F12 and the department's open cases: how many, due soon, overdue."""
        cases = self.state.open_cases(self.state.case_departments())
        urgency = [case_urgency(c, self.state.day) for c in cases]
        return t(
            "cases_key",
            self.lang,
            n=len(cases),
            soon=urgency.count(CASE_DUE_SOON),
            overdue=urgency.count(CASE_OVERDUE),
        )

    def _show_lists(self, now: datetime) -> None:
        lang, state = self.lang, self.state
        queue = state.queue(now)
        table = self.query_one("#queue", TicketTable)
        table.border_title = f"{t('queue', lang)} ({len(queue)})"
        # 预约: the next bookings of this window's services, where the hint is otherwise
        coming = state.next_bookings(now)
        table.border_subtitle = (
            t(
                "next_bookings",
                lang,
                items=", ".join(
                    t(
                        "booking_item",
                        lang,
                        at=str(b.get("start"))[11:16],
                        name=b.get("name", ""),
                        tail=b.get("mobile", ""),
                        mark="✓" if b.get("state") == "checked_in" else "",
                    )
                    for b in coming
                ),
            )
            if coming
            else t("queue_hint", lang)
        )
        table.set_rows(
            [
                t(k, lang)
                for k in ("col_number", "col_service", "col_wait", "col_mark", "col_reason")
            ],
            [
                (
                    ticket["id"],
                    (
                        ticket["number"],
                        # a visit waiting in several queues: the step this window would serve
                        clip(name_of(state.service(served), lang), QUEUE_SERVICE_W),
                        fmt_duration(seconds_between(ticket.get("queued_at"), now)),
                        self._marks(ticket),
                        reason_label(reason, lang),
                    ),
                )
                for ticket, reason in queue
                for served in [served_service(ticket, state.window().get("services") or ())]
            ],
        )
        heads = [t(k, lang) for k in ("col_number", "col_time", "col_service")]
        self.query_one("#parked", TicketTable).set_rows(
            heads, [self._short_row(p, p.get("started_at")) for p in state.parked()]
        )
        self.query_one("#no-shows", TicketTable).set_rows(
            heads, [self._short_row(n, n.get("ended_at")) for n in state.no_shows()]
        )

    def _short_row(self, ticket: dict[str, Any], at: str | None) -> tuple[str, tuple[str, ...]]:
        service = clip(name_of(self.state.service(ticket["service"]), self.lang), LIST_SERVICE_W)
        return ticket["id"], (ticket["number"], fmt_clock(at), service)

    def _marks(self, ticket: dict[str, Any]) -> str:
        marks = []
        if ticket.get("priority") == "priority":
            marks.append(t("mark_priority", self.lang))
        booking = ticket.get("booking")
        if booking:  # 预约: its slot
            marks.append(t("mark_booked", self.lang, at=str(booking.get("start"))[11:16]))
        if is_handed_off(ticket):
            marks.append(t("mark_handoff", self.lang))
        return " ".join(marks)

    # ------------------------------------------------------------ requests up

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTIONS or action in LIST_ACTIONS:
            return True if action in self.enabled else None  # disabled, still shown
        return True

    def _request(self, command: str, args: dict[str, Any], line: LogLine) -> None:
        self.post_message(self.ActionRequested(command, args, line))

    @on(ActionBar.ActionPressed)
    async def _button(self, event: ActionBar.ActionPressed) -> None:
        await self.run_action(event.action)

    @on(TicketTable.TicketChosen)
    def _ticket_chosen(self, event: TicketTable.TicketChosen) -> None:
        action = event.table.action
        ticket = self.state.tickets.get(event.ticket_id)
        if ticket is None or action not in self.enabled:
            return
        number = ticket["number"]
        self._request(action, {"ticket": ticket["id"]}, t(f"l_{action}", self.lang, number=number))

    def _number(self) -> str:
        current = self.state.current()
        return current["number"] if current else ""

    def action_call_next(self) -> None:
        def done(reply: dict[str, Any]) -> str:
            reason = reason_label(reply.get("reason"), self.lang)
            return t("l_call_next", self.lang, number=reply["ticket"]["number"], reason=reason)

        self._request("call_next", {}, done)

    def action_recall(self) -> None:
        self._request("recall", {}, t("l_recall", self.lang, number=self._number()))

    def action_start(self) -> None:
        self._request("start", {}, t("l_start", self.lang, number=self._number()))

    def _fee_step(self) -> bool:
        """Whether this window's current ticket is at a visit's fee step (一口收费)."""
        current = self.state.current() or {}
        steps = current.get("steps") or ()
        return any(s.get("n") == current.get("step") and s.get("fee") for s in steps)

    def action_finish_done(self) -> None:
        # at a visit's fee step, done records the fee paid
        args: dict[str, Any] = {"outcome": "done", **({"paid": True} if self._fee_step() else {})}
        self._request("finish", args, t("l_finish_done", self.lang, number=self._number()))

    def action_finish_pending(self) -> None:
        number = self._number()
        fee = self._fee_step()

        def chosen(note: str | None) -> None:
            if note is None:
                return
            args: dict[str, Any] = {"outcome": "pending", **({"note": note} if note else {})}
            if fee:
                args["paid"] = False  # at a visit's fee step, pending records it unpaid
            self._request("finish", args, t("l_finish_pending", self.lang, number=number))

        dialog = ReasonDialog(
            self.lang,
            t("pending_title", self.lang, number=number),
            required=False,
            placeholder=t("pending_note", self.lang),
        )
        self.post_message(self.DialogRequested(dialog, chosen))

    def action_transfer(self) -> None:
        number = self._number()

        def chosen(args: dict[str, Any] | None) -> None:
            if args is None:
                return
            target = name_of(self.state.service(args["service"]), self.lang)
            if "window" in args:
                target += " · " + name_of(self.state.window(args["window"]), self.lang)
            self._request(
                "transfer", args, t("l_transfer", self.lang, number=number, target=target)
            )

        self.post_message(
            self.DialogRequested(TransferDialog(self.state, self.lang, number), chosen)
        )

    def action_no_show(self) -> None:
        self._request("no_show", {}, t("l_no_show", self.lang, number=self._number()))

    def action_park(self) -> None:
        number = self._number()

        def chosen(reason: str | None) -> None:
            if reason:
                line = t("l_park", self.lang, number=number, reason=preset_text(reason, self.lang))
                self._request("park", {"reason": reason}, line)

        title = t("park_title", self.lang, number=number)
        self.post_message(
            self.DialogRequested(ReasonDialog(self.lang, title, PARK_PRESETS), chosen)
        )

    def action_pause_resume(self) -> None:
        if self.state.window_state == W_PAUSED:
            self._request("resume", {}, t("l_resume", self.lang))
            return

        def chosen(reason: str | None) -> None:
            if reason:
                line = t("l_pause", self.lang, reason=preset_text(reason, self.lang))
                self._request("pause", {"reason": reason}, line)

        dialog = ReasonDialog(self.lang, t("pause_title", self.lang), PAUSE_PRESETS)
        self.post_message(self.DialogRequested(dialog, chosen))

    def action_change_pin(self) -> None:
        """The clerk's own PIN: the current one, the new one twice (the hub checks the current)."""

        def chosen(pins: dict[str, str] | None) -> None:
            if pins is not None:
                self._request("change_pin", pins, t("l_change_pin", self.lang))

        self.post_message(self.DialogRequested(PinDialog(self.lang), chosen))

    def action_logout(self) -> None:
        self.post_message(self.LogoutRequested())

    def action_cases(self) -> None:
        """F12: the department's open cases (办件)."""
        self.post_message(self.CasesRequested())
