"""A kiosk starting on a slow machine: no timer or hub news reaches a screen mid-compose."""

from __future__ import annotations

from kiosk_helpers import SIZE, wait_for
from kiosk_sample import welcome

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import HomeScreen


async def test_idle_timeout_shorter_than_the_start_does_not_crash() -> None:
    # idle far below the time the start takes: the idle check runs while the start still
    # composes the ticket screen (once it popped the screen under the start's feet)
    app = KioskApp(KioskConfig(idle=0.001), welcome=welcome())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        await pilot.pause(0.2)
        assert app.is_running and len(app.screen_stack) == 1
