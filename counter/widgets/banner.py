"""The offline banner: shown while the hub cannot be reached."""

from __future__ import annotations

from textual.widgets import Static


class OfflineBanner(Static):
    """A red line across the screen; hidden while online (class `-online`)."""

    DEFAULT_CSS = """
    OfflineBanner { background: $error; color: $text; text-style: bold; padding: 0 1; height: auto; }
    OfflineBanner.-online { display: none; }
    """

    def set_online(self, online: bool) -> None:
        """Show or hide the banner."""
        self.set_class(online, "-online")
