"""A kiosk starting on a slow machine: no timer or hub news reaches a screen mid-compose."""

from __future__ import annotations

from pathlib import Path

import pytest
from kiosk_helpers import SIZE
from support.scenes import kiosk_welcome
from support.wait import wait_for

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import HomeScreen


async def test_idle_timeout_shorter_than_the_start_does_not_crash() -> None:
    # idle far below the time the start takes: the idle check runs while the start still
    # composes the ticket screen (once it popped the screen under the start's feet)
    app = KioskApp(KioskConfig(idle=0.001), welcome=kiosk_welcome())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: isinstance(app.screen, HomeScreen), what="home", pilot=pilot)
        await pilot.pause(0.2)
        assert app.is_running and len(app.screen_stack) == 1


async def test_a_preview_printer_without_a_cjk_font_is_reported_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import kiosk.printer as printer_module

    monkeypatch.setattr(printer_module, "find_cjk_font", lambda: None)
    printer_module._preview_font.cache_clear()
    try:
        printer = printer_module.TicketPrinter(f"preview://{tmp_path}")
        app = KioskApp(KioskConfig(idle=3600), welcome=kiosk_welcome(), printer=printer)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(lambda: app._notifications, what="a notification", pilot=pilot)
            [note] = [str(n.message) for n in app._notifications]
            assert note == printer_module.NO_CJK_FONT
    finally:
        printer_module._preview_font.cache_clear()
