"""Regular ticket or 绿色通道: two equal, plainly worded choices; regular is the default."""

from __future__ import annotations

import gc
import logging

from textual import on, work
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widgets import Static

from kiosk.screens.base import KioskScreen
from kiosk.strings import error_reason, t
from kiosk.widgets.tile import Tile, TileGrid
from shared.client import HubError
from shared.i18n import name_of

log = logging.getLogger("hall.kiosk")
GC_PAUSE_S = 2.0  # longest pause of automatic garbage collection while a ticket is issued


class PriorityScreen(KioskScreen):
    """Choose how to queue; choosing issues the ticket."""

    SLOW_S = 0.15  # say "issuing…" only when the hub takes longer than this
    issuing: reactive[bool] = reactive(False)
    error: reactive[str] = reactive("")  # an error code of the last attempt

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def compose_body(self) -> ComposeResult:
        yield Static(id="prompt")
        yield TileGrid(
            Tile("normal", 1, id="choose-normal", classes="primary choice"),
            Tile("priority", 2, id="choose-priority", classes="choice"),
            columns=2,
            id="choices",
        )
        yield Static(id="priority-note")
        yield Static(id="issue-status")
        yield from self.compose_nav()

    def sync_body(self) -> None:
        lang = self.lang
        svc = self.kiosk.state.service(self.service)
        if svc is None:
            self.kiosk.go_home()
            return
        self.put("#prompt", f"{name_of(svc, lang)}  ·  {t('how_queue', lang)}")
        self.query_one("#choose-normal", Tile).show(t("regular", lang), t("regular_sub", lang))
        self.query_one("#choose-priority", Tile).show(t("priority", lang), t("priority_sub", lang))
        self.put("#priority-note", t("priority_note", lang))
        enabled = self.kiosk.can_issue and not self.issuing
        for tile in self.query(".choice").results(Tile):
            tile.available = enabled
        if self.issuing:
            self.put(
                "#issue-status", t("issuing" if self.kiosk.online else "issuing_offline", lang)
            )
        elif self.error:
            self.put(
                "#issue-status", t("issue_failed", lang, reason=error_reason(self.error, lang))
            )
        else:
            self.put("#issue-status", "")
        status = self.query_one("#issue-status", Static)
        status.set_class(bool(self.error) and not self.issuing, "error")

    def watch_issuing(self) -> None:
        self.sync()

    def watch_error(self) -> None:
        self.sync()

    @on(Tile.Chosen, ".choice")
    def choice_made(self, event: Tile.Chosen) -> None:
        if self.issuing or not self.kiosk.can_issue:
            return  # one ticket per tap: a second tap while issuing does nothing
        # Flags only, no redraw: the usual answer comes before a redraw would be
        # seen, and drawing "issuing…" would only delay the ticket.
        self.set_reactive(PriorityScreen.error, "")
        self.set_reactive(PriorityScreen.issuing, True)
        self.set_timer(self.SLOW_S, self._slow_answer)
        self.issue(event.key == "priority")

    def _slow_answer(self) -> None:
        if self.issuing:
            self.sync()  # now say "issuing, please wait…"

    @work(group="issue")
    async def issue(self, priority: bool) -> None:
        """Ask the hub for a ticket; show it only once the hub acknowledged it."""
        # A full garbage collection takes a few hundred ms on a busy machine: keep it
        # out of the way between the tap and the ticket (at most GC_PAUSE_S).
        gc_was_on = gc.isenabled()
        gc.disable()
        guard = self.app.set_timer(GC_PAUSE_S, lambda: _gc_on(gc_was_on))
        shown = False
        try:
            ticket = await self.kiosk.issue(self.service, priority)
        except HubError as exc:
            self.issuing = False
            self.error = exc.code
            return
        except Exception:  # a bug must not end the kiosk: say it failed, log why
            log.exception("issuing a ticket for %s failed", self.service)
            self.issuing = False
            self.error = "other"
            return
        else:
            # No redraw of this screen (the ticket covers it); it is fresh again on resume.
            self.set_reactive(PriorityScreen.issuing, False)
            self.kiosk.show_ticket(ticket)
            shown = True
        finally:
            guard.stop()
            if shown:
                self.app.call_after_refresh(_gc_on, gc_was_on)  # once the ticket is drawn
            else:
                _gc_on(gc_was_on)


def _gc_on(was_on: bool) -> None:
    if was_on:
        gc.enable()
