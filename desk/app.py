"""The consultation desk (咨询台): log each conversation in a few keys, issue a ticket for a
citizen (绿色通道 when it applies) on the desk's printer or with its QR on screen, see the queue
per service and the open windows, and look a ticket up by its number.

Like the counter: the app owns the hub link and the hall's picture (`HallState`); the screens
post messages the app carries out. The PIN stays in memory for this session's reconnects. The
desk clerk is the first responsible of a ticket issued here (docs/protocol.md, "The desk").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, RichLog, Static

from desk.strings import OUTCOMES, error_text, pick, t
from shared.client import HubClient, HubError
from shared.hallstate import HallState
from shared.i18n import name_of
from shared.labels import CASE_STATE_LABELS, TICKET_STATE_LABELS
from shared.protocol import DEFAULT_HUB, W_CLOSED, W_PAUSED, WAITING
from shared.ui.hub import HubEvent, HubFailed, HubLink, HubStatus, HubWelcomed
from shared.ui.qr import qr_lines, qr_matrix

CONNECT_HINT_S = 3.0


def qr_text(data: str) -> str:
    """A QR code drawn with half blocks (shared/ui/qr.py, as the kiosk shows it)."""
    return "\n".join(qr_lines(qr_matrix(data)))


class LoginScreen(Screen[None]):
    """Staff id and PIN (masked); the app connects and reports back with `show_message`."""

    class LoginRequested(Message):
        """The clerk submitted a staff id and PIN."""

        def __init__(self, staff: str, pin: str) -> None:
            super().__init__()
            self.staff = staff
            self.pin = pin

    def __init__(self, lang: str, staff: str = "", message: str = "", hint: str = "") -> None:
        super().__init__()
        self.lang = lang
        self.staff = staff
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Center(), Vertical(id="login-box"):
            yield Label(t("login_title", lang), id="login-title")
            yield Label(t("staff_id", lang))
            yield Input(value=self.staff, placeholder="d001", id="staff", max_length=32)
            yield Label(t("pin", lang))
            yield Input(password=True, id="pin", max_length=32)
            yield Button(t("login", lang), id="login", variant="primary")
            yield Static(self.message, id="login-message", classes="error")
            if self.hint:
                yield Static(self.hint, id="login-hint")

    def on_mount(self) -> None:
        self.query_one("#pin" if self.staff else "#staff", Input).focus()

    def show_message(self, text: str, *, error: bool = True, busy: bool = False) -> None:
        """A message under the form; while busy the form is locked."""
        message = self.query_one("#login-message", Static)
        message.update(text)
        message.set_class(error, "error")
        for widget in self.query("Input, Button"):
            widget.disabled = busy
        if not busy:
            self.query_one("#pin", Input).value = ""
            self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#staff")
    def _staff_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#login")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        staff = self.query_one("#staff", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        if not staff or not pin:
            self.show_message(t("need_staff_pin", self.lang))
            return
        self.post_message(self.LoginRequested(staff, pin))


class DeskScreen(Screen[None]):
    """The desk: the conversation form and its F-keys left, the queue and windows right."""

    BINDINGS = [
        Binding("f2", "outcome('answered')", "answered", priority=True),
        Binding("f3", "outcome('guided')", "guided", priority=True),
        Binding("f4", "outcome('ticket')", "ticket", priority=True),
        Binding("f5", "outcome('referred')", "referred", priority=True),
        Binding("f6", "priority", "priority", priority=True),
        Binding("f7", "lookup", "lookup", priority=True),
        Binding("f9", "language", "lang", priority=True),
        Binding("f10", "logout", "logout", priority=True),
    ]

    class ConsultRequested(Message):
        """Log a conversation (and, for outcome `ticket`, issue the ticket first)."""

        def __init__(self, topic: str, outcome: str, minutes: int, window: int | None) -> None:
            super().__init__()
            self.topic = topic
            self.outcome = outcome
            self.minutes = minutes
            self.window = window

    class LogoutRequested(Message):
        """The clerk pressed F10."""

    class LanguageToggled(Message):
        """The clerk pressed F9."""

    def __init__(self, lang: str, state: HallState) -> None:
        super().__init__()
        self.lang = lang
        self.state = state
        self.priority = False
        # the footer names the keys in the desk's language (set before anything is mounted)
        keys = {
            "f2": "k_answered", "f3": "k_guided", "f4": "k_ticket", "f5": "k_referred",
            "f6": "k_priority", "f7": "k_lookup", "f9": "k_lang", "f10": "k_logout",
        }  # fmt: skip
        for key, word in keys.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=t(word, self.lang))
                for b in self._bindings.key_to_bindings[key]
            ]

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Label(t("topic", lang))
                yield Input(placeholder="MZ-01", id="topic", max_length=200)
                with Horizontal(id="numbers"):
                    with Vertical():
                        yield Label(t("minutes", lang))
                        yield Input(value="3", id="minutes", max_length=3)
                    with Vertical():
                        yield Label(t("guide_window", lang))
                        yield Input(id="window", max_length=4)
                yield Static(t("priority_off", lang), id="priority")
                yield Label(t("lookup", lang))
                yield Input(placeholder="A012", id="lookup", max_length=12)
                yield Static(id="result")
                yield RichLog(id="log", wrap=True, markup=False)
            with Vertical(id="right"):
                yield Label(t("queue_title", lang), classes="title")
                yield DataTable(id="queue", cursor_type="none", zebra_stripes=True)
                yield Label(t("windows_title", lang), classes="title")
                yield DataTable(id="windows", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        lang = self.lang
        self.query_one("#queue", DataTable).add_columns(
            t("col_waiting", lang), t("col_windows", lang), t("col_service", lang)
        )
        self.query_one("#windows", DataTable).add_columns(
            t("col_window", lang), t("col_state", lang), t("col_current", lang)
        )
        self.query_one("#topic", Input).focus()
        refresh = getattr(self.app, "refresh_view", None)  # what arrived before the columns
        if callable(refresh):
            self.call_after_refresh(refresh)

    # --- what the app tells it

    def show(self, state: HallState, header: str) -> None:
        """Redraw the header, the queue per service and the open windows."""
        self.state = state
        lang = self.lang
        queue = self.query_one("#queue", DataTable)
        if not queue.columns:  # an event before the screen's on_mount: drawn once mounted
            return
        self.query_one("#header", Static).update(header)
        queue.clear()
        for s in state.services:
            code = str(s.get("code"))
            open_windows = [
                str(w.get("number"))
                for w in state.windows_serving(code)
                if w.get("state") not in (None, W_CLOSED)
            ]
            queue.add_row(
                str(state.waiting_for(code)),
                ",".join(open_windows) or t("none", lang),
                f"{code} {name_of(s, lang)}",
            )
        windows = self.query_one("#windows", DataTable)
        windows.clear()
        for n in sorted(state.windows):
            w = state.windows[n]
            if w.get("state") in (None, W_CLOSED):
                continue
            current = state.tickets.get(str(w.get("current"))) or {}
            windows.add_row(
                name_of(w, lang) or str(n),
                t("w_paused" if w.get("state") == W_PAUSED else "w_open", lang),
                str(current.get("number") or "—"),
            )

    def write_log(self, line: str) -> None:
        self.query_one("#log", RichLog).write(line)

    def show_result(self, text: str | Text) -> None:
        self.query_one("#result", Static).update(text)

    def cleared(self) -> None:
        """After a logged conversation: the form is ready for the next citizen."""
        self.query_one("#topic", Input).value = ""
        self.query_one("#window", Input).value = ""
        self.query_one("#minutes", Input).value = "3"
        self.priority = False
        self.query_one("#priority", Static).update(t("priority_off", self.lang))
        self.query_one("#topic", Input).focus()

    # --- keys

    def action_outcome(self, outcome: str) -> None:
        lang = self.lang
        topic = self.query_one("#topic", Input).value.strip()
        if not topic:
            self.app.notify(t("need_topic", lang), severity="error")
            self.query_one("#topic", Input).focus()
            return
        try:
            minutes = int(self.query_one("#minutes", Input).value.strip() or "0")
            if not 0 <= minutes <= 480:
                raise ValueError
        except ValueError:
            self.app.notify(t("bad_minutes", lang), severity="error")
            return
        window: int | None = None
        text = self.query_one("#window", Input).value.strip()
        if text:
            try:
                window = int(text)
            except ValueError:
                self.app.notify(t("bad_window", lang), severity="error")
                return
        if outcome == "ticket" and self.state.service(topic.upper()) is None:
            self.app.notify(t("need_service", lang), severity="error")
            return
        if self.state.service(topic.upper()) is not None:
            topic = topic.upper()
        self.post_message(self.ConsultRequested(topic, outcome, minutes, window))

    def action_priority(self) -> None:
        self.priority = not self.priority
        key = "priority_on" if self.priority else "priority_off"
        self.query_one("#priority", Static).update(t(key, self.lang))

    def action_lookup(self) -> None:
        """Where is ticket N: its state, its window or the people ahead of it."""
        lang = self.lang
        number = self.query_one("#lookup", Input).value.strip().upper()
        found = [tk for tk in self.state.tickets.values() if tk.get("number") == number]
        if (
            number and not found
        ):  # not today's: an open case (办件) of an earlier day, by id or number
            cases = [
                c
                for cid, c in self.state.cases.items()
                if cid.upper() == number or cid.upper().endswith("-" + number)
            ]
            if cases:
                c = cases[-1]
                service = self.state.service(str(c.get("service"))) or {}
                state = pick(CASE_STATE_LABELS.get(str(c.get("state")), ("?", "?")), lang)
                self.show_result(
                    t("lookup_case", lang, case=c.get("id"), service=name_of(service, lang),
                      state=state, due=c.get("due") or "—")
                )  # fmt: skip
                return
        if not number or not found:
            self.show_result(t("lookup_none", lang, number=number or "—"))
            return
        tk = found[-1]
        where = ""
        if tk.get("state") == WAITING:
            ahead = sum(
                1
                for o in self.state.tickets.values()
                if o.get("state") == WAITING
                and o.get("service") == tk.get("service")
                and str(o.get("queued_at")) < str(tk.get("queued_at"))
            )
            where = t("lookup_waiting", lang, ahead=ahead)
        elif tk.get("window"):
            w = self.state.window(int(tk["window"])) or {}
            where = t("lookup_window", lang, window=name_of(w, lang) or tk["window"])
        service = self.state.service(str(tk.get("service"))) or {}
        state = pick(TICKET_STATE_LABELS.get(str(tk.get("state")), ("?", "?")), lang)
        self.show_result(
            t(
                "lookup_line",
                lang,
                number=number,
                service=name_of(service, lang),
                state=state,
                where=where,
            )
        )

    def action_language(self) -> None:
        self.post_message(self.LanguageToggled())

    def action_logout(self) -> None:
        self.post_message(self.LogoutRequested())


class DeskApp(App[int]):
    """The desk clerk's terminal."""

    CSS_PATH = "desk.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+c", "quit", show=False, priority=True)]

    def __init__(
        self,
        *,
        staff: str | None = None,
        hub_url: str = DEFAULT_HUB,
        lang: str = "zh",
        printer: Any = None,
        welcome: dict[str, Any] | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        """`printer`: a kiosk.printer.TicketPrinter, or None to show the QR code instead;
        `welcome` shows a prepared snapshot without a hub (snapshots); `now` freezes the clock."""
        super().__init__()
        self.hub_url = hub_url
        self.lang = "en" if lang == "en" else "zh"
        self.staff = staff or ""
        self.staff_name = ""
        self.printer = printer
        self.state = HallState()
        self.link = HubLink(self, hub_url, self._hello)
        self.online = False
        self.busy = False
        self._pin = ""
        self._prepared = welcome
        self._clock = now
        self.title = t("app_title", self.lang)

    def now(self) -> datetime:
        """The hall's time now (frozen in tests)."""
        if self._clock is not None:
            return self._clock()
        try:
            return datetime.now(ZoneInfo(str(self.state.hall.get("timezone") or "Asia/Shanghai")))
        except (KeyError, ValueError):
            return datetime.now().astimezone()

    @property
    def desk(self) -> DeskScreen | None:
        if not self.is_running:
            return None
        for screen in self.screen_stack:
            if isinstance(screen, DeskScreen):
                return screen
        return None

    def refresh_view(self) -> None:
        screen = self.desk
        if screen is None or not self.state.loaded:
            return
        header = t(
            "header",
            self.lang,
            hall=name_of(self.state.hall, self.lang),
            name=self.staff_name or self.staff,
            staff=self.staff,
            state=t("online" if self.online else "offline", self.lang),
            time=self.now().strftime("%H:%M"),
        )
        screen.show(self.state, header)

    def add_log(self, line: str) -> None:
        screen = self.desk
        if screen is not None:
            screen.write_log(f"{self.now().strftime('%H:%M:%S')} {line}")

    def on_mount(self) -> None:
        self.set_interval(5.0, self.refresh_view)
        if self._prepared is not None:
            self._load(self._prepared)
            self.online = True
            self.push_screen(DeskScreen(self.lang, self.state))
            self.call_after_refresh(self.refresh_view)
        else:
            hint = os.environ.get("HALL_LOGIN_HINT", "")
            self.push_screen(LoginScreen(self.lang, self.staff, hint=hint))

    def _load(self, welcome: dict[str, Any]) -> None:
        self.state.load_welcome(welcome)
        me = (welcome.get("state") or {}).get("me") or {}
        self.staff = str(me.get("staff") or self.staff)
        self.staff_name = str(me.get("name") or "")

    # --- login and the hub

    @on(LoginScreen.LoginRequested)
    def login(self, event: LoginScreen.LoginRequested) -> None:
        self.staff = event.staff
        self.state = HallState()
        self._pin = event.pin
        client = self.link.connect()
        if isinstance(self.screen, LoginScreen):
            self.screen.show_message(t("connecting", self.lang), error=False, busy=True)
        self.set_timer(CONNECT_HINT_S, lambda: self._connect_hint(client))

    def _hello(self) -> dict[str, Any]:
        return {"role": "desk", "staff": self.staff, "pin": self._pin, "lang": self.lang}

    def _connect_hint(self, client: HubClient) -> None:
        if (
            client is self.link.client
            and not client.online
            and isinstance(self.screen, LoginScreen)
        ):
            self.screen.show_message(t("hub_unreachable", self.lang, url=self.hub_url))

    @on(HubWelcomed)
    def _welcomed(self, message: HubWelcomed) -> None:
        if not self.link.is_current(message):
            return
        first = not self.state.loaded
        self._load(message.welcome)
        if first:
            self.switch_screen(DeskScreen(self.lang, self.state))
        self.call_after_refresh(self.refresh_view)

    @on(HubEvent)
    def _event(self, message: HubEvent) -> None:
        if not self.link.is_current(message):
            return
        frame = message.frame
        self.state.apply_event(frame)
        if frame.get("type") == "logged_out":
            self._end_session(str(frame.get("reason") or t("logged_out", self.lang)))
            return
        self.refresh_view()

    @on(HubStatus)
    def _status(self, message: HubStatus) -> None:
        if self.link.is_current(message):
            self.online = message.online
            self.refresh_view()

    @on(HubFailed)
    def _failed(self, message: HubFailed) -> None:
        if self.link.is_current(message):
            self._end_session(self.error_message(message.error))

    def _end_session(self, text: str) -> None:
        self.link.drop()
        self._pin = ""
        self.busy = False
        if isinstance(self.screen, LoginScreen):
            self.screen.show_message(text)
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen(self.lang, self.staff, text))

    def error_message(self, error: HubError) -> str:
        if error.code == "bad_url":
            return t("bad_url", self.lang, url=self.hub_url)
        return error_text(error.code, error.message, self.lang)

    # --- what the desk screen asks for

    @on(DeskScreen.LogoutRequested)
    def _logout(self) -> None:
        self._end_session(t("logged_out", self.lang))

    @on(DeskScreen.LanguageToggled)
    def _language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.title = t("app_title", self.lang)
        self.switch_screen(DeskScreen(self.lang, self.state))
        self.call_after_refresh(self.refresh_view)

    @on(DeskScreen.ConsultRequested)
    def _consult(self, request: DeskScreen.ConsultRequested) -> None:
        screen = self.desk
        self.consult(request, screen.priority if screen else False)

    @work(group="action", exclusive=False)
    async def consult(self, request: DeskScreen.ConsultRequested, priority: bool) -> None:
        """Issue the ticket first (outcome `ticket`), then log the conversation."""
        client = self.link.client
        if client is None or self.busy:
            return
        self.busy = True
        lang = self.lang
        args: dict[str, Any] = {
            "topic": request.topic,
            "outcome": request.outcome,
            "minutes": request.minutes,
        }
        if request.window is not None:
            args["window"] = request.window
        try:
            if request.outcome == "ticket":
                issued = await client.request(
                    "issue",
                    service=request.topic,
                    priority="priority" if priority else "normal",
                    lang=lang,
                )
                args["ticket"] = issued["ticket"]["id"]
                self._hand_over(issued, priority)
            await client.request("consult", **args)
        except HubError as error:
            message = self.error_message(error)
            self.add_log(t("l_error", lang, message=message))
            self.notify(message, severity="error")
        else:
            outcome = pick(OUTCOMES[request.outcome], lang)
            self.add_log(
                t(
                    "l_consulted",
                    lang,
                    topic=request.topic,
                    outcome=outcome,
                    minutes=request.minutes,
                )
            )
            screen = self.desk
            if screen is not None:
                screen.cleared()
        finally:
            self.busy = False

    def _hand_over(self, issued: dict[str, Any], priority: bool) -> None:
        """The issued ticket: printed on the desk's printer, or shown with its QR code."""
        lang = self.lang
        ticket = issued["ticket"]
        service = self.state.service(str(ticket.get("service"))) or {}
        self.add_log(
            t(
                "l_issued",
                lang,
                number=ticket["number"],
                service=name_of(service, lang),
                priority=t("l_priority", lang) if priority else "",
                ahead=issued.get("ahead", 0),
            )
        )
        url = str(issued.get("url") or "")
        if self.printer is not None:
            failure = self._print_ticket(issued)
            if failure is None:
                self.add_log(t("l_printed", lang))
                return
            self.add_log(t("l_print_failed", lang, message=failure))
        screen = self.desk
        if screen is not None:
            shown = Text(f"{ticket['number']}  {name_of(service, lang)}\n", style="bold")
            shown.append(t("scan", lang) + "\n")
            shown.append(qr_text(url) if url else "")
            screen.show_result(shown)

    def _print_ticket(self, issued: dict[str, Any]) -> str | None:
        """Print the ticket as the kiosk does; None when printed, else why not."""
        from kiosk.printer import PrinterFault, TicketPrint

        ticket = issued["ticket"]
        service = self.state.service(str(ticket.get("service"))) or {}
        dept = self.state.department(str(ticket.get("department"))) or {}
        hall = self.state.hall
        try:
            self.printer.print_ticket(
                TicketPrint(
                    hall_name=str(hall.get("name", "")),
                    hall_name_en=str(hall.get("name_en") or hall.get("name", "")),
                    number=str(ticket["number"]),
                    department=str(dept.get("name", "")),
                    department_en=str(dept.get("name_en") or ""),
                    service=str(service.get("name", "")),
                    service_en=str(service.get("name_en") or ""),
                    ahead=int(issued.get("ahead") or 0),
                    eta_min=issued.get("eta_min"),
                    issued_at=datetime.fromisoformat(str(ticket["issued_at"])),
                    windows=tuple(
                        name_of(w, "zh") for w in self.state.windows_serving(str(ticket["service"]))
                    ),
                    url=str(issued.get("url") or ""),
                    priority=ticket.get("priority") == "priority",
                )
            )
        except PrinterFault as fault:
            return str(fault)
        except Exception as e:  # never a stack trace at the desk
            return str(e) or type(e).__name__
        return None
