"""The cases screen (办件, F12): the department's open cases, due soon in amber, overdue in red.

The list is the counter's picture of the hub's open cases (`HallState.cases`:
the welcome's, then every case event), limited to the departments this
window serves, the earliest due first. The search box filters by case id,
ticket number or date (received or due). F1 completes the chosen case (办结,
with an optional note), F2 returns it (退件, with a reason); both go to the
hub as `complete_case` / `return_case` like every other action, through the
main screen's `ActionRequested`, and the case leaves the list when its event
comes back. Esc or F12 goes back to the main screen.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from counter.model import CounterState, clip
from counter.screens.main import MainScreen
from counter.screens.reason import ReasonDialog
from counter.strings import t
from shared.alerts import CASE_DUE_SOON, CASE_OVERDUE, case_urgency
from shared.i18n import name_of
from shared.labels import case_state_label

SERVICE_W = 24
URGENCY_STYLE = {CASE_OVERDUE: "bold red", CASE_DUE_SOON: "yellow"}


def matches(case: dict[str, Any], query: str) -> bool:
    """Whether a case fits the search: its id, ticket number or a date (received or due)."""
    q = query.strip().lower()
    if not q:
        return True
    fields = (case.get("id"), case.get("number"), case.get("day"), case.get("due"))
    return any(q in str(f).lower() for f in fields if f)


class CasesScreen(Screen[None]):
    """The department's open cases; complete or return the chosen one."""

    BINDINGS = [
        Binding("f1", "complete", "办结 Complete", show=True),
        Binding("f2", "return_case", "退件 Return", show=True),
        Binding("f3", "search", "搜索 Search", show=True),
        Binding("f12", "back", "返回 Back", show=True),
        Binding("escape", "back", "返回 Back", show=False),
    ]

    def __init__(self, lang: str, state: CounterState) -> None:
        super().__init__()
        self.lang = lang
        self.state = state
        self._ready = False  # the table has its columns

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="cases-box"):
            yield Label("", id="cases-title", classes="dialog-title")
            yield Input(placeholder=t("cases_search", lang), id="cases-search", max_length=40)
            table: DataTable[str | Text] = DataTable(
                id="cases-table", cursor_type="row", zebra_stripes=True
            )
            yield table
            yield Static("", id="cases-empty", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#cases-table", DataTable)
        for key in ("col_case", "col_number", "col_service", "col_received", "col_due", "col_case_state"):  # fmt: skip
            table.add_column(t(key, self.lang), key=key)
        self._ready = True
        self.show(self.state)
        table.focus()

    # ------------------------------------------------------------ data down

    def departments(self) -> set[str]:
        return self.state.case_departments()

    def cases(self) -> list[dict[str, Any]]:
        """The open cases shown: the window's departments', matching the search."""
        query = self.query_one("#cases-search", Input).value if self._ready else ""
        return [c for c in self.state.open_cases(self.departments()) if matches(c, query)]

    def show(self, state: CounterState) -> None:
        """Show the cases of this state (the app calls it on every change)."""
        self.state = state
        if not self._ready:
            return
        lang = self.lang
        table = self.query_one("#cases-table", DataTable)
        chosen = self.chosen()
        table.clear()
        cases = self.cases()
        every = self.state.open_cases(self.departments())
        overdue = sum(1 for c in every if case_urgency(c, state.day) == CASE_OVERDUE)
        soon = sum(1 for c in every if case_urgency(c, state.day) == CASE_DUE_SOON)
        title = t("cases_title", lang, n=len(every), soon=soon, overdue=overdue, day=state.day)
        self.query_one("#cases-title", Label).update(title)
        for c in cases:
            urgency = case_urgency(c, state.day)
            style = URGENCY_STYLE.get(urgency or "", "")
            state_text = case_state_label(urgency or "open", lang)
            cells = (
                str(c.get("id")),
                str(c.get("number") or ""),
                clip(name_of(state.service(c.get("service")), lang), SERVICE_W),
                str(c.get("day") or ""),
                str(c.get("due") or "—"),
                state_text,
            )
            table.add_row(*(Text(x, style=style) for x in cells), key=str(c.get("id")))
        ids = [str(c.get("id")) for c in cases]
        if chosen in ids:
            table.move_cursor(row=ids.index(chosen), animate=False)
        empty = self.query_one("#cases-empty", Static)
        empty.update("" if cases else t("cases_none", lang))

    def chosen(self) -> str | None:
        """The id of the case under the cursor."""
        table = self.query_one("#cases-table", DataTable)
        if not table.row_count:
            return None
        key = table.ordered_rows[table.cursor_row].key.value
        return str(key) if key is not None else None

    # ------------------------------------------------------------ requests up

    @on(Input.Changed, "#cases-search")
    def _searched(self) -> None:
        self.show(self.state)

    @on(Input.Submitted, "#cases-search")
    def _search_done(self) -> None:
        self.query_one("#cases-table", DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#cases-search", Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    def _ask(self, title: str, required: bool, placeholder: str, then: Any) -> None:
        dialog = ReasonDialog(self.lang, title, required=required, placeholder=placeholder)
        self.post_message(MainScreen.DialogRequested(dialog, then))

    def action_complete(self) -> None:
        cid = self.chosen()
        if cid is None:
            return

        def answered(note: str | None) -> None:
            if note is None:
                return
            args = {"case": cid, **({"note": note} if note else {})}
            line = t("l_complete_case", self.lang, case=cid)
            self.post_message(MainScreen.ActionRequested("complete_case", args, line))

        title = t("complete_title", self.lang, case=cid)
        self._ask(title, False, t("complete_note", self.lang), answered)

    def action_return_case(self) -> None:
        cid = self.chosen()
        if cid is None:
            return

        def answered(reason: str | None) -> None:
            if not reason:
                return
            line = t("l_return_case", self.lang, case=cid, reason=reason)
            self.post_message(
                MainScreen.ActionRequested("return_case", {"case": cid, "reason": reason}, line)
            )

        title = t("return_title", self.lang, case=cid)
        self._ask(title, True, t("return_reason", self.lang), answered)
