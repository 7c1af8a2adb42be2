"""Home: the hall's departments as big tiles with their live waiting counts."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from kiosk.screens.base import KioskScreen
from kiosk.strings import t
from kiosk.widgets.tile import Tile, TileGrid
from shared.i18n import name_of


class HomeScreen(KioskScreen):
    """The first screen: choose a department."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="prompt")
        departments = self.kiosk.state.departments
        tiles = [
            Tile(d["code"], i if i <= 9 else None, id=f"dept-{d['code']}", classes="department")
            for i, d in enumerate(departments, start=1)
        ]
        yield TileGrid(*tiles, columns=4 if len(tiles) > 9 else 3, id="departments")
        yield Static(id="empty")

    def sync_body(self) -> None:
        lang = self.lang
        state = self.kiosk.state
        codes = [d["code"] for d in state.departments]
        shown = [tile.key for tile in self.query(Tile)]
        if codes != shown:
            # A fresh welcome changed the catalogue: rebuild the grid.
            self.rebuild_grid()
            return
        self.put("#prompt", t("welcome", lang))
        self.put("#empty", "" if codes else t("no_departments", lang))
        for tile in self.query(Tile):
            dept = state.department(tile.key) or {}
            tile.show(
                name_of(dept, lang),
                f"{t('waiting_n', lang, n=state.waiting_in(tile.key))}  ·  "
                f"{t('services_n', lang, n=len(state.services_of(tile.key)))}",
            )

    def rebuild_grid(self) -> None:
        """Replace the department tiles after the catalogue changed."""
        grid = self.query_one(TileGrid)
        departments = self.kiosk.state.departments
        grid.columns = 4 if len(departments) > 9 else 3
        grid.styles.grid_size_columns = grid.columns
        grid.remove_children()
        grid.mount_all(
            Tile(d["code"], i if i <= 9 else None, id=f"dept-{d['code']}", classes="department")
            for i, d in enumerate(departments, start=1)
        )
        self.call_after_refresh(self._rebuilt)

    def _rebuilt(self) -> None:
        self.sync()
        if not isinstance(self.focused, Tile):
            self.focus_primary()

    def action_back(self) -> None:
        """Esc on home does nothing: there is nowhere to go back to."""

    @on(Tile.Chosen, ".department")
    def department_chosen(self, event: Tile.Chosen) -> None:
        self.kiosk.open_department(event.key)
