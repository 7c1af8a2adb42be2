"""The ticket number in the shared big glyphs: whole, at every kiosk size, five characters too."""

from __future__ import annotations

import pytest
from support.scenes import KIOSK_NOW, kiosk_issue_reply, kiosk_welcome

from kiosk.app import KioskApp, KioskConfig
from kiosk.screens import TicketScreen
from kiosk.state import IssuedTicket
from shared.ui import glyphs
from shared.ui.bigtext import BigText


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (200, 60)])
@pytest.mark.parametrize("number", ["A004", "F1000"])
async def test_the_whole_number_and_the_lines_below_it_are_shown(
    size: tuple[int, int], number: str
) -> None:
    app = KioskApp(KioskConfig(idle=3600), welcome=kiosk_welcome(), now=lambda: KIOSK_NOW)
    async with app.run_test(size=size) as pilot:
        reply = kiosk_issue_reply()
        reply["ticket"]["number"] = number
        app.show_ticket(IssuedTicket.from_reply(reply, app.state))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TicketScreen)
        big = screen.query_one(BigText)
        width, height = big.size
        scale = glyphs.fit_scale(number, width, height, big.max_scale)
        assert scale >= 1  # drawn in glyphs, not the plain-text fallback
        drawn = [big.render_line(y).text for y in range(height)]
        expected = glyphs.render(number, scale)
        assert len(drawn) == len(expected)
        assert all(row in line for row, line in zip(expected, drawn, strict=True))
        # Nothing is cut: the number and the last line under it are inside the screen,
        # above the Done button.
        actions = screen.query_one("#actions").region
        for selector in ("#number", "#ticket-issued"):
            region = screen.query_one(selector).region
            assert screen.region.contains_region(region)
            assert region.bottom <= actions.y
