"""Big touch targets: a numbered `Tile` and a `TileGrid` that arrow keys move around."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Grid
from textual.content import Content
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from kiosk.widgets import bigcjk
from kiosk.widgets.text import care_big


class Tile(Widget, can_focus=True):
    """A large, numbered choice: a tap, Enter or its number key chooses it."""

    BINDINGS = [
        Binding("enter", "choose", show=False),
        Binding("space", "choose", show=False),
    ]

    # (title, lines) as last shown; an unchanged text is no change: no redraw, no layout
    shown: reactive[tuple[str, tuple[str, ...]] | None] = reactive(None)

    class Chosen(Message):
        """A tile was chosen (tapped, Enter, or its number key)."""

        def __init__(self, tile: Tile) -> None:
            super().__init__()
            self.tile = tile

        @property
        def control(self) -> Tile:
            return self.tile

        @property
        def key(self) -> str:
            return self.tile.key

    def __init__(
        self,
        key: str,
        index: int | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.key = key
        self.index = index

    @property
    def available(self) -> bool:
        """False while the choice cannot be made (e.g. issuing is paused); it keeps its focus."""
        return not self.disabled and not self.has_class("-unavailable")

    @available.setter
    def available(self, value: bool) -> None:
        self.set_class(not value, "-unavailable")

    def show(self, title: str, *lines: str) -> None:
        """Set the tile's text: its number, a bold title, then smaller lines."""
        self.shown = (title, lines)

    def _care_lines(self, width: int) -> list[Content] | None:
        """In the care mode: the number, title and lines all in big glyphs (None: no font)."""
        if self.shown is None or self.has_class("action") or not care_big(self):
            return None  # an action tile (取号, 完成) keeps one line, in a taller tile
        title, lines = self.shown
        head = f"{self.index} {title}" if self.index is not None else title
        big = bigcjk.lines("\n".join((head, *lines)), max(width, 16))
        if big is None:
            return None
        return [Content(row) for row in big]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        care = self._care_lines(width)
        if care is not None:
            return len(care)
        return super().get_content_height(container, viewport, width)

    def render(self) -> Content:
        """Number and title (wrapped, cut with … when too long), then the lines, always shown.

        A long department name must never push the waiting count out of the tile.
        """
        if self.shown is None:
            return Content("")
        care = self._care_lines(self.content_size.width)
        if care is not None:
            return Content("\n").join(care)
        title, lines = self.shown
        width = max(self.content_size.width, 8)
        height = max(self.content_size.height, 2)
        head: list[str | Content | tuple[str, str]] = []
        if self.index is not None:
            head += [(f" {self.index} ", "reverse bold"), "  "]
        head.append((title, "bold"))
        title_lines = Content.assemble(*head).wrap(width)
        below = [line for text in lines for line in Content(text).wrap(width)]
        room = max(1, height - len(below))
        if len(title_lines) > room:
            title_lines = title_lines[:room]
            last = title_lines[-1]
            title_lines[-1] = last.truncate(width - 1) + "…"
        return Content("\n").join([*title_lines, *below])

    def on_click(self, event: Click) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        """Choose this tile, unless it is unavailable."""
        if self.available:
            self.post_message(self.Chosen(self))


class TileGrid(Grid):
    """A grid of tiles; arrows move the highlight by one tile or one row."""

    BINDINGS = [
        Binding("left", "move(-1)", show=False),
        Binding("right", "move(1)", show=False),
        Binding("up", "move_row(-1)", show=False),
        Binding("down", "move_row(1)", show=False),
    ]

    def __init__(
        self,
        *tiles: Tile,
        columns: int = 3,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(*tiles, id=id, classes=classes)
        self.columns = columns

    def on_mount(self) -> None:
        self.styles.grid_size_columns = self.columns

    @property
    def tiles(self) -> list[Tile]:
        """The tiles in order."""
        return list(self.query_children(Tile))

    def _step(self, delta: int) -> None:
        tiles = self.tiles
        if not tiles:
            return
        focused = self.screen.focused
        i = tiles.index(focused) if focused in tiles else -1
        j = min(max(i + delta, 0), len(tiles) - 1) if i >= 0 else 0
        target = tiles[j]
        if not target.disabled:
            target.focus()

    def action_move(self, delta: int) -> None:
        """Move the highlight to the previous or next tile."""
        self._step(delta)

    def action_move_row(self, delta: int) -> None:
        """Move the highlight one row up or down."""
        self._step(delta * self.columns)
