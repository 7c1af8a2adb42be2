"""Import contract (docs/ARCHITECTURE.md, "Packages").

- The apps (`kiosk`, `counter`, `display`) never import `hub` nor each other:
  they share only `shared` and talk to the hub over the protocol.
- `shared` never imports `hub` nor an app; `hub` never imports an app; neither
  imports textual (except `shared/ui`).
- The engine, its metrics, the bookings it holds and the reports' fold it keeps live
  (`hub.engine`, `hub.metrics`, `hub.bookings`, `hub.reports`) import only the standard library (the pure part of it, and
  hashlib and re for the bookings), `shared` and, of the hub, the catalogue (and
  the engine its metrics and bookings); the views add the engine and the
  session. At run time, a fresh interpreter importing them finds no textual,
  websockets or SQLAlchemy in `sys.modules`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("kiosk", "counter", "display", "desk")
# The one declared exception: the desk prints tickets with the kiosk's printer module (its
# printer URLs and layout); it imports `kiosk.printer` (and nothing else of the kiosk) lazily.
ALLOWED_ACROSS = {"desk": {"kiosk.printer"}}


def imported_modules(path: Path) -> set[str]:
    """Full names of the modules a module imports, wherever the import statement is."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


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
def test_apps_never_import_the_hub_nor_each_other(app: str) -> None:
    others = {"hub", *APPS} - {app}
    allowed = ALLOWED_ACROSS.get(app, set())

    def across(p: Path) -> list[str]:
        return sorted(
            m for m in imported_modules(p) if m.split(".")[0] in others and m not in allowed
        )

    offenders = {str(p.relative_to(ROOT)): across(p) for p in modules(app) if across(p)}
    assert offenders == {}


def test_shared_never_imports_the_hub() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in modules("shared") if "hub" in imported(p)]
    assert offenders == []


@pytest.mark.parametrize("package", ["hub", "shared"])
def test_hub_and_shared_stay_free_of_apps_and_textual(package: str) -> None:
    def forbidden(path: Path) -> set[str]:
        ui = "ui" in path.relative_to(ROOT / package).parts  # shared/ui: the apps' widgets
        return {*APPS} if ui else {*APPS, "textual", "textual_serve"}

    offenders = {
        str(p.relative_to(ROOT)): sorted(imported(p) & forbidden(p))
        for p in modules(package)
        if imported(p) & forbidden(p)
    }
    assert offenders == {}


@pytest.mark.parametrize("module", ["engine", "metrics", "cases", "bookings", "reports"])
def test_engine_is_pure(module: str) -> None:
    allowed = {
        "__future__",
        "collections",
        "copy",
        "dataclasses",
        "datetime",
        "fractions",
        "functools",
        "hashlib",
        "math",
        "operator",
        "re",
        "typing",
        "zoneinfo",
        "hub",
        "shared",
    }
    assert allowed - {"hub", "shared"} <= sys.stdlib_module_names
    path = ROOT / "hub" / f"{module}.py"
    assert imported(path) <= allowed
    assert "asyncio" not in imported(path) and "sqlmodel" not in imported(path)
    # of the hub, only the catalogue, the engine's own metrics, the pure modules of the
    # state that outlives the day (complaints) and the period reports' fold (the engine keeps
    # today's rollup live)
    hub_modules = {m for m in runtime_modules(path) if m.split(".")[0] == "hub"}
    assert hub_modules <= {
        "hub.catalogue",
        "hub.calendar",
        "hub.metrics",
        "hub.cases",
        "hub.complaints",
        "hub.bookings",
        "hub.reports",
    }


def test_complaints_are_pure() -> None:
    """Complaints outlive the day in a pure module: the standard library and the calendar."""
    path = ROOT / "hub" / "complaints.py"
    assert imported(path) <= {
        "__future__",
        "collections",
        "dataclasses",
        "datetime",
        "typing",
        "hub",
    }
    assert {m for m in runtime_modules(path) if m.startswith("hub")} <= {"hub.calendar"}


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
    assert hub_modules <= {
        "hub.engine",
        "hub.session",
        "hub.catalogue",
        "hub.cases",
        "hub.complaints",
    }


def test_session_opens_no_sockets() -> None:
    """Hello and login look credentials up in the store, but the server owns the sockets and
    the store's module is only named for type checking."""
    session = runtime_modules(ROOT / "hub" / "session.py")
    assert not {m.split(".")[0] for m in session} & {"websockets", "sqlmodel", "sqlalchemy"}
    assert not session & {"hub.store", "hub.server", "hub.pages"}


def test_pure_modules_load_no_io_library() -> None:
    """At run time, as imported: the engine, its metrics and the views pull in no UI, network
    or database code."""
    code = (
        "import sys, hub.engine, hub.metrics, hub.cases, hub.views; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'textual', 'websockets', 'sqlalchemy', 'sqlmodel'}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]", run.stdout
