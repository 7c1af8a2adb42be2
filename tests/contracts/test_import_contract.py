"""Import contract (docs/ARCHITECTURE.md, "Packages"): the apps never import `hub`; `hub` and `shared` never import
textual (except `shared/ui`) nor an app; the engine imports only the standard library,
`shared` and the catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("kiosk", "counter", "display")


def imported(path: Path) -> set[str]:
    """Top-level package names a module imports, wherever the import statement is."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("app", APPS)
def test_apps_never_import_the_hub(app: str) -> None:
    offenders = [str(p.relative_to(ROOT)) for p in modules(app) if "hub" in imported(p)]
    assert offenders == []


@pytest.mark.parametrize("package", ["hub", "shared"])
def test_hub_and_shared_stay_free_of_textual_and_apps(package: str) -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in modules(package)
        if "ui" not in p.relative_to(ROOT / package).parts
        and imported(p) & {"textual", "textual_serve", *APPS}
    ]
    assert offenders == []


def test_engine_is_pure() -> None:
    allowed = {
        "__future__",
        "collections",
        "copy",
        "dataclasses",
        "datetime",
        "fractions",
        "math",
        "typing",
        "zoneinfo",
        "hub",
        "shared",
    }
    engine = ROOT / "hub" / "engine.py"
    assert imported(engine) <= allowed
    assert "asyncio" not in imported(engine) and "sqlmodel" not in imported(engine)
