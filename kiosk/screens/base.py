"""What every kiosk screen shares: header, status banner, key hint, number keys, Esc, Enter.

Data flows down: the app hands every screen a `KioskView` (its state, clock,
language and connection) and calls `sync(view)` when any of it changed; the
screen redraws from the last view it was given. Requests flow up: a screen
posts a `...Requested` message and the app decides (navigation, issuing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button

from kiosk.state import KioskState
from kiosk.strings import t
from kiosk.widgets.header import KioskHeader, StatusBanner
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile


@dataclass(frozen=True)
class KioskView:
    """What the app passes down to its screens (screens only read it)."""

    state: KioskState  # the app's picture of the hall, kept fresh by the app
    now: Callable[[], datetime]  # the hall's clock (frozen in snapshot tests)
    lang: str = "zh"
    online: bool = False  # connected to the hub and welcomed
    fatal: str = ""  # error code that stopped the hub client for good

    @property
    def can_issue(self) -> bool:
        """True when a tap can make a ticket (the hub is there and accepts this kiosk)."""
        return self.online and not self.fatal

    @property
    def banner(self) -> str:
        """The sentence across every screen, or "" when all is well."""
        if self.fatal:
            return t("unauthorised", self.lang)
        if not self.online:
            return t("offline", self.lang)
        return ""


class KioskScreen(Screen[None]):
    """A full kiosk screen; subclasses compose the body and redraw it in `sync_body`."""

    AUTO_FOCUS = None  # focus_primary decides

    BINDINGS = [
        Binding("escape", "back", show=False),
        Binding("enter", "primary", show=False),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
    ]

    class Shown(Message):
        """The screen is up: the idle countdown starts now."""

    class BackRequested(Message):
        """One screen back (Esc, Back)."""

    class HomeRequested(Message):
        """Back to the departments (Home, Done, or a catalogue change left the screen stale)."""

    def __init__(self, view: KioskView) -> None:
        super().__init__()
        self.view = view

    @property
    def lang(self) -> str:
        return self.view.lang

    def put(self, selector: str, text: str) -> None:
        """Show plain text in a `PlainText` (redrawn only when the text changed)."""
        self.query_one(selector, PlainText).text = text

    def compose(self) -> ComposeResult:
        yield KioskHeader(self.view.now)
        yield StatusBanner(id="banner")
        with Vertical(id="body"):
            yield from self.compose_body()
        yield PlainText(id="keys-hint")

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def compose_nav(self, *, back: bool = True) -> ComposeResult:
        """A bottom bar with Back and Home buttons."""
        with Horizontal(id="nav"):
            if back:
                yield Button(t("back", self.lang), id="nav-back", action="screen.back")
            yield Button(t("home", self.lang), id="nav-home", action="screen.home")

    def on_mount(self) -> None:
        self.post_message(self.Shown())
        self.sync()
        self.focus_primary()

    def on_screen_resume(self) -> None:
        self.sync()

    def sync(self, view: KioskView | None = None) -> None:
        """Redraw everything from `view` (the app passes a new one down) or the last one."""
        if view is not None:
            self.view = view
        if not self.is_mounted or not self.query(KioskHeader):
            return  # not composed yet: on_mount syncs
        lang = self.lang
        header = self.query_one(KioskHeader)
        header.hall_name = self.view.state.hall_name(lang)
        header.lang = lang
        self.query_one(StatusBanner).message = self.view.banner
        self.put("#keys-hint", t("keys_hint", lang))
        for button_id, key in (("#nav-back", "back"), ("#nav-home", "home")):
            for button in self.query(button_id).results(Button):
                button.label = t(key, lang)
        self.sync_body()

    def sync_body(self) -> None:
        """Redraw the screen's own widgets."""

    # ------------------------------------------------------------------ keys

    def numbered_tiles(self) -> dict[int, Tile]:
        """The tiles that number keys choose, by number."""
        return {tile.index: tile for tile in self.query(Tile) if tile.index is not None}

    def primary_tile(self) -> Tile | None:
        """The tile Enter chooses when nothing is highlighted (the first, unless marked)."""
        marked = self.query(".primary").results(Tile)
        for tile in marked:
            return tile
        tiles = self.numbered_tiles()
        return tiles[min(tiles)] if tiles else None

    def focus_primary(self) -> None:
        """Highlight the primary tile, so Enter takes the primary action."""
        tile = self.primary_tile()
        if tile is not None and not tile.disabled:
            tile.focus(scroll_visible=False)

    def action_pick(self, n: int) -> None:
        """Choose the n-th tile on the screen."""
        tile = self.numbered_tiles().get(n)
        if tile is not None and tile.available:
            tile.focus()
            tile.action_choose()

    def action_primary(self) -> None:
        """Enter with nothing highlighted: the primary action."""
        tile = self.primary_tile()
        if tile is not None:
            tile.action_choose()

    def action_back(self) -> None:
        """Esc: one screen back (home stays home)."""
        self.post_message(self.BackRequested())

    def action_home(self) -> None:
        """Home: back to the departments."""
        self.post_message(self.HomeRequested())
