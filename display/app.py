"""The lobby board and the supervisor board (`hall display`, `hall display --supervisor`).

Data flow: a `shared.ui.hub.HubLink` runs the hub client and posts one
message per frame to the app, in order (`HubWelcomed`, `HubEvent`,
`HubStatus`, `HubFailed`). The app folds frames into a `BoardState` and
tells the board screen to redraw from it; screens and widgets post
`...Requested` messages up and never call into the app. A one-second tick
runs the clock, the notice's expiry, the supervisor's time-based alerts and
the stale watchdog: when the connection is down the board says so at once;
when it is up but nothing arrived for `stale_seconds`, the app sends a probe
request (any reply, even an error, proves the hub is alive) and, without a
reply within `probe_timeout`, marks the board stale and starts a fresh
client, which reconnects and brings a fresh snapshot.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import TabbedContent

from display.screens.board import BoardScreen, LobbyScreen, SupervisorScreen
from display.screens.complaint import ComplaintTextScreen
from display.screens.confirm import CloseWindowScreen, UnlockStaffScreen
from display.screens.login import PinScreen
from display.state import BoardState, Change
from display.strings import LOCAL_ERRORS, both, error_text, t
from display.voice import Announcement, AnnouncementQueue, EspeakSpeaker, Speaker
from display.widgets.actions import ActionsPanel
from display.widgets.alerts import ComplaintsList, LockedList
from shared.client import HubClient, HubError
from shared.labels import close_outcome_label, state_label
from shared.protocol import CALLED, DEFAULT_HUB, SERVING, parse_iso
from shared.ui.hub import HubEvent, HubFailed, HubLink, HubStatus, HubWelcomed

DEFAULT_TZ = "Asia/Shanghai"


class DisplayApp(App[int]):
    """The lobby board, or with `supervisor=True` the supervisor board."""

    CSS_PATH = "display.tcss"
    ENABLE_COMMAND_PALETTE = False
    TITLE = "hall display"
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出 Quit", priority=True),
        Binding("f2", "toggle_lang", "中文/English"),
        Binding("f3", "seen_alerts", "告警已阅 Alerts seen"),
        Binding("f4", "complaints", "投诉 Complaints", show=True),
        Binding("f5", "unlock", "解锁 Unlock", show=True),
    ]

    def __init__(
        self,
        hub_url: str = DEFAULT_HUB,
        *,
        supervisor: bool = False,
        staff: str | None = None,
        pin: str | None = None,
        lang: str = "zh",
        voice: bool = False,
        voice_en: bool = False,
        speaker: Speaker | None = None,
        voice_max_age_s: float = 60.0,
        stale_seconds: float = 30.0,
        probe_timeout: float = 5.0,
        max_backoff: float = 3.0,
        clock: Callable[[], datetime] | None = None,
        welcome: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.supervisor = supervisor
        self.staff = staff
        self.pin = pin
        self.lang = "en" if lang == "en" else "zh"
        self.voice = voice or voice_en
        self.voice_en = voice_en
        self.speaker = speaker
        self.voice_max_age_s = voice_max_age_s
        self.stale_seconds = stale_seconds
        self.probe_timeout = probe_timeout
        self._clock = clock
        self._offline_welcome = welcome  # a prepared snapshot: no network at all (snapshot tests)
        self.state = BoardState()
        self.link = HubLink(self, hub_url, self.hello, max_backoff=max_backoff)
        self.online = False  # the current client's last reported status
        self.silent = False  # the hub went quiet and did not answer a probe
        self.refused: str | None = None  # a fatal hello error for a display
        self.last_frame = time.monotonic()  # monotonic time of the last frame from the hub
        self.last_update: datetime | None = None  # wall time of the same, for the stale banner
        self.voice_queue: AnnouncementQueue | None = None
        self.voice_off: str | None = None  # why the board went silent, once it has
        self._probing = False
        self._tz: ZoneInfo | None = None

    # ------------------------------------------------------------------ time

    def now(self) -> datetime:
        """Now in the hall's time zone (or the injected clock's time)."""
        if self._clock is not None:
            return self._clock()
        tz_name = str(self.state.hall.get("timezone") or DEFAULT_TZ)
        if self._tz is None or self._tz.key != tz_name:
            try:
                self._tz = ZoneInfo(tz_name)
            except (KeyError, ValueError):
                self._tz = ZoneInfo(DEFAULT_TZ)
        return datetime.now(self._tz)

    # ------------------------------------------------------------------ set-up

    def get_default_screen(self) -> Screen[Any]:
        return SupervisorScreen() if self.supervisor else LobbyScreen()

    @property
    def board(self) -> BoardScreen:
        """The board screen (the bottom of the stack); raises NoMatches when there is none."""
        board = self._board()
        if board is None:
            raise NoMatches("no board screen")
        return board

    def _board(self) -> BoardScreen | None:
        stack = self.screen_stack
        if stack and isinstance(stack[0], BoardScreen):
            return stack[0]
        return None

    @on(BoardScreen.Ready)
    def _board_ready(self) -> None:
        """The board screen is composed: load or connect, start the clock."""
        self.set_interval(1.0, self._tick)
        if self.voice:
            self._start_voice()
        if self._offline_welcome is not None:
            self.state.load_welcome(self._offline_welcome, self.now())
            self.online = True
            self.last_update = self.now()
            self.redraw()
            return
        self.redraw()
        if self.supervisor and not self.pin:
            self.ask_pin()
        else:
            self.connect_hub()

    def hello(self) -> dict[str, Any]:
        """The hello of the next connection (the supervisor's PIN may have changed)."""
        if self.supervisor:
            return {"role": "supervisor", "staff": self.staff, "pin": self.pin, "lang": self.lang}
        return {"role": "display", "lang": self.lang}

    def ask_pin(self, error: str | None = None) -> None:
        """Ask the supervisor's PIN; the screen asks to log in (then connect) or to quit."""
        self.push_screen(PinScreen(self.staff or "?", self.lang, error))

    @on(PinScreen.LoginRequested)
    def _login(self, message: PinScreen.LoginRequested) -> None:
        if not isinstance(self.screen, PinScreen):
            return  # a second submit before the first was handled
        self.pop_screen()
        self.pin = message.pin
        self.connect_hub()

    @on(PinScreen.QuitRequested)
    def _quit_login(self) -> None:
        self.exit(0)

    # ------------------------------------------------------------------ the hub

    def connect_hub(self) -> None:
        """Start a fresh hub client; news of the replaced one is dropped from now on."""
        self.online = False  # this client's own status from now on (no probes until it is up)
        self.link.connect()

    @on(HubWelcomed)
    def _hub_welcomed(self, message: HubWelcomed) -> None:
        if self.link.is_current(message):
            self._on_welcome(message.welcome, self.now())

    @on(HubEvent)
    def _hub_event(self, message: HubEvent) -> None:
        if self.link.is_current(message):
            self._on_frame(message.frame, self.now())

    @on(HubStatus)
    def _hub_status(self, message: HubStatus) -> None:
        if not self.link.is_current(message):
            return
        self.online = message.online
        if self.online:
            self.refused = None
        self.show_status()

    @on(HubFailed)
    def _hub_failed(self, message: HubFailed) -> None:
        if self.link.is_current(message):
            self._on_fatal(message.error)

    def _on_welcome(self, frame: dict[str, Any], now: datetime) -> None:
        first = not self.state.loaded
        seen = {(c.ticket, c.recalls) for c in self.state.recent}
        self.state.load_welcome(frame, now)
        self.online = True
        self.silent = False
        self._touch(now)
        if not first and self.voice_queue is not None:
            # Calls made while the board was away are still announced, if recent and still valid.
            for call in reversed(self.state.recent):
                if (call.ticket, call.recalls) in seen:
                    continue
                at = parse_iso(call.at) if call.at else None
                age = (now - at).total_seconds() if at else self.voice_max_age_s + 1
                if 0 <= age <= self.voice_max_age_s:
                    self._announce(call.ticket, call.number, call.window, call.recalls, age)
        self.redraw()

    def _on_frame(self, frame: dict[str, Any], now: datetime) -> None:
        self._touch(now)
        was_silent = self.silent
        self.silent = False
        change: Change = self.state.apply(frame, now)
        if self.voice_queue is not None:
            if change.call is not None:
                c = change.call
                self._announce(c.ticket, c.number, c.window, c.recalls, 0.0)
            elif change.ticket is not None:
                self.voice_queue.drop_ticket(change.ticket)
        if change.metrics and self.supervisor:
            with contextlib.suppress(NoMatches):
                self.board.tick(self.state, self.lang, now)
        else:
            self.redraw()
        if was_silent:
            self.show_status()

    def _on_fatal(self, error: HubError) -> None:
        if self.supervisor and error.code in ("auth_failed", "locked", "bad_hello", "forbidden"):
            self.link.drop()
            self.online = False
            self.show_status()
            self.ask_pin(error_text(error.code, error.message, self.lang))
            return
        self.refused = t("hub_refused", self.lang, message=error.message or error.code)
        self.show_status()

    def _touch(self, now: datetime) -> None:
        self.last_frame = time.monotonic()
        self.last_update = now

    # ------------------------------------------------------------------ the watchdog

    def _tick(self) -> None:
        now = self.now()
        with contextlib.suppress(NoMatches):  # the board is being torn down at exit
            self.board.tick(self.state, self.lang, now)
        client = self.link.client
        if (
            client is not None
            and self.online
            and not self._probing
            and time.monotonic() - self.last_frame > self.stale_seconds
        ):
            self._probe(client)

    @work(exclusive=True, group="probe")
    async def _probe(self, client: HubClient) -> None:
        """Ask the quiet hub anything: a reply of any kind proves it is alive."""
        self._probing = True
        try:
            await client.request("ping", timeout=self.probe_timeout)
            alive = True
        except HubError as exc:
            if exc.code == "closed":
                return
            alive = exc.code != "timeout"
        finally:
            self._probing = False
        if client is not self.link.client:
            return
        if alive:
            self.last_frame = time.monotonic()
            return
        self.silent = True
        self.show_status()
        self.connect_hub()  # a fresh connection and a fresh snapshot

    def stale_kind(self) -> str | None:
        """None when the board is fresh, else why it may be out of date."""
        if self._offline_welcome is not None:
            return None
        if self.refused:
            return "refused"
        if not self.state.loaded:
            return "connecting"
        if self.silent:
            return "silent"  # until a fresh welcome, even while the new client connects
        if not self.online:
            return "offline"
        return None

    def show_status(self) -> None:
        with contextlib.suppress(NoMatches):
            self.board.show_status(self.stale_kind(), self.last_update, self.lang, self.refused)

    # ------------------------------------------------------------------ drawing

    def redraw(self) -> None:
        """Redraw the board from the state."""
        with contextlib.suppress(NoMatches):  # the board is being torn down at exit
            self.board.show(self.state, self.lang, self.now())
            self.show_status()

    def action_seen_alerts(self) -> None:
        """The supervisor has seen the new complaints, ratings and faults: unflag them."""
        self.state.new_keys.clear()
        self.redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F4 (the complaints) and F5 (unlocking staff) are the supervisor board's only."""
        if action in ("complaints", "unlock"):
            return self.supervisor
        return True

    def action_complaints(self) -> None:
        """Show the alerts tab and put the keys on the complaints list."""
        if not self.supervisor or not isinstance(self.screen, SupervisorScreen):
            return
        self.screen.query_one("#tabs", TabbedContent).active = "tab-alerts"
        if not self.state.open_complaints:
            self.notify(both("err_c_pick"), severity="warning", timeout=4)
            return
        self.screen.query_one(ComplaintsList).focus()

    def action_unlock(self) -> None:
        """Show the alerts tab and put the keys on the list of locked-out staff."""
        if not self.supervisor or not isinstance(self.screen, SupervisorScreen):
            return
        self.screen.query_one("#tabs", TabbedContent).active = "tab-alerts"
        if not self.state.locked:
            self.notify(both("err_u_none"), severity="warning", timeout=4)
            return
        self.screen.query_one(LockedList).focus()

    def action_toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.redraw()

    # ------------------------------------------------------------------ voice

    def _start_voice(self) -> None:
        speaker = self.speaker if self.speaker is not None else EspeakSpeaker()
        if isinstance(speaker, EspeakSpeaker) and not speaker.available():
            self._voice_unavailable("espeak-ng")
            return
        self.voice_queue = AnnouncementQueue(
            speaker,
            english=self.voice_en,
            max_age_s=self.voice_max_age_s,
            still_valid=lambda a: self.state.call_is_current(a.ticket, a.window, a.recalls),
            on_unavailable=self._voice_unavailable,
            on_error=lambda msg: self.notify(
                t("voice_failed", self.lang, error=msg), severity="warning", timeout=10
            ),
        )
        self._run_voice(self.voice_queue)

    @work(group="voice")
    async def _run_voice(self, queue: AnnouncementQueue) -> None:
        await queue.run()

    def _announce(self, ticket: str, number: str, window: int, recalls: int, age: float) -> None:
        if self.voice_queue is not None:
            a = Announcement(ticket, number, window, time.monotonic() - age, recalls)
            self.voice_queue.put(a)

    def _voice_unavailable(self, message: str) -> None:
        if self.voice_off is not None:
            return  # said once
        self.voice_off = message
        self.voice_queue = None
        self.notify(t("voice_missing", self.lang), severity="warning", timeout=15)

    # ------------------------------------------------------------------ supervisor actions

    @on(ActionsPanel.NoticeRequested)
    def _post_notice(self, message: ActionsPanel.NoticeRequested) -> None:
        args: dict[str, Any] = {"text": message.text}
        if message.minutes:
            args["minutes"] = message.minutes
        self.command("notice", t("done_notice", self.lang), **args)

    @on(ActionsPanel.ServicesRequested)
    def _change_services(self, message: ActionsPanel.ServicesRequested) -> None:
        name = self.state.window_name(message.window, self.lang)
        self.command(
            "set_window",
            t("done_services", self.lang, window=name),
            window=message.window,
            services=message.services,
        )

    @on(ActionsPanel.WindowCloseRequested)
    def _ask_close_window(self, message: ActionsPanel.WindowCloseRequested) -> None:
        """Closing a window logs its clerk out: ask first."""
        state, lang = self.state, self.lang
        name = state.window_name(message.window, lang)
        question = t("confirm_close", lang, window=name)
        outcomes: list[tuple[str, str]] = []
        tstate = state.window_current_state(message.window)
        if tstate in (CALLED, SERVING):  # settled by the supervisor: first in line by default
            number = state.window_current_number(message.window)
            question = t(
                "confirm_close_busy",
                lang,
                window=name,
                number=number,
                state=state_label(tstate, lang),
            )
            fits = ("requeue", "no_show") if tstate == CALLED else ("requeue", "done")
            outcomes = [(o, close_outcome_label(o, lang)) for o in fits]
        self.push_screen(
            CloseWindowScreen(message.window, question, t("yes", lang), t("no", lang), outcomes)
        )

    @on(CloseWindowScreen.CloseRequested)
    def _close_window(self, message: CloseWindowScreen.CloseRequested) -> None:
        if not isinstance(self.screen, CloseWindowScreen):
            return  # a second "yes" before the first was handled
        self.pop_screen()
        name = self.state.window_name(message.window, self.lang)
        args: dict[str, Any] = {"window": message.window}
        if message.outcome is not None:
            args["ticket_outcome"] = message.outcome
        self.command("close_window", t("done_close", self.lang, window=name), **args)

    @on(ComplaintsList.ActionRequested)
    def _complaint_action(self, message: ComplaintsList.ActionRequested) -> None:
        """Accept and close at once; a note, an answer or a rejection asks for its text."""
        cid = message.complaint
        if cid is None:
            self.notify(both("err_c_pick"), severity="warning", timeout=4)
            return
        if message.action in ("note", "answer", "reject"):
            self.push_screen(ComplaintTextScreen(message.action, cid, self.lang))
            return
        self._complaint_step(message.action, cid, None)

    @on(ComplaintTextScreen.TextGiven)
    def _complaint_text(self, message: ComplaintTextScreen.TextGiven) -> None:
        if not isinstance(self.screen, ComplaintTextScreen):
            return  # a second submit before the first was handled
        self.pop_screen()
        self._complaint_step(message.action, message.complaint, message.text)

    def _complaint_step(self, action: str, cid: str, text: str | None) -> None:
        args: dict[str, Any] = {"complaint": cid}
        if text is not None:
            args["reason" if action == "reject" else "text"] = text
        done = t(f"done_c_{action}", self.lang, id=cid)
        self.command(f"{action}_complaint", done, notify_errors=True, **args)

    @on(LockedList.UnlockRequested)
    def _ask_unlock(self, message: LockedList.UnlockRequested) -> None:
        """Unlocking lets the clerk try PINs again at once: ask first, in both languages."""
        if message.staff is None:
            self.notify(both("err_u_none"), severity="warning", timeout=4)
            return
        sid, name = str(message.staff.get("id")), str(message.staff.get("name") or "")
        yes_no = (f"{t(k, 'zh')} {t(k, 'en')}" for k in ("yes", "no"))
        self.push_screen(
            UnlockStaffScreen(sid, name, both("confirm_unlock", id=sid, name=name), *yes_no)
        )

    @on(UnlockStaffScreen.UnlockConfirmed)
    def _unlock(self, message: UnlockStaffScreen.UnlockConfirmed) -> None:
        if not isinstance(self.screen, UnlockStaffScreen):
            return  # a second "yes" before the first was handled
        self.pop_screen()
        self._unlock_staff(message.staff, message.name)

    @work(group="commands")
    async def _unlock_staff(self, sid: str, name: str) -> None:
        """Send `unlock_staff`; a refusal is said in both languages (the hub's words after)."""
        if self.link.client is None or not self.online:
            self.notify(both("err_offline"), severity="error", timeout=6)
            return
        try:
            await self.link.request("unlock_staff", timeout=10, staff=sid)
        except HubError as exc:
            words = exc.message if exc.code not in LOCAL_ERRORS else both(LOCAL_ERRORS[exc.code])
            self.notify(f"{both('err_unlock')}: {words or exc.code}", severity="error", timeout=8)
            return
        self.notify(both("done_unlock", id=sid, name=name), timeout=4)

    @work(group="commands")
    async def command(self, kind: str, done: str, notify_errors: bool = False, **args: Any) -> None:
        """Send a supervisor command and say how it went under the forms (and, for the
        complaints, which are not on the actions tab, in a notification too)."""
        if self.link.client is None or not self.online:
            self._say(t("err_offline", self.lang), error=True)
            if notify_errors:
                self.notify(t("err_offline", self.lang), severity="error", timeout=6)
            return
        try:
            await self.link.request(kind, timeout=10, **args)
        except HubError as exc:
            message = error_text(exc.code, exc.message, self.lang)
            self._say(t("err_hub", self.lang, message=message), error=True)
            if notify_errors:
                self.notify(t("err_hub", self.lang, message=message), severity="error", timeout=6)
            return
        self._say(done)
        self.notify(done, timeout=4)

    def _say(self, text: str, error: bool = False) -> None:
        with contextlib.suppress(NoMatches):
            self.board.query_one(ActionsPanel).say(text, error)
