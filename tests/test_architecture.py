"""Dependencies point one way (DESIGN.md §2): an app imports only the apps below it.

Every import in every module of an app is read (function-level ones included); a lower app
that must react to a higher one offers a hook or a registry instead.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Who may import whom; an app not listed under another may not be imported by it.
ALLOWED = {
    "core": set(),
    "agencies": {"core"},
    "notifications": {"agencies", "core"},
    "workflow": {"agencies", "core", "notifications"},
    "escalation": {"workflow", "notifications", "agencies", "core"},
    "importer": {"workflow", "agencies", "core"},
    "inspection": {"workflow", "notifications", "agencies", "core"},
    "emulation": {"inspection", "escalation", "workflow", "agencies", "core"},
    "dashboards": {"emulation", "inspection", "escalation", "workflow", "agencies", "core"},
}
APPS = set(ALLOWED) | {"config"}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & APPS


def violations(app: str) -> list[str]:
    wrong = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for other in imported_apps(path) - ALLOWED[app] - {app}:
            wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    return wrong


@pytest.mark.parametrize("app", [a for a in ALLOWED if (ROOT / a).is_dir()])
def test_an_app_imports_only_the_apps_below_it(app):
    assert violations(app) == []


def test_the_guard_sees_an_upward_import(tmp_path, monkeypatch):
    fake = tmp_path / "workflow"
    fake.mkdir()
    (fake / "views.py").write_text("def f():\n    from escalation.models import Escalation\n")
    (fake / "ok.py").write_text("from core import access\nfrom .models import Assignment\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert violations("workflow") == ["workflow/views.py imports escalation"]
