"""Lists of tickets (waiting queue, parked, no-shows): choose one to act on it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from textual.message import Message
from textual.reactive import var
from textual.widgets import DataTable


class Listing(NamedTuple):
    """What a table shows: the column heads and one (ticket id, cells) row per ticket."""

    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, tuple[str, ...]], ...] = ()


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

    listing: var[Listing] = var(Listing, init=False)
    """The heads and rows on show; setting an equal listing does not redraw."""

    def __init__(self, action: str, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.action = action

    def set_rows(self, headers: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Show these rows (ticket id, cells), keeping the cursor on the same ticket."""
        self.listing = Listing(tuple(headers), tuple((key, tuple(cells)) for key, cells in rows))

    def watch_listing(self, old: Listing, new: Listing) -> None:
        chosen = old.rows[self.cursor_row][0] if old.rows and self.row_count else None
        if new.headers != old.headers:
            self.clear(columns=True)
            self.add_columns(*new.headers)
        else:
            self.clear()
        for key, cells in new.rows:
            self.add_row(*cells, key=key)
        keys = [key for key, _ in new.rows]
        if chosen in keys:
            self.move_cursor(row=keys.index(chosen), animate=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.TicketChosen(self, event.row_key.value))
