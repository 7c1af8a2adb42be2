"""The catalogue as text again: `hall catalogue show` (TOML) and the difference `apply` prints.

Generic by design: `hall_doc` walks the `Hall` dataclasses field by field, so a
field added to any catalogue dataclass is printed without a change here (a test
fails if one is not). The rules, which are the layout `hub/catalogue.py` reads:

- a `Hall` field holding a tuple of dataclasses is an array of tables
  (``[[services]]``); one holding a dataclass without its own ``to_toml`` is a
  top-level table (``[policy]``, ``[calendar]``); every other field goes in
  ``[hall]`` (``hours`` by its ``to_toml``);
- inside an entry, a dataclass is a sub-table (``[services.guide]``), a tuple
  of dataclasses an array of sub-tables; a dataclass with a ``to_toml()``
  method gives its own table (``WeekHours``);
- ``None`` and empty sub-tables are left out (the parser's defaults);
  frozensets are sorted; dates are ``"YYYY-MM-DD"`` strings;
- a field whose TOML key differs from its name says so in its metadata
  (``field(metadata={"toml": "key"})``).

``parse_catalogue(show(hall)) == hall`` for every valid catalogue.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from typing import Any

from hub.catalogue import Hall

Doc = dict[str, Any]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# how entries of an array of tables are told apart in the difference
_IDENTS = ("code", "number", "id", "name")


def _key(f: dataclasses.Field[Any]) -> str:
    return str(f.metadata.get("toml", f.name))


def _is_dataclass_value(v: object) -> bool:
    return dataclasses.is_dataclass(v) and not isinstance(v, type)


def _value(v: Any) -> Any:
    """A field's value as TOML data (dict for a table, list of dicts for an array of tables)."""
    if _is_dataclass_value(v):
        own = getattr(v, "to_toml", None)
        if callable(own):
            return own()
        return _entry(v)
    if isinstance(v, frozenset | set):
        return sorted(_value(x) for x in v)
    if isinstance(v, tuple | list):
        return [_value(x) for x in v]
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _value(x) for k, x in v.items()}
    return v


def _entry(obj: Any) -> Doc:
    out: Doc = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if v is None:
            continue
        value = _value(v)
        if isinstance(value, dict) and not value:
            continue
        out[_key(f)] = value
    return out


def hall_doc(hall: Hall) -> Doc:
    """The catalogue as the TOML document `hub/catalogue.py` reads (see the module docstring)."""
    doc: Doc = {"hall": {}}
    tables: Doc = {}
    arrays: Doc = {}
    for f in dataclasses.fields(hall):
        v = getattr(hall, f.name)
        if v is None:
            continue
        key = _key(f)
        if isinstance(v, tuple) and v and all(_is_dataclass_value(x) for x in v):
            arrays[key] = [_entry(x) for x in v]
        elif isinstance(v, tuple) and not v:
            continue  # an empty array of tables (no [[staff]])
        elif _is_dataclass_value(v) and not callable(getattr(v, "to_toml", None)):
            table = _entry(v)
            if table:
                tables[key] = table
        else:
            doc["hall"][key] = _value(v)
    doc.update(tables)
    doc.update(arrays)
    return doc


# ---------------------------------------------------------------------- TOML writer


def _toml_key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else _toml_str(k)


def _toml_str(s: str) -> str:
    # JSON's escapes are TOML's (\" \\ \n \t \uXXXX); DEL is not allowed raw in TOML
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _is_tables(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _write_table(path: list[str], table: Doc, out: list[str], array: bool) -> None:
    name = ".".join(_toml_key(p) for p in path)
    if path:
        out.append("")
        out.append(f"[[{name}]]" if array else f"[{name}]")
    for k, v in table.items():
        if not isinstance(v, dict) and not _is_tables(v):
            out.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in table.items():
        if isinstance(v, dict):
            _write_table([*path, k], v, out, array=False)
    for k, v in table.items():
        if _is_tables(v):
            for item in v:
                _write_table([*path, k], item, out, array=True)


def dump_toml(doc: Doc) -> str:
    """A TOML document of plain data (str, int, bool, lists, tables, arrays of tables)."""
    out: list[str] = []
    _write_table([], doc, out, array=False)
    return "\n".join(out).lstrip("\n") + "\n"


def show(hall: Hall, version: int | None = None) -> str:
    """`hall catalogue show`: the catalogue as TOML that `hall init --config` and
    `hall catalogue apply` read."""
    head = f"# {hall.name} ({hall.id})"
    if version is not None:
        head += f": catalogue version {version}"
    return head + "\n" + dump_toml(hall_doc(hall))


# ---------------------------------------------------------------------- difference


def _ident(entry: Doc) -> str:
    for k in _IDENTS:
        if k in entry:
            return str(entry[k])
    return json.dumps(entry, ensure_ascii=False, sort_keys=True)


def _short(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _changes(old: Doc, new: Doc) -> list[str]:
    """`field: old → new` for each key that differs (sub-tables by their keys)."""
    out = []
    for k in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(k), new.get(k)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            out += [f"{k}.{c}" for c in _changes(a, b)]
        elif a is None:
            out.append(f"{k}: + {_short(b)}")
        elif b is None:
            out.append(f"{k}: - {_short(a)}")
        else:
            out.append(f"{k}: {_short(a)} → {_short(b)}")
    return out


def diff(old: Hall, new: Hall) -> list[str]:
    """The difference between two catalogues, one line per change (empty: the same):
    ``services: + MZ-09 新事项`` (added), ``- …`` (removed), ``~ MZ-01: minutes: 15 → 20``."""
    a, b = hall_doc(old), hall_doc(new)
    lines: list[str] = []
    for section in [*a, *(k for k in b if k not in a)]:
        x, y = a.get(section), b.get(section)
        if x == y:
            continue
        if _is_tables(x) or _is_tables(y):
            before = {_ident(e): e for e in x or ()}
            after = {_ident(e): e for e in y or ()}
            for ident, e in after.items():
                if ident not in before:
                    name = e.get("name")
                    lines.append(f"{section}: + {ident}" + (f" {name}" if name else ""))
            for ident, e in before.items():
                if ident not in after:
                    name = e.get("name")
                    lines.append(f"{section}: - {ident}" + (f" {name}" if name else ""))
            for ident, e in after.items():
                if ident in before and before[ident] != e:
                    lines += [f"{section}: ~ {ident}: {c}" for c in _changes(before[ident], e)]
            if [_ident(e) for e in x or () if _ident(e) in after] != [
                _ident(e) for e in y or () if _ident(e) in before
            ]:
                lines.append(f"{section}: order changed")
        elif isinstance(x, dict) or isinstance(y, dict):
            lines += [f"{section}: {c}" for c in _changes(x or {}, y or {})]
        else:
            lines.append(f"{section}: {_short(x)} → {_short(y)}")
    return lines
