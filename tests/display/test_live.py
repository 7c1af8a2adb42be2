"""The boards against a real hub: calls, recalls, window states, notices, staleness, supervisor actions."""

from __future__ import annotations

from typing import Any

from display_helpers import FakeSpeaker, StallingProxy
from support.hubclient import hub_client
from support.raw import refusal
from support.wait import wait_for
from textual.widgets import Input, SelectionList, TabbedContent

from display.app import DisplayApp
from display.widgets.banners import NoticeBanner, StaleBanner
from display.widgets.call import LatestCall
from display.widgets.metrics import MetricsTable
from shared.client import HubError
from shared.ui import glyphs
from shared.ui.bigtext import BigText
from shared.ui.hub import HubEvent, HubFailed, HubStatus, HubWelcomed

SIZE = (120, 40)


def first_service(hub: Any, window: int) -> str:
    return hub.hall.window(window).services[0]


def shown_number(app: DisplayApp) -> str:
    return app.board.query_one("#call-number", BigText).text


def screen_text(app: DisplayApp) -> str:
    """Everything on the screen as plain text (the SVG export holds the text of every cell)."""
    return app.export_screenshot()


async def test_call_and_recall_appear_on_board(hub: Any) -> None:
    app = DisplayApp(hub.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded and app.stale_kind() is None, what="welcome")
        async with (
            hub_client(hub, "kiosk") as kiosk,
            hub_client(hub, "counter", window=1) as counter,
        ):
            issued = await kiosk.request("issue", service=first_service(hub, 1))
            number = issued["ticket"]["number"]
            await counter.request("call_next")
            await wait_for(lambda: shown_number(app) == number, what="the called number")
            await pilot.pause()
            assert app.board.query_one("#call-window", BigText).text == "1"
            call = app.board.query_one(LatestCall)
            assert call.call is not None and call.call.recalls == 0
            assert not call.has_class("-recall")
            cell = app.board.query_one("#window-1")
            assert cell.has_class("-open") and cell.has_class("-called")
            assert number in str(cell.render())

            await counter.request("recall")
            await wait_for(lambda: call.has_class("-recall"), what="the recall mark")
            assert call.call is not None and call.call.recalls == 1
            assert [c.number for c in app.state.recent_calls()].count(number) == 1

            await counter.request("start")
            await wait_for(lambda: app.state.window_current_state(1) == "serving", what="serving")


async def test_window_states(hub: Any) -> None:
    app = DisplayApp(hub.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded, what="welcome")
        await pilot.pause()
        cell = app.board.query_one("#window-2")
        assert cell.has_class("-closed")
        async with hub_client(hub, "counter", window=2) as counter:
            await wait_for(lambda: cell.has_class("-open"), what="window 2 open")
            await counter.request("pause", reason="午休")
            await wait_for(lambda: cell.has_class("-paused"), what="window 2 paused")
            await counter.request("resume")
            await wait_for(lambda: cell.has_class("-open"), what="window 2 open again")
            await counter.request("logout")
            await wait_for(lambda: cell.has_class("-closed"), what="window 2 closed")


async def test_notice_and_waiting_counts(hub: Any) -> None:
    app = DisplayApp(hub.url, lang="en")
    async with app.run_test(size=SIZE):
        await wait_for(lambda: app.state.loaded, what="welcome")
        async with (
            hub_client(hub, "supervisor") as sup,
            hub_client(hub, "kiosk") as kiosk,
        ):
            await sup.request("notice", text="System upgrade at noon", minutes=5)
            banner = app.board.query_one(NoticeBanner)
            await wait_for(lambda: banner.has_class("-shown"), what="the notice")
            assert "System upgrade at noon" in str(banner.render())
            service = first_service(hub, 1)
            before = app.state.waiting.get(service, 0)
            await kiosk.request("issue", service=service)
            await kiosk.request("issue", service=service)
            await wait_for(lambda: app.state.waiting.get(service) == before + 2, what="waiting +2")
            dept = hub.hall.service(service).department
            counts = {d["code"]: n for d, n in app.state.waiting_by_department()}
            assert counts[dept] == before + 2


