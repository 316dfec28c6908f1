"""rnc.driver: the compiler as a library (compile pipeline, timing runs, ISA runs, atomic outputs).

    from rnc.driver import CompileOptions, compile_model, write_outputs

    result = compile_model("squeezenet", CompileOptions(budgets=[60, 80], duplicate=True, simulate_isa=True))
    print(result.last.xbars_used, result.last.speedup_vs_isaac, result.last.isa.check.passed)
    write_outputs("out/squeezenet", result)      # the files `rnc compile` writes

`compile_model(model, options)` takes a built-in model name, an .onnx path or an nn-dialect module and returns
a `CompileResult`: the `Baseline`, one `BudgetResult` per budget, and `report()`/`to_json()`, report.json's
contents. Problems the user can fix raise `CompileError` (one line). docs/compile.md shows the API.

The names below load on first use, so importing `rnc.driver.atomic` (rnc-opt does) stays light.
"""
from __future__ import annotations

import importlib

# public name -> the module that defines it
_EXPORTS = {
    "CompileError": "rnc.driver.pipeline", "CompileOptions": "rnc.driver.pipeline",
    "compile_model": "rnc.driver.pipeline", "compile_steps": "rnc.driver.pipeline",
    "load_model": "rnc.driver.pipeline",
    "Baseline": "rnc.driver.result", "BudgetResult": "rnc.driver.result", "CompileResult": "rnc.driver.result",
    "FunctionalCheck": "rnc.driver.isa_run", "IsaRun": "rnc.driver.isa_run",
    "write_outputs": "rnc.driver.outputs",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rnc.driver' has no attribute '{name}'")
    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
