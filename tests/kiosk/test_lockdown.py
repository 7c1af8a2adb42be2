"""A public kiosk cannot be quit by citizens; staff close it with ctrl+x and the PIN."""

from __future__ import annotations

from kiosk_helpers import SIZE, text_of
from support.scenes import KIOSK_NOW, kiosk_welcome
from support.wait import wait_for

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import HomeScreen, PinScreen


def make_app(pin: str = "0000") -> KioskApp:
    return KioskApp(KioskConfig(admin_pin=pin), welcome=kiosk_welcome(), now=lambda: KIOSK_NOW)


async def test_quit_keys_and_palette_do_nothing() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q", "ctrl+c", "ctrl+p", "ctrl+backslash")
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, HomeScreen)
        assert not app.ENABLE_COMMAND_PALETTE


async def test_staff_exit_needs_the_pin() -> None:
    app = make_app("2468")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert isinstance(app.screen, PinScreen)
        await pilot.press(*"0000", "enter")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, PinScreen)
        assert "密码错误" in text_of(app, "#pin-error")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+x", *"2468", "enter")
        await pilot.pause()
    assert app.return_value == 0


async def test_reprint_without_a_ticket_says_so() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r", *"0000", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("尚未出过号票" in str(n.message) for n in app._notifications)


async def test_pin_modal_goes_away_on_idle() -> None:
    # idle 4 s: the PIN modal is seen before it goes, even on a loaded machine
    app = KioskApp(KioskConfig(idle=4.0), welcome=kiosk_welcome(), now=lambda: KIOSK_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+x")
        await wait_for(lambda: isinstance(app.screen, PinScreen), pilot=pilot)
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        assert app.is_running
