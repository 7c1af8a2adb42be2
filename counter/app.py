"""The counter terminal (窗口叫号终端): one Textual app per window, driven by F1–F10 or the mouse.

The app owns the hub link (`HubLink`) and the `CounterState`: it folds what
the hub sends into the state and tells the screens to show it; the screens
post `...Requested` messages that the app carries out. The PIN is kept in
memory only, for the reconnects of one session (the client's hello holds
it), so a reconnect re-opens the same session without asking again; every
request keeps its id across reconnects (HubClient), so nothing is lost or
doubled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual import on, work

from counter.model import CounterState
from counter.screens.cases import CasesScreen
from counter.screens.login import login_form
from counter.screens.main import LogLine, MainScreen
from counter.strings import error_text, t
from shared.client import HubClient, HubError
from shared.i18n import name_of
from shared.protocol import DEFAULT_HUB
from shared.ui.hub import HubEvent, HubFailed, HubStatus, HubWelcomed
from shared.ui.login import ClerkApp, LoginForm

LOG_LINES = 200


class CounterApp(ClerkApp):
    """The window clerk's terminal."""

    CSS_PATH = "counter.tcss"

    def __init__(
        self,
        window: int,
        *,
        staff: str | None = None,
        hub_url: str = DEFAULT_HUB,
        lang: str = "zh",
        welcome: dict[str, Any] | None = None,
        online: bool = True,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """`welcome` (with `online`) shows a prepared snapshot without a hub (snapshots, demos);
        `now` replaces the clock (frozen in tests)."""
        super().__init__(hub_url, lang, t, error_text)
        self.window_no = window
        self.state = CounterState(window_no=window, staff=staff or "")
        self.log_lines: list[str] = []
        self._prepared = welcome
        self._prepared_online = online
        self._clock = now
        self._logging_out = False
        self._metrics_pushed = 0  # pushed `metrics` frames seen (a reply older than one is dropped)
        self.title = t("app_title", self.lang)

    # ------------------------------------------------------------ clock and helpers

    def now(self) -> datetime:
        """The hall's time now (frozen in tests)."""
        if self._clock is not None:
            return self._clock()
        tz = self.state.hall.get("timezone")
        try:
            return datetime.now(ZoneInfo(tz)) if tz else datetime.now().astimezone()
        except (KeyError, ValueError):
            return datetime.now().astimezone()

    @property
    def window_name(self) -> str:
        if self.state.hall:
            return name_of(self.state.window(), self.lang)
        return t("window_n", self.lang, n=self.window_no)

    @property
    def main(self) -> MainScreen | None:
        """The main screen, if it is up."""
        return self.screen_of(MainScreen)

    def refresh_view(self) -> None:
        """Tell the main screen to show the state as it is now."""
        main = self.main
        if main is not None:
            main.show(self.state, now=self.now(), online=self.online, busy=self.busy)
        if self.is_running and isinstance(self.screen, CasesScreen):
            self.screen.show(self.state)

    def add_log(self, line: str) -> None:
        """A line in the visible log, stamped with the hall's clock."""
        stamped = f"{self.now().strftime('%H:%M:%S')} {line}"
        self.log_lines = [*self.log_lines, stamped][-LOG_LINES:]
        main = self.main
        if main is not None:
            main.write_log(stamped)

    # ------------------------------------------------------------ screens

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh_view)  # the clock and the waiting times
        if self._prepared is not None:
            self.state.load_welcome(self._prepared)
            self.online = self._prepared_online
            self.push_screen(MainScreen(self.lang, self.state))
            self.refresh_view()
        else:
            self.show_login()

    # ------------------------------------------------------------ the login (shared/ui/login.py)

    def login_form(self) -> LoginForm:
        return login_form(self.lang, self.window_name)

    @property
    def login_staff(self) -> str:
        return self.state.staff

    def begin_session(self, staff: str) -> None:
        self.state = CounterState(window_no=self.window_no, staff=staff)
        self.log_lines = []
        self._logging_out = False

    def hello(self) -> dict[str, Any]:
        return {
            "role": "counter",
            "staff": self.state.staff,
            "pin": self._pin,
            "window": self.window_no,
            "lang": self.lang,
        }

    # ------------------------------------------------------------ the hub

    @on(HubWelcomed)
    def _welcomed(self, message: HubWelcomed) -> None:
        if not self.link.is_current(message):
            return
        first = not self.state.loaded
        self.state.load_welcome(message.welcome)
        if first:
            self.switch_screen(MainScreen(self.lang, self.state))
        self._fetch_metrics(message.client)
        self.refresh_view()

    @on(HubEvent)
    def _event(self, message: HubEvent) -> None:
        if not self.link.is_current(message):
            return
        event = message.frame
        self.state.apply_event(event)
        if event.get("type") == "metrics":
            self._metrics_pushed += 1
        self._note(event)
        self.refresh_view()

    def _note(self, event: dict[str, Any]) -> None:
        """Log what others did that concerns this window."""
        kind, lang, state = event.get("type"), self.lang, self.state
        if kind == "ticket_transferred":
            handoff, ticket = event.get("handoff") or {}, event.get("ticket") or {}
            mine = handoff.get("to_window") == self.window_no or (
                handoff.get("to_window") is None
                and handoff.get("to_service") in (state.window().get("services") or ())
            )
            if mine and handoff.get("from_window") != self.window_no:
                from_window = name_of(state.window(int(handoff.get("from_window") or 0)), lang)
                self.add_log(
                    t(
                        "l_incoming",
                        lang,
                        number=ticket.get("number", ""),
                        from_window=from_window,
                        reason=handoff.get("reason") or "—",
                    )
                )
        elif kind == "notice" and event.get("text"):
            self.add_log(t("l_notice", lang, text=event["text"]))
        elif kind == "window_closed":
            w = event.get("window") or {}
            if w.get("number") == self.window_no and not self._logging_out:
                self.end_session(t("window_closed_by_supervisor", lang))
        elif kind == "logged_out":  # the hub ends this session (then closes with 4003)
            self.end_session(str(event.get("reason") or t("window_closed_by_supervisor", lang)))

    @on(HubStatus)
    def _status(self, message: HubStatus) -> None:
        if not self.link.is_current(message):
            return
        if message.online != self.online:
            self.online = message.online
            if self.state.loaded:  # the first connect is not news
                self.add_log(t("l_online" if message.online else "l_offline", self.lang))
        self.refresh_view()

    @on(HubFailed)
    def _failed(self, message: HubFailed) -> None:
        if not self.link.is_current(message):
            return
        if self._logging_out and message.error.code == "taken_over":
            # the hub closes a window's connection (4002) once the window is closed
            self.end_session(t("logged_out", self.lang))
            return
        self.end_session(self.error_message(message.error))

    @work(exclusive=True, group="metrics")
    async def _fetch_metrics(self, client: HubClient) -> None:
        pushed = self._metrics_pushed
        try:
            reply = await client.request("metrics")
        except HubError:
            return  # pushed `metrics` frames keep the figures anyway
        # a frame pushed meanwhile is newer than this reply
        if client is self.link.client and pushed == self._metrics_pushed:
            self.state.apply_metrics(reply.get("metrics"))
            self.refresh_view()

    # ------------------------------------------------------------ requests of the main screen

    @on(MainScreen.ActionRequested)
    def _action_requested(self, request: MainScreen.ActionRequested) -> None:
        self.send(request.command, request.args, request.line)

    @on(MainScreen.DialogRequested)
    def _dialog_requested(self, request: MainScreen.DialogRequested) -> None:
        self.push_screen(request.dialog, request.answered)

    @on(MainScreen.CasesRequested)
    def _cases_requested(self) -> None:
        if not isinstance(self.screen, CasesScreen):
            self.push_screen(CasesScreen(self.lang, self.state))

    @on(MainScreen.LogoutRequested)
    def _logout_requested(self) -> None:
        self.logout()

    @work(group="action")
    async def send(self, command: str, args: dict[str, Any], line: LogLine) -> None:
        """Send one command; log it when done, or say in one sentence why not."""
        client = self.link.client
        if client is None or self.busy:
            return
        self.busy = True
        self.refresh_view()
        try:
            reply = await client.request(command, **args)
        except HubError as error:
            if client is self.link.client and error.code not in ("closed",):
                self.refused(error)
        else:
            ticket = reply.get("ticket")
            if isinstance(ticket, dict) and reply.get("reason"):
                self.state.call_reasons[ticket["id"]] = reply["reason"]
            self.add_log(line(reply) if callable(line) else line)
        finally:
            self.busy = False
            self.refresh_view()

    @work(group="action")
    async def logout(self) -> None:
        """Log out: the hub closes the window's session; back to the login form."""
        client = self.link.client
        if client is None or self.busy:
            return
        self.busy = True
        self._logging_out = True
        self.refresh_view()
        try:
            await client.request("logout")
        except HubError as error:
            if error.code in ("taken_over", "closed"):
                return  # the window closed and the hub hung up before the reply: _failed handles it
            self._logging_out = False
            self.busy = False
            if client is self.link.client:
                self.refused(error)
                self.refresh_view()
            return
        self.end_session(t("logged_out", self.lang))
