"""办事指南: required materials, fee, time limit and windows, with "take a ticket", "add another
service" (再办一项: several services on one ticket) and "back"."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button

from kiosk import care
from kiosk.screens.base import KioskScreen, KioskView
from kiosk.screens.department import closed_line, wait_line
from kiosk.strings import t
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile
from shared.i18n import name_of
from shared.protocol import MAX_VISIT_SERVICES


def guide_text(guide: dict[str, Any], field: str, lang: str) -> Any:
    """A guide field in the wanted language, falling back to 中文."""
    if lang == "en" and guide.get(f"{field}_en"):
        return guide[f"{field}_en"]
    return guide.get(field)


# the guide's headings in plain words, in the care mode
CARE_LABELS = {
    "materials": "care_materials",
    "fee": "care_fee",
    "time_limit": "care_time",
    "windows": "care_windows",
    "queue_now": "care_queue",
}


class GuideScreen(KioskScreen):
    """The service guide of one service."""

    class TicketRequested(Message):
        """Take a ticket for the service (the app asks regular or 绿色通道 first)."""

        def __init__(self, service: str) -> None:
            super().__init__()
            self.service = service

    class AddRequested(Message):
        """Keep the service for this visit and choose another one (再办一项)."""

        def __init__(self, service: str) -> None:
            super().__init__()
            self.service = service

    def __init__(self, view: KioskView, service: str) -> None:
        super().__init__(view)
        self.service = service

    def compose_body(self) -> ComposeResult:
        yield PlainText(id="prompt", classes="care-big")
        with VerticalScroll(id="guide"):
            for part in ("materials", "fee", "time_limit", "windows", "queue_now"):
                yield PlainText(classes="guide-label care-big", id=f"label-{part}")
                yield PlainText(classes="guide-text care-big", id=f"text-{part}")
        with Horizontal(id="actions"):
            yield Tile("take", 1, id="take-ticket", classes="primary action")
            yield Tile("add", 2, id="add-another", classes="action")
            yield Button(t("back", self.lang), id="nav-back", action="screen.back")

    def sync_body(self) -> None:
        lang = self.lang
        state = self.view.state
        svc = state.service(self.service)
        if svc is None:
            self.post_message(self.HomeRequested())  # the catalogue changed under us
            return
        guide = svc.get("guide") or {}
        if self.view.care:
            self.put("#prompt", name_of(svc, lang))
        else:
            self.put("#prompt", f"{t('guide', lang)}  ·  {name_of(svc, lang)}")
        materials = list(guide_text(guide, "materials", lang) or ())
        windows = state.window_names(self.service, lang)
        texts = {
            "materials": "\n".join(f"{i}. {m}" for i, m in enumerate(materials, start=1))
            or t("no_materials", lang),
            "fee": guide_text(guide, "fee", lang) or "—",
            "time_limit": guide_text(guide, "time_limit", lang) or "—",
            "windows": ("、" if lang == "zh" else ", ").join(windows) or t("no_windows", lang),
            "queue_now": wait_line(state.estimate(self.service), lang),
        }
        labels = CARE_LABELS if self.view.care else {}
        for part, text in texts.items():
            self.put(f"#label-{part}", t(labels.get(part, part), lang))
            self.put(f"#text-{part}", str(text))
        take = self.query_one("#take-ticket", Tile)
        visit = [c for c in self.view.visit if c != self.service] + [self.service]
        title = t("take_ticket", lang) if len(visit) == 1 else t("take_visit", lang, n=len(visit))
        closed = closed_line(state.issuing(self.service), self.view.now(), lang)
        if closed is not None:
            take.show(title, closed)
        elif self.view.can_issue:
            take.show(title)
        else:
            take.show(title, t("paused_short", lang))
        take.available = self.view.can_issue and closed is None
        add = self.query_one("#add-another", Tile)
        full = len(visit) >= MAX_VISIT_SERVICES
        sub = "add_full" if full else "add_another_sub"
        add.show(t("add_another", lang), t(sub, lang, n=len(visit), max=MAX_VISIT_SERVICES))
        add.available = self.view.can_issue and not full and closed is None
        add.display = not self.view.care  # care mode (关怀模式) keeps to one plain choice

    def care_script(self) -> str:
        return care.guide(self.view.state, self.service, self.lang)

    @on(Tile.Chosen, "#take-ticket")
    def take_chosen(self) -> None:
        self.post_message(self.TicketRequested(self.service))

    @on(Tile.Chosen, "#add-another")
    def add_chosen(self) -> None:
        self.post_message(self.AddRequested(self.service))
