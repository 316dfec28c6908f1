"""`rnc compile MODEL`: model to placed program, timing, speedup over the ISAAC-like mapping, and reports."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.hw.cost.params import ADC_TYPES, MAX_ARRAY_SIDE
from rnc.hw.parameters import Allowed
from rnc.hw.precision import ADC_MODELS, ADC_RANGES, WEIGHT_SIGNS
from rnc.hw.target import DEFAULT_TARGET, Target
from rnc.tools.option_types import int_in, number_from
from rnc.tools.compile.intermittent import add_power_arguments, power_from_args, run_power


MAX_PACK_SECONDS = 86400.0     # a day: beyond it a safety cap caps nothing


class _ListTargetKeys(argparse.Action):
    """`--list-target-keys`: prints every target key (as --version prints a version: no model needed)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from rnc.hw.target import Target
        rows = [(p.key, "none" if p.default is None else str(p.default), p.allowed_text(), p.doc, p.source)
                for p in Target.parameters()]
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        print("target keys (a target TOML's keys, `--target FILE`; docs/hardware.md):")
        for key, default, allowed, doc, source in rows:
            print(f"  {key:<{widths[0]}}  default {default:<{widths[1]}}  {allowed}\n"
                  f"  {'':<{widths[0]}}  {doc} [source: {source}]")
        parser.exit(0)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from rnc.driver.limits import DEFAULT_CALIBRATION_SAMPLES, DEFAULT_EVAL_SAMPLES, MAX_SAMPLES
    p.add_argument("--list-target-keys", action=_ListTargetKeys,
                   help="print every target key with its default, range, unit, meaning and source, and exit")
    p.add_argument("model", help="a built-in model name (mbv3_small, squeezenet, resnet18) or an .onnx file")
    p.add_argument("--target", dest="target_file", 
                   help="hardware: a chip (isaac, rnc-reference), a target or chip .toml, or a SimConfig.ini")
    p.add_argument("--xbars", help="crossbar budget N, or a comma list to sweep (60,80,100,120)")
    p.add_argument("--min-xbars", action="store_true", help="use as few crossbars as possible (the default "
                                                             "without --xbars)")
    p.add_argument("--xbar-size",
                   help=f"crossbar ROWSxCOLS (default {DEFAULT_TARGET.xbar_rows}x{DEFAULT_TARGET.xbar_cols}), or "
                        f"a comma list to sweep sizes (64x64,128x128,256x256: one row and subfolder per size)")
    p.add_argument("--subarray-size", type=int, metavar="ROWS",
                   help=f"rows per subarray, a divisor of the crossbar rows (default "
                        f"{DEFAULT_TARGET.peripherals.subarray_size}, or the rows when fewer)")
    add_peripheral_arguments(p)
    p.add_argument("--duplicate", action="store_true", help="replicate bottleneck layers within the budget")
    p.add_argument("--depthwise-split", type=int, default=1, metavar="F", help="split depthwise layers F ways")
    p.add_argument("--conflict-distance", default=str(REFERENCE_PACKING.conflict_distance), metavar="D",
                   help="layers closer than D+1 in execution order never share a crossbar; 'off' disables")
    p.add_argument("--max-tiles-per-xbar", type=int, default=REFERENCE_PACKING.max_tiles_per_xbar, metavar="K",
                   help="at most K tiles per crossbar; 0 disables")
    p.add_argument("--samples", type=int, default=8, metavar="S", help="samples pipelined in the simulation")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the packing search and of the functional check's input (default 0)")
    p.add_argument("--pack-time-limit", type=number_from(0, MAX_PACK_SECONDS), metavar="SECONDS",
                   help="seconds each pack may search beyond its constructive passes (default: no limit; "
                        "0 places a design as rnc nas search scored it)")
    p.add_argument("--input-shape", help="input shape for models with dynamic shapes, e.g. 1x3x64x64")
    p.add_argument("--out", default=None, help="output folder (default out/<model>)")
    p.add_argument("--emit", metavar="LIST",
                   help="files to write besides the reports: a comma list of placed (placed.rir), rir (model.rir "
                        "and placed.rir), isa (program.isa), all; default: the program once (program.isa, or "
                        "placed.rir with --no-simulate)")
    p.add_argument("--json", action="store_true", help="print the summary of report.json instead of the table")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--memory-limit", type=float, metavar="GIB",
                   help="refuse a functional check whose tensors need more than GIB GiB (default "
                        "RNC_MEMORY_LIMIT_GIB, else 8)")
    p.add_argument("--eval-data", metavar="DATA",
                   help="measure the compiled program's top-1 accuracy and agreement with the float model on "
                        "'digits' (scikit-learn's, the split rnc nas train holds out) or a folder with "
                        "inputs.npy and optional labels.npy (docs/compile.md)")
    p.add_argument("--eval-samples", type=int_in(1, MAX_SAMPLES), default=DEFAULT_EVAL_SAMPLES, metavar="N",
                   help=f"samples --eval-data measures (the first N; default {DEFAULT_EVAL_SAMPLES})")
    p.add_argument("--calibration-data", metavar="DATA",
                   help="calibrate the program's activation scales (and, with --adc-range calibrated, its ADC "
                        "ranges) on 'digits' (its training split) or a folder with inputs.npy, as --eval-data "
                        "reads it (default: seeded random inputs; docs/precision.md)")
    p.add_argument("--calibration-samples", type=int_in(1, MAX_SAMPLES), default=DEFAULT_CALIBRATION_SAMPLES,
                   metavar="N", help=f"samples --calibration-data takes (the first N; default "
                                     f"{DEFAULT_CALIBRATION_SAMPLES})")
    p.add_argument("--no-simulate", action="store_true",
                   help="skip lowering to .isa, the ISA simulation and its functional check (placement and "
                        "reference-compatible timing only)")
    add_power_arguments(p)


