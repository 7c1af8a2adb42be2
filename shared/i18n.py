"""Tiny bilingual helpers: 中文 first, English second.

Every text table of the project maps a key to a `(中文, English)` pair, and
every lookup takes its arguments in one order: `t(key, lang, **fields)`.
An app builds its `t` once from its own table with `Texts(TABLE)`; the
words for states, reasons and figures come from `shared.labels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LANGS = ("zh", "en")

Pair = tuple[str, str]  # (中文, English)


def pick(lang: str, zh: str, en: str) -> str:
    """The text in the wanted language (zh unless lang is 'en')."""
    return en if lang == "en" else zh


def both(zh: str, en: str) -> str:
    """Both languages on one line, 中文 first."""
    return f"{zh} / {en}"


def name_of(obj: dict[str, Any], lang: str) -> str:
    """An object's `name` or `name_en` (falling back to the Chinese name)."""
    if lang == "en" and obj.get("name_en"):
        return str(obj["name_en"])
    return str(obj.get("name", ""))


@dataclass(frozen=True)
class Texts:
    """A table of `(中文, English)` texts; calling it is the `t(key, lang, **fields)` of an app.

    A missing key raises KeyError: it is a programming error, and the tests
    check that every key an app uses is in its table.
    """

    table: Mapping[str, Pair]

    def __call__(self, key: str, lang: str, **fields: object) -> str:
        """The text of `key` in `lang`, with its `{placeholders}` filled from `fields`."""
        text = pick(lang, *self.table[key])
        return text.format(**fields) if fields else text
