"""Browser tests wait with functions, never with bare expressions.

Playwright evaluates a bare expression given to ``wait_for_function`` again on
every poll with ``eval``, which the hub's Content-Security-Policy (no
'unsafe-eval') refuses: the wait then fails whenever the condition is not
already true at the first look, i.e. only on a slow machine. A function
(``"() => ..."`` or ``"n => ..."``) is compiled once and passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _is_function(src: str) -> bool:
    head = src.lstrip().split("=>", 1)[0]
    return (
        "=>" in src
        and ("(" in head or head.strip().isidentifier())
        or src.lstrip().startswith("function")
    )


def test_every_wait_for_function_gets_a_function() -> None:
    bad: list[str] = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "wait_for_function"
                and node.args
            ):
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    if not _is_function(arg.value):
                        bad.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert not bad, f"bare expressions given to wait_for_function: {bad}"


def test_the_check_tells_a_function_from_an_expression() -> None:
    assert _is_function("() => document.title === 'x'")
    assert _is_function("n => window.n === n")
    assert _is_function("(want) => want")
    assert not _is_function("document.querySelector('#eta').textContent.includes('分钟')")
    assert not _is_function("window.__n >= 2")