# The per-layer peripheral keys settable for every layer at once (--adc-bits 4 is target key adc_bits = 4).
GLOBAL_PERIPHERAL_OPTIONS = {"adc_bits": "ADC bits", "input_bits": "input (activation) bits of an MVM",
                             "cell_bits": "bits a cell stores", "cols_per_adc": "columns sharing one ADC",
                             "adc_type": "ADC type"}


def add_peripheral_arguments(p: argparse.ArgumentParser) -> None:
    """--adc-bits, --input-bits, --cell-bits, --cols-per-adc, --adc-type (every layer) and --layer-config."""
    for key, what in GLOBAL_PERIPHERAL_OPTIONS.items():
        flag = "--" + key.replace("_", "-")
        if key == "adc_type":
            p.add_argument(flag, choices=ADC_TYPES, help=f"{what} of every layer (default: the chip's)")
            continue
        allowed = Target.parameter(key).allowed
        low, high = (int(allowed.low), int(allowed.high)) if isinstance(allowed, Allowed) else (1, MAX_ARRAY_SIDE)
        p.add_argument(flag, type=int_in(low, high), metavar="N",
                       help=f"{what} of every layer, {low}..{high} (default: the target's)")
    p.add_argument("--adc-model", choices=ADC_MODELS,
                   help="ideal: column sums exact (the default targets); quantized: ADC bits round and clip them "
                        "(docs/precision.md)")
    p.add_argument("--adc-range", choices=ADC_RANGES,
                   help="a quantized ADC's full scale: worst-case (the largest possible column sum, the default) "
                        "or calibrated (the largest the calibration inputs produce; docs/precision.md)")
    p.add_argument("--weight-sign", choices=WEIGHT_SIGNS,
                   help="signed weights: offset (a digital correction) or differential (column pairs)")
    p.add_argument("--layer-config", metavar="FILE.toml",
                   help="per-layer peripherals: [layer.N] tables of adc_type, adc_bits, cols_per_adc, input_bits, "
                        "dac_bits, cell_bits (docs/hardware.md)")


def peripheral_options(args) -> tuple[dict, dict]:
    """(target values, per-layer overrides) of the peripheral flags; ValueError (TargetError) on a bad file."""
    from rnc.hw.target_files import load_layer_config
    keys = (*GLOBAL_PERIPHERAL_OPTIONS, "adc_model", "adc_range", "weight_sign")
    values = {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}
    layers = load_layer_config(args.layer_config) if args.layer_config else {}
    return values, layers


class _UsageError(Exception):
    """An option value the command cannot use: one line, exit status 2."""


def _budgets(args) -> list[int] | None:
    if args.min_xbars or not args.xbars:
        return None
    try:
        return [int(x) for x in args.xbars.split(",")]   # an empty item ("10,,20", "10,") is an error too
    except ValueError:
        raise _UsageError(f"--xbars expects N or N1,N2,... (positive integers), got '{args.xbars}'") from None


def _conflict_distance(args) -> int | None:
    try:
        return None if args.conflict_distance.lower() == "off" else int(args.conflict_distance)
    except ValueError:
        raise _UsageError(f"--conflict-distance expects a non-negative integer or 'off', "
                          f"got '{args.conflict_distance}'") from None


def _input_shape(args) -> tuple[int, ...] | None:
    """--input-shape 1x3x64x64 -> (1, 3, 64, 64)."""
    if not args.input_shape:
        return None
    try:
        return tuple(int(d) for d in args.input_shape.lower().split("x"))
    except ValueError:
        raise _UsageError(f"--input-shape expects dimensions joined by x (e.g. 1x3x64x64), "
                          f"got '{args.input_shape}'") from None