async def test_stale_marker_when_hub_stops_and_clears_on_restart(hub: Any) -> None:
    app = DisplayApp(hub.url, max_backoff=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded and app.stale_kind() is None, what="welcome")
        banner = app.board.query_one(StaleBanner)
        assert not banner.has_class("-shown")
        await hub.stop()
        await wait_for(lambda: banner.has_class("-shown"), what="the stale marker")
        assert app.stale_kind() == "offline"
        assert app.board.has_class("-stale")
        # While it is down, a ticket is issued elsewhere: the fresh snapshot must bring it.
        await hub.start()
        async with hub_client(hub, "kiosk") as kiosk:
            issued = await kiosk.request("issue", service=first_service(hub, 3))
        await wait_for(
            lambda: not banner.has_class("-shown"), timeout=10, what="the marker to clear"
        )
        await wait_for(lambda: issued["ticket"]["id"] in app.state.tickets, what="a fresh snapshot")
        await pilot.pause()
        assert not app.board.has_class("-stale")


async def test_quiet_hub_is_not_stale(hub: Any) -> None:
    """A hall with no events is not a frozen board: the probe gets an answer."""
    app = DisplayApp(hub.url, stale_seconds=0.3, probe_timeout=10.0)
    async with app.run_test(size=SIZE):
        await wait_for(lambda: app.state.loaded, what="welcome")
        first = app.link.client
        for _ in range(2):  # two probes after a quiet spell, both answered
            quiet = app.last_frame
            await wait_for(lambda q=quiet: app.last_frame > q + 0.3, what="a probe answered")
            assert app.stale_kind() is None
        assert app.link.client is first  # no reconnect was needed


async def test_public_board_shows_nothing_private(hub: Any) -> None:
    app = DisplayApp(hub.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded, what="welcome")
        async with (
            hub_client(hub, "kiosk") as kiosk,
            hub_client(hub, "counter", window=1) as counter,
        ):
            issued = await kiosk.request("issue", service=first_service(hub, 1))
            await counter.request("call_next")
            await counter.request("start")
            await counter.request("finish", outcome="done", note="PRIVATE-NOTE-42")
            await wait_for(
                lambda: app.state.ticket_state(issued["ticket"]["id"]) == "done", what="done"
            )
            await pilot.pause()
            staff_id, _ = hub.clerk(1)
            staff_name = next(s.name for s in hub.hall.staff if s.id == staff_id)
            text = screen_text(app)
            for secret in (staff_id, staff_name, "PRIVATE-NOTE-42", issued["token"]):
                assert secret not in text
            for t in app.state.tickets.values():
                assert "note" not in t and "staff" not in t


async def test_voice_announces_calls_in_order_without_overlap(hub: Any) -> None:
    speaker = FakeSpeaker(seconds=0.15)
    app = DisplayApp(hub.url, voice=True, voice_en=True, speaker=speaker)
    async with app.run_test(size=SIZE):
        await wait_for(lambda: app.state.loaded and app.voice_queue is not None, what="welcome")
        queue = app.voice_queue
        assert queue is not None
        async with (
            hub_client(hub, "kiosk") as kiosk,
            hub_client(hub, "counter", window=1) as w1,
            hub_client(hub, "counter", window=3) as w3,
            hub_client(hub, "counter", window=5) as w5,
        ):
            t1 = (await kiosk.request("issue", service=first_service(hub, 1)))["ticket"]["number"]
            t3 = (await kiosk.request("issue", service=first_service(hub, 3)))["ticket"]["number"]
            issued5 = await kiosk.request("issue", service=first_service(hub, 5))
            t5 = issued5["ticket"]["number"]
            speaker.gate.clear()  # the board is slow to speak: held until window 5 has started
            await w1.request("call_next")
            await w3.request("call_next")
            await w5.request("call_next")
            # The citizen at window 5 turns up before the board got to say it: never announced.
            await w5.request("start")
            await wait_for(
                lambda: app.state.ticket_state(issued5["ticket"]["id"]) == "serving",
                what="window 5 serving on the board",
            )
            speaker.gate.set()
            await wait_for(
                lambda: len(queue.spoken) >= 2 and not queue.pending, what="2 calls said"
            )
            await queue.idle()
            await w1.request("recall")
            await wait_for(lambda: len(queue.spoken) == 3, what="the recall said")
            await queue.idle()
        spoken = [(a.number, a.window, a.recalls) for a in queue.spoken]
        assert spoken == [(t1, 1, 0), (t3, 3, 0), (t1, 1, 1)]
        assert t5 not in [a.number for a in queue.spoken]
        assert not speaker.overlaps() and speaker.max_busy == 1
        zh, en = speaker.texts("zh"), speaker.texts("en")
        assert len(zh) == 3 and len(en) == 3
        assert zh[0].endswith("到 一 号窗口办理") and en[0].endswith("please go to window 1.")


