"""The compile pipeline: import, canonicalize, partition, split, replicate, place, time, report.

Each step is an ordinary pass run through the pass manager, so `rnc compile` is exactly what a user would
get from `rnc import` followed by `rnc-opt --passes=...`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rnc.dialects.rnc import module_target, set_module_target
from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.hw.target_files import TargetError, apply_values, load_target, parse_xbar_size
from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.pass_manager import PassContext, PassError, PassManager, load_all_passes, parse_pipeline
from rnc.passes.xbar.report import placement_report
from rnc.tools.compile.isa_run import IsaRun, baseline_native_ns, run_isa
from rnc.tools.compile.timing import isaac_layers, reference_layers, simulate

CANONICALIZE = ("canonicalize", "fold-batch-norm", "remove-dropout-identity", "fold-constants", "dce")


class CompileError(Exception):
    """A problem the user can fix (bad model, budget, target, output folder): one line, exit status 2."""


@dataclass
class CompileOptions:
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


@dataclass
class BudgetResult:
    budget: int | None
    placed: Any                            # the placed module
    pipeline: str
    report: dict[str, Any]
    latency_ns: float                      # S samples, reference-compatible timing
    latency_one_ns: float
    speedup: float
    seconds: float
    isa: IsaRun | None = None              # with CompileOptions.simulate_isa


@dataclass
class CompileResult:
    model_name: str
    model: Any                             # the canonicalized nn module
    partitioned: Any
    baseline: dict[str, Any]
    runs: list[BudgetResult] = field(default_factory=list)
    ignored_target_keys: list[str] = field(default_factory=list)


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
    try:
        PassManager(parse_pipeline(pipeline)).run(module, PassContext())
    except PassError as e:
        raise CompileError(str(e)) from None
    except DiagnosticError as e:
        raise CompileError(e.diagnostic.message) from None


def canonicalize_pipeline() -> str:
    registry = load_all_passes()
    return ",".join(p for p in CANONICALIZE if p in registry)


def configure_target(module, options: CompileOptions) -> list[str]:
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


def compile_steps(options: CompileOptions) -> int:
    """How many times `compile_model` reports progress with these options (keep it beside the calls)."""
    per_run = 2 if options.simulate_isa else 1                 # place; lower and simulate
    baseline = 1 if options.simulate_isa else 0                # the ISAAC-like baseline program
    return 2 + baseline + per_run * len(options.budgets or [None])   # canonicalize, partition, ...


def compile_model(model_name: str, module, options: CompileOptions,
                  progress: Callable[[str], None] = lambda s: None) -> CompileResult:
    progress("canonicalize")
    ignored = configure_target(module, options)
    run_passes(module, canonicalize_pipeline())
    model = module.clone()
    progress("partition")
    run_passes(module, "tile-partition")
    partitioned = module
    isaac = isaac_layers(partitioned)
    base = simulate(isaac, options.samples)
    base_one = simulate(isaac, 1)
    baseline = {"xbars": sum(len(layer.copies[0]) for layer in isaac),
                "latency_ns": base.latency_ns, "latency_one_sample_ns": base_one.latency_ns,
                "samples": options.samples}
    if options.simulate_isa:
        progress("ISAAC-like baseline program")
        baseline["native_latency_ns"] = _isa_or_error(lambda: baseline_native_ns(partitioned, options.samples))
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
        run = BudgetResult(budget, placed, pipeline, placement_report(placed), timing.latency_ns,
                           one.latency_ns, base.latency_ns / timing.latency_ns, time.perf_counter() - started)
        if options.simulate_isa:
            progress(f"lower and simulate (budget {budget if budget else 'min'})")
            run.isa = _isa_or_error(lambda: run_isa(model, placed, options.samples, options.seed,
                                                    baseline["native_latency_ns"]))
        result.runs.append(run)
    return result
