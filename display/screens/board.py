"""The screens that show the hall: the public lobby board and the supervisor board."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from display.state import BoardState
from display.strings import t
from display.widgets.actions import ActionsPanel
from display.widgets.alerts import AlertsList, AlertSummary, ComplaintsList, LockedList
from display.widgets.banners import Clock, NoticeBanner, StaleBanner
from display.widgets.board import LobbyBoard
from display.widgets.metrics import BookingSlots, CaseTotals, HallTotals, MetricsTable


class BoardScreen(Screen[None]):
    """What both boards share: the top line, the stale marker and the notice."""

    class Ready(Message):
        """The board is composed, tabs included: the app may load, connect and draw."""

    supervisor = False
    heading: var[str] = var("", init=False)  # hall name · title

    def compose_top(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static(id="hall-name")
            yield Clock(id="clock")
        yield StaleBanner(id="stale")
        yield NoticeBanner(id="notice")

    def on_mount(self) -> None:
        # After the first refresh every nested widget (tabs included) is mounted.
        self.call_after_refresh(self.post_message, self.Ready())

    def show(self, state: BoardState, lang: str, now: datetime) -> None:
        """Redraw everything from the state."""
        title = t("title_supervisor" if self.supervisor else "title", lang)
        name = state.hall_name(lang)
        heading = f"{name} · {title}" if name else title
        hours = state.hours_text(lang)
        if hours:  # a hall with opening hours: today's, and when issuing stops
            heading += " · " + hours
        version = state.catalogue_version
        if self.supervisor and version is not None:  # which `hall catalogue` version is in use
            heading += " · " + t("catalogue_version", lang, n=version)
        self.heading = heading
        self.tick(state, lang, now)

    def watch_heading(self, heading: str) -> None:
        # An update re-lays out the whole screen: a reactive, so only on change.
        self.query_one("#hall-name", Static).update(heading)

    def tick(self, state: BoardState, lang: str, now: datetime) -> None:
        """What changes with time alone: the clock, the notice's expiry."""
        self.query_one(Clock).show_time(now, lang)
        self.query_one(NoticeBanner).show_notice(state.notice_text(now), lang)

    def show_status(
        self, kind: str | None, last_update: datetime | None, lang: str, message: str | None = None
    ) -> None:
        """Mark the board stale (kind connecting, offline, silent, refused) or fresh (None)."""
        self.query_one(StaleBanner).show_status(kind, last_update, lang, message)
        self.set_class(kind in ("offline", "silent", "refused"), "-stale")


class LobbyScreen(BoardScreen):
    """The public lobby board."""

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield LobbyBoard(id="board")

    def show(self, state: BoardState, lang: str, now: datetime) -> None:
        super().show(state, lang, now)
        self.query_one(LobbyBoard).show(state, lang)


class SupervisorScreen(BoardScreen):
    """The lobby board plus figures, alerts and actions."""

    supervisor = True

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield AlertSummary(id="alert-summary")
        with TabbedContent(id="tabs", initial="tab-board"):
            with TabPane("board", id="tab-board"):
                yield LobbyBoard(id="board")
            with TabPane("metrics", id="tab-metrics"):
                with VerticalScroll():
                    yield HallTotals(id="hall-totals")
                    yield CaseTotals(id="case-totals")
                    yield MetricsTable(id="metrics")
                    yield BookingSlots(id="booking-slots")
            with TabPane("alerts", id="tab-alerts"):
                with VerticalScroll():
                    yield AlertsList(id="alerts")
                    yield ComplaintsList(id="complaints")
                    yield LockedList(id="locked")
            with TabPane("actions", id="tab-actions"):
                yield ActionsPanel(id="actions")
        yield Footer()

    def show(self, state: BoardState, lang: str, now: datetime) -> None:
        super().show(state, lang, now)
        self._tab_label("tab-board", t("tab_board", lang))
        self._tab_label("tab-metrics", t("tab_metrics", lang))
        self._tab_label("tab-actions", t("tab_actions", lang))
        self.query_one(LobbyBoard).show(state, lang)
        self.query_one(HallTotals).show(state, lang)
        self.query_one(CaseTotals).show(state, lang)
        self.query_one(BookingSlots).show(state, lang)
        self.query_one(ActionsPanel).show(state, lang)
        self.query_one(ComplaintsList).show(state.complaints_by_due(), lang)  # live, by events
        self.query_one(LockedList).show(state.locked, lang)

    def _tab_label(self, pane: str, label: str) -> None:
        tab = self.query_one(TabbedContent).get_tab(pane)
        if str(tab.label) != label:
            tab.label = label

    def tick(self, state: BoardState, lang: str, now: datetime) -> None:
        super().tick(state, lang, now)
        # Waits and pauses grow with time: alerts and duty clocks are redrawn every tick.
        alerts = state.alerts(now, lang)
        self._tab_label("tab-alerts", t("tab_alerts", lang, n=len(alerts)))
        self.query_one(AlertsList).show(alerts, lang)
        self.query_one(AlertSummary).show(alerts, lang)
        self.query_one(ComplaintsList).show(state.complaints_by_due(), lang)
        self.query_one(MetricsTable).show(state, lang, now)
