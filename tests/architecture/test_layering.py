"""The layer order is a test: every `rnc.*` import in the source must point at its own layer or one below.

    ir, hw                 the IR core; the hardware description (plain data and formulas)
    dialects               ops, types and attributes (the IR of each level)
    passes, frontends      transformations; importers into the nn dialect
    backends               lowering targets (the ISA: opcode table, quantization, text emission)
    sim                    interpreters and simulators of what the backends produce
    driver                 the compiler as a library (pipelines, timing and ISA runs, outputs)
    nas                    searches that call the driver
    tools                  command lines only

docs/architecture.md explains why. The few imports that go upward are listed in LAZY_REGISTRY_LOOKUPS with
their reason; each must stay inside a function (a run-time lookup by name), never at module level. A string
that names an rnc module (`importlib.import_module("rnc.x")`, a preload list) counts as an import, except in
the two name tables the IR core reads (NAME_TABLES).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"ir": "rnc_ir", "hw": "hw", "dialects": "dialects", "passes": "passes", "frontends": "frontends",
           "backends": "backends", "sim": "sim", "driver": "driver", "nas": "nas", "tools": "tools"}

_BOTTOM = {"ir", "hw"}
MAY_IMPORT: dict[str, set[str]] = {
    "ir": {"ir"},
    "hw": {"hw"},
    "dialects": _BOTTOM | {"dialects"},
    "passes": _BOTTOM | {"dialects", "passes"},
    "frontends": _BOTTOM | {"dialects", "frontends"},
    "backends": _BOTTOM | {"dialects", "passes", "backends"},
    "sim": _BOTTOM | {"dialects", "passes", "backends", "sim"},
    "driver": _BOTTOM | {"dialects", "passes", "frontends", "backends", "sim", "driver"},
    "nas": _BOTTOM | {"dialects", "passes", "frontends", "backends", "sim", "driver", "nas"},
    "tools": set(FOLDERS),
}

# (importing file, imported module): the IR core finds registered dialects and passes by name, the way
# MLIR's registerAllDialects does, so rnc-opt imports only what a pipeline uses. Only these tables and the
# builtin module op (the IR's root op) are reached, and only from inside functions.
LAZY_REGISTRY_LOOKUPS = {
    ("rnc_ir/dialect.py", "rnc.dialects.registry"),
    ("rnc_ir/parser.py", "rnc.dialects.builtin"),
    ("rnc_ir/pass_manager.py", "rnc.passes"),
}


# The registries of dialects and passes: name -> module tables, read by rnc.ir, not imports of their own.
NAME_TABLES = {"dialects/registry.py", "passes/__init__.py"}
_MODULE_NAME = re.compile(r"rnc(\.[a-z_]+)+")


def _imports(path: Path):
    """(module name, lineno, at module level) for every `rnc.*` import, or module-naming string, in `path`."""
    tree = ast.parse(path.read_text(), str(path))
    top_level = {id(node) for node in tree.body}
    strings_count = path.relative_to(ROOT).as_posix() not in NAME_TABLES
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif strings_count and isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and _MODULE_NAME.fullmatch(node.value):
            names = [node.value]
        for name in names:
            if name == "rnc" or name.startswith("rnc."):
                yield name, node.lineno, id(node) in top_level


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FOLDERS else None


def _sources():
    for layer, folder in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield layer, path


def test_every_folder_is_a_known_layer():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages - {"tests", "bench", "docs"} == set(FOLDERS.values())


@pytest.mark.parametrize("layer", list(FOLDERS))
def test_imports_follow_the_layer_order(layer):
    bad = []
    for own, path in _sources():
        if own != layer:
            continue
        rel = path.relative_to(ROOT).as_posix()
        for module, line, top_level in _imports(path):
            target = _layer_of(module)
            if target is None or target in MAY_IMPORT[layer]:
                continue
            lazy_ok = (rel, module) in LAZY_REGISTRY_LOOKUPS and not top_level
            if not lazy_ok:
                bad.append(f"{rel}:{line}: {layer} imports {module} ({target} is above {layer})")
    assert not bad, "\n".join(bad)


def test_the_lazy_lookups_still_exist():
    """An allowance nobody needs any more is removed, so the list stays the truth."""
    found = {(path.relative_to(ROOT).as_posix(), m) for _, path in _sources() for m, _, _ in _imports(path)}
    assert LAZY_REGISTRY_LOOKUPS <= found
