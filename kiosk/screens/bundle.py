"""一件事一次办: a bundle's steps (parallel ones marked, the fee step last), then one ticket."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button

from kiosk.screens.base import KioskScreen, KioskView
from kiosk.strings import t
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile
from shared.i18n import name_of


class BundleScreen(KioskScreen):
    """The steps of one bundle, with "take a ticket" and "back"."""

    class TicketRequested(Message):
        """Take one ticket for the bundle (the app asks regular or 绿色通道 first)."""

        def __init__(self, bundle: str) -> None:
            super().__init__()
            self.bundle = bundle

    def __init__(self, view: KioskView, bundle: str) -> None:
        super().__init__(view)
        self.bundle = bundle

    def compose_body(self) -> ComposeResult:
        yield PlainText(id="prompt")
        with VerticalScroll(id="guide"):
            yield PlainText(classes="guide-label", id="label-steps")
            yield PlainText(classes="guide-text", id="text-steps")
        with Horizontal(id="actions"):
            yield Tile("take", 1, id="take-ticket", classes="primary action")
            yield Button(t("back", self.lang), id="nav-back", action="screen.back")

    def sync_body(self) -> None:
        lang = self.lang
        state = self.view.state
        bundle = state.bundle(self.bundle)
        if bundle is None:
            self.post_message(self.HomeRequested())  # the catalogue changed under us
            return
        self.put("#prompt", f"{t('bundle_prompt', lang)}  ·  {name_of(bundle, lang)}")
        sep = "、" if lang == "zh" else ", "
        lines = []
        services: list[str] = []
        for n, step in enumerate(bundle.get("steps") or (), start=1):
            names = []
            for code in step:
                services.append(code)
                windows = sep.join(state.window_names(code, lang)) or t("no_windows", lang)
                names.append(f"{name_of(state.service(code) or {'name': code}, lang)} ({windows})")
            line = f"{n}. " + (" + ".join(names))
            if len(step) > 1:
                line += f"  [{t('parallel', lang)}]"
            lines.append(line)
        fee = state.fee_of(services)
        if fee and state.fee_service:
            windows = sep.join(state.window_names(state.fee_service, lang))
            lines.append(t("fee_step", lang, total=f"{fee:g}", windows=windows))
        self.put("#label-steps", t("bundle_steps", lang))
        self.put("#text-steps", "\n".join(lines))
        take = self.query_one("#take-ticket", Tile)
        take.show(t("take_visit", lang, n=len(services)))
        take.available = self.view.can_issue

    @on(Tile.Chosen, "#take-ticket")
    def take_chosen(self) -> None:
        self.post_message(self.TicketRequested(self.bundle))