async def test_supervisor_board_login_figures_and_actions(hub: Any) -> None:
    staff, pin = hub.supervisor
    sup = DisplayApp(hub.url, supervisor=True, staff=staff)
    lobby = DisplayApp(hub.url)
    async with lobby.run_test(size=SIZE), sup.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        # The PIN is asked first; a wrong one is refused in the hub's words and asked again.
        wrong = await refusal(hub, "supervisor", staff="nobody", pin="0")
        await pilot.click("#pin")
        await pilot.press(*"0000", "enter")
        await wait_for(
            lambda: (
                sup.screen.query("#login-error")
                and wrong in str(sup.screen.query_one("#login-error").render())
            ),
            what="refusal",
        )
        sup.screen.query_one("#pin", Input).value = pin
        await pilot.press("enter")
        await wait_for(lambda: sup.state.loaded and sup.state.metrics is not None, what="welcome")
        await wait_for(lambda: lobby.state.loaded, what="lobby welcome")

        async with (
            hub_client(hub, "kiosk") as kiosk,
            hub_client(hub, "counter", window=1) as counter,
        ):
            await kiosk.request("issue", service=first_service(hub, 1))
            await counter.request("call_next")
            await counter.request("start")
            await counter.request("finish", outcome="done")

            # Figures arrive pushed (no polling): window 1 has received and completed one.
            def w1() -> dict[str, Any]:
                return next(r for r in sup.state.window_metrics() if r["window"] == 1)

            await wait_for(lambda: w1()["completed"] == 1, what="pushed figures")
            tabs = sup.board.query_one(TabbedContent)
            tabs.active = "tab-metrics"
            await pilot.pause()
            table = sup.board.query_one(MetricsTable)
            row = table.get_row("1")
            assert str(row[3]) == "1" and str(row[4]) == "1" and str(row[5]) == "100%"

            # Post a notice from the actions tab: the lobby shows it.
            tabs.active = "tab-actions"
            await pilot.pause()
            sup.board.query_one("#notice-text", Input).value = "请携带身份证原件"
            sup.board.query_one("#notice-minutes", Input).value = "10"
            await pilot.click("#notice-post")
            banner = lobby.board.query_one(NoticeBanner)
            await wait_for(
                lambda: "请携带身份证原件" in str(banner.render()), what="notice on the lobby"
            )

            # Change window 2's services.
            from textual.widgets import Select

            sup.board.query_one("#window-pick", Select).value = 2
            await pilot.pause()
            box = sup.board.query_one("#window-services", SelectionList)
            wanted = first_service(hub, 3)
            box.deselect_all()
            box.select(wanted)
            await pilot.click("#window-save")
            await wait_for(
                lambda: lobby.state.windows[2].get("services") == [wanted], what="window 2 changed"
            )

            # Close window 1 (confirmed): the clerk is logged out, the lobby shows it closed.
            sup.board.query_one("#window-pick", Select).value = 1
            await pilot.pause()
            await pilot.click("#window-close")
            await pilot.pause()
            await pilot.click("#confirm-yes")
            await wait_for(
                lambda: lobby.state.windows[1].get("state") == "closed", what="window 1 closed"
            )


async def test_silent_connection_is_marked_stale_and_recovers(hub: Any) -> None:
    """The network stalls without closing: the watchdog's probe goes unanswered, the board says so,
    reconnects by itself and clears the marker with a fresh snapshot."""
    proxy = StallingProxy(hub.port)
    await proxy.start()
    app = DisplayApp(proxy.url, stale_seconds=0.5, probe_timeout=0.5, max_backoff=0.5)
    try:
        async with app.run_test(size=SIZE):
            await wait_for(lambda: app.state.loaded and app.stale_kind() is None, what="welcome")
            first = app.link.client
            banner = app.board.query_one(StaleBanner)
            proxy.stalled = True
            async with hub_client(hub, "kiosk") as kiosk:
                issued = await kiosk.request("issue", service=first_service(hub, 3))
            await wait_for(lambda: app.stale_kind() == "silent", what="the silent marker")
            assert banner.has_class("-shown") and app.board.has_class("-stale")
            assert app.link.client is not first  # a fresh client is reconnecting
            proxy.stalled = False
            await wait_for(lambda: app.stale_kind() is None, timeout=15, what="recovery")
            assert issued["ticket"]["id"] in app.state.tickets
            assert not banner.has_class("-shown")
    finally:
        await proxy.stop()


