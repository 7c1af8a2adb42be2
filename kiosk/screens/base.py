"""What every kiosk screen shares: header, status banner, key hint, number keys, Esc, Enter."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from kiosk.strings import t
from kiosk.widgets.header import KioskHeader, StatusBanner
from kiosk.widgets.tile import Tile

if TYPE_CHECKING:
    from kiosk.app import KioskApp

from textual.screen import Screen


class KioskScreen(Screen[None]):
    """A full kiosk screen; subclasses compose the body and refresh it in `sync_body`."""

    AUTO_FOCUS = None  # focus_primary decides

    BINDINGS = [
        Binding("escape", "back", show=False),
        Binding("enter", "primary", show=False),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._texts: dict[str, str] = {}

    def put(self, selector: str, text: str) -> None:
        """Show plain text (never markup: catalogue names may hold brackets) in a Static.

        Unchanged text is skipped, so a redraw costs no layout.
        """
        if self._texts.get(selector) == text:
            return
        self._texts[selector] = text
        self.query_one(selector, Static).update(Content(text))

    @property
    def kiosk(self) -> KioskApp:
        """The app, typed."""
        return cast("KioskApp", self.app)

    @property
    def lang(self) -> str:
        return self.kiosk.lang

    def compose(self) -> ComposeResult:
        yield KioskHeader(self.kiosk.now)
        yield StatusBanner(id="banner")
        with Vertical(id="body"):
            yield from self.compose_body()
        yield Static(id="keys-hint")

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def compose_nav(self, *, back: bool = True) -> ComposeResult:
        """A bottom bar with Back and Home buttons."""
        with Horizontal(id="nav"):
            if back:
                yield Button(t("back", self.lang), id="nav-back", action="screen.back")
            yield Button(t("home", self.lang), id="nav-home", action="app.go_home")

    def on_mount(self) -> None:
        self.kiosk.note_activity()  # the idle countdown starts once the screen is there
        self.sync()
        self.focus_primary()

    def on_screen_resume(self) -> None:
        self.sync()

    def sync(self) -> None:
        """Redraw everything from the app's state and language."""
        if not self.is_mounted:
            return
        lang = self.lang
        header = self.query_one(KioskHeader)
        header.hall_name = self.kiosk.state.hall_name(lang)
        header.lang = lang
        self.query_one(StatusBanner).message = self.kiosk.banner_text()
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
        self.kiosk.go_back()
