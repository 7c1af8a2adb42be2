"""A department's services, each with its waiting count and estimated wait."""

from __future__ import annotations

from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.message import Message

from kiosk import care
from kiosk.screens.base import KioskScreen, KioskView
from kiosk.strings import t
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile, TileGrid
from shared.i18n import name_of
from shared.protocol import ISSUING_OPEN


def wait_line(estimate: tuple[int, int | None], lang: str) -> str:
    """What a new ticket would be told: "前面 3 人 · 约 12 分钟" / "3 ahead · about 12 min".

    "无需等候" when it would be called now; the no-window text when no open window serves it.
    """
    ahead, eta_min = estimate
    if eta_min is None:
        return f"{t('ahead_short', lang, n=ahead)} · {t('no_window', lang)}"
    if ahead == 0 and eta_min == 0:
        return t("no_wait", lang)
    return f"{t('ahead_short', lang, n=ahead)} · {t('eta_about', lang, m=eta_min)}"


def closed_line(issuing: tuple[str, datetime | None], now: datetime, lang: str) -> str | None:
    """ "已停止取号 · 明天 08:30 起可取号"-like words for a service that does not issue now,
    None when it does."""
    state, next_open = issuing
    if state == ISSUING_OPEN:
        return None
    words = t(f"issuing_{state}", lang)
    if next_open is None:
        return words
    local = next_open.astimezone(now.tzinfo) if now.tzinfo else next_open
    at = f"{local:%H:%M}" if local.date() == now.date() else f"{local:%m-%d %H:%M}"
    return f"{words} · {t('opens_at', lang, at=at)}"


class DepartmentScreen(KioskScreen):
    """Choose one of a department's services."""

    class GuideRequested(Message):
        """Show a service's guide."""

        def __init__(self, service: str) -> None:
            super().__init__()
            self.service = service

    def __init__(self, view: KioskView, department: str) -> None:
        super().__init__(view)
        self.department = department

    def compose_body(self) -> ComposeResult:
        yield PlainText(id="prompt", classes="care-big")
        services = self.view.state.services_of(self.department)
        yield TileGrid(
            *(
                Tile(s["code"], i if i <= 9 else None, id=f"svc-{s['code']}", classes="service")
                for i, s in enumerate(services, start=1)
            ),
            columns=2,
            id="services",
        )
        yield from self.compose_nav()

    def sync_body(self) -> None:
        lang = self.lang
        state = self.view.state
        dept = state.department(self.department)
        codes = [s["code"] for s in state.services_of(self.department)]
        if dept is None or codes != [tile.key for tile in self.query(Tile)]:
            self.post_message(self.HomeRequested())  # the catalogue changed under us
            return
        if self.view.care:  # plain and short: the department; each tile only its service
            self.put("#prompt", name_of(dept, lang))  # "请选您要办的事" is said aloud
            for tile in self.query(Tile):
                tile.show(name_of(state.service(tile.key) or {}, lang))
            return
        self.put("#prompt", f"{name_of(dept, lang)}  ·  {t('choose_service', lang)}")
        for tile in self.query(Tile):
            svc = state.service(tile.key) or {}
            closed = closed_line(state.issuing(tile.key), self.view.now(), lang)
            tile.show(name_of(svc, lang), closed or wait_line(state.estimate(tile.key), lang))
            tile.available = closed is None  # greyed: a tap never leads to a refusal

    def care_script(self) -> str:
        return care.department(self.view.state, self.department, self.lang)

    @on(Tile.Chosen, ".service")
    def service_chosen(self, event: Tile.Chosen) -> None:
        self.post_message(self.GuideRequested(event.key))
