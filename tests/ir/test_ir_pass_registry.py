"""Every registered pass has a lit test, and the pass table names the module that registers each pass."""
import importlib
from pathlib import Path

from rnc.ir.pass_manager import _ALIASES, load_all_passes
from rnc.passes import PASS_MODULES

LIT_PASSES = Path(__file__).resolve().parents[1] / "lit" / "passes"


def test_every_registered_pass_has_a_lit_test():
    missing = [name for name in sorted(load_all_passes())
               if not (LIT_PASSES / f"{name}.rir").exists() and not (LIT_PASSES / f"{name}.py").exists()]
    assert not missing, (f"passes without a lit test: {', '.join(missing)}; add tests/lit/passes/<name>.rir "
                         f"(or .py) with RUN and CHECK lines")


def test_the_pass_table_lists_every_pass_and_alias_with_its_module():
    registry = load_all_passes()
    problems = []
    for name, cls in registry.items():
        if PASS_MODULES.get(name) != cls.__module__:
            problems.append(f"'{name}': add \"{name}\": \"{cls.__module__}\" to PASS_MODULES in passes/__init__.py")
    for alias, name in _ALIASES.items():
        if PASS_MODULES.get(alias) != registry[name].__module__:
            problems.append(f"alias '{alias}': add \"{alias}\": \"{registry[name].__module__}\" to PASS_MODULES")
    for name, module in PASS_MODULES.items():
        importlib.import_module(module)
        if name not in registry and name not in _ALIASES:
            problems.append(f"'{name}' is listed in PASS_MODULES but {module} registers no such pass")
    assert not problems, "\n".join(problems)
