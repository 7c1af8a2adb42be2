"""axe-core in the browser tests: ``await assert_accessible(page, "board waiting")``.

A reusable audit for every page the hub serves (``docs/ACCESSIBILITY.md`` says what the
pages must meet). It injects the axe-core that ``axe-playwright-python`` bundles (pinned
in the dev extras), runs the WCAG 2.1 A/AA rules and the best practices on the page as
it stands, and fails on any violation of impact ``serious`` or ``critical``, listing each
rule with the elements that break it. Lesser findings (moderate, minor) are returned so a
test may look at them, and every result is appended to ``$HALL_AXE_REPORT`` (JSON lines)
when that is set, to record an audit (counts per page and rule).

Usage, in a Playwright test on a page that has drawn its state::

    from axe import assert_accessible
    await assert_accessible(page, "booking form")
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from axe_playwright_python.async_playwright import Axe

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING = ("serious", "critical")
_AXE = Axe()


async def audit(page: Any, context: str | None = None) -> list[dict[str, Any]]:
    """Every axe-core violation on the page (or inside the CSS selector `context`)."""
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    results = await _AXE.run(page, context=context, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def summary(violations: list[dict[str, Any]]) -> dict[str, int]:
    """Elements per rule: ``{"color-contrast (serious)": 48, ...}``."""
    counts: Counter[str] = Counter()
    for v in violations:
        counts[f"{v['id']} ({v['impact']})"] += len(v["nodes"])
    return dict(sorted(counts.items()))


def describe(violations: list[dict[str, Any]]) -> str:
    """One paragraph per rule: its help text and the first elements (selector, why)."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']}")
        for node in v["nodes"][:6]:
            why = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {' '.join(map(str, node['target']))}: {why[:240]}")
    return "\n".join(lines)


def _record(name: str, violations: list[dict[str, Any]]) -> None:
    path = os.environ.get("HALL_AXE_REPORT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"page": name, "rules": summary(violations)}, ensure_ascii=False))
        f.write("\n")


async def assert_accessible(
    page: Any, name: str = "", context: str | None = None, fail_on: tuple[str, ...] = FAILING
) -> list[dict[str, Any]]:
    """Fail on any serious or critical axe-core violation; return the lesser ones.

    `name` tells the page and state in the failure message and in ``$HALL_AXE_REPORT``.
    """
    violations = await audit(page, context)
    _record(name or page.url, violations)
    bad = [v for v in violations if v.get("impact") in fail_on]
    assert not bad, f"axe-core on {name or page.url}:\n{describe(bad)}"
    return [v for v in violations if v.get("impact") not in fail_on]
