"""The consultation desk (咨询台): log each conversation in a few keys, issue a ticket for a
citizen (绿色通道 when it applies) on the desk's printer or with its QR on screen, see the queue
per service and the open windows, and look a ticket up by its number.

Like the counter: the app owns the hub link and the hall's picture (`HallState`); the screens
post messages the app carries out. The PIN stays in memory for this session's reconnects. The
desk clerk is the first responsible of a ticket issued here (docs/protocol.md, "The desk").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, RichLog, Static

from desk.strings import OUTCOMES, error_text, pick, t
from shared.client import HubError
from shared.hallstate import HallState
from shared.i18n import name_of
from shared.labels import CASE_STATE_LABELS, TICKET_STATE_LABELS
from shared.protocol import DEFAULT_HUB, MAX_VISIT_SERVICES, W_CLOSED, W_PAUSED, WAITING
from shared.ui.hub import HubEvent, HubFailed, HubStatus, HubWelcomed
from shared.ui.login import ClerkApp, LoginForm, LoginScreen
from shared.ui.qr import qr_lines, qr_matrix

__all__ = ["BundlesScreen", "DeskApp", "DeskScreen", "LoginScreen"]


def qr_text(data: str) -> str:
    """A QR code drawn with half blocks (shared/ui/qr.py, as the kiosk shows it)."""
    return "\n".join(qr_lines(qr_matrix(data)))


def window_names(state: HallState, service: str, lang: str) -> str:
    """The windows serving a service, e.g. "5号窗口、6号窗口" / "Window 5, Window 6"."""
    names = [name_of(w, lang) or str(w.get("number")) for w in state.windows_serving(service)]
    return ("、" if lang == "zh" else ", ").join(names) or t("no_windows", lang)


def bundle_lines(state: HallState, bundle: dict[str, Any], lang: str) -> list[str]:
    """A bundle's steps as the kiosk shows them: parallel ones marked, the fee step last."""
    lines: list[str] = []
    services: list[str] = []
    n = 0
    for n, step in enumerate(bundle.get("steps") or (), start=1):
        names = []
        for code in step:
            services.append(str(code))
            svc = state.service(str(code)) or {"name": code}
            names.append(f"{name_of(svc, lang)} ({window_names(state, str(code), lang)})")
        line = f"{n}. " + " + ".join(names)
        if len(step) > 1:
            line += t("parallel", lang)
        lines.append(line)
    total = state.fee_of(services)
    fee = state.fee_service
    if total and fee:
        windows = window_names(state, fee, lang)
        lines.append(t("fee_line", lang, n=n + 1, total=f"{total:g}", windows=windows))
    return lines


def step_lines(state: HallState, ticket: dict[str, Any], lang: str) -> list[str]:
    """A visit's steps, one line each, as the kiosk prints them: "1. 事项 · 5号窗口"."""
    steps = [s for s in ticket.get("steps") or () if isinstance(s, dict)]
    groups = [s.get("group") for s in steps]
    out = []
    for s in steps:
        code = str(s.get("service"))
        line = f"{s.get('n')}. {name_of(state.service(code) or {'name': code}, lang)}"
        if groups.count(s.get("group")) > 1:
            line += t("parallel", lang)
        if s.get("fee"):
            line += f" ¥{s.get('total') or 0:g}"
        out.append(f"{line} · {window_names(state, code, lang)}")
    return out


