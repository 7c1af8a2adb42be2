"""The citizen's ticket page (/t/<token>) on a phone-sized browser against a real hub."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Records vibration and WebAudio beeps (headless chromium has neither a motor nor a speaker).
PHONE_STUBS = """
(() => {
  window.__vib = [];
  Object.defineProperty(navigator, 'vibrate', { value: (p) => { window.__vib.push(p); return true; }, configurable: true });
  window.__beeps = 0;
  if (window.AudioContext) {
    const orig = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () { window.__beeps++; return orig.call(this); };
  }
})();
"""


def service_of(hub: Any, window: int) -> str:
    return hub.hall.window(window).services[0]


async def open_ticket(open_page: Any, url: str) -> tuple[Any, Any]:
    page, rec = await open_page(url, viewport=PHONE, init_script=PHONE_STUBS)
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    return page, rec


async def ahead_is(page: Any, n: int) -> None:
    await page.wait_for_selector(f'#ahead[data-value="{n}"]', timeout=60000)


async def test_waiting_near_called_recall_and_handoff(hub, open_page, kiosk, counter) -> None:
    svc = service_of(hub, 5)
    issued = [await kiosk.ok("issue", service=svc) for _ in range(5)]
    mine = issued[-1]
    page, rec = await open_ticket(open_page, mine["url"])

    # waiting: number, service, state, place in line, estimate, guide, cancel
    service = hub.hall.service(svc)
    assert await page.text_content("#number") == mine["ticket"]["number"]
    assert await page.text_content("#service-name") == service.name
    assert await page.text_content("#state-text") == "等候中"
    await ahead_is(page, 4)
    assert mine["ahead"] == 4 and mine["eta_min"] is None
    # no window open yet: no minutes, the plain notice
    assert await page.text_content("#eta") == "暂无窗口受理，开窗后按顺序叫号"
    assert not await page.is_visible("#near")
    assert await page.locator("#guide-materials li").count() == len(service.guide.materials)
    assert await page.is_visible("#cancel-btn")

    # counters call the others: ahead falls live; at 3 or fewer the page says so
    c5 = await counter(5)
    await page.wait_for_function(
        "() => document.querySelector('#eta').textContent.includes('分钟')", timeout=60000
    )  # a window opened: the estimate in minutes
    for n in (3, 2, 1, 0):
        await c5.ok("call_next")
        await ahead_is(page, n)
        await c5.ok("no_show")
        if n == 3:  # turned near: one short buzz, once
            assert await page.is_visible("#near")
            assert await page.evaluate("window.__vib") == [[200]]
    assert await page.evaluate("window.__ticket.nearAlerts") == 1
    assert await page.is_visible("#near")
    assert "下一位就是您" in await page.text_content("#near")

    # called: the window in large type, vibration and a beep
    await c5.ok("call_next")
    await page.wait_for_selector("#call-panel", state="visible", timeout=60000)
    assert await page.text_content("#call-window") == "5"
    assert (
        await page.text_content("#call-text") == f"请 {mine['ticket']['number']} 号到 5 号窗口办理"
    )
    assert not await page.is_visible("#waiting-panel")
    assert not await page.is_visible("#cancel-btn")
    assert len(await page.evaluate("window.__vib")) == 2
    assert await page.evaluate("window.__beeps") >= 4
    assert "5" in await page.title()

    # a recall repeats it
    await c5.ok("recall")
    await page.wait_for_selector("#call-recall", state="visible", timeout=60000)
    assert "第 2 次" in await page.text_content("#call-recall")
    assert len(await page.evaluate("window.__vib")) == 3

    # a handoff: same number, where to go next
    await c5.ok("start")
    await page.wait_for_selector("#status-panel:has-text('正在 5 号窗口办理')", timeout=60000)
    s3 = service_of(hub, 3)
    await c5.ok("transfer", service=s3, window=3, reason="需规划部门办理")
    await page.wait_for_selector("#handoff-panel", state="visible", timeout=60000)
    text = await page.text_content("#handoff-text")
    assert (
        mine["ticket"]["number"] in text
        and "3 号窗口" in text
        and hub.hall.service(s3).name in text
    )
    assert await page.text_content("#number") == mine["ticket"]["number"]
    # a rating of the visit at window 5 is offered meanwhile
    assert await page.is_visible("#rate-section")
    assert "5" in await page.text_content("#rate-window")
    assert rec.errors == []


async def test_rating_needs_a_reason_for_2_and_reaches_the_supervisor_with_a_complaint(
    hub, open_page, kiosk, counter, supervisor_client
) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 5))
    page, _ = await open_ticket(open_page, issued["url"])
    assert not await page.is_visible("#rate-section")
    c5 = await counter(5)
    await c5.ok("call_next")
    await c5.ok("start")
    await c5.ok("finish", outcome="done")
    await page.wait_for_selector("#rate-section", state="visible", timeout=60000)
    assert "已办结" in await page.text_content("#status-panel")
    labels = await page.eval_on_selector_all(
        "#rate-form .level", "els => els.map(e => e.textContent.trim())"
    )
    assert labels == ["5非常满意", "4满意", "3基本满意", "2不满意", "1非常不满意"]

    # 2 without a reason: the hub refuses (bad_args), the page explains
    await page.check('input[name="level"][value="2"]')
    assert await page.get_attribute("#rate-reason", "aria-required") == "true"
    await page.click("#rate-submit")
    await page.wait_for_selector('#rate-msg[data-code="bad_args"]', timeout=60000)
    assert "请写明原因" in await page.text_content("#rate-msg")
    assert await page.get_attribute("#rate-reason", "aria-invalid") == "true"
    assert await page.is_visible("#rate-section")

    # with a reason it is accepted, once
    await page.fill("#rate-reason", "等候时间太长")
    await page.click("#rate-submit")
    await page.wait_for_selector("#rate-done", state="visible", timeout=60000)
    assert not await page.is_visible("#rate-section")
    rated = await supervisor_client.next("ticket_rated")
    assert (rated["level"], rated["reason"], rated["window"]) == (2, "等候时间太长", 5)
    metrics = (await supervisor_client.ok("metrics"))["metrics"]
    w5 = next(w for w in metrics["windows"] if w["window"] == 5)
    assert w5["ratings"] == {"count": 1, "avg": 2}

    # a complaint, at any time
    await page.click("#complain-summary")
    await page.click("#complain-submit")
    assert await page.get_attribute("#complain-msg", "data-code") == "empty"
    await page.fill("#complain-text", "叫号屏声音太小")
    await page.click("#complain-submit")
    await page.wait_for_selector('#complain-msg[data-code="ok"]', timeout=60000)
    # (the rating of 2 opened a follow-up complaint of its own first)
    complaint = await supervisor_client.next(
        lambda f: f.get("type") == "complaint" and f.get("source") == "page"
    )
    assert (
        complaint["text"] == "叫号屏声音太小" and complaint["number"] == issued["ticket"]["number"]
    )


async def test_cancel_while_waiting_with_confirmation(
    hub, open_page, kiosk, supervisor_client
) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 2))
    page, _ = await open_ticket(open_page, issued["url"])
    await page.click("#cancel-btn")
    await page.wait_for_selector("#cancel-dialog", state="visible")
    await page.click("#cancel-no")
    assert await page.text_content("#state-text") == "等候中"
    await page.click("#cancel-btn")
    await page.click("#cancel-yes")
    await page.wait_for_selector("#status-panel:has-text('已取消')", timeout=60000)
    assert await page.text_content("#state-text") == "已取消"
    assert not await page.is_visible("#cancel-section")
    ev = await supervisor_client.next("ticket_cancelled")
    assert ev["ticket"]["id"] == issued["ticket"]["id"]

    # opened later, a finished ticket shows its final state
    again, _ = await open_ticket(open_page, issued["url"])
    assert "已取消" in await again.text_content("#status-panel")


async def test_wrong_token_gets_the_404_page(hub, open_page, kiosk) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 2))
    bogus = "x" * 8 + issued["token"][8:][::-1]
    page, rec = await open_page(hub.http + "/t/" + bogus, viewport=PHONE)
    resp = await page.request.get(hub.http + "/t/" + bogus)
    assert resp.status == 404
    text = await page.inner_text("body")
    assert "未找到该排队号" in text and "Ticket not found" in text
    html = await page.content()
    assert bogus not in html and issued["ticket"]["number"] not in html
    # a plain page: no script, nothing but its own stylesheet
    assert await page.locator("script").count() == 0
    assert all(u.startswith(hub.http + "/") for u in rec.urls)
    resp = await page.request.get(hub.http + "/t/")
    assert resp.status == 404


async def test_page_recovers_by_itself_after_a_hub_restart(hub, open_page, kiosk, proto) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 4))
    page, _ = await open_ticket(open_page, issued["url"])
    await hub.stop()
    await page.wait_for_selector("#stale", state="visible", timeout=60000)
    assert "重连" in await page.text_content("#stale")
    await hub.start()
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)
    staff, pin = hub.clerk(4)
    c4 = await proto(role="counter", staff=staff, pin=pin, window=4)
    await c4.ok("call_next")
    await page.wait_for_selector("#call-panel", state="visible", timeout=60000)
    assert await page.text_content("#call-window") == "4"


async def test_bilingual_toggle_remembered_accessible_and_local_only(
    hub, open_page, kiosk, counter
) -> None:
    issued = await kiosk.ok("issue", service=service_of(hub, 3))
    page, rec = await open_ticket(open_page, issued["url"])
    assert await page.get_attribute("html", "lang") == "zh-CN"
    await page.click("#lang-toggle")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.text_content("#state-text") == "Waiting"
    assert await page.text_content("#service-name") == hub.hall.service(service_of(hub, 3)).name_en
    assert await page.text_content("#lang-toggle") == "中文"
    assert await page.evaluate("localStorage.getItem('hall.lang')") == "en"
    await page.reload()
    await page.wait_for_selector("#stale", state="hidden")
    assert await page.text_content("#state-text") == "Waiting"
    # called, in English
    c3 = await counter(3)
    await c3.ok("call_next")
    await page.wait_for_selector("#call-panel", state="visible", timeout=60000)
    assert (
        await page.text_content("#call-text")
        == f"Ticket {issued['ticket']['number']}, please go to window 3"
    )
    await page.click("#lang-toggle")
    assert await page.text_content("#state-text") == "已叫号"

    # screen readers: live regions and labelled controls
    assert await page.get_attribute("#waiting-panel", "aria-live") == "polite"
    assert await page.get_attribute("#call-panel", "role") == "alert"
    for control in ("#rate-reason", "#complain-text"):
        cid = control[1:]
        assert await page.locator(f'label[for="{cid}"]').count() == 1
    # phone width: nothing wider than the screen
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    # nothing from outside the hub
    assert rec.urls and all(u.startswith((hub.http + "/", hub.url)) for u in rec.urls)
    assert rec.errors == []
