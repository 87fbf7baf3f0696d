"""Imports point down only: the command line (newsint/) on top, then flows/, then warehouse/,
then pipeline/, which imports none of them."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO

LAYERS = ["newsint", "flows", "warehouse", "pipeline"]


def _imported_packages(package: str) -> dict[str, set[str]]:
    """Each module of `package` with the top-level packages it imports, at any depth."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_no_layer_above_it(layer: str) -> None:
    above = set(LAYERS[: LAYERS.index(layer)])
    upward = {module: names & above for module, names in _imported_packages(layer).items() if names & above}
    assert upward == {}
