"""预约签到: a booked citizen types the booking code (and, if asked, the mobile's last four
digits) and gets a ticket of the booked service, printed like any other.

The hub decides (``check_in``): inside the check-in window the ticket comes back like an
issued one and the app shows and prints it; too early or too late the hub says why
(``check_in_closed``), and a late citizen is offered an ordinary ticket of the service.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input

from kiosk.screens.base import KioskScreen, KioskView
from kiosk.strings import error_reason, t
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile, TileGrid


class CheckInScreen(KioskScreen):
    """Type the booking code; the app asks the hub (one request at a time)."""

    busy: reactive[bool] = reactive(False)
    error: reactive[str] = reactive("")  # the error code of the last attempt
    error_message = ""
    late_service: str | None = None  # a late citizen's service: an ordinary ticket is offered

    class CheckInRequested(Message):
        """Check in the booking with this code (and the mobile's last four digits, if given)."""

        def __init__(self, screen: CheckInScreen, code: str, mobile_tail: str | None) -> None:
            super().__init__()
            self.screen = screen
            self.code = code
            self.mobile_tail = mobile_tail

    class OrdinaryRequested(Message):
        """A late citizen takes an ordinary ticket of the service instead."""

        def __init__(self, service: str) -> None:
            super().__init__()
            self.service = service

    def compose_body(self) -> ComposeResult:
        yield PlainText(id="prompt")
        yield PlainText(id="code-label")
        yield Input(id="checkin-code", max_length=12)
        yield PlainText(id="tail-label")
        yield Input(id="checkin-tail", max_length=4, restrict=r"[0-9]*")
        yield TileGrid(
            Tile("checkin", 1, id="checkin-ok", classes="primary choice"),
            Tile("ordinary", 2, id="checkin-ordinary", classes="choice"),
            columns=2,
            id="choices",
        )
        yield PlainText(id="checkin-status")
        yield from self.compose_nav()

    def focus_primary(self) -> None:
        self.query_one("#checkin-code", Input).focus(scroll_visible=False)

    def sync_body(self) -> None:
        lang = self.lang
        self.put("#prompt", t("checkin_prompt", lang))
        self.put("#code-label", t("checkin_code", lang))
        self.put("#tail-label", t("checkin_tail", lang))
        self.query_one("#checkin-ok", Tile).show(t("checkin_go", lang), t("checkin_go_sub", lang))
        ordinary = self.query_one("#checkin-ordinary", Tile)
        ordinary.show(t("checkin_ordinary", lang), t("checkin_ordinary_sub", lang))
        ordinary.display = self.late_service is not None
        self.query_one("#checkin-ok", Tile).available = self.view.can_issue and not self.busy
        if self.busy:
            self.put("#checkin-status", t("checkin_busy", lang))
        elif self.error:
            reason = error_reason(self.error, self.error_message, lang)
            self.put("#checkin-status", t("checkin_failed", lang, reason=reason))
        else:
            self.put("#checkin-status", "")
        status = self.query_one("#checkin-status", PlainText)
        status.set_class(bool(self.error) and not self.busy, "error")

    def watch_busy(self) -> None:
        self.sync()

    def watch_error(self) -> None:
        self.sync()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "checkin-code":
            self.query_one("#checkin-tail", Input).focus()
            return
        self.request()

    @on(Tile.Chosen, "#checkin-ok")
    def chosen(self) -> None:
        self.request()

    @on(Tile.Chosen, "#checkin-ordinary")
    def ordinary(self) -> None:
        if self.late_service is not None:
            self.post_message(self.OrdinaryRequested(self.late_service))

    def request(self) -> None:
        if self.busy or not self.view.can_issue:
            return  # one check-in per tap
        code = "".join(self.query_one("#checkin-code", Input).value.split()).upper()
        tail = self.query_one("#checkin-tail", Input).value.strip() or None
        if not code:
            self.error_message = t("checkin_need_code", self.lang)
            self.error = "bad_args"
            self.mutate_reactive(CheckInScreen.error)
            return
        self.late_service = None
        self.set_reactive(CheckInScreen.error, "")
        self.busy = True
        self.post_message(self.CheckInRequested(self, code, tail))

    def check_in_done(self) -> None:
        """The ticket is issued (the ticket screen covers this one): start clean next time."""
        self.set_reactive(CheckInScreen.busy, False)
        self.query_one("#checkin-code", Input).value = ""
        self.query_one("#checkin-tail", Input).value = ""

    def check_in_failed(self, code: str, message: str, late_service: str | None = None) -> None:
        """Say why (the hub's words); a late citizen is offered an ordinary ticket."""
        self.late_service = late_service
        self.error_message = message
        self.busy = False
        self.error = code
        self.mutate_reactive(CheckInScreen.error)


__all__ = ["CheckInScreen", "KioskView"]
