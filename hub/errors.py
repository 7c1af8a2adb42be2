"""The hub's error type and the one place where an error is put into a client's language.

Two layers refuse things, each with its own exception and its own words:
the engine (`hub.engine.EngineError`: a command the hall's state does not
allow) and the hub around it (`RequestError`: a malformed frame, bad
arguments, a refused hello, a busy or failing hub). Both carry the protocol
error code and the message in both languages; `error_frame` picks the one of
the client's ``lang``: the request's own ``lang`` when it carries one (`issue`,
`check_in`: a kiosk whose citizen switched language), else the hello's
(`request_lang`). Clients show that message as it comes.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from hub.engine import EngineError
from shared.i18n import LANGS, pick


class RequestError(Exception):
    """A hello or request the hub refuses before or around the engine: code, zh, en."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en


Error = RequestError | EngineError


class ErrorFrame(TypedDict):
    """The protocol's `error` frame: the reply to request `re` (None: to no request)."""

    type: Literal["error"]
    re: str | None
    code: str
    message: str
    next_open: NotRequired[str | None]  # a refused issue: when issuing opens again


def request_lang(frame: object, hello_lang: str) -> str:
    """The language of a request's replies: its own ``lang`` when valid, else the hello's."""
    lang = frame.get("lang") if isinstance(frame, dict) else None
    return lang if isinstance(lang, str) and lang in LANGS else hello_lang


def error_frame(re: str | None, error: Error, lang: str) -> ErrorFrame:
    """The error as the client that sent `re` reads it, in `lang` (`request_lang`)."""
    frame: ErrorFrame = {
        "type": "error",
        "re": re,
        "code": error.code,
        "message": pick(lang, error.zh, error.en),
    }
    if isinstance(error, EngineError):
        frame.update(error.extra)  # type: ignore[typeddict-item]  # next_open
    return frame
