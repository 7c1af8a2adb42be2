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
    care: bool = False  # 关怀模式 / 长辈版: big text, plain words, read aloud
    visit: tuple[str, ...] = ()  # services chosen so far for one visit (再办一项), in order

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
        Binding("0", "care", show=False),
        Binding("f2", "care", show=False),
        Binding("plus", "repeat", show=False),
        Binding("f3", "repeat", show=False),
    ]

    class Shown(Message):
        """The screen is up: the idle countdown starts now."""

    class BackRequested(Message):
        """One screen back (Esc, Back)."""

    class HomeRequested(Message):
        """Back to the departments (Home, Done, or a catalogue change left the screen stale)."""

    class CareToggled(Message):
        """The citizen switched the care mode (关怀模式) on or off."""

    class RepeatRequested(Message):
        """Read this screen aloud again (再听一遍)."""

    def __init__(self, view: KioskView) -> None:
        super().__init__()
        self.view = view
        self._care_shown: bool | None = None  # the care mode the widgets were last laid out in

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
        self.post_message(self.Shown())  # back on this screen: read it again in care mode

    def sync(self, view: KioskView | None = None) -> None:
        """Redraw everything from `view` (the app passes a new one down) or the last one."""
        if view is not None:
            self.view = view
        headers = self.query(KioskHeader)
        if not self.is_mounted or not headers or not self.query(StatusBanner):
            return  # not composed yet (on_mount syncs) or being torn down at exit
        lang = self.lang
        header = headers.first()
        header.hall_name = self.view.state.hall_name(lang)
        header.lang = lang
        self.query_one(StatusBanner).message = self.view.banner
        care = self.view.care
        self.put("#keys-hint", t("care_keys" if care else "keys_hint", lang))
        self.query_one("#care-toggle", Button).label = t("care_off" if care else "care_on", lang)
        self.query_one("#care-repeat", Button).label = t("care_repeat", lang)
        self.query_one("#care-repeat", Button).display = care
        if care != self._care_shown:
            self._care_shown = care
            self.set_class(care, "-care")
            for widget in self.query(".care-big, Tile"):
                widget.refresh(layout=True)
        for button_id, key in (("#nav-back", "back"), ("#nav-home", "home")):
            for button in self.query(button_id).results(Button):
                button.label = t(key, lang)
        self.sync_body()

    def sync_body(self) -> None:
        """Redraw the screen's own widgets."""

    def care_script(self) -> str:
        """What the care mode reads aloud on this screen ("" for nothing)."""
        return ""

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
            tile.focus(scroll_visible=self.view.care)  # big tiles: bring it into view

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

    def action_care(self) -> None:
        """0, F2 or the care button: the care mode on or off."""
        self.post_message(self.CareToggled())

    def action_repeat(self) -> None:
        """+, F3 or 再听一遍: read this screen aloud again (care mode)."""
        if self.view.care:
            self.post_message(self.RepeatRequested())

    def action_home(self) -> None:
        """Home: back to the departments."""
        self.post_message(self.HomeRequested())
