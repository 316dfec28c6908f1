"""The compile pipeline: import, canonicalize, partition, split, replicate, place, time, report.

Each step is an ordinary pass run through the pass manager, so `rnc compile` is exactly what a user would
get from `rnc import` followed by `rnc-opt --passes=...`. `compile_model` is the entry point (re-exported
as `rnc.driver.compile_model`); progress goes to a callback, never to the terminal.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from rnc.backends.isa.adc_calibration import set_adc_shifts
from rnc.backends.isa.reference import calibrate
from rnc.dialects.rnc import module_target, set_module_target
from rnc.dialects.xbar import module_layers
from rnc.frontends.zoo import BUILTIN_MODELS
from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.hw.target_files import TargetError, apply_values, load_target, parse_xbar_size
from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.pass_manager import PassContext, PassError, PassManager, load_all_passes, parse_pipeline
from rnc.passes.xbar.layer_peripherals import format_layer_overrides
from rnc.passes.xbar.report import placement_report
from rnc.driver.accuracy import evaluate_accuracy
from rnc.driver.eval_data import EvalDataError, load_eval_data
from rnc.driver.isa_run import baseline_native, run_isa
from rnc.driver.calibration import Calibration, data_calibration, random_calibration
from rnc.driver.limits import (DEFAULT_CALIBRATION_SAMPLES, DEFAULT_EVAL_SAMPLES, LimitError, check_memory,
                               check_options, default_memory_limit_gib)
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
    xbar_size: str | None = None          # "ROWSxCOLS"
    subarray_size: int | None = None      # rows per subarray (default: the target's, at most the rows)
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
    memory_limit_gib: float | None = None        # for the functional check; None: rnc.driver.limits' default
    # Accuracy of the compiled program (needs simulate_isa): "digits" or a folder (rnc.driver.eval_data).
    eval_data: str | None = None
    eval_samples: int = DEFAULT_EVAL_SAMPLES
    # What the program is calibrated on (activation scales; ADC ranges with adc_range = "calibrated"): None for
    # seeded random inputs, or "digits" (its training split) or a folder, as eval_data; its first N samples.
    calibration_data: str | None = None
    calibration_samples: int = DEFAULT_CALIBRATION_SAMPLES
    # Target keys set on top of the target file (`rnc compile --adc-bits 4 ...`): {"adc_bits": 4, ...}.
    target_values: dict[str, Any] = field(default_factory=dict)
    # A layer's own periphery: {xbar.layer index: {key of rnc.hw.LAYER_PERIPHERAL_KEYS: value}}, applied by
    # the `layer-peripherals` pass before partition (`rnc compile --layer-config FILE.toml`).
    layer_peripherals: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Seconds each pack of `place`/`replicate` may search beyond its constructive passes (None: no limit, the
    # search is bounded by effort). The NAS places with 0, and compiles a chosen design with 0 to match.
    pack_time_limit: float | None = None


def load_model(model: str, input_shape: tuple[int, ...] | None = None):
    """A built-in model name or an .onnx path -> nn-dialect module."""
    path = Path(model)
    if model in BUILTIN_MODELS:
        from rnc.frontends.onnx.importer import import_onnx
        from rnc.frontends.zoo.cache import builtin_onnx
        return import_onnx(builtin_onnx(model))   # the export is cached: no torch once it is
    if path.suffix.lower() == ".onnx" or path.exists():
        from rnc.frontends.onnx.errors import OnnxImportError
        from rnc.frontends.onnx.importer import import_onnx
        if not path.is_file():
            raise CompileError(f"cannot read model '{model}': no such file")
        try:
            return import_onnx(str(path), input_shape)
        except OnnxImportError as e:   # names the file
            raise CompileError(str(e)) from None
    raise CompileError(f"unknown model '{model}'; built-in models: {', '.join(BUILTIN_MODELS)} "
                       f"(or give a path to an .onnx file)")


def run_passes(module, pipeline: str, source: str | None = None) -> None:
    """Runs a textual pass pipeline on `module` in place; pass failures become CompileError, naming `source`
    (the model's file) when given.

    A crash inside a pass is not the user's to fix: it propagates, its cause chained, as an internal error.
    """
    prefix = f"{source}: " if source else ""
    try:
        PassManager(parse_pipeline(pipeline)).run(module, PassContext())
    except PassError as e:
        raise CompileError(f"{prefix}{e}") from None
    except DiagnosticError as e:
        if e.internal:
            raise
        raise CompileError(f"{prefix}{e.diagnostic.message}") from None


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
        values = {}
        if options.xbar_size:
            rows, cols = parse_xbar_size(options.xbar_size)
            values = {"xbar_rows": rows, "xbar_cols": cols,
                      "subarray_size": min(rows, target.peripherals.subarray_size)}
            if options.subarray_size is None and rows % values["subarray_size"]:
                raise CompileError(f"--xbar-size {options.xbar_size}: the subarray size {values['subarray_size']} "
                                   f"does not divide the {rows} rows; give a divisor of {rows} with --subarray-size")
        if options.subarray_size is not None:
            values["subarray_size"] = options.subarray_size
        values.update(options.target_values)
        if values:
            target = apply_values(target, values)
    except TargetError as e:
        raise CompileError(str(e)) from None
    set_module_target(module, target)
    return ignored


def _knobs(options: CompileOptions) -> str:
    distance = "off" if options.conflict_distance is None else options.conflict_distance
    limit = "" if options.pack_time_limit is None else f" time-limit={options.pack_time_limit}"
    return (f"conflict-distance={distance} max-tiles-per-xbar={options.max_tiles_per_xbar} "
            f"strategy={options.strategy} seed={options.seed}{limit}")


def _isa_or_error(step, source: str | None):
    from rnc.backends.isa import LoweringError
    from rnc.sim.isa_sim import SimError
    try:
        return step()
    except (LoweringError, SimError) as e:
        prefix = f"{source}: " if source else ""
        raise CompileError(f"{prefix}cannot lower to the crossbar ISA: {e} (--no-simulate stops after placement)") \
            from None


def _check_functional_inputs(model, options: CompileOptions, source: str | None) -> None:
    """What the functional check needs before it runs: memory within the limit (estimated) and finite weights
    (it quantizes them to 8 bits). CompileError names `source`, the model's file, when there is one."""
    from rnc.dialects.nn.constant import ConstantOp
    prefix = f"{source}: " if source else ""
    limit = options.memory_limit_gib if options.memory_limit_gib is not None else default_memory_limit_gib()
    try:
        check_memory(model, limit, "the functional check")
    except LimitError as e:
        raise CompileError(f"{prefix}{e}") from None
    for op in model.walk():
        if isinstance(op, ConstantOp) and op.array().dtype.kind == "f" and not np.isfinite(op.array()).all():
            raise CompileError(f"{prefix}constant '{op.results[0].name_hint or '?'}' holds NaN or infinite "
                               f"values; the functional check quantizes weights and needs finite ones "
                               f"(--no-simulate skips it)")


def _eval_data(model, options: CompileOptions, source: str | None):
    """The samples of `options.eval_data` for `model` (None without it); CompileError for bad data, which
    names the data file (or the model's `source` when the model cannot take the data)."""
    if not options.eval_data:
        return None
    if not options.simulate_isa:
        raise CompileError("--eval-data measures the simulated program: it cannot be used with --no-simulate")
    return _load_data(options.eval_data, model, options.eval_samples, source, "--eval-data", "validation")


def _calibration(model, options: CompileOptions, source: str | None) -> Calibration | None:
    """The inputs the program is calibrated on (None without a program: --no-simulate)."""
    if not options.simulate_isa:
        if options.calibration_data:
            raise CompileError("--calibration-data calibrates the simulated program: it cannot be used with "
                               "--no-simulate")
        return None
    if not options.calibration_data:
        return random_calibration(model, options.seed)
    data = _load_data(options.calibration_data, model, options.calibration_samples, source, "--calibration-data",
                      "train")
    return data_calibration(data.source, data.inputs)


def _load_data(spec: str, model, samples: int, source: str | None, option: str, split: str):
    """`load_eval_data` for `option`; CompileError naming the data file, or the model's `source` when the
    model cannot take the data."""
    try:
        return load_eval_data(spec, model, samples, split=split, option=option)
    except EvalDataError as e:
        raise CompileError(f"{source}: {e}" if source and str(e).startswith(option) else str(e)) from None


def _is_module(model) -> bool:
    return not isinstance(model, (str, os.PathLike))


def compile_steps(model, options: CompileOptions) -> int:
    """How many times `compile_model` reports progress for `model` and `options` (keep it beside the calls)."""
    imports = 0 if _is_module(model) else 1
    per_run = 2 if options.simulate_isa else 1                 # place; lower and simulate
    baseline = 1 if options.simulate_isa else 0                # the ISAAC-like baseline program
    accuracy = 1 if options.simulate_isa and options.eval_data else 0
    return imports + 2 + baseline + accuracy + per_run * len(options.budgets or [None])   # canonicalize, ...


def compile_model(model: str | os.PathLike | Any, options: CompileOptions | None = None, *,
                  name: str | None = None, progress: Callable[[str], None] = lambda s: None) -> CompileResult:
    """Compiles `model` for each budget of `options` (default options: as few crossbars as possible).

    `model` is a built-in model name, a path to an .onnx file, or an nn-dialect module (left unchanged).
    `name` names the model in the report (default: the file's stem, or "model" for a module). `progress`
    is called with each step's name as the step starts. Raises CompileError for problems the user can fix.
    """
    options = options or CompileOptions()
    clock = _StepClock(progress)
    progress = clock.start
    source = None if _is_module(model) or str(model) in BUILTIN_MODELS else str(model)   # a file
    try:
        check_options(options)
    except LimitError as e:
        raise CompileError(str(e)) from None
    if _is_module(model):
        module, model_name = model.clone(), name or "model"
    else:
        progress("import")
        module, model_name = load_model(str(model), options.input_shape), name or Path(model).stem
    progress("canonicalize")
    ignored = configure_target(module, options)
    run_passes(module, canonicalize_pipeline(), source)
    model = module.clone()                     # from here on: the canonicalized nn module
    if options.simulate_isa:
        _check_functional_inputs(model, options, source)
    eval_data = _eval_data(model, options, source)
    calibration = _calibration(model, options, source)
    progress("partition")
    if options.layer_peripherals:
        layers = format_layer_overrides(options.layer_peripherals)
        run_passes(module, f'layer-peripherals{{layers="{layers}"}}', source)
    run_passes(module, "tile-partition", source)
    partitioned = module
    if not any(layer.tiles for layer in module_layers(partitioned)):
        raise CompileError(f"{source or model_name}: the model has no layer with weights (conv, linear, matmul) "
                           f"to place on crossbars")
    if calibration is not None and module_target(partitioned).calibrates_adc:
        # once, before placement: every placed copy (and the baseline) carries the layers' ADC ranges
        samples = calibration.samples
        set_adc_shifts(partitioned, calibrate(partitioned, samples), samples)
    isaac = isaac_layers(partitioned)
    base = simulate(isaac, options.samples)
    base_one = simulate(isaac, 1)
    baseline = Baseline(sum(len(layer.copies[0]) for layer in isaac), base.latency_ns, base_one.latency_ns,
                        options.samples)
    if options.simulate_isa:
        progress("ISAAC-like baseline program")
        base_run = _isa_or_error(lambda: baseline_native(partitioned, options.samples), source)
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
        run_passes(placed, pipeline, source)
        layers = reference_layers(placed)
        timing = simulate(layers, options.samples)
        one = simulate(layers, 1)
        run = BudgetResult(budget, pipeline, placed, placement_report(placed), options.samples, timing.latency_ns,
                           one.latency_ns, base.latency_ns / timing.latency_ns, time.perf_counter() - started)
        if options.simulate_isa:
            progress(f"lower and simulate (budget {budget if budget else 'min'})")
            run.isa = _isa_or_error(lambda: run_isa(model, placed, options.samples, options.seed,
                                                    base_run, calibration), source)
            if not math.isfinite(run.isa.check.float_output_range):
                raise CompileError(f"{source or model_name}: the model's float output on the functional check's "
                                   f"input is not finite (its weights or activations overflow float32); "
                                   f"--no-simulate skips the check")
        result.runs.append(run)
    if eval_data is not None:
        progress("evaluate accuracy")
        result.accuracy = evaluate_accuracy(result.last.isa.program, model, eval_data)
    result.step_seconds, result.total_seconds = clock.finish()
    result.check_figures()
    return result


class _StepClock:
    """Times each progress step, from its start to the next step's (report.json's `step_seconds`)."""

    def __init__(self, progress: Callable[[str], None]) -> None:
        self._progress = progress
        self._began = time.perf_counter()
        self._steps: list[tuple[str, float]] = []

    def start(self, name: str) -> None:
        self._steps.append((name, time.perf_counter()))
        self._progress(name)

    def finish(self) -> tuple[dict[str, float], float]:
        """({step: seconds}, total seconds since the clock was made)."""
        end = time.perf_counter()
        ends = [t for _, t in self._steps[1:]] + [end]
        return {name: stop - t for (name, t), stop in zip(self._steps, ends)}, end - self._began
