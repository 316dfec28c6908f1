"""The libraries never reach into the command-line tools: rnc.driver and rnc.nas import nothing from
rnc.tools (nor name its modules, as the NAS's preload list does)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import statement names, and every string constant that looks like an rnc module."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append((node.lineno, node.module))
            names += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("rnc."):
            names.append((node.lineno, node.value))
    return names


@pytest.mark.parametrize("folder", ["driver", "nas"])
def test_library_imports_nothing_from_tools(folder):
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files
    offending = [f"{path.relative_to(ROOT)}:{line}: {name}" for path in files
                 for line, name in _imported_names(ast.parse(path.read_text(), str(path)))
                 if name == "rnc.tools" or name.startswith("rnc.tools.")]
    assert not offending, "\n".join(offending)