class BundlesScreen(ModalScreen[str | None]):
    """The catalogue's bundles, numbered with their steps: a digit issues one, Esc goes back."""

    BINDINGS = [Binding("escape", "back", "back", priority=True)]

    def __init__(self, lang: str, state: HallState, priority: bool) -> None:
        super().__init__()
        self.lang = lang
        self.state = state
        self.priority = priority
        self.bundles = state.bundles[:9]
        self._bindings.key_to_bindings["escape"] = [
            replace(b, description=t("k_back", lang))
            for b in self._bindings.key_to_bindings["escape"]
        ]

    def compose(self) -> ComposeResult:
        lang = self.lang
        priority = t("b_priority" if self.priority else "b_normal", lang)
        with Vertical(id="bundles-box"):
            yield Label(t("bundles_title", lang, priority=priority), id="bundles-title")
            lines: list[str] = []
            for i, b in enumerate(self.bundles, start=1):
                lines.append(f"[{i}] {b.get('code')} {name_of(b, lang)}")
                lines.extend("    " + line for line in bundle_lines(self.state, b, lang))
            yield Static("\n".join(lines) or t("bundles_none", lang), id="bundles-list")
        yield Footer()

    def on_key(self, event: Any) -> None:
        key = str(getattr(event, "key", ""))
        if key.isdigit() and 1 <= int(key) <= len(self.bundles):
            event.stop()
            self.dismiss(str(self.bundles[int(key) - 1].get("code")))

    def action_back(self) -> None:
        self.dismiss(None)


