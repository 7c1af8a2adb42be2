"""Lists of tickets (waiting queue, parked, no-shows): choose one to act on it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message
from textual.widgets import DataTable


class TicketTable(DataTable[str]):
    """A row per ticket, keyed by ticket id; Enter (or a click on the chosen row) picks it."""

    class TicketChosen(Message):
        """The clerk picked a ticket in one of the lists."""

        def __init__(self, table: TicketTable, ticket_id: str) -> None:
            super().__init__()
            self.table = table
            self.ticket_id = ticket_id

        @property
        def control(self) -> TicketTable:
            return self.table

    def __init__(self, action: str, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.action = action
        self._rows: list[tuple[str, tuple[str, ...]]] = []
        self._headers: tuple[str, ...] = ()

    def set_rows(self, headers: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Show these rows (ticket id, cells), keeping the cursor on the same ticket."""
        norm = [(key, tuple(cells)) for key, cells in rows]
        heads = tuple(headers)
        if norm == self._rows and heads == self._headers:
            return
        chosen = self._rows[self.cursor_row][0] if self._rows and self.row_count else None
        if heads != self._headers:
            self.clear(columns=True)
            self.add_columns(*heads)
            self._headers = heads
        else:
            self.clear()
        for key, cells in norm:
            self.add_row(*cells, key=key)
        self._rows = norm
        keys = [k for k, _ in norm]
        if chosen in keys:
            self.move_cursor(row=keys.index(chosen), animate=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.TicketChosen(self, event.row_key.value))
