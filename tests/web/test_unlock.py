"""The supervisor board lists clerks locked out after wrong PINs and unlocks them."""

from __future__ import annotations

from typing import Any

import pytest
from support.raw import Refused, hello

pytestmark = pytest.mark.browser


async def test_unlock_a_locked_out_clerk_from_the_board(hub: Any, open_page: Any) -> None:
    page, rec = await open_page(hub.http + "/board?supervisor")
    await page.fill("#login-staff", hub.supervisor[0])
    await page.fill("#login-pin", hub.supervisor[1])
    await page.click("#login-submit")
    await page.wait_for_selector("#supervisor", state="visible")
    await page.wait_for_selector("#locked-none", state="visible")
    sid, pin = hub.clerk(6)
    for _ in range(5):
        with pytest.raises(Refused):
            await hello(hub.url, role="counter", staff=sid, pin="0000", window=6)
    row = f'#locked li[data-staff="{sid}"]'
    await page.wait_for_selector(row, timeout=60000)
    assert "Unlock" in await page.text_content(row)
    await page.click(f"{row} button.unlock")
    await page.wait_for_selector(row, state="detached", timeout=60000)
    await page.wait_for_selector("#locked-none", state="visible")
    assert sid in await page.text_content("#locked-result")
    clerk = await hello(hub.url, role="counter", staff=sid, pin=pin, window=6)
    await clerk.close()
    assert rec.errors == []