class DeskScreen(Screen[None]):
    """The desk: the conversation form and its F-keys left, the queue and windows right."""

    BINDINGS = [
        Binding("f2", "outcome('answered')", "answered", priority=True),
        Binding("f3", "outcome('guided')", "guided", priority=True),
        Binding("f4", "outcome('ticket')", "ticket", priority=True),
        Binding("f5", "outcome('referred')", "referred", priority=True),
        Binding("f6", "priority", "priority", priority=True),
        Binding("f7", "lookup", "lookup", priority=True),
        Binding("f8", "add", "add", priority=True),
        Binding("f11", "clear_visit", "clear", priority=True),
        Binding("f12", "bundles", "bundles", priority=True),
        Binding("f9", "language", "lang", priority=True),
        Binding("f10", "logout", "logout", priority=True),
    ]

    class ConsultRequested(Message):
        """Log a conversation (and, for outcome `ticket`, issue the ticket first)."""

        def __init__(
            self,
            topic: str,
            outcome: str,
            minutes: int,
            window: int | None,
            *,
            services: tuple[str, ...] = (),
            bundle: str | None = None,
        ) -> None:
            """`services` (a visit of several, in order) or `bundle` issue one ticket for a
            visit instead of the topic's one service."""
            super().__init__()
            self.topic = topic
            self.outcome = outcome
            self.minutes = minutes
            self.window = window
            self.services = services
            self.bundle = bundle

    class LogoutRequested(Message):
        """The clerk pressed F10."""

    class LanguageToggled(Message):
        """The clerk pressed F9."""

    def __init__(self, lang: str, state: HallState) -> None:
        super().__init__()
        self.lang = lang
        self.state = state
        self.priority = False
        self.visit: list[str] = []  # the services added for one visit (F8), in order
        # the footer names the keys in the desk's language (set before anything is mounted)
        keys = {
            "f2": "k_answered", "f3": "k_guided", "f4": "k_ticket", "f5": "k_referred",
            "f6": "k_priority", "f7": "k_lookup", "f9": "k_lang", "f10": "k_logout",
            "f8": "k_add", "f11": "k_clear", "f12": "k_bundle",
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
                yield Static(self.visit_text(), id="visit")
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

    def visit_text(self) -> str:
        """The services added for this visit, numbered, or how to add them."""
        lang = self.lang
        if not self.visit:
            return t("visit_none", lang, max=MAX_VISIT_SERVICES)
        lines = [t("visit_list", lang, n=len(self.visit), max=MAX_VISIT_SERVICES)]
        for n, code in enumerate(self.visit, start=1):
            svc = self.state.service(code) or {"name": code}
            lines.append(f"{n}. {code} {name_of(svc, lang)}")
        return "\n".join(lines)

    def show_visit(self) -> None:
        self.query_one("#visit", Static).update(self.visit_text())

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
        self.visit = []
        self.show_visit()
        self.query_one("#topic", Input).focus()

    # --- keys

    def _numbers(self) -> tuple[int, int | None] | None:
        """The minutes and the guided-to window of the form, or None (and why) when wrong."""
        lang = self.lang
        try:
            minutes = int(self.query_one("#minutes", Input).value.strip() or "0")
            if not 0 <= minutes <= 480:
                raise ValueError
        except ValueError:
            self.app.notify(t("bad_minutes", lang), severity="error")
            return None
        window: int | None = None
        text = self.query_one("#window", Input).value.strip()
        if text:
            try:
                window = int(text)
            except ValueError:
                self.app.notify(t("bad_window", lang), severity="error")
                return None
        return minutes, window

    def _addable(self, code: str, visit: list[str]) -> str | None:
        """Why the service `code` cannot join `visit`, or None when it can."""
        lang = self.lang
        if self.state.service(code) is None:
            return t("need_add", lang)
        if code == self.state.fee_service:
            return t("visit_fee", lang, code=code)
        if code in visit:
            return t("visit_repeat", lang, code=code)
        if len(visit) >= MAX_VISIT_SERVICES:
            return t("visit_full", lang, max=MAX_VISIT_SERVICES)
        return None

    def action_add(self) -> None:
        """F8: the topic's service joins this visit (再办一项), the topic is ready for the next."""
        lang = self.lang
        field = self.query_one("#topic", Input)
        code = field.value.strip().upper()
        why = self._addable(code, self.visit) if code else t("need_add", lang)
        if why is not None:
            self.app.notify(why, severity="error")
            field.focus()
            return
        self.visit.append(code)
        field.value = ""
        field.focus()
        self.show_visit()  # the list under the form is the confirmation

    def action_clear_visit(self) -> None:
        """F11: this visit's services are forgotten (nothing was sent)."""
        self.visit = []
        self.show_visit()

    def action_bundles(self) -> None:
        """F12: the catalogue's bundles; a digit issues one (its code is the topic)."""
        if self._numbers() is None:
            return

        def chosen(code: str | None) -> None:
            numbers = self._numbers()
            if code is None or numbers is None:
                return
            minutes, window = numbers
            self.post_message(self.ConsultRequested(code, "ticket", minutes, window, bundle=code))

        self.app.push_screen(BundlesScreen(self.lang, self.state, self.priority), chosen)

    def action_outcome(self, outcome: str) -> None:
        lang = self.lang
        topic = self.query_one("#topic", Input).value.strip()
        if outcome == "ticket" and self.visit:
            self._issue_visit(topic)
            return
        if not topic:
            self.app.notify(t("need_topic", lang), severity="error")
            self.query_one("#topic", Input).focus()
            return
        numbers = self._numbers()
        if numbers is None:
            return
        minutes, window = numbers
        if outcome == "ticket" and self.state.service(topic.upper()) is None:
            self.app.notify(t("need_service", lang), severity="error")
            return
        if self.state.service(topic.upper()) is not None:
            topic = topic.upper()
        self.post_message(self.ConsultRequested(topic, outcome, minutes, window))

    def _issue_visit(self, topic: str) -> None:
        """F4 with services added: one ticket for all of them (and the topic's, if a code)."""
        numbers = self._numbers()
        if numbers is None:
            return
        minutes, window = numbers
        services = list(self.visit)
        code = topic.upper()
        if self.state.service(code) is not None and code not in services:
            why = self._addable(code, services)
            if why is not None:
                self.app.notify(why, severity="error")
                return
            services.append(code)
        self.post_message(
            self.ConsultRequested(
                topic or "+".join(services), "ticket", minutes, window, services=tuple(services)
            )
        )

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
            # the calling order's forward pass, as the hub counts a ticket's place in line
            clock = getattr(self.app, "now", None)
            now = clock() if callable(clock) else datetime.now().astimezone()
            ahead = self.state.ahead(str(tk["id"]), now) or 0
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


class DeskApp(ClerkApp):
    """The desk clerk's terminal."""

    CSS_PATH = "desk.tcss"

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
        super().__init__(hub_url, lang, t, error_text)
        self.staff = staff or ""
        self.staff_name = ""
        self.printer = printer
        self.state = HallState()
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
        return self.screen_of(DeskScreen)

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
            self.show_login()

    def _load(self, welcome: dict[str, Any]) -> None:
        self.state.load_welcome(welcome)
        me = (welcome.get("state") or {}).get("me") or {}
        self.staff = str(me.get("staff") or self.staff)
        self.staff_name = str(me.get("name") or "")

    # --- the login (shared/ui/login.py) and the hub

    def login_form(self) -> LoginForm:
        return LoginForm.worded(t, self.lang, t("login_title", self.lang), placeholder="d001")

    @property
    def login_staff(self) -> str:
        return self.staff

    def begin_session(self, staff: str) -> None:
        self.staff = staff
        self.state = HallState()

    def hello(self) -> dict[str, Any]:
        return {"role": "desk", "staff": self.staff, "pin": self._pin, "lang": self.lang}

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
            self.end_session(str(frame.get("reason") or t("logged_out", self.lang)))
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
            self.end_session(self.error_message(message.error))

    # --- what the desk screen asks for

    @on(DeskScreen.LogoutRequested)
    def _logout(self) -> None:
        self.end_session(t("logged_out", self.lang))

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
                what: dict[str, Any] = {"service": request.topic}
                if request.bundle:
                    what = {"bundle": request.bundle}
                elif len(request.services) > 1:
                    what = {"services": list(request.services)}
                elif request.services:
                    what = {"service": request.services[0]}
                issued = await client.request(
                    "issue", **what, priority="priority" if priority else "normal", lang=lang
                )
                args["ticket"] = issued["ticket"]["id"]
                self._hand_over(issued, priority)
            await client.request("consult", **args)
        except HubError as error:
            self.refused(error)
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
        steps = step_lines(self.state, ticket, lang)
        marked = t("l_priority", lang) if priority else ""
        if len(steps) > 1:  # a visit: one number from window to window
            code = ticket.get("bundle")
            bundle = self.state.bundle(code) if isinstance(code, str) else None
            codes = [str(s.get("service")) for s in ticket.get("steps") or () if not s.get("fee")]
            what = name_of(bundle, lang) if bundle else "+".join(codes)
            self.add_log(
                t("l_issued_visit", lang, number=ticket["number"], what=what, steps=len(steps),
                  priority=marked, ahead=issued.get("ahead", 0))
            )  # fmt: skip
        else:
            self.add_log(
                t("l_issued", lang, number=ticket["number"], service=name_of(service, lang),
                  priority=marked, ahead=issued.get("ahead", 0))
            )  # fmt: skip
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
            if len(steps) > 1:
                shown.append("\n".join([t("steps_title", lang), *steps]) + "\n")
            shown.append(t("scan", lang) + "\n")
            shown.append(qr_text(url) if url else "")
            screen.show_result(shown)

    def _print_ticket(self, issued: dict[str, Any]) -> str | None:
        """Print the ticket as the kiosk does; None when printed, else why not."""
        from kiosk.printer import PrinterFault, TicketPrint

        ticket = issued["ticket"]
        service = self.state.service(str(ticket.get("service"))) or {}
        steps = {lang: step_lines(self.state, ticket, lang) for lang in ("zh", "en")}
        if len(steps["zh"]) < 2:
            steps = {"zh": [], "en": []}
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
                    steps=tuple(steps["zh"]),
                    steps_en=tuple(steps["en"]),
                )
            )
        except PrinterFault as fault:
            return str(fault)
        except Exception as e:  # never a stack trace at the desk
            return str(e) or type(e).__name__
        return None
