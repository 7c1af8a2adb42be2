"""Today's figures of this window, as the hub's metrics give them."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.reactive import var
from textual.widgets import Static

from counter.model import fmt_duration, fmt_rate
from counter.strings import t
from shared.labels import metric_label


def figure_values(figures: dict[str, Any] | None, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs in display order; '—' for every value before figures arrive."""
    f = figures or {}

    def count(key: str) -> str:
        return str(f[key]) if key in f and f[key] is not None else "—"

    ratings = f.get("ratings") or {}
    if ratings.get("count"):
        avg = ratings.get("avg")
        rated = t(
            "ratings_value", lang, count=ratings["count"], avg="—" if avg is None else f"{avg:.1f}"
        )
    else:
        rated = "—" if not f else "0"
    return [
        (metric_label("received", lang), count("received")),
        (metric_label("completed", lang), count("completed")),
        (metric_label("completion_rate", lang), fmt_rate(f.get("completion_rate"))),
        (metric_label("pending", lang), count("pending")),
        (metric_label("transferred_in", lang), count("transferred_in")),
        (metric_label("transferred_out", lang), count("transferred_out")),
        (metric_label("no_show", lang), count("no_show")),
        (metric_label("avg_wait_s", lang), fmt_duration(f.get("avg_wait_s"))),
        (metric_label("avg_service_s", lang), fmt_duration(f.get("avg_service_s"))),
        (metric_label("ratings", lang), rated),
    ]


class Figures(Static):
    """Two columns of label/value pairs."""

    values: var[list[tuple[str, str]]] = var(list, init=False)
    """The (label, value) pairs on show; setting equal pairs does not redraw."""

    def show(self, figures: dict[str, Any] | None, lang: str) -> None:
        """Redraw from this window's figures."""
        self.values = figure_values(figures, lang)

    def watch_values(self, values: list[tuple[str, str]]) -> None:
        table = Table.grid(padding=(0, 1), expand=True)
        for _ in range(2):
            table.add_column(style="dim", no_wrap=True)
            table.add_column(style="bold", no_wrap=True, justify="right")
        half = (len(values) + 1) // 2
        for left, right in zip(values[:half], values[half:] + [("", "")], strict=False):
            table.add_row(*left, *right)
        self.update(table)
