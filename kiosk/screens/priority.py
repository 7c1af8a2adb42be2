"""Regular ticket or 绿色通道: two equal, plainly worded choices; regular is the default."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive

from kiosk import care
from kiosk.screens.base import KioskScreen, KioskView
from kiosk.strings import error_reason, t
from kiosk.widgets.text import PlainText
from kiosk.widgets.tile import Tile, TileGrid
from shared.i18n import name_of


class PriorityScreen(KioskScreen):
    """Choose how to queue; choosing asks the app to issue the ticket.

    The app answers with `issue_done()` (the ticket screen then covers this
    one) or `issue_failed(code)`; until then the choices are disabled, so one
    tap makes at most one ticket.
    """

    SLOW_S = 0.15  # say "issuing…" only when the hub takes longer than this
    issuing: reactive[bool] = reactive(False)
    error: reactive[str] = reactive("")  # an error code of the last attempt
    error_message = ""  # and the hub's words for it

    class IssueRequested(Message):
        """Issue a ticket for `service` (`priority`: 绿色通道) for this screen; for a visit of
        several services, `services` (in order) or a `bundle`."""

        def __init__(
            self,
            screen: PriorityScreen,
            service: str,
            priority: bool,
            services: tuple[str, ...] = (),
            bundle: str | None = None,
        ) -> None:
            super().__init__()
            self.screen = screen
            self.service = service
            self.priority = priority
            self.services = services
            self.bundle = bundle

    def __init__(
        self,
        view: KioskView,
        service: str,
        *,
        services: tuple[str, ...] = (),
        bundle: str | None = None,
    ) -> None:
        super().__init__(view)
        self.service = service  # the first service (of a visit)
        self.services = services  # a visit of several services chosen one by one
        self.bundle = bundle

    def compose_body(self) -> ComposeResult:
        yield PlainText(id="prompt", classes="care-big")
        yield TileGrid(
            Tile("normal", 1, id="choose-normal", classes="primary choice"),
            Tile("priority", 2, id="choose-priority", classes="choice"),
            columns=2,
            id="choices",
        )
        yield PlainText(id="priority-note")
        yield PlainText(id="issue-status", classes="care-big")
        yield from self.compose_nav()

    def sync_body(self) -> None:
        lang = self.lang
        state = self.view.state
        svc = state.service(self.service)
        bundle = state.bundle(self.bundle) if self.bundle else None
        if (svc is None and bundle is None) or (self.bundle and bundle is None):
            self.post_message(self.HomeRequested())  # the catalogue changed under us
            return
        if bundle is not None:
            what = name_of(bundle, lang)
        elif len(self.services) > 1:
            sep = "、" if lang == "zh" else ", "
            names = sep.join(name_of(state.service(c) or {"name": c}, lang) for c in self.services)
            what = t("visit_prompt", lang, n=len(self.services), names=names)
        else:
            what = name_of(svc or {}, lang)
        if self.view.care:
            self.put("#prompt", t("care_how", lang))
        else:
            self.put("#prompt", f"{what}  ·  {t('how_queue', lang)}")
        self._order(self.view.care)
        normal = self.query_one("#choose-normal", Tile)
        green = self.query_one("#choose-priority", Tile)
        if self.view.care:  # plain and short: the rest is said aloud
            normal.show(t("care_regular", lang))
            green.show(t("care_priority", lang), t("care_priority_sub", lang))
        else:
            normal.show(t("regular", lang), t("regular_sub", lang))
            green.show(t("priority", lang), t("priority_sub", lang))
        self.put("#priority-note", t("priority_note", lang))
        self.query_one("#priority-note").display = not self.view.care
        enabled = self.view.can_issue and not self.issuing
        for tile in self.query(".choice").results(Tile):
            tile.available = enabled
        if self.issuing:
            self.put("#issue-status", t("issuing" if self.view.online else "issuing_offline", lang))
        elif self.error:
            self.put(
                "#issue-status",
                t("issue_failed", lang, reason=error_reason(self.error, self.error_message, lang)),
            )
        else:
            self.put("#issue-status", "")
        status = self.query_one("#issue-status", PlainText)
        status.set_class(bool(self.error) and not self.issuing, "error")

    def _order(self, care: bool) -> None:
        """绿色通道 first (key 1, the default) in the care mode; regular first otherwise."""
        normal = self.query_one("#choose-normal", Tile)
        green = self.query_one("#choose-priority", Tile)
        first, second = (green, normal) if care else (normal, green)
        if first.index == 1:
            return
        first.index, second.index = 1, 2
        first.add_class("primary")
        second.remove_class("primary")
        self.query_one(TileGrid).move_child(first, before=second)
        first.refresh(layout=True)
        second.refresh(layout=True)
        if isinstance(self.focused, Tile) or self.focused is None:
            first.focus(scroll_visible=False)

    def focus_primary(self) -> None:
        """The first choice (绿色通道 in the care mode) takes the highlight: Enter chooses it."""
        if self.is_mounted or self.query(Tile):
            self._order(self.view.care)
        super().focus_primary()

    def care_script(self) -> str:
        return care.priority(self.view.state, self.service, self.lang)

    def watch_issuing(self) -> None:
        self.sync()

    def watch_error(self) -> None:
        self.sync()

    @on(Tile.Chosen, ".choice")
    def choice_made(self, event: Tile.Chosen) -> None:
        if self.issuing or not self.view.can_issue:
            return  # one ticket per tap: a second tap while issuing does nothing
        # Flags only, no redraw: the usual answer comes before a redraw would be
        # seen, and drawing "issuing…" would only delay the ticket.
        self.set_reactive(PriorityScreen.error, "")
        self.set_reactive(PriorityScreen.issuing, True)
        self.set_timer(self.SLOW_S, self._slow_answer)
        self.post_message(
            self.IssueRequested(
                self, self.service, event.key == "priority", self.services, self.bundle
            )
        )

    def _slow_answer(self) -> None:
        if self.issuing:
            self.sync()  # now say "issuing, please wait…"

    def issue_done(self) -> None:
        """The ticket is issued; no redraw (the ticket covers this screen, fresh again on resume)."""
        self.set_reactive(PriorityScreen.issuing, False)

    def issue_failed(self, code: str, message: str = "") -> None:
        """The ticket could not be issued: say why (the hub's words); the citizen may tap again."""
        self.issuing = False
        self.error_message = message
        self.error = code