async def test_a_replaced_clients_late_news_is_dropped(hub: Any) -> None:
    """After a reconnect (HubLink.connect), whatever the old client still reports is ignored."""
    app = DisplayApp(hub.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.state.loaded and app.stale_kind() is None, what="welcome")
        old = app.link.client
        assert old is not None and old.welcome is not None
        old_welcome = old.welcome  # the old session's snapshot: no ticket yet
        async with (
            hub_client(hub, "display") as watcher,
            hub_client(hub, "kiosk") as kiosk,
            hub_client(hub, "counter", window=1) as counter,
        ):
            seen: list[dict[str, Any]] = []
            watcher.on_event = seen.append
            first = await kiosk.request("issue", service=first_service(hub, 1))
            second = await kiosk.request("issue", service=first_service(hub, 1))
            await counter.request("call_next")
            await wait_for(lambda: shown_number(app) == first["ticket"]["number"], what="call 1")
            first_call = next(f for f in seen if f["type"] == "ticket_called")

            app.connect_hub()  # a fresh client (as after a silent hub), the old one is dropped
            new = app.link.client
            assert new is not old
            await wait_for(lambda: app.stale_kind() is None, what="the new client's welcome")
            await counter.request("start")
            await counter.request("finish", outcome="done")
            await counter.request("call_next")
            number = second["ticket"]["number"]
            await wait_for(lambda: shown_number(app) == number, what="call 2 via the new client")

            # The old client's late news, of every kind: none of it may touch the board.
            app.post_message(HubEvent(old, first_call))
            app.post_message(HubWelcomed(old, old_welcome))
            app.post_message(HubStatus(old, False))
            app.post_message(HubFailed(old, HubError("forbidden", "taken over")))
            await pilot.pause()
            assert shown_number(app) == number
            assert second["ticket"]["id"] in app.state.tickets
            assert app.online and app.stale_kind() is None and app.refused is None
            assert not app.board.query_one(StaleBanner).has_class("-shown")

            # The same frame from the current client is applied (the check above means something).
            app.post_message(HubEvent(new, first_call))
            await wait_for(
                lambda: shown_number(app) == first["ticket"]["number"], what="the frame applied"
            )


async def test_a_clerks_pin_at_the_supervisor_board_says_not_a_supervisor(hub: Any) -> None:
    staff, pin = hub.clerk(3)  # a right PIN, but a clerk's
    sup = DisplayApp(hub.url, supervisor=True, staff=staff)
    async with sup.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.click("#pin")
        await pilot.press(*pin, "enter")

        def refusal() -> str:
            errors = sup.screen.query("#login-error")
            return str(errors.first().render()) if errors else ""

        await wait_for(lambda: "不是值班主管" in refusal(), timeout=20, what="not a supervisor")
        assert "密码" not in refusal()  # not "wrong PIN": the PIN was right


async def test_a_four_digit_number_is_shown_whole_in_big_glyphs(hub: Any) -> None:
    service = first_service(hub, 1)
    prefix = hub.hall.service(service).prefix
    assert hub.server is not None
    hub.server.engine.numbers[prefix] = 999  # the next ticket is the 1000th of the prefix
    async with (
        hub_client(hub, "kiosk") as kiosk,
        hub_client(hub, "counter", window=1) as counter,
    ):
        issued = await kiosk.request("issue", service=service)
        assert issued["ticket"]["number"] == f"{prefix}1000"
        await counter.request("call_next")
    for size in (SIZE, (80, 24)):
        await _shows_whole(hub, f"{prefix}1000", size)


async def _shows_whole(hub: Any, number: str, size: tuple[int, int]) -> None:
    app = DisplayApp(hub.url)
    async with app.run_test(size=size) as pilot:
        await wait_for(lambda: shown_number(app) == number, what="the called number")
        big = app.board.query_one("#call-number", BigText)
        await pilot.pause()
        await wait_for(lambda: big.shown_text == number, what="the number painted")
        width, height = big.size
        scale = glyphs.fit_scale(number, width, height, big.max_scale)
        assert scale >= 1, f"{number} does not fit in big glyphs at {size}"
        assert glyphs.size(number, scale)[0] <= width
