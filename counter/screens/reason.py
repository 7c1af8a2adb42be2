"""A small dialog asking for a reason or a note: pause, park, finish as pending."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from counter.strings import t

OTHER = "__other__"


class ReasonDialog(ModalScreen[str | None]):
    """Common reasons to pick with a number key or Enter, or free text; dismisses with the text."""

    BINDINGS = [
        Binding("escape", "cancel", show=False),
        *(Binding(str(n), f"preset({n})", show=False) for n in range(1, 10)),
    ]

    def __init__(
        self,
        lang: str,
        title: str,
        presets: tuple[tuple[str, str], ...] = (),
        *,
        required: bool = True,
        placeholder: str = "",
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.lang = lang
        self.title_text = title
        self.presets = presets
        self.required = required
        self.placeholder = placeholder or t("reason", lang)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reason-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.presets:
                options = [
                    Option(f"{n}  {zh if self.lang != 'en' else f'{en} ({zh})'}", id=zh)
                    for n, (zh, en) in enumerate(self.presets, start=1)
                ]
                options.append(
                    Option(f"{len(options) + 1}  {t('other_reason', self.lang)}", id=OTHER)
                )
                yield OptionList(*options, id="presets")
                yield Static(t("preset_hint", self.lang), classes="hint")
            yield Input(placeholder=self.placeholder, id="reason", max_length=200)
            yield Static("", id="reason-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("ok", self.lang), id="ok", variant="primary")
                yield Button(t("cancel", self.lang), id="cancel")

    def on_mount(self) -> None:
        if self.presets:
            options = self.query_one("#presets", OptionList)
            options.highlighted = 0
            options.focus()
        else:
            self.query_one("#reason", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # number keys pick a common reason, except while typing free text
        if action == "preset":
            return bool(self.presets) and not isinstance(self.focused, Input)
        return True

    def action_preset(self, n: int) -> None:
        if n <= len(self.presets):
            self.dismiss(self.presets[n - 1][0])
        elif n == len(self.presets) + 1:
            self.query_one("#reason", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#presets")
    def _preset_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == OTHER:
            self.query_one("#reason", Input).focus()
        elif event.option.id:
            self.dismiss(event.option.id)

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#ok")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        text = self.query_one("#reason", Input).value.strip()
        if self.required and not text:
            self.query_one("#reason-error", Static).update(t("reason_required", self.lang))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
