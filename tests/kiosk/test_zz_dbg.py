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
        await pilot.pause(0.2)
        print("A", app.screen, app.screen._binding_chain[:3] if hasattr(app.screen, "_binding_chain") else None)
        print("K", [k for k in app.active_bindings.keys()][:20])
        orig = app.screen.action_pick
        app.screen.action_pick = lambda n: (print("PICK", n), orig(n))
        await pilot.press("1")
        await pilot.pause(0.3)
        print("B", app.screen_stack, app.focused)
        assert 0
