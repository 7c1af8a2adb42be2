"""Login: staff id and PIN (masked) for this window, on the staff terminals' one form
(shared/ui/login.py); the counter names itself above the title and the window in it."""

from __future__ import annotations

from counter.strings import t
from shared.ui.login import LoginForm, LoginScreen

__all__ = ["LoginScreen", "login_form"]


def login_form(lang: str, window_name: str) -> LoginForm:
    """The counter's login form for one window, in `lang`."""
    title = t("login_title", lang, window=window_name)
    return LoginForm.worded(t, lang, title, placeholder="c001", heading=t("app_title", lang))
