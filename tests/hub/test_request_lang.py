"""A request's own `lang` (issue, check_in) words its refusal: a kiosk whose citizen switched
to English gets the hub's refusal in English although its hello said Chinese, and back."""

from __future__ import annotations

from typing import Any

import pytest
from support.raw import connected

pytestmark = [pytest.mark.fast_hub, pytest.mark.timeout(60)]


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


async def test_a_refused_issue_follows_the_requests_language(hub: Any) -> None:
    async with connected(hub, "kiosk") as k:  # hello: Chinese (the default)
        en = await k.error("issue", "not_found", service="NOPE-99", lang="en")
        assert not chinese(en["message"]), en
        zh = await k.error("issue", "not_found", service="NOPE-99", lang="zh")
        assert chinese(zh["message"]), zh
        plain = await k.error("issue", "not_found", service="NOPE-99")  # no lang: the hello's
        assert plain["message"] == zh["message"]
        # a resent request (same id) gets its stored refusal in the language it asks for
        first = await k.error("issue", "not_found", rid="again", service="NOPE-99", lang="en")
        again = await k.error("issue", "not_found", rid="again", service="NOPE-99", lang="en")
        assert again["message"] == first["message"] == en["message"]
        # malformed arguments are refused before the engine, in the request's language too
        bad = await k.error("issue", "bad_args", service="JS-01", priority="vip", lang="en")
        assert not chinese(bad["message"]), bad


async def test_a_refused_check_in_follows_the_requests_language(hub: Any) -> None:
    async with connected(hub, "kiosk", lang="en") as k:  # hello: English
        zh = await k.error("check_in", "not_found", code="ZZZZZZZZ", lang="zh")
        assert zh["message"] == "预约码无效，请核对后重新输入"
        en = await k.error("check_in", "not_found", code="ZZZZZZZZ", lang="en")
        assert en["message"] == "Unknown booking code: check it and try again"
        assert (await k.error("check_in", "not_found", code="ZZZZZZZZ"))["message"] == en["message"]
