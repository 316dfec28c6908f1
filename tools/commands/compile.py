"""`rnc compile MODEL`: model to placed program, timing, speedup over the ISAAC-like mapping, and reports."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.hw.target import DEFAULT_TARGET


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a built-in model name (mbv3_small, squeezenet, resnet18) or an .onnx file")
    p.add_argument("--target", dest="target_file", 
                   help="hardware: a chip (isaac, rnc-reference), a target or chip .toml, or a SimConfig.ini")
    p.add_argument("--xbars", help="crossbar budget N, or a comma list to sweep (60,80,100,120)")
    p.add_argument("--min-xbars", action="store_true", help="use as few crossbars as possible (the default "
                                                             "without --xbars)")
    p.add_argument("--xbar-size",
                   help=f"crossbar ROWSxCOLS (default {DEFAULT_TARGET.xbar_rows}x{DEFAULT_TARGET.xbar_cols})")
    p.add_argument("--duplicate", action="store_true", help="replicate bottleneck layers within the budget")
    p.add_argument("--depthwise-split", type=int, default=1, metavar="F", help="split depthwise layers F ways")
    p.add_argument("--conflict-distance", default=str(REFERENCE_PACKING.conflict_distance), metavar="D",
                   help="layers closer than D+1 in execution order never share a crossbar; 'off' disables")
    p.add_argument("--max-tiles-per-xbar", type=int, default=REFERENCE_PACKING.max_tiles_per_xbar, metavar="K",
                   help="at most K tiles per crossbar; 0 disables")
    p.add_argument("--samples", type=int, default=8, metavar="S", help="samples pipelined in the simulation")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--input-shape", help="input shape for models with dynamic shapes, e.g. 1x3x64x64")
    p.add_argument("--out", default=None, help="output folder (default out/<model>)")
    p.add_argument("--json", action="store_true", help="print the summary of report.json instead of the table")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--no-simulate", action="store_true",
                   help="skip lowering to .isa, the ISA simulation and its functional check (placement and "
                        "reference-compatible timing only)")


def _budgets(args) -> list[int] | None:
    if args.min_xbars or not args.xbars:
        return None
    try:
        budgets = [int(x) for x in args.xbars.split(",") if x.strip()]
        if not budgets or min(budgets) < 1:
            raise ValueError
        return budgets
    except ValueError:
        raise SystemExit(_fail(f"--xbars expects N or N1,N2,... (positive integers), got '{args.xbars}'"))


def _fail(message: str) -> int:
    sys.stderr.write(f"rnc compile: error: {message}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    from rnc.driver import CompileError, CompileOptions, compile_model, compile_steps, write_outputs
    from rnc.tools.compile.progress import step_progress
    from rnc.tools.compile.table import summary_table
    try:
        distance = None if args.conflict_distance.lower() == "off" else int(args.conflict_distance)
        if distance is not None and distance < 0:
            raise ValueError
    except ValueError:
        return _fail(f"--conflict-distance expects a non-negative integer or 'off', got '{args.conflict_distance}'")
    if args.samples < 1 or args.depthwise_split < 1 or args.max_tiles_per_xbar < 0:
        return _fail("--samples and --depthwise-split must be >= 1, --max-tiles-per-xbar >= 0")
    try:
        budgets = _budgets(args)
    except SystemExit as e:
        return int(e.code)
    out = Path(args.out or f"out/{Path(args.model).stem}")
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise PermissionError
    except OSError:
        return _fail(f"output folder '{out}' is not writable")
    try:
        options = CompileOptions(target_file=args.target_file, budgets=budgets, xbar_size=args.xbar_size,
                                 duplicate=args.duplicate, depthwise_split=args.depthwise_split,
                                 conflict_distance=distance, max_tiles_per_xbar=args.max_tiles_per_xbar,
                                 samples=args.samples, seed=args.seed, simulate_isa=not args.no_simulate,
                                 input_shape=_input_shape(args))
        # the compile's own steps (import included), then writing the reports
        with step_progress(compile_steps(args.model, options) + 1, enabled=not args.quiet) as progress:
            result = compile_model(args.model, options, progress=progress)
            progress("write reports")
            write_outputs(out, result)
    except (CompileError, ValueError) as e:
        return _fail(str(e))
    except OSError as e:
        return _fail(f"cannot write to '{out}': {e.strerror}")
    failed = [r for r in result.runs if r.isa and not r.isa.check.passed]
    if args.json:
        print(json.dumps(result.sweep() if len(result.runs) > 1 else result.summary(), indent=2))
        return _check_status(failed)
    for warning in result.ignored_target_keys and [f"target keys not used by rnc: "
                                                   f"{', '.join(result.ignored_target_keys)}"] or []:
        sys.stderr.write(f"rnc compile: note: {warning}\n")
    print(summary_table(result))
    print(f"report: {out / 'report.html'}")
    return _check_status(failed)


def _input_shape(args) -> tuple[int, ...] | None:
    """--input-shape 1x3x64x64 -> (1, 3, 64, 64); ValueError when it is not integers joined by x."""
    return tuple(int(d) for d in args.input_shape.lower().split("x")) if args.input_shape else None


def _check_status(failed) -> int:
    """Exit status 1 when the compiled program does not compute what the model computes: a compiler bug."""
    for run in failed:
        sys.stderr.write(f"rnc compile: error: functional check failed at budget {run.budget or 'min'}: "
                         f"{run.isa.check.describe()}\n")
    return 1 if failed else 0
