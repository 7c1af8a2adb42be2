"""The supervisor view (/board?supervisor) in a real browser against a real hub."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.browser

WINDOW_FIELDS = [
    "received",
    "completed",
    "completion_rate",
    "pending",
    "transferred_in",
    "transferred_out",
    "no_show",
    "first_responsibility_closure_rate",
    "avg_wait_s",
    "avg_service_s",
    "on_duty_s",
    "paused_s",
    "ratings.count",
    "ratings.avg",
]
HALL_FIELDS = [
    "issued",
    "waiting",
    "received",
    "completed",
    "pending",
    "no_show",
    "cancelled",
    "completion_rate",
    "first_responsibility_closure_rate",
    "avg_wait_s",
    "max_wait_s",
    "avg_service_s",
    "ratings.count",
    "ratings.avg",
]
GROWING = {"on_duty_s", "paused_s"}  # grow with the clock between the page's figures and ours


def get_path(obj: dict[str, Any], path: str) -> Any:
    for p in path.split("."):
        obj = obj[p]
    return obj


def service_of(hub: Any, window: int) -> str:
    return hub.hall.window(window).services[0]


async def login(page: Any, staff: str, pin: str) -> None:
    await page.fill("#login-staff", staff)
    await page.fill("#login-pin", pin)
    await page.click("#login-submit")


async def busy_day(hub: Any, kiosk: Any, counter: Any, proto: Any) -> dict[str, Any]:
    """Some activity touching every metric: done, pending, no-show, transfer, rating, pause."""
    s5, s3 = service_of(hub, 5), service_of(hub, 3)
    issued = [await kiosk.ok("issue", service=s5) for _ in range(4)]
    await kiosk.ok("issue", service=s3)
    c5, c3 = await counter(5), await counter(3)
    await c5.ok("call_next")
    await c5.ok("start")
    await c5.ok("finish", outcome="done")
    await c5.ok("call_next")
    await c5.ok("no_show")
    await c5.ok("call_next")
    await c5.ok("start")
    await c5.ok("transfer", service=s3, reason="需规划部门办理")
    await c3.ok("call_next")
    await c3.ok("start")
    await c3.ok("finish", outcome="pending")
    citizen = await proto(role="citizen", ticket=issued[0]["token"])
    await citizen.ok("rate", level=4)
    await c5.ok("pause", reason="午休")
    return {"c5": c5, "c3": c3, "issued": issued}


async def test_wrong_pin_is_refused_with_an_explanation(hub, open_page, proto) -> None:
    # the hub words the refusal (in the hello's language, 中文 for the board)
    with pytest.raises(Exception, match="auth_failed") as refused:  # support.raw.Refused
        await proto(role="supervisor", staff="nobody", pin="0000")
    assert refused.value.message
    page, _ = await open_page(hub.http + "/board?supervisor")
    assert await page.is_visible("#login-form")
    assert not await page.is_visible("#board-view")
    await login(page, hub.supervisor[0], "0000")
    await page.wait_for_function(
        "m => document.getElementById('login-error').textContent === m",
        arg=refused.value.message,
    )
    assert not await page.is_visible("#board-view")
    await login(page, *hub.supervisor)
    await page.wait_for_selector("#supervisor", state="visible")


async def test_supervisor_metrics_equal_the_hubs_reply(
    hub, open_page, kiosk, counter, proto, supervisor_client
) -> None:
    page, rec = await open_page(hub.http + "/board?supervisor")
    await login(page, *hub.supervisor)
    await page.wait_for_selector("#supervisor", state="visible")
    await busy_day(hub, kiosk, counter, proto)

    # pushed `metrics` frames keep the table live: wait for the rating to show
    await page.wait_for_selector(
        'td[data-window="5"][data-field="ratings.count"][data-value="1"]', timeout=60000
    )
    await page.wait_for_timeout(600)  # the last coalesced push
    reply = (await supervisor_client.ok("metrics"))["metrics"]

    def compare(scope: str, row: dict[str, Any], fields: list[str]) -> None:
        for f in fields:
            raw = page_values[scope][f]
            got = json.loads(raw)
            want = get_path(row, f)
            if f in GROWING:
                assert abs(got - want) <= 5, (scope, f, got, want)
            elif isinstance(want, float) and got is not None:
                assert got == pytest.approx(want, abs=1e-9), (scope, f, got, want)
            else:
                assert got == want, (scope, f, got, want)

    page_values = await page.evaluate(
        """() => {
          const out = {};
          for (const td of document.querySelectorAll('td[data-window][data-field][data-value]')) {
            (out[td.dataset.window] ||= {})[td.dataset.field] = td.dataset.value;
          }
          return out;
        }"""
    )
    assert len(reply["windows"]) == len(hub.hall.windows)
    for row in reply["windows"]:
        compare(str(row["window"]), row, WINDOW_FIELDS)
    compare("hall", reply["hall"], HALL_FIELDS)
    # the figures we made are there, not just zeros
    assert json.loads(page_values["5"]["received"]) == 2
    assert json.loads(page_values["5"]["transferred_out"]) == 1
    assert json.loads(page_values["3"]["transferred_in"]) == 1
    assert json.loads(page_values["hall"]["issued"]) == 5
    # shown as people read them
    assert await page.text_content('td[data-window="5"][data-field="completion_rate"]') == "50%"

    # the refresh button asks the hub (`metrics` command) and shows the same figures
    before = await page.text_content("#metrics-updated")
    await page.wait_for_timeout(1100)
    await page.click("#metrics-refresh")
    await page.wait_for_function(
        "b => document.getElementById('metrics-updated').textContent !== b", arg=before
    )
    assert (
        await page.get_attribute('td[data-window="hall"][data-field="completed"]', "data-value")
        == "1"
    )
    assert rec.errors == []


async def test_supervisor_alerts(hub, open_page, kiosk, counter, proto) -> None:
    page, _ = await open_page(hub.http + "/board?supervisor")
    await page.clock.install()
    await login(page, *hub.supervisor)
    await page.wait_for_selector("#supervisor", state="visible")
    assert await page.is_visible("#alerts-none")

    # a rating of 2 and a complaint reach the supervisor at once
    issued = await kiosk.ok("issue", service=service_of(hub, 2))
    c2 = await counter(2)
    await c2.ok("call_next")
    await c2.ok("start")
    await c2.ok("finish", outcome="done")
    citizen = await proto(role="citizen", ticket=issued["token"])
    await citizen.ok("rate", level=2, reason="等太久")
    await citizen.ok("complain", text="窗口人员态度差")
    await page.wait_for_selector('#alerts li[data-kind="rating"]', timeout=60000)
    await page.wait_for_selector('#alerts li[data-kind="complaint"]', timeout=60000)
    assert "等太久" in await page.text_content('#alerts li[data-kind="rating"]')
    assert "窗口人员态度差" in await page.text_content('#alerts li[data-kind="complaint"]')

    # waiting tickets for a service no open window serves
    lonely = next(s.code for s in hub.hall.services if s.code not in hub.hall.window(2).services)
    await kiosk.ok("issue", service=lonely)
    await page.wait_for_selector(
        f'#alerts li[data-kind="unserved"][data-key="{lonely}"]', timeout=60000
    )

    # a printer fault reported by a kiosk
    await kiosk.ok("printer_status", ok=False, kind="paper_out", message="缺纸")
    await page.wait_for_selector('#alerts li[data-kind="printer"]', timeout=60000)

    # later: tickets waiting past max_wait_minutes, a window paused for more than 15 minutes
    await c2.ok("pause", reason="会议")
    await page.wait_for_selector('.win[data-window="2"][data-state="paused"]', timeout=60000)
    await page.clock.fast_forward("50:00")
    await page.wait_for_selector('#alerts li[data-kind="overdue"]', timeout=60000)
    await page.wait_for_selector('#alerts li[data-kind="paused"][data-key="2"]', timeout=60000)


async def test_supervisor_actions_notice_services_close(
    hub, open_page, counter, supervisor_client
) -> None:
    board, _ = await open_page(hub.http + "/board")
    await board.wait_for_selector("#stale", state="hidden")
    page, _ = await open_page(hub.http + "/board?supervisor")
    await login(page, *hub.supervisor)
    await page.wait_for_selector("#supervisor", state="visible")

    # a notice, for some minutes, on every board
    await page.fill("#notice-input", "下午 3 点系统维护")
    await page.fill("#notice-minutes", "10")
    await page.click("#notice-form button[type=submit]")
    await page.wait_for_selector("#notice-result:has-text('已发布')")
    await board.wait_for_selector("#notice", state="visible", timeout=60000)
    assert await board.text_content("#notice-text") == "下午 3 点系统维护"
    frame = await supervisor_client.next("notice")
    assert frame["text"] == "下午 3 点系统维护" and frame["until"]
    await page.click("#notice-clear")
    await board.wait_for_selector("#notice", state="hidden", timeout=60000)

    # change window 7's services
    codes = [s.code for s in hub.hall.services[:3]]
    await page.select_option("#services-window", "7")
    for box in await page.query_selector_all('#services-list input[name="service"]'):
        if await box.is_checked():
            await box.uncheck()
    for code in codes:
        await page.check(f'#services-list input[value="{code}"]')
    await page.click("#services-form button[type=submit]")
    await page.wait_for_selector("#services-result:has-text('已保存')")
    changed = await supervisor_client.next("window_changed")
    assert changed["window"]["number"] == 7 and changed["window"]["services"] == codes

    # close a window: its clerk is logged out, every board shows it closed
    c5 = await counter(5)
    await board.wait_for_selector('.win[data-window="5"][data-state="open"]', timeout=60000)
    await page.wait_for_selector('button[data-close-window="5"]:not([disabled])', timeout=60000)
    await page.click('button[data-close-window="5"]')
    await page.click("#confirm-yes")
    await board.wait_for_selector('.win[data-window="5"][data-state="closed"]', timeout=60000)
    closed = await supervisor_client.next("window_closed")
    assert closed["window"]["number"] == 5
    await c5.ws.wait_closed()
    assert c5.ws.close_code == 4003  # the clerk is logged out (logged_out, then 4003)
