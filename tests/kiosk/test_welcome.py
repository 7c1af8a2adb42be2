"""A fresh welcome (reconnect, new catalogue) redraws the kiosk without a restart."""

from __future__ import annotations

import copy

from kiosk_helpers import SIZE
from support.scenes import KIOSK_NOW, kiosk_welcome
from support.wait import wait_for

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import DepartmentScreen, HomeScreen
from kiosk.widgets.tile import Tile


async def test_new_catalogue_rebuilds_home_and_leaves_stale_screens() -> None:
    app = KioskApp(KioskConfig(), welcome=kiosk_welcome(), now=lambda: KIOSK_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        await wait_for(lambda: isinstance(app.screen, DepartmentScreen), pilot=pilot)
        changed = kiosk_welcome()
        hall = changed["hall"]
        hall["departments"].insert(
            0, {"code": "XF", "name": "信访局", "name_en": "Petitions Bureau", "prefix": "X"}
        )
        hall["services"].append(
            {
                "code": "XF-01",
                "department": "XF",
                "name": "来访登记",
                "name_en": "Visitor registration",
                "prefix": "X",
                "minutes": 5,
                "guide": {},
            }
        )
        hall["services"] = [s for s in hall["services"] if s["code"] != "MZ-02"]
        changed["state"]["waiting"]["XF-01"] = 7
        app.load_welcome(changed)
        # MZ lost a service: its screen goes home; home shows the new department first.
        await wait_for(lambda: isinstance(app.screen, HomeScreen), pilot=pilot)
        await wait_for(
            lambda: [t.key for t in app.screen.query(Tile)][:2] == ["XF", "MZ"], pilot=pilot
        )
        await wait_for(
            lambda: "等候 7 人" in str(app.screen.query_one("#dept-XF").render()), pilot=pilot
        )
        # The same welcome again (a plain reconnect) changes nothing.
        app.load_welcome(copy.deepcopy(changed))
        await pilot.pause()
        assert [t.key for t in app.screen.query(Tile)][:2] == ["XF", "MZ"]
