"""The lobby web board (/board) in a real browser against a real hub."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def service_of(hub: Any, window: int) -> str:
    """The first service a window serves in the demo hall."""
    return hub.hall.window(window).services[0]


async def board_ready(page: Any) -> None:
    """Wait until the board has its snapshot (the stale marker is gone)."""
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)


async def test_board_shows_a_call_with_its_window_and_texts(hub, open_page, kiosk, counter) -> None:
    page, rec = await open_page(hub.http + "/board")
    await board_ready(page)
    issued = await kiosk.ok("issue", service=service_of(hub, 5))
    number = issued["ticket"]["number"]
    c5 = await counter(5)
    await page.wait_for_selector('#windows .win[data-window="5"][data-state="open"]', timeout=60000)

    await c5.ok("call_next")
    # the latest call is drawn at once, the window grid and the recent list on the next frame:
    # wait for every part (speed is measured in bench/, not here)
    await page.wait_for_function(
        """n => document.getElementById('latest-number').textContent === n
               && document.querySelector('#windows .win[data-window="5"] [data-field="current"]')
                    .textContent === n
               && document.querySelector('#recent li:first-child .r-num')?.textContent === n""",
        arg=number,
        timeout=60000,
    )
    assert await page.text_content("#latest-window") == "5"
    assert await page.text_content("#latest-zh") == f"请 {number} 号到 5 号窗口办理"
    assert await page.text_content("#latest-en") == f"Ticket {number}, please go to window 5"

    # a handoff keeps the number: called at the next window, the board shows the same number there
    await c5.ok("start")
    s3 = service_of(hub, 3)
    dept3 = hub.hall.service(s3).department
    await c5.ok("transfer", service=s3, reason="需规划部门办理")
    await page.wait_for_selector(
        f'#waiting li[data-department="{dept3}"][data-count="1"]', timeout=60000
    )
    c3 = await counter(3)
    await c3.ok("call_next")
    await page.wait_for_function(
        "() => document.getElementById('latest-window').textContent === '3'", timeout=60000
    )
    assert await page.text_content("#latest-number") == number
    # the window grid is redrawn on the next frame, not in the same tick as the latest call
    await page.wait_for_function(
        """n => document.querySelector('#windows .win[data-window="3"] [data-field="current"]')
                 .textContent === n""",
        arg=number,
        timeout=60000,
    )
    assert await page.text_content('#windows .win[data-window="5"] [data-field="current"]') == "—"
    assert rec.errors == []
    assert rec.outside((hub.http + "/", hub.url)) == []


async def test_board_snapshot_recent_calls_waiting_and_windows(
    hub, open_page, kiosk, counter
) -> None:
    svc = service_of(hub, 3)
    for _ in range(3):
        await kiosk.ok("issue", service=svc)
    c3 = await counter(3)
    first = (await c3.ok("call_next"))["ticket"]
    await c3.ok("start")
    await c3.ok("finish", outcome="done")
    second = (await c3.ok("call_next"))["ticket"]

    page, _ = await open_page(hub.http + "/board")
    await board_ready(page)
    # the welcome's recent_calls: newest first, the latest one big
    assert await page.text_content("#latest-number") == second["number"]
    nums = await page.eval_on_selector_all(
        "#recent li .r-num", "els => els.map(e => e.textContent)"
    )
    assert nums[:2] == [second["number"], first["number"]]
    # waiting count per department: one ticket still waits
    dept = next(s.department for s in hub.hall.services if s.code == svc)
    assert await page.get_attribute(f'#waiting li[data-department="{dept}"]', "data-count") == "1"
    # each window with its state; window 3 open with the called ticket
    assert await page.locator("#windows .win").count() == len(hub.hall.windows)
    assert await page.get_attribute('#windows .win[data-window="3"]', "data-state") == "open"
    assert await page.get_attribute('#windows .win[data-window="1"]', "data-state") == "closed"
    assert (
        await page.text_content('#windows .win[data-window="3"] [data-field="current"]')
        == second["number"]
    )
    # the clock runs
    assert await page.text_content("#clock") != ""

    # live: the window pauses, its tile says so
    await c3.ok("no_show")
    await c3.ok("pause", reason="午休")
    await page.wait_for_selector(
        '#windows .win[data-window="3"][data-state="paused"]', timeout=60000
    )


async def test_stale_marker_shows_when_hub_stops_and_clears_on_restart(
    hub, open_page, kiosk, proto
) -> None:
    page, _ = await open_page(hub.http + "/board")
    await board_ready(page)
    assert not await page.is_visible("#stale")

    await hub.stop()
    await page.wait_for_selector("#stale", state="visible", timeout=60000)
    await hub.start()
    await page.wait_for_selector("#stale", state="hidden", timeout=60000)

    # live again after the fresh snapshot: a call made now shows
    k = await proto(role="kiosk", token=hub.kiosk_token)
    issued = await k.ok("issue", service=service_of(hub, 4))
    staff, pin = hub.clerk(4)
    c4 = await proto(role="counter", staff=staff, pin=pin, window=4)
    await c4.ok("call_next")
    await page.wait_for_function(
        "n => document.getElementById('latest-number').textContent === n",
        arg=issued["ticket"]["number"],
        timeout=60000,
    )


async def test_board_loads_nothing_from_outside_the_hub(hub, open_page, kiosk, counter) -> None:
    page, rec = await open_page(hub.http + "/board")
    await board_ready(page)
    await kiosk.ok("issue", service=service_of(hub, 2))
    c2 = await counter(2)
    await c2.ok("call_next")
    await page.wait_for_timeout(500)
    sup, rec2 = await open_page(hub.http + "/board?supervisor")
    await sup.fill("#login-staff", hub.supervisor[0])
    await sup.fill("#login-pin", hub.supervisor[1])
    await sup.click("#login-submit")
    await sup.wait_for_selector("#supervisor", state="visible")
    await sup.wait_for_timeout(300)
    allowed = (hub.http + "/", hub.url)
    assert rec.urls and rec2.urls
    assert rec.outside(allowed) == []
    assert rec2.outside(allowed) == []
    assert all(
        u.startswith("http://127.0.0.1:") or u.startswith("ws://127.0.0.1:")
        for u in rec.urls + rec2.urls
    )


async def test_public_board_never_shows_private_data(hub, open_page, kiosk, counter, proto) -> None:
    page, _ = await open_page(hub.http + "/board")
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived", lambda p: frames.append(p if isinstance(p, str) else str(p))
        ),
    )
    await page.reload()
    await board_ready(page)

    issued = await kiosk.ok("issue", service=service_of(hub, 5))
    c5 = await counter(5)
    await c5.ok("call_next")
    await c5.ok("start")
    await c5.ok("finish", outcome="done", note="SECRET-NOTE-42")
    citizen = await proto(role="citizen", ticket=issued["token"])
    await citizen.ok("rate", level=1, reason="SECRET-REASON-43")
    await citizen.ok("complain", text="SECRET-COMPLAINT-44")
    issued2 = await kiosk.ok("issue", service=service_of(hub, 5))
    await c5.ok("call_next")
    await page.wait_for_function(
        "n => document.getElementById('latest-number').textContent === n",
        arg=issued2["ticket"]["number"],
        timeout=60000,
    )
    await page.wait_for_timeout(300)

    html = await page.content()
    text = await page.inner_text("body")
    state = await page.evaluate(
        "JSON.stringify({t: [...__hall.state.tickets.values()], w: [...__hall.state.windows.values()]})"
    )
    secrets = [
        "SECRET-NOTE-42",
        "SECRET-REASON-43",
        "SECRET-COMPLAINT-44",
        issued["token"],
        issued2["token"],
    ]
    secrets += [s.name for s in hub.hall.staff] + [f'"{s.id}"' for s in hub.hall.staff]
    for s in secrets:
        assert s not in html, s
        assert s not in text, s
        assert s not in state, s
        assert not any(s in f for f in frames), s
    # no ratings, no complaints, no staff ids anywhere on the public board
    for word in ("非常不满意", "投诉", "c005"):
        assert word not in text
    assert not await page.is_visible("#supervisor")
    assert frames  # we did watch the websocket


FAKE_SPEECH = """
(() => {
  const log = [];
  let speaking = null;
  window.__speech = { log, overlaps: 0 };
  class Utterance { constructor(text) { this.text = text; this.lang = ''; } }
  window.SpeechSynthesisUtterance = Utterance;
  const synth = {
    getVoices: () => [{ name: 'fake-zh', lang: 'zh-CN', localService: true }, { name: 'fake-en', lang: 'en-US', localService: true }],
    speak(u) {
      if (speaking) window.__speech.overlaps++;
      speaking = u;
      log.push({ text: u.text, lang: u.lang, start: Date.now() });
      setTimeout(() => { speaking = null; log[log.length - 1].end = Date.now(); u.onend && u.onend({}); }, 250);
    },
    cancel() { speaking = null; },
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
})();
"""


async def test_announcements_queue_never_overlap_recall_repeats_stale_dropped(
    hub, open_page, kiosk, counter
) -> None:
    page, rec = await open_page(hub.http + "/board", init_script=FAKE_SPEECH)
    await board_ready(page)
    clerks = {}
    numbers = {}
    for w in (1, 3, 4):
        numbers[w] = (await kiosk.ok("issue", service=service_of(hub, w)))["ticket"]["number"]
        clerks[w] = await counter(w)
    for w in (1, 3, 4):
        await clerks[w].ok("call_next")
    await clerks[1].ok("recall")
    # window 4's citizen arrives before the board got to announce it: that call is dropped
    await clerks[4].ok("start")

    await page.wait_for_function(
        "() => window.__speech.log.length >= 6 && window.__speech.log.every(e => e.end)",
        timeout=60000,
    )
    await page.wait_for_timeout(1500)
    log = await page.evaluate("window.__speech.log")
    assert await page.evaluate("window.__speech.overlaps") == 0
    for a, b in zip(log, log[1:], strict=False):
        assert b["start"] >= a["end"], (a, b)
    zh = [e["text"] for e in log if e["lang"] == "zh-CN"]
    en = [e["text"] for e in log if e["lang"] == "en-US"]
    assert any("1 号窗口" in t for t in zh) and any("3 号窗口" in t for t in zh)
    assert not any("4 号窗口" in t for t in zh)  # moved on: not announced late
    assert len(en) == len(zh)  # English follows each Chinese announcement
    assert zh[0].startswith("请 ") and "号，到 1 号窗口办理" in zh[0]
    # the recall of window 1 is announced again, after the first round
    assert sum("到 1 号窗口" in t for t in zh) == 2
    assert rec.errors == []


WATCH_STALE = """
() => {
  window.__staleShown = 0;
  const el = document.getElementById('stale');
  new MutationObserver(() => { if (!el.hidden) window.__staleShown++; }).observe(el, {attributes: true});
}
"""


async def test_quiet_board_checks_the_hub_and_never_stays_silently_stale(
    hub, open_page, kiosk, counter, proto
) -> None:
    page, _ = await open_page(hub.http + "/board")
    sockets: list[Any] = []
    await page.clock.install()
    page.on("websocket", lambda ws: sockets.append(ws))
    await page.reload()
    await board_ready(page)
    await page.evaluate(WATCH_STALE)
    assert len(sockets) == 1

    # events the board may not see (a rating, a complaint) move the hall's seq past the board's
    issued = await kiosk.ok("issue", service=service_of(hub, 5))
    c5 = await counter(5)
    await c5.ok("call_next")
    await c5.ok("start")
    await c5.ok("finish", outcome="done")
    citizen = await proto(role="citizen", ticket=issued["token"])
    await citizen.ok("rate", level=5)
    # after a quiet spell the board asks /healthz, sees it missed events, takes a fresh
    # snapshot on a second socket and swaps: no stale flicker
    await page.clock.fast_forward("00:30")
    await page.wait_for_function(
        "() => window.__hall.conn.seq === window.__hall.conn.lastHealthSeq", timeout=60000
    )
    assert len(sockets) == 2
    assert await page.evaluate("window.__staleShown") == 0
    assert not await page.is_visible("#stale")

    # a hub that stops answering /healthz while the socket looks open: marked stale, reconnect
    await page.route("**/healthz", lambda route: route.abort())
    await page.clock.fast_forward("00:30")
    await page.wait_for_function("() => window.__staleShown > 0", timeout=60000)
    await page.unroute("**/healthz")
    await board_ready(page)
    assert len(sockets) >= 3


FULLY_SHOWN = """
id => {
  const el = document.getElementById(id);
  const r = el.getBoundingClientRect();
  return el.scrollWidth <= el.clientWidth && r.left >= 0 && r.right <= window.innerWidth
    && r.top >= 0 && r.bottom <= window.innerHeight;
}
"""


@pytest.mark.parametrize("viewport", [None, {"width": 1080, "height": 1920}])
async def test_a_four_digit_number_is_fully_shown(hub, open_page, kiosk, counter, viewport) -> None:
    svc = service_of(hub, 5)
    prefix = hub.hall.service(svc).prefix
    hub.server.engine.numbers[prefix] = 999  # the next ticket is the 1000th of the prefix
    page, _ = await open_page(hub.http + "/board", viewport=viewport)
    await board_ready(page)
    issued = await kiosk.ok("issue", service=svc)
    number = issued["ticket"]["number"]
    assert number == f"{prefix}1000"
    c5 = await counter(5)
    await c5.ok("call_next")
    await page.wait_for_function(
        "n => document.getElementById('latest-number').textContent === n", arg=number, timeout=60000
    )
    assert await page.evaluate(FULLY_SHOWN, "latest-number")
    # and the voice says it digit by digit
    texts = await page.evaluate("n => HallVoice.texts({number: n, window: 5}, true)", number)
    assert texts[0]["text"] == f"请 {prefix} 一 零 零 零 号，到 5 号窗口办理"
    assert texts[1]["text"] == f"Ticket {prefix}, one zero zero zero, please go to window 5"
