"""Checks of a request frame before it reaches the engine, in the order docs/protocol.md gives.

A frame that is not a JSON object (a binary frame, nesting deeper than
`MAX_DEPTH`, ``NaN`` or ``Infinity``, not JSON at all), or has no string
``type``, is a ``bad_message``; a type no role may send is an
``unknown_type``; a type this role may not send is ``forbidden``; a missing or
ill-typed ``id`` or argument is ``bad_args``, and so is any string in the
checked command that is not storable text (`is_text`: a lone surrogate, a
NUL). Each raises `RequestError` with the words in both languages; words that
quote the input quote it escaped (`quote`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from hub.errors import RequestError
from shared.protocol import COMMANDS

MAX_TEXT = 2000
MAX_ID = 128
MAX_DEPTH = 32  # levels of nested arrays and objects in a frame

Check = Callable[[str, Any], Any]  # (argument name, value as sent) -> the value the engine gets
# A checked command: its "type" plus the arguments SCHEMA lists for it, as their checks returned them.
Command = dict[str, Any]


def _bad_args(zh: str, en: str) -> RequestError:
    """Missing or ill-typed arguments; the message says which."""
    return RequestError("bad_args", zh, en)


def _text(required_nonempty: bool) -> Check:
    def check(name: str, v: Any) -> Any:
        if not isinstance(v, str):
            raise _bad_args(f"参数 {name} 应为文字", f"argument '{name}' must be a string")
        if len(v) > MAX_TEXT:
            raise _bad_args(f"参数 {name} 太长", f"argument '{name}' is too long (max {MAX_TEXT})")
        if required_nonempty and not v.strip():
            raise _bad_args(f"参数 {name} 不能为空", f"argument '{name}' must not be empty")
        return v.strip() if required_nonempty else v

    return check


def _int(lo: int | None = None, hi: int | None = None) -> Check:
    def check(name: str, v: Any) -> Any:
        if not isinstance(v, int) or isinstance(v, bool):
            raise _bad_args(f"参数 {name} 应为整数", f"argument '{name}' must be an integer")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise _bad_args(
                f"参数 {name} 应在 {lo} 到 {hi} 之间",
                f"argument '{name}' must be between {lo} and {hi}",
            )
        return v

    return check


def _choice(*options: str) -> Check:
    def check(name: str, v: Any) -> Any:
        if v not in options:
            opts = ", ".join(options)
            raise _bad_args(
                f"参数 {name} 应为 {opts} 之一", f"argument '{name}' must be one of {opts}"
            )
        return v

    return check


def _bool(name: str, v: Any) -> Any:
    if not isinstance(v, bool):
        raise _bad_args(
            f"参数 {name} 应为 true 或 false", f"argument '{name}' must be true or false"
        )
    return v


def _codes(name: str, v: Any) -> Any:
    if not isinstance(v, list) or not v or not all(isinstance(c, str) and c for c in v):
        raise _bad_args(
            f"参数 {name} 应为非空的事项代码列表",
            f"argument '{name}' must be a non-empty list of service codes",
        )
    if len(v) > 200:
        raise _bad_args(f"参数 {name} 太长", f"argument '{name}' is too long")
    return v


def _day(name: str, v: Any) -> Any:
    try:
        return date.fromisoformat(v).isoformat()
    except (TypeError, ValueError):
        raise _bad_args(
            f"参数 {name} 应为日期 YYYY-MM-DD", f"argument '{name}' must be a date YYYY-MM-DD"
        ) from None


_code = _text(True)
_PIN = re.compile(r"[0-9]{4,12}")


def _pin(name: str, v: Any) -> Any:
    """A new PIN: 4 to 12 ASCII digits (full-width digits are refused, not guessed at)."""
    if not isinstance(v, str) or not _PIN.fullmatch(v):
        raise _bad_args(
            f"参数 {name} 应为 4 到 12 位数字 0-9（请用半角数字）",
            f"argument '{name}' must be 4 to 12 digits 0-9",
        )
    return v


def _short(limit: int) -> Check:
    """A non-empty string of at most `limit` characters (trimmed)."""

    def check(name: str, v: Any) -> Any:
        if not isinstance(v, str) or not v.strip():
            raise _bad_args(
                f"参数 {name} 应为非空文字", f"argument '{name}' must be a non-empty string"
            )
        if len(v) > limit:
            raise _bad_args(
                f"参数 {name} 太长（最多 {limit} 个字符）",
                f"argument '{name}' is too long (max {limit})",
            )
        return v.strip()

    return check


def _digits(n: int) -> Check:
    def check(name: str, v: Any) -> Any:
        if not isinstance(v, str) or len(v) != n or not v.isascii() or not v.isdigit():
            raise _bad_args(f"参数 {name} 应为 {n} 位数字", f"argument '{name}' must be {n} digits")
        return v

    return check


# command -> {argument: (check, required)}
SCHEMA: dict[str, dict[str, tuple[Check, bool]]] = {
    # one of service, services (a visit, in order) or bundle (docs/protocol.md "Visits")
    "issue": {
        "service": (_code, False),
        "services": (_codes, False),
        "bundle": (_code, False),
        "priority": (_choice("normal", "priority"), False),
        "lang": (_choice("zh", "en"), False),
        "override": (_bool, False),  # staff issuing past hours or quota (not a kiosk)
    },
    "printer_status": {
        "ok": (_bool, True),
        "kind": (_text(False), False),
        "message": (_text(False), False),
    },
    "call_next": {},
    "call": {"ticket": (_code, True)},
    "recall": {},
    "start": {},
    "finish": {
        "outcome": (_choice("done", "pending"), True),
        "note": (_text(False), False),
        "paid": (_bool, False),  # the fee step of a visit (一口收费): paid or not
    },
    "transfer": {
        "service": (_code, True),
        "window": (_int(1), False),
        "reason": (_text(True), True),
    },
    "park": {"reason": (_text(True), True)},
    "unpark": {"ticket": (_code, True)},
    "no_show": {},
    "requeue": {"ticket": (_code, True)},
    "pause": {"reason": (_text(True), True)},
    "resume": {},
    "logout": {},
    "metrics": {"day": (_day, False)},
    "report": {
        "from": (_day, True),
        "to": (_day, True),
        "format": (_choice("json", "csv", "xlsx"), False),
        "by": (_choice("window", "department", "clerk", "service"), False),
    },
    "notice": {"text": (_text(False), True), "minutes": (_int(1, 24 * 60), False)},
    "set_window": {"window": (_int(1), True), "services": (_codes, True)},
    "close_window": {
        "window": (_int(1), True),
        "ticket_outcome": (_choice("requeue", "done", "no_show"), False),
    },
    "change_pin": {"old": (_text(False), True), "new": (_pin, True)},
    "unlock_staff": {"staff": (_code, True)},
    "cancel": {},
    "rate": {"level": (_int(1, 5), True), "reason": (_text(False), False)},
    # a citizen's complaint names its own ticket; the desk's may name a ticket (id or
    # number), window, clerk and case, and must give the citizen's contact
    "complain": {
        "text": (_text(True), True),
        "contact": (_text(False), False),
        "ticket": (_code, False),
        "window": (_int(1), False),
        "staff": (_code, False),
        "case": (_code, False),
    },
    "accept_complaint": {"complaint": (_code, True)},
    "note_complaint": {"complaint": (_code, True), "text": (_text(True), True)},
    "answer_complaint": {"complaint": (_code, True), "text": (_text(True), True)},
    "close_complaint": {"complaint": (_code, True)},
    "reject_complaint": {"complaint": (_code, True), "reason": (_text(True), True)},
    "consult": {
        "topic": (_text(True), True),
        "outcome": (_choice("answered", "guided", "ticket", "referred"), True),
        "minutes": (_int(0, 480), True),
        "window": (_int(1), False),  # guided: to which window
        "ticket": (_code, False),  # ticket: the ticket issued
    },
    "complete_case": {"case": (_code, True), "note": (_text(False), False)},
    "return_case": {"case": (_code, True), "reason": (_text(True), True)},
    "ping": {},
    # 预约 (visitor; check_in: kiosk)
    "slots": {"service": (_code, True), "day": (_day, True)},
    "book": {
        "service": (_code, True),
        "start": (_short(64), True),
        "name": (_short(40), True),
        "mobile": (_short(20), True),
    },
    "booking": {"token": (_short(100), True)},
    "cancel_booking": {"token": (_short(100), True)},
    "move_booking": {"token": (_short(100), True), "start": (_short(64), True)},
    "check_in": {
        "code": (_short(20), True),
        "mobile_tail": (_digits(4), False),
        "lang": (_choice("zh", "en"), False),
    },
}


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


# one decoder for every frame (json.loads with arguments builds one per call)
_DECODER = json.JSONDecoder(parse_constant=_constant)


def _too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH (brackets inside strings are text)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for b in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if b in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def parse_json(message: str | bytes) -> object:
    """The JSON value of a text frame; raises ValueError for a binary frame, nesting deeper
    than MAX_DEPTH, ``NaN``/``Infinity`` or anything else that is not JSON text."""
    if not isinstance(message, str):
        raise ValueError("a binary frame")
    if _too_deep(message):
        raise ValueError("nested too deep")
    return _DECODER.decode(message)


def is_text(s: str) -> bool:
    """Whether the string can be stored and sent as UTF-8: no lone surrogate, no NUL."""
    return _NOT_TEXT.search(s) is None


def quote(v: object, limit: int = 40) -> str:
    """A value as words quote it: valid text (escaped where it is not), at most `limit` characters."""
    s = str(v)
    s = s if is_text(s) else s.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\0")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def parse_frame(message: str | bytes) -> dict[str, object]:
    """The frame as a JSON object; raises RequestError (bad_message)."""
    try:
        frame = parse_json(message)
    except ValueError:
        frame = None
    if not isinstance(frame, dict):
        raise RequestError(
            "bad_message",
            "消息应为 JSON 对象（UTF-8 文本帧）",
            "A frame must be a JSON object in a UTF-8 text frame",
        )
    return frame


def reply_to(frame: dict[str, object]) -> str | None:
    """The id an error about this frame answers: its ``id`` when that is a string of valid text."""
    rid = frame.get("id")
    return rid if isinstance(rid, str) and is_text(rid) else None


def check_request(frame: dict[str, object], role: str) -> tuple[str, Command]:
    """(request id, checked command) of a parsed frame sent by `role`; raises RequestError."""
    kind = frame.get("type")
    if not isinstance(kind, str):
        raise RequestError("bad_message", "消息缺少 type", "A frame needs a string 'type'")
    if kind not in SCHEMA:
        raise RequestError(
            "unknown_type", f"未知的请求类型：{quote(kind)}", f"Unknown request type: {quote(kind)}"
        )
    if kind not in COMMANDS.get(role, ()):
        raise RequestError("forbidden", "您的角色不能执行此操作", f"A {role} may not send {kind}")
    return _request_id(frame), _command(kind, frame)


def _command(kind: str, frame: dict[str, object]) -> Command:
    """The command with checked arguments (unknown extra fields dropped); raises RequestError."""
    out: Command = {"type": kind}
    for name, (check, required) in SCHEMA[kind].items():
        v = frame.get(name)
        if v is None:
            if required:
                raise _bad_args(f"缺少参数 {name}", f"missing argument '{name}'")
            continue
        out[name] = _storable(name, check(name, v))
    if kind == "issue" and sum(k in out for k in ("service", "services", "bundle")) != 1:
        raise _bad_args(
            "请给出 service、services 或 bundle 之一",
            "give exactly one of 'service', 'services' or 'bundle'",
        )
    return out


def _storable(name: str, v: Any) -> Any:
    """The checked value, when every string in it is text a database can store."""
    strings = v if isinstance(v, list) else [v]
    if any(isinstance(s, str) and not is_text(s) for s in strings):
        raise _bad_args(
            f"参数 {name} 含有无法保存的字符",
            f"argument '{name}' holds characters that cannot be stored (lone surrogate or NUL)",
        )
    return v


def _request_id(frame: dict[str, object]) -> str:
    """The request's id; raises RequestError (bad_args) when it is missing or not a short string."""
    rid = frame.get("id")
    if not isinstance(rid, str) or not rid or len(rid) > MAX_ID or not is_text(rid):
        raise _bad_args(
            "请求缺少 id（字符串）",
            f"request 'id' must be a non-empty text of at most {MAX_ID} characters",
        )
    return rid
