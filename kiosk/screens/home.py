"""Home: the hall's departments as big tiles with their live waiting counts, then the bundles
(一件事一次办: several services, one ticket)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.message import Message

from kiosk import care
from kiosk.screens.base import KioskScreen, KioskView
from kiosk.strings import t
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile, TileGrid
from shared.i18n import name_of


class HomeScreen(KioskScreen):
    """The first screen: choose a department."""

    class CheckInRequested(Message):
        """预约签到: a booked citizen checks in."""

    class DepartmentRequested(Message):
        """Show a department's services."""

        def __init__(self, department: str) -> None:
            super().__init__()
            self.department = department

    class BundleRequested(Message):
        """Show a bundle's steps."""

        def __init__(self, bundle: str) -> None:
            super().__init__()
            self.bundle = bundle

    def __init__(self, view: KioskView) -> None:
        super().__init__(view)
        self._rebuilding = False

    def _tiles(self) -> list[Tile]:
        state = self.view.state
        departments = state.offered_departments
        tiles = [
            Tile(d["code"], i if i <= 9 else None, id=f"dept-{d['code']}", classes="department")
            for i, d in enumerate(departments, start=1)
        ]
        # after the departments, so their number keys stay
        return tiles + [
            Tile(b["code"], i if i <= 9 else None, id=f"bundle-{b['code']}", classes="bundle")
            for i, b in enumerate(state.bundles, start=len(departments) + 1)
        ]

    def _keys(self) -> list[str]:
        state = self.view.state
        return [d["code"] for d in state.offered_departments] + [b["code"] for b in state.bundles]

    def compose_body(self) -> ComposeResult:
        yield PlainText(id="prompt", classes="care-big")
        tiles = self._tiles()
        yield TileGrid(*tiles, columns=4 if len(tiles) > 9 else 3, id="departments")
        yield PlainText(id="empty")
        # 预约签到: shown when some service of the hall takes bookings
        yield TileGrid(
            Tile("checkin", None, id="checkin", classes="checkin"), columns=1, id="checkin-row"
        )

    def sync_body(self) -> None:
        lang = self.lang
        state = self.view.state
        codes = self._keys()
        shown = [tile.key for tile in self.query("#departments Tile").results(Tile)]
        if codes != shown:
            # A fresh welcome changed the catalogue: rebuild the grid (once).
            if not self._rebuilding:
                self._rebuilding = True
                self.call_later(self.rebuild_grid)
            return
        prompt = t("care_home" if self.view.care else "welcome", lang)
        if self.view.visit:  # 再办一项: the services chosen so far
            sep = "、" if lang == "zh" else ", "
            names = sep.join(
                name_of(state.service(c) or {"name": c}, lang) for c in self.view.visit
            )
            prompt = t("chosen_so_far", lang, names=names)
        self.put("#prompt", prompt)
        self.put("#empty", "" if codes else t("no_departments", lang))
        for tile in self.query(".bundle").results(Tile):
            bundle = state.bundle(tile.key) or {}
            n = sum(len(step) for step in bundle.get("steps") or ())
            tile.show(name_of(bundle, lang), t("bundle_tile", lang, n=n))
        bookable = any(svc.get("booking") for svc in state.services)
        self.query_one("#checkin-row").set_class(not bookable, "-none")  # CSS hides it
        self.query_one("#checkin", Tile).show(t("checkin_tile", lang), t("checkin_tile_sub", lang))
        for tile in self.query(".department").results(Tile):
            dept = state.department(tile.key) or {}
            # The name and the waiting count; the services are one tap away.
            tile.show(name_of(dept, lang), t("waiting_n", lang, n=state.waiting_in(tile.key)))

    def care_script(self) -> str:
        return care.home(self.view.state, self.lang)

    async def rebuild_grid(self) -> None:
        """Replace the department tiles after the catalogue changed."""
        try:
            grid = self.query_one("#departments", TileGrid)
            await grid.remove_children()  # before mounting tiles with the same ids
            departments = self.view.state.offered_departments
            grid.columns = 4 if len(departments) > 9 else 3
            grid.styles.grid_size_columns = grid.columns
            await grid.mount_all(self._tiles())
        finally:
            self._rebuilding = False
        self.sync()
        if not isinstance(self.focused, Tile):
            self.focus_primary()

    def action_back(self) -> None:
        """Esc on home does nothing: there is nowhere to go back to."""

    @on(Tile.Chosen, ".checkin")
    def checkin_chosen(self) -> None:
        self.post_message(self.CheckInRequested())

    @on(Tile.Chosen, ".department")
    def department_chosen(self, event: Tile.Chosen) -> None:
        self.post_message(self.DepartmentRequested(event.key))

    @on(Tile.Chosen, ".bundle")
    def bundle_chosen(self, event: Tile.Chosen) -> None:
        self.post_message(self.BundleRequested(event.key))
