"""Tiny bilingual helpers: 中文 first, English second."""

from __future__ import annotations

from typing import Any

LANGS = ("zh", "en")


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
