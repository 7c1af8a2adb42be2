"""The top line (hall name, clock), the stale marker and the supervisor's notice."""

from __future__ import annotations

from datetime import datetime

from textual.reactive import var
from textual.widgets import Static

from display.strings import t

_WEEKDAYS_ZH = "一二三四五六日"


def clock_text(now: datetime, lang: str) -> str:
    """2026-11-26 星期四 09:15:02 (or Thu 2026-11-26 09:15:02)."""
    if lang == "en":
        return now.strftime("%a %Y-%m-%d %H:%M:%S")
    return f"{now:%Y-%m-%d} 星期{_WEEKDAYS_ZH[now.weekday()]} {now:%H:%M:%S}"


class Clock(Static):
    """The hall's local time; the app ticks it."""

    shown: var[str] = var("", init=False)

    def show_time(self, now: datetime, lang: str) -> None:
        self.shown = clock_text(now, lang)

    def watch_shown(self, old: str, text: str) -> None:
        # Re-layout only when the width changes (the language), not every second.
        self.update(text, layout=len(text) != len(old))


class StaleBanner(Static):
    """Shown whenever the board may be out of date: disconnected, or the hub went silent."""

    # (kind, last update when it is shown, lang, message)
    shown: var[tuple[str | None, datetime | None, str, str | None] | None] = var(None, init=False)

    def show_status(
        self, kind: str | None, last_update: datetime | None, lang: str, message: str | None = None
    ) -> None:
        """kind: None (fresh), connecting, offline, silent or refused (with message)."""
        self.shown = (kind, last_update if kind in ("offline", "silent") else None, lang, message)

    def watch_shown(self, shown: tuple[str | None, datetime | None, str, str | None]) -> None:
        kind, last_update, lang, message = shown
        self.set_class(kind is not None, "-shown")
        if kind is None:
            self.update("")
            return
        if kind == "refused":
            self.update(message or "")
            return
        if kind == "connecting":
            self.update(t("connecting", lang))
            return
        at = f"{last_update:%H:%M:%S}" if last_update else t("never", lang)
        self.update(t("stale_offline" if kind == "offline" else "stale_silent", lang, at=at))


class NoticeBanner(Static):
    """The supervisor's notice, until it expires."""

    shown: var[tuple[str | None, str] | None] = var(None, init=False)  # (text, lang)

    def show_notice(self, text: str | None, lang: str) -> None:
        self.shown = (text, lang)

    def watch_shown(self, shown: tuple[str | None, str]) -> None:
        text, lang = shown
        self.set_class(bool(text), "-shown")
        self.update(f"【{t('notice', lang)}】{text}" if text else "")
