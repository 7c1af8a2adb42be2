from typing import Any
from kiosk_helpers import SIZE, kiosk_config, wait_for, wait_online
from kiosk.app import KioskApp
from kiosk.screens import GuideScreen, HomeScreen

async def test_dbg(hub: Any) -> None:
    app = KioskApp(kiosk_config(hub, idle=0.8))
    async with app.run_test(size=SIZE) as pilot:
        await wait_online(pilot, app)
        await pilot.press("1", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, GuideScreen))
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), timeout=3, what="home")
        print("A", app.screen_stack, app.focused)
        await pilot.press("1")
        await pilot.pause(0.3)
        print("B", app.screen_stack, app.focused)
        await pilot.press("1")
        await pilot.pause(0.3)
        print("C", app.screen_stack, app.focused)
        assert 0
