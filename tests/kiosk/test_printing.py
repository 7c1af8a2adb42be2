"""Printing from the kiosk: a printed ticket, and a printer fault that loses nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk_helpers import SIZE, kiosk_config, text_of, to_guide, wait_online
from support import raw
from support.wait import wait_for

from kiosk.app import KioskApp
from kiosk.printer import TicketPrinter
from kiosk.screens import TicketScreen
from shared.ui.qr import QRCode


async def take_ticket(pilot: Any, app: KioskApp) -> TicketScreen:
    await to_guide(pilot, app, enter=True)
    await pilot.press("enter")
    await wait_for(lambda: isinstance(app.screen, TicketScreen), what="ticket", pilot=pilot)
    assert isinstance(app.screen, TicketScreen)
    return app.screen


async def test_preview_printer_prints_the_ticket(hub: Any, tmp_path: Path) -> None:
    printer = TicketPrinter(f"preview://{tmp_path}")
    app = KioskApp(kiosk_config(hub), printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        screen = await take_ticket(pilot, app)
        await wait_for(lambda: screen.print_status == "printed", what="printed", pilot=pilot)
        assert "请取走" in text_of(app, "#print-status")
        assert [p.name.split("-")[0] for p in tmp_path.glob("*.png")] == [screen.ticket.number]


async def test_printer_fault_keeps_the_ticket_and_tells_the_hub(hub: Any) -> None:
    printer = TicketPrinter("net://127.0.0.1:9", timeout=1.0)  # nothing listens: offline
    app = KioskApp(kiosk_config(hub), printer=printer)
    async with raw.connected(hub, "supervisor") as sup, app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        screen = await take_ticket(pilot, app)
        await wait_for(lambda: screen.print_status == "fault", what="fault", pilot=pilot)
        # The ticket stays on screen with its QR code, and says to ask staff.
        assert app.screen is screen
        assert screen.query_one(QRCode).data == screen.ticket.url
        assert "打印机故障" in text_of(app, "#print-status")
        assert "工作人员" in text_of(app, "#print-status")
        # Supervisors hear of it.
        await wait_for(
            lambda: any(e.get("type") == "printer_fault" for e in sup.events()),
            what="printer_fault event",
            pilot=pilot,
        )
        fault = next(e for e in sup.events() if e.get("type") == "printer_fault")
        assert fault["kind"] == "offline"
        assert fault["message"]


async def test_staff_reprint_of_the_last_ticket(hub: Any, tmp_path: Path) -> None:
    printer = TicketPrinter(f"preview://{tmp_path}")
    app = KioskApp(kiosk_config(hub, admin_pin="2468"), printer=printer)
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        screen = await take_ticket(pilot, app)
        await wait_for(lambda: screen.print_status == "printed", pilot=pilot)
        await pilot.pause(TicketScreen.GRACE_S)
        await pilot.press("enter")  # Done
        await wait_for(lambda: not isinstance(app.screen, TicketScreen), pilot=pilot)
        await pilot.press("ctrl+r", *"1111", "enter")  # a wrong PIN does nothing
        await pilot.press("escape")
        assert not isinstance(app.screen, TicketScreen)
        await pilot.press("ctrl+r", *"2468", "enter")
        await wait_for(lambda: isinstance(app.screen, TicketScreen), what="reprint", pilot=pilot)
        assert isinstance(app.screen, TicketScreen)
        reprint = app.screen
        assert reprint.ticket is screen.ticket
        await wait_for(lambda: reprint.print_status == "printed", pilot=pilot)
        await wait_for(lambda: len(list(tmp_path.glob("*.png"))) >= 1, pilot=pilot)


class FlakyPrinter:
    """A printer out of paper once, then fine (the kiosk only needs print_ticket/describe)."""

    def __init__(self) -> None:
        self.printed: list[str] = []

    def print_ticket(self, t: Any) -> str | None:
        from kiosk.printer import PrinterFault

        if not self.printed and not getattr(self, "failed", False):
            self.failed = True
            raise PrinterFault("paper_out", "out of paper")
        self.printed.append(t.number)
        return None

    def describe(self) -> str:
        return "flaky test printer"


async def test_printer_recovery_is_reported_and_next_ticket_prints(hub: Any) -> None:
    printer = FlakyPrinter()
    app = KioskApp(kiosk_config(hub), printer=printer)
    async with raw.connected(hub, "supervisor") as sup, app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        screen = await take_ticket(pilot, app)
        await wait_for(lambda: screen.print_status == "fault", pilot=pilot)
        await wait_for(
            lambda: any(e.get("type") == "printer_fault" for e in sup.events()), pilot=pilot
        )
        assert not app._printer_ok
        await pilot.pause(TicketScreen.GRACE_S)
        await pilot.press("enter")
        await wait_for(lambda: not isinstance(app.screen, TicketScreen), pilot=pilot)
        screen = await take_ticket(pilot, app)
        await wait_for(lambda: screen.print_status == "printed", pilot=pilot)
        assert printer.printed == [screen.ticket.number]
        await wait_for(lambda: app._printer_ok, pilot=pilot)
