"""The compile pipeline: import, canonicalize, partition, split, replicate, place, time, report.

Each step is an ordinary pass run through the pass manager, so `rnc compile` is exactly what a user would
get from `rnc import` followed by `rnc-opt --passes=...`. `compile_model` is the entry point (re-exported
as `rnc.driver.compile_model`); progress goes to a callback, never to the terminal.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from rnc.dialects.rnc import module_target, set_module_target
from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.hw.target_files import TargetError, apply_values, load_target, parse_xbar_size
from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.pass_manager import PassContext, PassError, PassManager, load_all_passes, parse_pipeline
from rnc.passes.xbar.report import placement_report
from rnc.driver.isa_run import baseline_native, run_isa
from rnc.driver.result import Baseline, BudgetResult, CompileResult
from rnc.driver.timing import isaac_layers, reference_layers, simulate

CANONICALIZE = ("canonicalize", "fold-batch-norm", "remove-dropout-identity", "fold-constants", "dce")


class CompileError(Exception):
    """A problem the user can fix (bad model, budget, target, output folder): one line, exit status 2."""


@dataclass
class CompileOptions:
    """How to compile: hardware, crossbar budgets, placement knobs, and how much to simulate."""

    target_file: str | None = None
    budgets: list[int] | None = None      # None: as few crossbars as possible
    xbar_size: str | None = None
    duplicate: bool = False
    depthwise_split: int = 1
    conflict_distance: int | None = REFERENCE_PACKING.conflict_distance
    max_tiles_per_xbar: int = REFERENCE_PACKING.max_tiles_per_xbar
    samples: int = 8
    seed: int = 0
    strategy: str = REFERENCE_PACKING.strategy
    # Lower to .isa, simulate it (rnc-native timing) and check its numbers against the float interpreter.
    # Off for callers that only need placement and reference timing in a loop (the NAS).
    simulate_isa: bool = False
    input_shape: tuple[int, ...] | None = None   # for .onnx models with dynamic shapes


def load_model(model: str, input_shape: tuple[int, ...] | None = None):
    """A built-in model name or an .onnx path -> nn-dialect module."""
    from rnc.frontends.zoo import BUILTIN_MODELS, build_model, get_spec
    path = Path(model)
    if model in BUILTIN_MODELS:
        import torch
        from rnc.frontends.onnx.importer import import_onnx
        from rnc.frontends.torch import export_onnx
        spec = get_spec(model)
        return import_onnx(export_onnx(build_model(model), torch.zeros(spec.input_shape)))
    if path.suffix.lower() == ".onnx" or path.exists():
        from rnc.frontends.onnx.errors import OnnxImportError
        from rnc.frontends.onnx.importer import import_onnx
        if not path.is_file():
            raise CompileError(f"cannot read model '{model}': no such file")
        try:
            return import_onnx(str(path), input_shape)
        except OnnxImportError as e:
            raise CompileError(f"{model}: {e}") from None
    raise CompileError(f"unknown model '{model}'; built-in models: {', '.join(BUILTIN_MODELS)} "
                       f"(or give a path to an .onnx file)")


def run_passes(module, pipeline: str) -> None:
    """Runs a textual pass pipeline on `module` in place; pass failures become CompileError.

    A crash inside a pass is not the user's to fix: it propagates, its cause chained, as an internal error.
    """
    try:
        PassManager(parse_pipeline(pipeline)).run(module, PassContext())
    except PassError as e:
        raise CompileError(str(e)) from None
    except DiagnosticError as e:
        if e.internal:
            raise
        raise CompileError(e.diagnostic.message) from None


def canonicalize_pipeline() -> str:
    """The canonicalization passes `rnc compile` runs after import, as a pipeline string."""
    registry = load_all_passes()
    return ",".join(p for p in CANONICALIZE if p in registry)


def configure_target(module, options: CompileOptions) -> list[str]:
    """Sets `module`'s target from the options' target file and crossbar size; returns the file's keys that
    rnc does not use."""
    target = module_target(module)
    ignored: list[str] = []
    try:
        if options.target_file:
            loaded = load_target(options.target_file, target)
            target, ignored = loaded.target, loaded.ignored_keys
        if options.xbar_size:
            rows, cols = parse_xbar_size(options.xbar_size)
            target = apply_values(target, {"xbar_rows": rows, "xbar_cols": cols,
                                           "subarray_size": min(rows, target.peripherals.subarray_size)})
    except TargetError as e:
        raise CompileError(str(e)) from None
    set_module_target(module, target)
    return ignored


def _knobs(options: CompileOptions) -> str:
    distance = "off" if options.conflict_distance is None else options.conflict_distance
    return (f"conflict-distance={distance} max-tiles-per-xbar={options.max_tiles_per_xbar} "
            f"strategy={options.strategy} seed={options.seed}")


def _isa_or_error(step):
    from rnc.backends.isa import LoweringError
    from rnc.sim.isa_sim import SimError
    try:
        return step()
    except (LoweringError, SimError) as e:
        raise CompileError(f"cannot lower to the crossbar ISA: {e} (--no-simulate stops after placement)") from None


def _is_module(model) -> bool:
    return not isinstance(model, (str, os.PathLike))


def compile_steps(model, options: CompileOptions) -> int:
    """How many times `compile_model` reports progress for `model` and `options` (keep it beside the calls)."""
    imports = 0 if _is_module(model) else 1
    per_run = 2 if options.simulate_isa else 1                 # place; lower and simulate
    baseline = 1 if options.simulate_isa else 0                # the ISAAC-like baseline program
    return imports + 2 + baseline + per_run * len(options.budgets or [None])   # canonicalize, partition, ...


def compile_model(model: str | os.PathLike | Any, options: CompileOptions | None = None, *,
                  name: str | None = None, progress: Callable[[str], None] = lambda s: None) -> CompileResult:
    """Compiles `model` for each budget of `options` (default options: as few crossbars as possible).

    `model` is a built-in model name, a path to an .onnx file, or an nn-dialect module (left unchanged).
    `name` names the model in the report (default: the file's stem, or "model" for a module). `progress`
    is called with each step's name as the step starts. Raises CompileError for problems the user can fix.
    """
    options = options or CompileOptions()
    if _is_module(model):
        module, model_name = model.clone(), name or "model"
    else:
        progress("import")
        module, model_name = load_model(str(model), options.input_shape), name or Path(model).stem
    progress("canonicalize")
    ignored = configure_target(module, options)
    run_passes(module, canonicalize_pipeline())
    model = module.clone()                     # from here on: the canonicalized nn module
    progress("partition")
    run_passes(module, "tile-partition")
    partitioned = module
    isaac = isaac_layers(partitioned)
    base = simulate(isaac, options.samples)
    base_one = simulate(isaac, 1)
    baseline = Baseline(sum(len(layer.copies[0]) for layer in isaac), base.latency_ns, base_one.latency_ns,
                        options.samples)
    if options.simulate_isa:
        progress("ISAAC-like baseline program")
        base_run = _isa_or_error(lambda: baseline_native(partitioned, options.samples))
        baseline.native_latency_ns, baseline.native_energy = base_run.total_ns, base_run.energy.to_dict()
    result = CompileResult(model_name, model, partitioned, baseline, ignored_target_keys=ignored)
    for budget in (options.budgets or [None]):
        progress(f"place (budget {budget if budget else 'min'})")
        started = time.perf_counter()
        placed = partitioned.clone()
        steps = []
        if options.depthwise_split > 1:
            steps.append(f"depthwise-split{{factor={options.depthwise_split}}}")
        if options.duplicate and budget is not None:
            steps.append(f"replicate{{budget={budget} {_knobs(options)}}}")
        elif budget is not None:
            steps.append(f"place{{budget={budget} {_knobs(options)}}}")
        else:
            steps.append(f"place{{min-count {_knobs(options)}}}")
        pipeline = ",".join(steps)
        run_passes(placed, pipeline)
        layers = reference_layers(placed)
        timing = simulate(layers, options.samples)
        one = simulate(layers, 1)
        run = BudgetResult(budget, pipeline, placed, placement_report(placed), options.samples, timing.latency_ns,
                           one.latency_ns, base.latency_ns / timing.latency_ns, time.perf_counter() - started)
        if options.simulate_isa:
            progress(f"lower and simulate (budget {budget if budget else 'min'})")
            run.isa = _isa_or_error(lambda: run_isa(model, placed, options.samples, options.seed,
                                                    base_run))
        result.runs.append(run)
    return result
