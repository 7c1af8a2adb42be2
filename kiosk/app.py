"""The touch kiosk: citizens pick a department and a service, read its guide, take a ticket.

Theory of operation
-------------------
The app holds a `KioskState` (catalogue, waiting counts, windows) that a
`HubLink` keeps fresh: each `HubWelcomed` replaces it, each `HubEvent` moves
it forward, and the app passes it down to the screens (`KioskView`,
`KioskScreen.sync`). The link reconnects by itself; while it is offline the
kiosk says so on every screen and issuing is disabled. Screens never call the
app: they post `...Requested` messages (a department, a guide, a ticket, Back,
Home, the language) that the app handles below with `@on`.

A ticket is shown only from the hub's `ok` reply to `issue`. The client
resends an unanswered request with the same id after a reconnect, so a tap
whose reply was lost in a drop still makes one ticket; the screen allows one
issue at a time, so a double tap cannot make two.

Printing runs in a thread worker after the ticket is on screen: a printer
fault never hides the ticket; it is shown, logged and reported to the hub.

The app can also run without a hub from a prepared welcome dict
(`KioskApp(config, welcome=...)`): snapshot tests use that.

Care mode (关怀模式 / 长辈版): the big button on every screen (or 0, F2) turns it
on for this citizen: big text, plain words, fewer things per screen, 绿色通道
offered first, and each screen read aloud (`KioskScreen.care_script`, words in
kiosk/care.py) through a `Speaker` (espeak-ng with `--voice`; tests pass a
recording one), again on 再听一遍 (+, F3). Going home after idle turns it off.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from textual import events, on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive

from kiosk.screens import (
    BundleScreen,
    CheckInScreen,
    DepartmentScreen,
    GuideScreen,
    HomeScreen,
    KioskScreen,
    KioskView,
    PinScreen,
    PriorityScreen,
    TicketScreen,
)
from kiosk.state import IssuedTicket, KioskState
from kiosk.strings import t
from kiosk.widgets.header import KioskHeader
from shared.client import HubError
from shared.protocol import DEFAULT_HUB
from shared.ui.hub import HubEvent, HubFailed, HubLink, HubStatus, HubWelcomed
from shared.voice import EspeakSpeaker, Speaker, SpeakerUnavailable

log = logging.getLogger("hall.kiosk")

DEFAULT_IDLE_S = 30.0
DEFAULT_ADMIN_PIN = "0000"
GC_PAUSE_S = 2.0  # longest pause of automatic garbage collection while a ticket is issued


class Printer(Protocol):
    """What the kiosk needs of a ticket printer (kiosk/printer.py's TicketPrinter)."""

    def print_ticket(self, t: Any) -> str | None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class KioskConfig:
    """How one kiosk runs (from the command line, see kiosk/__main__.py)."""

    hub: str = DEFAULT_HUB
    token: str = ""
    idle: float = DEFAULT_IDLE_S  # seconds without a touch before going home
    lang: str = "zh"  # the language every citizen starts in
    admin_pin: str = DEFAULT_ADMIN_PIN
    # None: an issue request waits through reconnects (resent with its id, so one tap
    # makes one ticket) until answered or the citizen leaves the screen.
    issue_timeout: float | None = None
    max_backoff: float = 5.0  # longest pause between reconnect attempts
    voice: bool = False  # read the care mode's screens aloud with espeak-ng


class KioskApp(App[int]):
    """The touch kiosk app."""

    CSS_PATH = "kiosk.tcss"
    TITLE = "hall kiosk"
    ENABLE_COMMAND_PALETTE = False
    # Lockdown: citizens cannot quit; staff close it with ctrl+x and the PIN.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "noop", show=False, priority=True, system=True),
        Binding("ctrl+c", "noop", show=False, priority=True, system=True),
        Binding("ctrl+x", "staff_exit", show=False, priority=True, system=True),
        Binding("ctrl+r", "staff_reprint", show=False, priority=True, system=True),
        Binding("f12", "staff_reprint", show=False, priority=True, system=True),
    ]

    lang: reactive[str] = reactive("zh")
    online: reactive[bool] = reactive(False)
    fatal: reactive[str] = reactive("")  # error code that stopped the hub client for good
    care: reactive[bool] = reactive(False)  # 关怀模式 / 长辈版 (this citizen, until idle)

    def __init__(
        self,
        config: KioskConfig | None = None,
        *,
        welcome: dict[str, Any] | None = None,
        printer: Printer | None = None,
        now: Callable[[], datetime] | None = None,
        speaker: Speaker | None = None,
    ) -> None:
        super().__init__()
        # the care mode's voice: the one given (tests), else espeak-ng when --voice asks
        if speaker is None and self.config_voice(config):
            speaker = EspeakSpeaker()
        self.speaker: Speaker | None = speaker
        self.spoken: list[tuple[str, str]] = []  # (lang, text) asked of the speaker, in order
        self._spoken_key: tuple[int, str] | None = None
        self.config = config or KioskConfig()
        self.state = KioskState()
        self.printer = printer
        self._frozen_now = now
        self.link = HubLink(
            self,
            self.config.hub,
            self._hello,
            min_backoff=min(0.2, self.config.max_backoff),
            max_backoff=self.config.max_backoff,
        )
        self._offline_mode = welcome is not None  # snapshot mode: no hub at all
        self._last_activity = time.monotonic()
        self._issuing = 0
        self._print_lock = threading.Lock()
        self._printer_ok = True
        self.last_ticket: IssuedTicket | None = None
        self.visit: list[str] = []  # services kept for one visit (再办一项), in order
        self.issued_count = 0  # tickets shown since start (tests, the benchmark)
        self.set_reactive(KioskApp.lang, self.config.lang)
        if welcome is not None:
            self.state.load_welcome(welcome)
            self.set_reactive(KioskApp.online, True)
        self.ticket_screen = TicketScreen(self.view)  # one instance, reused for every ticket
        self.install_screen(self.ticket_screen, name="ticket")

    # ------------------------------------------------------------------ lifecycle

    def get_default_screen(self) -> HomeScreen:
        return HomeScreen(self.view)

    async def on_mount(self) -> None:
        # Compose the ticket screen now, not when the first citizen waits for it; first,
        # before the idle check or a welcome can reach a screen still being composed.
        await self.push_screen(self.ticket_screen)
        await self.pop_screen()
        self.set_interval(min(0.25, self.config.idle / 4), self._check_idle)
        if not self._offline_mode:
            self.link.connect()
        font_warning = getattr(self.printer, "font_warning", None)
        if font_warning is not None and (text := font_warning()):
            self.notify(text, severity="warning", timeout=30)  # once, at start

    @staticmethod
    def config_voice(config: KioskConfig | None) -> bool:
        return config is not None and config.voice

    def _hello(self) -> dict[str, Any]:
        return {"role": "kiosk", "token": self.config.token, "lang": self.lang}

    @on(HubWelcomed)
    def hub_welcomed(self, message: HubWelcomed) -> None:
        if self.link.is_current(message):
            self.load_welcome(message.welcome)

    def load_welcome(self, welcome: dict[str, Any]) -> None:
        """Take a fresh snapshot of the hall (every (re)connect) and redraw every screen."""
        self.state.load_welcome(welcome)
        self.refresh_screens(all_screens=True)

    @on(HubEvent)
    def hub_event(self, message: HubEvent) -> None:
        if self.link.is_current(message) and self.state.apply_event(message.frame):
            # a new catalogue (`hall catalogue apply`) redraws every screen, like a welcome
            self.refresh_screens(all_screens=message.frame.get("type") == "catalogue")

    @on(HubStatus)
    def hub_status(self, message: HubStatus) -> None:
        if self.link.is_current(message):
            self.online = message.online

    @on(HubFailed)
    def hub_failed(self, message: HubFailed) -> None:
        if self.link.is_current(message):
            log.error("kiosk stopped talking to the hub: %s", message.error)
            self.fatal = message.error.code

    def watch_online(self) -> None:
        self.refresh_screens()

    def watch_fatal(self) -> None:
        self.refresh_screens()

    def watch_lang(self) -> None:
        self.refresh_screens(all_screens=True)
        self.call_after_refresh(self.speak_screen)

    def watch_care(self, care: bool) -> None:
        self.refresh_screens(all_screens=True)
        self._spoken_key = None
        if care:
            self.call_after_refresh(self.speak_screen)
        else:
            self.workers.cancel_group(self, "care-voice")  # stop talking at once

    @property
    def view(self) -> KioskView:
        """What the screens show: the state, the clock, the language and the connection."""
        return KioskView(
            self.state, self.now, self.lang, self.online, self.fatal, self.care, tuple(self.visit)
        )

    def refresh_screens(self, all_screens: bool = False) -> None:
        """Redraw the current screen (or all) from the state."""
        view = self.view
        screens = self.screen_stack if all_screens else self.screen_stack[-1:]
        for screen in screens:
            if isinstance(screen, KioskScreen):
                screen.sync(view)

    # ------------------------------------------------------------------ status

    def now(self) -> datetime:
        """The hall's local time (frozen in snapshot tests)."""
        if self._frozen_now is not None:
            return self._frozen_now()
        try:
            return datetime.now(ZoneInfo(self.state.hall.get("timezone") or "Asia/Shanghai"))
        except (ZoneInfoNotFoundError, ValueError):
            return datetime.now().astimezone()

    @property
    def can_issue(self) -> bool:
        """True when a tap can make a ticket (the hub is there and accepts this kiosk)."""
        return self.view.can_issue

    # ------------------------------------------------------------------ navigation

    @on(HomeScreen.DepartmentRequested)
    def department_requested(self, request: HomeScreen.DepartmentRequested) -> None:
        self.open_department(request.department)

    @on(HomeScreen.CheckInRequested)
    def check_in_requested(self) -> None:
        """预约签到."""
        self.note_activity()
        self.push_screen(CheckInScreen(self.view))

    @on(CheckInScreen.OrdinaryRequested)
    def ordinary_requested(self, request: CheckInScreen.OrdinaryRequested) -> None:
        """A late booked citizen takes an ordinary ticket of the service."""
        self.open_guide(request.service)

    @on(CheckInScreen.CheckInRequested)
    def check_in_ticket(self, request: CheckInScreen.CheckInRequested) -> None:
        request.screen.run_worker(
            self._check_in(request.screen, request.code, request.mobile_tail), group="issue"
        )

    async def _check_in(self, screen: CheckInScreen, code: str, tail: str | None) -> None:
        """Check a booking in; show and print its ticket once the hub acknowledged it."""
        if self.link.client is None or not self.can_issue:
            screen.check_in_failed("offline", "")
            return
        self._issuing += 1
        args: dict[str, Any] = {"code": code, "lang": self.lang}
        if tail:
            args["mobile_tail"] = tail
        try:
            reply = await self.link.request("check_in", timeout=self.config.issue_timeout, **args)
        except HubError as exc:
            late = exc.extra.get("service") if exc.extra.get("late") else None
            screen.check_in_failed(exc.code, exc.message, late if isinstance(late, str) else None)
            return
        except Exception:  # a bug must not end the kiosk
            log.exception("check-in failed")
            screen.check_in_failed("other", "")
            return
        finally:
            self._issuing -= 1
            self.note_activity()
        ticket = IssuedTicket.from_reply(reply, self.state)
        log.info("checked in %s as %s", (reply.get("booking") or {}).get("id"), ticket.number)
        screen.check_in_done()
        self.show_ticket(ticket)

    @on(DepartmentScreen.GuideRequested)
    def guide_requested(self, request: DepartmentScreen.GuideRequested) -> None:
        self.open_guide(request.service)

    @on(GuideScreen.TicketRequested)
    def ticket_requested(self, request: GuideScreen.TicketRequested) -> None:
        self.open_priority(request.service)

    @on(GuideScreen.AddRequested)
    def add_requested(self, request: GuideScreen.AddRequested) -> None:
        self.add_to_visit(request.service)

    @on(HomeScreen.BundleRequested)
    def bundle_requested(self, request: HomeScreen.BundleRequested) -> None:
        self.note_activity()
        self.push_screen(BundleScreen(self.view, request.bundle))

    @on(BundleScreen.TicketRequested)
    def bundle_ticket_requested(self, request: BundleScreen.TicketRequested) -> None:
        self.note_activity()
        bundle = self.state.bundle(request.bundle) or {}
        first = next((c for step in bundle.get("steps") or () for c in step), "")
        if self.can_issue:
            self.push_screen(PriorityScreen(self.view, first, bundle=request.bundle))

    @on(KioskScreen.BackRequested)
    def back_requested(self) -> None:
        self.go_back()

    @on(KioskScreen.HomeRequested)
    def home_requested(self) -> None:
        self.go_home()

    @on(KioskScreen.Shown)
    def screen_shown(self) -> None:
        self.note_activity()  # the idle countdown starts once the screen is there
        self.call_after_refresh(self.speak_screen)

    @on(KioskScreen.CareToggled)
    def care_toggled(self) -> None:
        """The big 关怀模式 button (or 0, F2): care mode on or off for this citizen."""
        self.note_activity()
        self.care = not self.care
        if isinstance(self.screen, KioskScreen):
            self.screen.focus_primary()

    @on(KioskScreen.RepeatRequested)
    def repeat_requested(self) -> None:
        """再听一遍: read the screen again."""
        self.note_activity()
        self.speak_screen(again=True)

    # ------------------------------------------------------------------ care mode voice

    def speak_screen(self, again: bool = False) -> None:
        """In care mode, read the current screen aloud (once per screen and text, or `again`)."""
        screen = self.screen
        if not self.care or not isinstance(screen, KioskScreen):
            return
        text = screen.care_script()
        if text and (banner := self.view.banner):
            text = f"{banner}{'。' if self.lang == 'zh' else ' '}{text}"  # 暂停取号 first
        key = (id(screen), text)
        if not text or (key == self._spoken_key and not again):
            return
        self._spoken_key = key
        self.spoken.append((self.lang, text))
        if self.speaker is not None:
            self._say(text, self.lang)

    @work(group="care-voice", exclusive=True, exit_on_error=False)
    async def _say(self, text: str, lang: str) -> None:
        """Say one screen's text; a newer one cuts it short (exclusive)."""
        speaker = self.speaker
        if speaker is None:
            return
        try:
            await speaker.say(text, lang)
        except SpeakerUnavailable as exc:
            log.error("care mode voice unavailable: %s", exc)
            self.speaker = None
            self.notify(t("voice_unavailable", lang), severity="warning", timeout=10)
        except Exception:
            log.exception("care mode voice failed")

    def open_department(self, department: str) -> None:
        """Show a department's services."""
        self.note_activity()
        self.push_screen(DepartmentScreen(self.view, department))

    def open_guide(self, service: str) -> None:
        """Show a service's guide."""
        self.note_activity()
        self.push_screen(GuideScreen(self.view, service))

    def open_priority(self, service: str) -> None:
        """Ask regular or 绿色通道 before issuing (for the visit's services, when several)."""
        self.note_activity()
        if self.can_issue:
            visit = tuple([c for c in self.visit if c != service] + [service])
            if len(visit) == 1:
                self.push_screen(PriorityScreen(self.view, service))
            else:
                self.push_screen(PriorityScreen(self.view, visit[0], services=visit))

    def add_to_visit(self, service: str) -> None:
        """Keep a service for this visit (再办一项) and go home to choose another."""
        if service not in self.visit:
            self.visit.append(service)
        self.refresh_screens(all_screens=True)  # home shows what is chosen so far
        self.go_home()

    def clear_visit(self) -> None:
        """Forget the services kept for a visit (its ticket is issued, or the citizen left)."""
        if self.visit:
            self.visit = []
            self.refresh_screens(all_screens=True)

    def go_back(self) -> None:
        """One screen back; never past home."""
        self.note_activity()
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def go_home(self) -> None:
        """Pop every screen down to home (at once, as one update)."""
        self.note_activity()
        if len(self.screen_stack) > 1:
            self.screen_stack[0].pop_until_active()

    @on(KioskHeader.LanguageToggled)
    def language_toggled(self) -> None:
        """中文 ⇄ English."""
        self.note_activity()
        self.lang = "en" if self.lang == "zh" else "zh"
        if isinstance(self.screen, KioskScreen):
            self.screen.focus_primary()  # Enter keeps meaning the screen's main action

    def action_noop(self) -> None:
        """Swallow a key (quit keys on a public kiosk)."""

    # ------------------------------------------------------------------ idle timeout

    def note_activity(self) -> None:
        """A citizen touched something: restart the idle countdown."""
        self._last_activity = time.monotonic()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not isinstance(event, events.MouseMove):
            self.note_activity()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if (
            len(self.screen_stack) <= 1
            and self.lang == self.config.lang
            and not self.care
            and not self.visit
        ):
            return
        if self._issuing:
            return  # never walk away from a ticket being issued
        if time.monotonic() - self._last_activity >= self.config.idle:
            self.go_home()
            self.clear_visit()
            self.lang = self.config.lang
            self.care = False  # the next citizen starts on the normal screen

    # ------------------------------------------------------------------ issuing

    @on(PriorityScreen.IssueRequested)
    def issue_requested(self, request: PriorityScreen.IssueRequested) -> None:
        # The worker belongs to the screen: when the citizen leaves it (Back, Home),
        # the request is cancelled with it.
        request.screen.run_worker(
            self._take_ticket(
                request.screen,
                request.service,
                request.priority,
                services=request.services,
                bundle=request.bundle,
            ),
            group="issue",
        )

    async def _take_ticket(
        self,
        screen: PriorityScreen,
        service: str,
        priority: bool,
        services: tuple[str, ...] = (),
        bundle: str | None = None,
    ) -> None:
        """Issue a ticket for the screen's tap; show it only once the hub acknowledged it."""
        # A full garbage collection takes a few hundred ms on a busy machine: keep it
        # out of the way between the tap and the ticket (at most GC_PAUSE_S).
        gc_was_on = gc.isenabled()
        gc.disable()
        guard = self.set_timer(GC_PAUSE_S, lambda: _gc_on(gc_was_on))
        shown = False
        try:
            ticket = await self.issue(service, priority, services=services, bundle=bundle)
        except HubError as exc:
            screen.issue_failed(exc.code, exc.message)
            return
        except Exception:  # a bug must not end the kiosk: say it failed, log why
            log.exception("issuing a ticket for %s failed", service)
            screen.issue_failed("other")
            return
        else:
            screen.issue_done()
            self.visit = []  # the visit has its ticket
            self.show_ticket(ticket)
            shown = True
        finally:
            guard.stop()
            if shown:
                self.call_after_refresh(_gc_on, gc_was_on)  # once the ticket is drawn
            else:
                _gc_on(gc_was_on)

    async def issue(
        self,
        service: str,
        priority: bool = False,
        *,
        services: tuple[str, ...] = (),
        bundle: str | None = None,
    ) -> IssuedTicket:
        """Ask the hub for a ticket and return it once acknowledged; raise HubError otherwise.

        A visit of several services: `services` (in order) or a `bundle` instead of `service`.
        """
        if self.link.client is None or not self.can_issue:
            raise HubError("offline", "the hub is not connected")
        what: dict[str, Any] = {"service": service}
        if bundle:
            what = {"bundle": bundle}
        elif len(services) > 1:
            what = {"services": list(services)}
        self._issuing += 1
        try:
            reply = await self.link.request(
                "issue",
                **what,
                priority="priority" if priority else "normal",
                lang=self.lang,
                timeout=self.config.issue_timeout,
            )
        finally:
            self._issuing -= 1
            self.note_activity()
        ticket = IssuedTicket.from_reply(reply, self.state)
        log.info("issued %s for %s", ticket.number, service)
        return ticket

    def show_ticket(self, ticket: IssuedTicket) -> None:
        """Put an acknowledged ticket on screen and print it (Done and Esc go home from it)."""
        self.last_ticket = ticket
        self.issued_count += 1
        status = "printing" if self.printer is not None else "none"
        self._show_on_ticket_screen(ticket, status)
        if self.printer is not None:
            self.print_ticket(ticket)

    def _show_on_ticket_screen(self, ticket: IssuedTicket, status: str) -> None:
        screen = self.ticket_screen
        if screen in self.screen_stack:
            # Already up (a reprint): go home first, then show it again.
            self.go_home()
            self.call_later(self._show_on_ticket_screen, ticket, status)
            return
        screen.show(self.view, ticket, status)
        self.push_screen(screen)

    # ------------------------------------------------------------------ printing

    def ticket_print(self, ticket: IssuedTicket) -> Any:
        """The printer's TicketPrint for a ticket (bilingual fields)."""
        from kiosk.printer import TicketPrint

        hall = ticket.hall
        return TicketPrint(
            hall_name=str(hall.get("name", "")),
            hall_name_en=str(hall.get("name_en") or hall.get("name", "")),
            number=ticket.number,
            department=str(ticket.department.get("name", "")),
            department_en=str(ticket.department.get("name_en") or ""),
            service=str(ticket.service.get("name", "")),
            service_en=str(ticket.service.get("name_en") or ""),
            ahead=ticket.ahead,
            eta_min=ticket.eta_min,
            issued_at=ticket.issued_at,
            windows=tuple(ticket.window_names("zh")),
            url=ticket.url,
            priority=ticket.priority,
            steps=tuple(ticket.step_lines(self.state, "zh")),
            steps_en=tuple(ticket.step_lines(self.state, "en")),
            booked=ticket.booked_slot,
        )

    @work(thread=True, group="printer", exit_on_error=False)
    def print_ticket(self, ticket: IssuedTicket) -> None:
        """Print a ticket (blocking, in a thread); report the outcome to the screen and the hub."""
        printer = self.printer
        if printer is None:
            return
        fault: tuple[str, str] | None = None
        try:
            with self._print_lock:
                printer.print_ticket(self.ticket_print(ticket))
        except Exception as exc:  # PrinterFault, or anything a driver raises
            fault = (str(getattr(exc, "kind", "error")), str(getattr(exc, "message", exc)))
            log.error("printer fault on %s: %s: %s", ticket.number, *fault)
        self.call_from_thread(self._printed, ticket, fault)

    def _printed(self, ticket: IssuedTicket, fault: tuple[str, str] | None) -> None:
        screen = self.ticket_screen
        if screen.ticket is ticket:
            screen.print_status = "fault" if fault else "printed"
        if fault is not None:
            self._printer_ok = False
            self.report_printer(False, *fault)
        elif not self._printer_ok:
            self._printer_ok = True
            self.report_printer(True)

    @work(group="printer-status", exit_on_error=False)
    async def report_printer(self, ok: bool, kind: str = "", message: str = "") -> None:
        """Tell the hub (and so the supervisors) how the printer is."""
        if self.link.client is None:
            return  # no hub to tell (snapshot mode)
        args: dict[str, Any] = {"ok": ok}
        if not ok:
            args.update(kind=kind, message=message[:500])
        try:
            await self.link.request("printer_status", timeout=30.0, **args)
        except HubError as exc:
            log.warning("could not report the printer status: %s", exc)

    # ------------------------------------------------------------------ staff keys

    def action_staff_exit(self) -> None:
        """ctrl+x then the admin PIN closes the kiosk."""
        if isinstance(self.screen, PinScreen):
            return

        def done(ok: bool | None) -> None:
            if ok:
                log.info("kiosk closed by staff")
                self.exit(0)

        self.push_screen(PinScreen(self.config.admin_pin, "staff_exit", self.lang), done)

    def action_staff_reprint(self) -> None:
        """A hidden key then the admin PIN reprints the last ticket."""
        if isinstance(self.screen, PinScreen):
            return

        def done(ok: bool | None) -> None:
            if not ok:
                return
            ticket = self.last_ticket
            if ticket is None:
                self.notify(t("no_last_ticket", self.lang))
                return
            log.info("reprint of %s by staff", ticket.number)
            self.notify(t("reprinting", self.lang, n=ticket.number))
            self._show_on_ticket_screen(ticket, "printing" if self.printer else "none")
            if self.printer is not None:
                self.print_ticket(ticket)

        self.push_screen(PinScreen(self.config.admin_pin, "staff_reprint", self.lang), done)


def _gc_on(was_on: bool) -> None:
    if was_on:
        gc.enable()
