"""The transfer dialog (首问责任制, 内转外不转): department → service → optional window, reason."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from counter.model import CounterState
from counter.strings import t
from shared.i18n import name_of
from shared.labels import window_state_label
from shared.protocol import W_CLOSED, W_OPEN

ANY = "__any__"


class TransferDialog(ModalScreen[dict[str, Any] | None]):
    """Dismisses with the `transfer` arguments ({service, window?, reason}) or None."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, state: CounterState, lang: str, number: str) -> None:
        super().__init__(classes="dialog-screen")
        self.state = state
        self.lang = lang
        self.number = number

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(classes="dialog", id="transfer-dialog"):
            yield Label(t("transfer_title", lang, number=self.number), classes="dialog-title")
            yield Static(t("keeps_number", lang, number=self.number), classes="hint")
            with Horizontal(id="transfer-lists"):
                with Vertical():
                    yield Label(t("department", lang), classes="list-title")
                    yield OptionList(
                        *(Option(name_of(d, lang), id=d["code"]) for d in self.state.departments),
                        id="departments",
                    )
                with Vertical():
                    yield Label(t("service", lang), classes="list-title")
                    yield OptionList(id="services")
                with Vertical():
                    yield Label(t("target_window", lang), classes="list-title")
                    yield OptionList(id="windows")
            yield Static("", id="transfer-info")
            yield Input(placeholder=t("reason", lang), id="reason", max_length=200)
            yield Static("", id="transfer-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ok", lang), id="ok", variant="primary")
                yield Button(t("cancel", lang), id="cancel")

    def on_mount(self) -> None:
        departments = self.query_one("#departments", OptionList)
        if departments.option_count:
            departments.highlighted = 0
        departments.focus()

    # ------------------------------------------------------------ choices

    @property
    def service(self) -> str | None:
        option = self.query_one("#services", OptionList).highlighted_option
        return option.id if option else None

    @property
    def window(self) -> int | None:
        option = self.query_one("#windows", OptionList).highlighted_option
        return int(option.id) if option and option.id and option.id != ANY else None

    @on(OptionList.OptionHighlighted, "#departments")
    def _department_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        services = self.query_one("#services", OptionList)
        services.set_options(
            Option(name_of(s, self.lang), id=s["code"])
            for s in self.state.services_of(event.option.id or "")
        )
        if services.option_count:
            services.highlighted = 0
        else:
            self._show_windows(None)

    @on(OptionList.OptionHighlighted, "#services")
    def _service_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_windows(event.option.id)

    def _show_windows(self, service: str | None) -> None:
        lang = self.lang
        windows = self.query_one("#windows", OptionList)
        info = self.query_one("#transfer-info", Static)
        if service is None:
            windows.clear_options()
            info.update("")
            return
        serving = sorted(
            (w for w in self.state.windows_serving(service) if w["number"] != self.state.window_no),
            key=lambda w: w["number"],  # by number, as the hall numbers them
        )
        options = [Option(t("any_window", lang), id=ANY)]
        for w in serving:
            wstate = str(w.get("state") or W_CLOSED)
            label = f"{name_of(w, lang)} · {window_state_label(wstate, lang)}"
            options.append(Option(label, id=str(w["number"]), disabled=wstate == W_CLOSED))
        windows.set_options(options)
        windows.highlighted = 0
        open_names = [name_of(w, lang) for w in serving if w.get("state") == W_OPEN]
        sep = "、" if lang != "en" else ", "
        info.update(
            t(
                "transfer_info",
                lang,
                open=sep.join(open_names) or t("none_open", lang),
                waiting=self.state.waiting_for(service),
            )
        )

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        # Enter in a list goes on to the next field
        event.stop()
        order = ["departments", "services", "windows"]
        ident = event.option_list.id or ""
        if ident in order and ident != "windows":
            self.query_one(f"#{order[order.index(ident) + 1]}", OptionList).focus()
        else:
            self.query_one("#reason", Input).focus()

    # ------------------------------------------------------------ result

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#ok")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        error = self.query_one("#transfer-error", Static)
        service = self.service
        reason = self.query_one("#reason", Input).value.strip()
        if service is None:
            error.update(t("choose_service", self.lang))
            return
        if not reason:
            error.update(t("reason_required", self.lang))
            self.query_one("#reason", Input).focus()
            return
        args: dict[str, Any] = {"service": service, "reason": reason}
        if self.window is not None:
            args["window"] = self.window
        self.dismiss(args)

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
