"""The counter at a visit's fee step (一口收费): the visit's other steps with the earlier windows'
notes, the fee items, and F4 / F5 recording paid / unpaid (no hub: the real engine's welcome)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.scenes import VISIT_NOW, visit_counter_welcome
from textual import on

from counter.app import CounterApp
from counter.screens.main import MainScreen
from counter.screens.reason import ReasonDialog
from counter.widgets.current import CurrentTicket

SIZE = (120, 36)
COUNTER = Path(__file__).resolve().parents[2] / "counter"


class FeeWindow(CounterApp):
    """Window 28 (the fee window) noting what its main screen asks for."""

    CSS_PATH = str(COUNTER / "counter.tcss")

    def __init__(self, lang: str = "zh") -> None:
        super().__init__(
            28, staff="c028", lang=lang, welcome=visit_counter_welcome(), now=lambda: VISIT_NOW
        )
        self.requests: list[tuple[str, dict[str, Any]]] = []

    @on(MainScreen.ActionRequested)
    def _record(self, request: MainScreen.ActionRequested) -> None:
        self.requests.append((request.command, request.args))


async def test_the_fee_clerk_sees_the_visit_and_the_earlier_notes() -> None:
    app = FeeWindow()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one(CurrentTicket).shown)
        assert "本次办理环节（同一号码）" in text
        assert "✓ 1. 申办《店名牌" in text and "11号窗口" in text and "牌匾样式已核准" in text
        assert "✓ 2. 市容临时占道" in text and "5号窗口" in text and "占道 3 个月" in text
        assert "▶ 3. 统一收费" in text and "本窗口" in text
        assert "收费明细：市容临时占道、… ¥120；合计 ¥120" in text


async def test_f4_records_paid_and_f5_unpaid() -> None:
    app = FeeWindow("en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        assert app.requests[-1] == ("finish", {"outcome": "done", "paid": True})
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"no cash", "enter")
        await pilot.pause()
        assert app.requests[-1] == (
            "finish",
            {"outcome": "pending", "note": "no cash", "paid": False},
        )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fee_window_snapshot(snap_compare: Any, lang: str) -> None:
    async def settle(pilot: Any) -> None:
        await pilot.pause()

    assert snap_compare(FeeWindow(lang), terminal_size=SIZE, run_before=settle)
