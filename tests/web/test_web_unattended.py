"""The web supervisor board (/board?supervisor, real Chromium, real hub): a window whose
terminal died is marked 无人值守 with an urgent alert, and the board force-closes it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

UNATTENDED_AFTER = 0.5  # seconds (the hub's 60 s made short; the test waits for the condition)


async def test_unattended_window_is_marked_and_force_closed(hub, open_page, proto) -> None:
    await hub.stop()
    await hub.start(unattended_after=UNATTENDED_AFTER)
    page, rec = await open_page(hub.http + "/board?supervisor")
    await page.fill("#login-staff", hub.supervisor[0])
    await page.fill("#login-pin", hub.supervisor[1])
    await page.click("#login-submit")
    await page.wait_for_selector("#supervisor", state="visible")

    kiosk = await proto(role="kiosk", token=hub.kiosk_token)
    staff, pin = hub.clerk(13)
    c13 = await proto(role="counter", staff=staff, pin=pin, window=13)
    first = await kiosk.ok("issue", service="MZ-01")
    await c13.ok("call_next")
    await c13.ok("start")
    await c13.ws.close()  # the terminal dies with a ticket in service

    tile = '.win[data-window="13"][data-unattended="yes"]'
    await page.wait_for_selector(tile, timeout=60000)
    assert "无人值守" in await page.text_content(tile + " .win-state")
    alert = '#alerts li[data-kind="unattended"][data-key="13"][data-urgent="yes"]'
    await page.wait_for_selector(alert, timeout=60000)
    assert first["ticket"]["number"] in await page.text_content(alert)

    # force-close: the question offers the ticket's outcomes; "done" ends it
    await page.wait_for_selector('button[data-close-window="13"]:not([disabled])', timeout=60000)
    await page.click('button[data-close-window="13"]')
    await page.wait_for_selector("#confirm-done", state="visible")
    assert await page.is_hidden("#confirm-no_show") and await page.is_hidden("#confirm-yes")
    assert "办结" in await page.text_content("#confirm-done")
    await page.click("#confirm-done")
    await page.wait_for_selector('.win[data-window="13"][data-state="closed"]', timeout=60000)
    await page.wait_for_selector(tile, state="detached", timeout=60000)
    await page.wait_for_selector('#alerts li[data-kind="unattended"]', state="detached")
    sup = await proto(role="supervisor", staff=hub.supervisor[0], pin=hub.supervisor[1])
    ticket = next(t for t in sup.welcome["state"]["tickets"] if t["id"] == first["ticket"]["id"])
    assert ticket["state"] == "done"
    assert rec.errors == []  # no script error on the page


async def test_force_close_of_a_called_ticket_puts_it_back_first(hub, open_page, proto) -> None:
    page, _ = await open_page(hub.http + "/board?supervisor")
    await page.fill("#login-staff", hub.supervisor[0])
    await page.fill("#login-pin", hub.supervisor[1])
    await page.click("#login-submit")
    await page.wait_for_selector("#supervisor", state="visible")
    kiosk = await proto(role="kiosk", token=hub.kiosk_token)
    staff, pin = hub.clerk(13)
    c13 = await proto(role="counter", staff=staff, pin=pin, window=13)
    first = await kiosk.ok("issue", service="MZ-01")
    await kiosk.ok("issue", service="MZ-01")
    await c13.ok("call_next")
    await page.wait_for_selector(f'.win[data-window="13"][data-ticket="{first["ticket"]["id"]}"]')
    await page.click('button[data-close-window="13"]')
    await page.wait_for_selector("#confirm-requeue", state="visible")
    assert await page.is_visible("#confirm-no_show") and await page.is_hidden("#confirm-done")
    await page.click("#confirm-requeue")
    await page.wait_for_selector('.win[data-window="13"][data-state="closed"]', timeout=60000)
    staff14, pin14 = hub.clerk(14)
    c14 = await proto(role="counter", staff=staff14, pin=pin14, window=14)
    called = await c14.ok("call_next")
    assert (called["ticket"]["id"], called["reason"]) == (first["ticket"]["id"], "transferred")
