"""The ticket: its number very large, service, people ahead, wait, windows, QR code, print status."""

from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive

from kiosk import care
from kiosk.screens.base import KioskScreen, KioskView
from kiosk.state import IssuedTicket
from kiosk.strings import t
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile
from shared.i18n import name_of
from shared.ui.bigtext import BigText
from shared.ui.qr import QRCode

# The number's glyphs grow with the width up to this scale (14 rows at most),
# so the lines under it stay on screen.
NUMBER_MAX_SCALE = 4

# print_status values -> the sentence shown
PRINT_TEXT = {
    "printing": "print_printing",
    "printed": "print_done",
    "fault": "print_fault",
    "none": "print_none",
}


class TicketScreen(KioskScreen):
    """Shows one acknowledged ticket until Done, Esc or the idle timeout.

    The app keeps one instance, composed at start-up, and `show()`s each new
    ticket on it: composing a screen costs far more than updating one, and the
    ticket must be on screen fast.
    """

    print_status: reactive[str] = reactive("none")
    # A second tap or Enter meant for the previous screen must not dismiss the ticket.
    GRACE_S = 1.0

    def __init__(
        self, view: KioskView, ticket: IssuedTicket | None = None, print_status: str = "none"
    ) -> None:
        super().__init__(view)
        self.ticket = ticket
        self.shown_at = time.monotonic()
        self.set_reactive(TicketScreen.print_status, print_status)

    def show(self, view: KioskView, ticket: IssuedTicket, print_status: str) -> None:
        """Show another ticket on this screen (as of the app's `view`)."""
        self.view = view
        self.ticket = ticket
        self.shown_at = time.monotonic()
        self.set_reactive(TicketScreen.print_status, print_status)
        if self.is_mounted:
            self.query_one(BigText).text = ticket.number
            self.query_one(QRCode).data = ticket.url
            if self.is_current:
                self.sync()  # otherwise on resume

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="ticket"):
            with Vertical(id="ticket-main"):
                yield PlainText(id="your-number", classes="care-big")
                yield BigText(
                    self.ticket.number if self.ticket else "",
                    max_scale=NUMBER_MAX_SCALE,
                    id="number",
                )
                yield PlainText(id="ticket-service", classes="care-big")
                yield PlainText(id="ticket-ahead", classes="care-big")
                yield PlainText(id="ticket-eta", classes="care-big")
                yield PlainText(id="ticket-windows", classes="care-big")
                yield PlainText(id="ticket-issued")
            with Vertical(id="ticket-qr"):
                yield QRCode(self.ticket.url if self.ticket else "", id="qr")
                yield PlainText(id="scan")
        with Horizontal(id="actions"):
            yield PlainText(id="print-status")
            yield Tile("done", 1, id="done", classes="primary action")

    def sync_body(self) -> None:
        lang = self.lang
        tk = self.ticket
        if tk is None:
            return
        your = t("your_number", lang)
        if tk.priority:
            your = f"{your}  ·  {t('priority_ticket', lang)}"
        booking = tk.ticket.get("booking")
        if booking:
            your = f"{your}  ·  {t('booked_ticket', lang)}"
        self.put("#your-number", your)
        service = f"{name_of(tk.department, lang)}  ·  {name_of(tk.service, lang)}"
        steps = tk.step_lines(self.view.state, lang)
        if steps:  # a visit: every step, the number goes from window to window
            service = "\n".join([t("ticket_steps", lang), *steps])
        self.put("#ticket-service", service)
        self.put("#ticket-ahead", t("ahead", lang, n=tk.ahead))
        eta = t("no_window", lang) if tk.eta_min is None else t("eta_ticket", lang, m=tk.eta_min)
        self.put("#ticket-eta", eta)
        sep = "、" if lang == "zh" else ", "
        windows = sep.join(tk.window_names(lang)) or t("no_windows", lang)
        self.put("#ticket-windows", t("go_to", lang, w=windows))
        issued = t("issued_at", lang, t=f"{tk.issued_at:%H:%M}")
        if booking:  # a booked ticket says when it goes ahead (its slot's start)
            slot = f"{str(booking.get('start'))[11:16]}-{str(booking.get('end'))[11:16]}"
            issued = f"{issued}  ·  {t('booked_at', lang, t=slot)}"
        self.put("#ticket-issued", issued)
        self.put("#scan", t("scan", lang))
        self.put("#print-status", t(PRINT_TEXT.get(self.print_status, "print_none"), lang))
        status = self.query_one("#print-status", PlainText)
        status.set_class(self.print_status == "fault", "error")
        self.query_one("#done", Tile).show(t("done", lang))
        # fewer things in the care mode: the number, the people ahead, where to go
        for selector in (
            "#your-number",
            "#ticket-service",
            "#ticket-eta",
            "#ticket-issued",
            "#ticket-qr",
        ):
            self.query_one(selector).display = not self.view.care
        if self.view.care:
            self.put("#ticket-ahead", t("care_ahead", lang, n=tk.ahead))
            self.put("#ticket-windows", t("care_go", lang, w=windows))

    def care_script(self) -> str:
        return care.ticket(self.ticket, self.lang) if self.ticket is not None else ""

    def watch_print_status(self) -> None:
        self.sync()

    def leave(self) -> None:
        """Back home, unless the ticket has only just appeared."""
        if time.monotonic() - self.shown_at >= self.GRACE_S:
            self.post_message(self.HomeRequested())

    def action_back(self) -> None:
        """Esc on the ticket goes home (there is nothing to go back to)."""
        self.leave()

    @on(Tile.Chosen, "#done")
    def done_chosen(self) -> None:
        self.leave()
