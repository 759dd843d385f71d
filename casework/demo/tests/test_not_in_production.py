"""The demo builders and Faker are for the local demo and the tests only: in production the demo app
is not installed, nothing loads it or Faker, seed_demo does not exist, and the production lock does
not hold Faker."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

from casework.core.tests.test_settings import PRODUCTION, ROOT, run_manage

LOADED = (
    "import sys, django; django.setup(); from django.conf import settings; from django.urls import resolve; "
    "import casework.urls; resolve('/'); "
    "print('casework.demo' in settings.INSTALLED_APPS, "
    "sorted(m for m in sys.modules if m == 'faker' or m.startswith(('faker.', 'casework.demo'))))"
)


def test_production_settings_do_not_install_or_load_the_demo_or_faker():
    result = run_manage("shell", "-c", LOADED, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False []"


def test_seed_demo_is_not_a_command_in_production():
    result = run_manage("seed_demo", **PRODUCTION)
    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr


def test_the_demo_and_the_tests_have_the_demo_app():
    assert "casework.demo" in settings.INSTALLED_APPS  # the suite runs with CASEWORK_ENV=test


def test_the_production_lock_does_not_hold_faker():
    for name in ("base.in", "base.txt"):
        text = (ROOT / "requirements" / name).read_text()
        assert not re.search(r"^faker\b", text, flags=re.IGNORECASE | re.MULTILINE), name


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_the_demo_app_and_tests_import_faker_or_the_demo():
    offenders = []
    for path in sorted((ROOT / "casework").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[1] == "demo" or "tests" in parts:
            continue
        for name in _imports(path):
            if name.split(".")[0] == "faker" or name == "casework.demo" or name.startswith("casework.demo."):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []
