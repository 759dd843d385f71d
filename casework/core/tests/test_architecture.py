"""Architecture rules the build enforces."""

from __future__ import annotations

import ast
from pathlib import Path

import casework

ROOT = Path(casework.__file__).parent


def _view_modules() -> list[Path]:
    files = list(ROOT.glob("*/*views*.py")) + list(ROOT.glob("*/views/*.py"))
    return sorted(f for f in files if "tests" not in f.parts)


def _direct_manager_uses(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager", "_base_manager"}:
            found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_views_never_call_model_managers_directly():
    """Views read through scoped query functions (queries.py), never Model.objects."""
    offenders = [use for path in _view_modules() for use in _direct_manager_uses(path)]
    assert offenders == [], "Views must use scoped queries, not Model.objects: " + ", ".join(offenders)


def test_the_check_finds_a_direct_manager_call(tmp_path):
    sample_root = tmp_path / "casework"
    (sample_root / "things").mkdir(parents=True)
    sample = sample_root / "things" / "views.py"
    sample.write_text("from x import Thing\n\ndef v(request):\n    return Thing.objects.all()\n")
    assert _direct_manager_uses(sample, root=sample_root) == ["casework/things/views.py:4"]


def test_every_view_module_is_checked():
    assert any(p.name == "views.py" or p.parent.name == "views" for p in _view_modules())
