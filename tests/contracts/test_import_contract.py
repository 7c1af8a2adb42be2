"""Import contract (docs/ARCHITECTURE.md, "Packages"): the apps never import `hub`; `hub` and `shared` never import
textual (except `shared/ui`) nor an app; the engine and its metrics import only the standard library,
`shared` and the catalogue."""

from __future__ import annotations

import ast
import subprocess
import sys
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


@pytest.mark.parametrize("module", ["engine", "metrics"])
def test_engine_is_pure(module: str) -> None:
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
    path = ROOT / "hub" / f"{module}.py"
    assert imported(path) <= allowed
    assert "asyncio" not in imported(path) and "sqlmodel" not in imported(path)
    # of the hub, only the catalogue (and the engine's own metrics)
    hub_modules = {m for m in runtime_modules(path) if m.split(".")[0] == "hub"}
    assert hub_modules <= {"hub.catalogue", "hub.metrics"}


def test_calendar_is_pure() -> None:
    """The working-day calendar and opening hours: standard library only."""
    allowed = {"__future__", "collections", "dataclasses", "datetime"}
    assert imported(ROOT / "hub" / "calendar.py") <= allowed


def runtime_modules(path: Path) -> set[str]:
    """Full names of the modules a module imports when it runs (``if TYPE_CHECKING:`` skipped)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            node.body = []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            package = (ROOT / node.module.replace(".", "/")).is_dir()
            if package:  # `from hub import auth`: the module hub.auth
                names.update(f"{node.module}.{a.name}" for a in node.names)
            else:
                names.add(node.module)
    return names


def test_views_are_pure() -> None:
    """Who sees what is decided without sockets, files or the database."""
    views = ROOT / "hub" / "views.py"
    allowed = {"__future__", "collections", "dataclasses", "datetime", "typing", "hub", "shared"}
    assert imported(views) <= allowed
    hub_modules = {m for m in runtime_modules(views) if m.split(".")[0] == "hub"}
    assert hub_modules <= {"hub.engine", "hub.session", "hub.catalogue"}


def test_session_opens_no_sockets() -> None:
    """Hello and login look credentials up in the store, but the server owns the sockets and
    the store's module is only named for type checking."""
    session = runtime_modules(ROOT / "hub" / "session.py")
    assert not {m.split(".")[0] for m in session} & {"websockets", "sqlmodel", "sqlalchemy"}
    assert not session & {"hub.store", "hub.server", "hub.pages"}


def test_pure_modules_load_no_io_library() -> None:
    """At run time, as imported: the engine and the views pull in no UI, network or database code."""
    code = (
        "import sys, hub.engine, hub.views; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'textual', 'websockets', 'sqlalchemy', 'sqlmodel'}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]", run.stdout
