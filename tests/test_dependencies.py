"""Every third-party package the shipped code imports is declared in pyproject.toml.

Why: a package that only arrives as another one's dependency (click and Werkzeug come
with Flask) can vanish or change major version under us when that one changes; what
we import ourselves we declare ourselves.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"indexer", "search_app", "tests", "bench"}


def _imported_top_levels(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_import_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {_normalised(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0])
                for spec in project["dependencies"]}
    distributions = packages_distributions()
    modules = (_imported_top_levels("indexer") | _imported_top_levels("search_app")) - OURS
    missing = {}
    for module in sorted(modules - set(sys.stdlib_module_names)):
        names = {_normalised(d) for d in distributions.get(module, [module])}
        if not names & declared:
            missing[module] = sorted(names)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