def _options(args):
    """The CompileOptions the flags ask for, every value within its range (rnc.driver.limits)."""
    from rnc.driver import CompileOptions
    from rnc.driver.limits import LimitError, check_options
    from rnc.hw.target_files import TargetError
    try:
        target_values, layer_peripherals = peripheral_options(args)
    except TargetError as e:
        raise _UsageError(str(e)) from None
    options = CompileOptions(target_file=args.target_file, budgets=_budgets(args), xbar_size=args.xbar_size,
                             subarray_size=args.subarray_size, duplicate=args.duplicate,
                             depthwise_split=args.depthwise_split, conflict_distance=_conflict_distance(args),
                             max_tiles_per_xbar=args.max_tiles_per_xbar, samples=args.samples, seed=args.seed,
                             simulate_isa=not args.no_simulate, input_shape=_input_shape(args),
                             memory_limit_gib=args.memory_limit, target_values=target_values,
                             layer_peripherals=layer_peripherals, pack_time_limit=args.pack_time_limit,
                             eval_data=args.eval_data, eval_samples=args.eval_samples,
                             calibration_data=args.calibration_data, calibration_samples=args.calibration_samples)
    try:
        check_options(options)
    except LimitError as e:
        raise _UsageError(str(e)) from None
    return options


def _fail(message: str) -> int:
    sys.stderr.write(f"rnc compile: error: {message}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    from rnc.dialects.rnc import module_target
    from rnc.driver import CompileError, compile_model, compile_steps, write_outputs
    from rnc.tools.compile.progress import step_progress
    from rnc.tools.compile.table import summary_table
    from rnc.driver.outputs import parse_emit
    try:
        options = _options(args)
        power = power_from_args(args)
        emit = parse_emit(args.emit) if args.emit else None
    except (_UsageError, ValueError) as e:
        return _fail(str(e))
    out = Path(args.out or f"out/{Path(args.model).stem}")
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise PermissionError
    except OSError:
        return _fail(f"output folder '{out}' is not writable")
    if args.xbar_size and "," in args.xbar_size:
        return _run_size_sweep(args, options, power, out, emit)
    write_error = None
    try:
        # the compile's own steps (import included), then writing the reports
        with step_progress(compile_steps(args.model, options) + 1, enabled=not args.quiet) as progress:
            result = compile_model(args.model, options, progress=progress)
            progress("write reports")
            try:
                write_outputs(out, result, emit)
            except OSError as e:   # only the writing: a read error is the compile's to report
                write_error = e
    except CompileError as e:
        return _fail(str(e))
    if write_error is not None:
        return _fail(f"cannot write to '{out}': {write_error.strerror}")
    failed = [r for r in result.runs if r.isa and not r.isa.check.passed]
    if args.json:
        print(json.dumps(result.sweep() if len(result.runs) > 1 else result.summary(), indent=2))
        return run_power(args, power, result, out) or _check_status(failed)
    for warning in result.ignored_target_keys and [f"target keys not used by rnc: "
                                                   f"{', '.join(result.ignored_target_keys)}"] or []:
        sys.stderr.write(f"rnc compile: note: {warning}\n")
    target = module_target(result.partitioned)
    if _adc_bits_set(args, options) and target.adc_model == "ideal":
        sys.stderr.write("rnc compile: note: the ADC model is ideal: ADC bits change energy and time, not the "
                         "numbers (--adc-model quantized; docs/precision.md)\n")
    if target.adc_range == "calibrated" and target.adc_model == "ideal":
        sys.stderr.write("rnc compile: note: the ADC model is ideal: a calibrated ADC range changes nothing "
                         "(--adc-model quantized; docs/precision.md)\n")
    print(summary_table(result))
    print(f"report: {out / 'report.html'}")
    return run_power(args, power, result, out) or _check_status(failed)


def _run_size_sweep(args, options, power, out: Path, emit) -> int:
    """`--xbar-size A,B,...`: one compile per size, one row per size (and budget), a subfolder per size."""
    from dataclasses import replace

    from rnc.driver import CompileError
    from rnc.driver.size_sweep import compile_sizes, parse_sizes, sweep_steps, write_size_sweep
    from rnc.tools.compile.progress import step_progress
    from rnc.tools.compile.table import size_table
    if power is not None:
        return _fail("--power intermittent plans one crossbar size; give --xbar-size one size")
    try:
        sizes = parse_sizes(args.xbar_size)
        options = replace(options, xbar_size=None)
        with step_progress(sweep_steps(args.model, options, sizes) + 1, enabled=not args.quiet) as progress:
            sweep = compile_sizes(args.model, options, sizes, progress=progress)
            progress("write reports")
            try:
                write_size_sweep(out, sweep, emit)
            except OSError as e:
                return _fail(f"cannot write to '{out}': {e.strerror}")
    except CompileError as e:
        return _fail(str(e))
    if args.json:
        print(json.dumps(sweep.rows(), indent=2))
    else:
        print(size_table(sweep))
        print(f"report: {out / 'sizes.html'}")
    return _check_status([r for result in sweep.results.values() for r in result.runs
                          if r.isa and not r.isa.check.passed])


def _adc_bits_set(args, options) -> bool:
    """True when the command line sets ADC bits, for every layer or for some."""
    return args.adc_bits is not None or any("adc_bits" in o for o in options.layer_peripherals.values())


def _check_status(failed) -> int:
    """Exit status 1 when the compiled program does not compute what the model computes: a compiler bug."""
    for run in failed:
        sys.stderr.write(f"rnc compile: error: functional check failed at budget {run.budget or 'min'}: "
                         f"{run.isa.check.describe()}\n")
    return 1 if failed else 0
