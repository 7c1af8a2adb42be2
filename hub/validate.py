"""Validation of request frames before they reach the engine (docs/protocol.md: bad_args)."""

from __future__ import annotations

from datetime import date
from typing import Any

MAX_TEXT = 2000
MAX_ID = 128


class BadArgs(ValueError):
    """Missing or ill-typed arguments; the message says which (zh, en)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def _text(required_nonempty: bool) -> Any:
    def check(name: str, v: Any) -> Any:
        if not isinstance(v, str):
            raise BadArgs(f"参数 {name} 应为文字", f"argument '{name}' must be a string")
        if len(v) > MAX_TEXT:
            raise BadArgs(f"参数 {name} 太长", f"argument '{name}' is too long (max {MAX_TEXT})")
        if required_nonempty and not v.strip():
            raise BadArgs(f"参数 {name} 不能为空", f"argument '{name}' must not be empty")
        return v.strip() if required_nonempty else v

    return check


def _int(lo: int | None = None, hi: int | None = None) -> Any:
    def check(name: str, v: Any) -> Any:
        if not isinstance(v, int) or isinstance(v, bool):
            raise BadArgs(f"参数 {name} 应为整数", f"argument '{name}' must be an integer")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise BadArgs(
                f"参数 {name} 应在 {lo} 到 {hi} 之间",
                f"argument '{name}' must be between {lo} and {hi}",
            )
        return v

    return check


def _choice(*options: str) -> Any:
    def check(name: str, v: Any) -> Any:
        if v not in options:
            opts = ", ".join(options)
            raise BadArgs(
                f"参数 {name} 应为 {opts} 之一", f"argument '{name}' must be one of {opts}"
            )
        return v

    return check


def _bool(name: str, v: Any) -> Any:
    if not isinstance(v, bool):
        raise BadArgs(f"参数 {name} 应为 true 或 false", f"argument '{name}' must be true or false")
    return v


def _codes(name: str, v: Any) -> Any:
    if not isinstance(v, list) or not v or not all(isinstance(c, str) and c for c in v):
        raise BadArgs(
            f"参数 {name} 应为非空的事项代码列表",
            f"argument '{name}' must be a non-empty list of service codes",
        )
    if len(v) > 200:
        raise BadArgs(f"参数 {name} 太长", f"argument '{name}' is too long")
    return v


def _day(name: str, v: Any) -> Any:
    try:
        return date.fromisoformat(v).isoformat()
    except (TypeError, ValueError):
        raise BadArgs(
            f"参数 {name} 应为日期 YYYY-MM-DD", f"argument '{name}' must be a date YYYY-MM-DD"
        ) from None


_code = _text(True)

# command -> {argument: (check, required)}
SCHEMA: dict[str, dict[str, tuple[Any, bool]]] = {
    "issue": {
        "service": (_code, True),
        "priority": (_choice("normal", "priority"), False),
        "lang": (_choice("zh", "en"), False),
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
    "finish": {"outcome": (_choice("done", "pending"), True), "note": (_text(False), False)},
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
    "notice": {"text": (_text(False), True), "minutes": (_int(1, 24 * 60), False)},
    "set_window": {"window": (_int(1), True), "services": (_codes, True)},
    "close_window": {"window": (_int(1), True)},
    "cancel": {},
    "rate": {"level": (_int(1, 5), True), "reason": (_text(False), False)},
    "complain": {"text": (_text(True), True)},
    "ping": {},
}


def validate(frame: dict[str, Any]) -> dict[str, Any]:
    """The command with checked arguments (unknown extra fields dropped); raises BadArgs."""
    kind = frame["type"]
    out: dict[str, Any] = {"type": kind}
    for name, (check, required) in SCHEMA[kind].items():
        v = frame.get(name)
        if v is None:
            if required:
                raise BadArgs(f"缺少参数 {name}", f"missing argument '{name}'")
            continue
        out[name] = check(name, v)
    return out


def request_id(frame: dict[str, Any]) -> str:
    """The request's id; raises BadArgs when it is missing or not a short string."""
    rid = frame.get("id")
    if not isinstance(rid, str) or not rid or len(rid) > MAX_ID:
        raise BadArgs(
            "请求缺少 id（字符串）",
            f"request 'id' must be a non-empty string of at most {MAX_ID} characters",
        )
    return rid
