"""Requests flow up, data flows down: the main screen only posts messages, the app carries them out.

No hub: window 13's welcome from the real engine (support.scenes), and an app that records what the screen asked for.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from support.scenes import COUNTER_NOW as NOW
from support.scenes import COUNTER_WINDOW, counter_welcome
from textual import on

from counter.app import CounterApp
from counter.screens.main import MainScreen
from counter.screens.reason import ReasonDialog
from counter.strings import t

SIZE = (120, 36)
COUNTER = Path(__file__).resolve().parents[2] / "counter"


class RecordingApp(CounterApp):
    """A counter that notes every request of the main screen (the app's own handlers run too)."""

    CSS_PATH = str(COUNTER / "counter.tcss")

    def __init__(self, current: str | None) -> None:
        super().__init__(
            COUNTER_WINDOW,
            staff="c013",
            lang="en",
            welcome=counter_welcome(current),
            now=lambda: NOW,
        )
        self.requests: list[tuple[str, dict[str, Any], Any]] = []

    @on(MainScreen.ActionRequested)
    def _record(self, request: MainScreen.ActionRequested) -> None:
        self.requests.append((request.command, request.args, request.line))

    @on(MainScreen.LogoutRequested)
    def _record_logout(self) -> None:
        self.requests.append(("logout", {}, None))


async def test_keys_post_requests_with_args_and_log_line() -> None:
    app = RecordingApp("called")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2", "f3")
        await pilot.pause()
        assert app.requests == [
            ("recall", {}, t("l_recall", "en", number="D001")),
            ("start", {}, t("l_start", "en", number="D001")),
        ]


async def test_dialogs_answer_with_dismiss_and_the_screen_posts_the_request() -> None:
    app = RecordingApp(None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        (command, args, line), *_ = app.requests
        assert (command, args) == ("pause", {"reason": "午休"})
        assert line == t("l_pause", "en", reason="lunch")
        await pilot.press("f10")
        await pilot.pause()
        assert app.requests[-1][0] == "logout"


def test_screens_and_widgets_never_reach_into_the_app() -> None:
    for path in [*(COUNTER / "screens").glob("*.py"), *(COUNTER / "widgets").glob("*.py")]:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert "counter.app" not in modules and "TYPE_CHECKING" not in source, path.name
        assert "self.app" not in source, path.name  # requests go up as messages
