"""`rnc compile --power intermittent`: the options, and the per-layer table after the compile.

The work is `rnc.driver.intermittent`; this file only parses the options and prints.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_power_arguments(p: argparse.ArgumentParser, max_latency: bool = True) -> None:
    """The harvested-power options of `rnc compile` (`rnc nas search` has its own --max-latency limit)."""
    g = p.add_argument_group("intermittent power (docs/intermittent.md)")
    g.add_argument("--power", choices=("continuous", "intermittent"), default="continuous",
                   help="intermittent: choose per layer an execution and preservation design for a capacitor "
                        "charged by a harvester, and report power cycles and end-to-end latency")
    g.add_argument("--capacitor", help="energy buffer, e.g. 1mF (default 1mF, or the power file's)")
    g.add_argument("--harvester", help="source resistance (22ohm) or constant power (5mW); default: iNAS's "
                                       "calibrated resistance for 1/5/10 mF")
    g.add_argument("--power-trace", metavar="CSV", help="harvested power over time: rows of time_s,power_w")
    g.add_argument("--power-file", metavar="TOML", help="capacitor, harvester, reboot, buffer and NVM in a file "
                                                        "(docs/intermittent.md); options given here override it")
    g.add_argument("--chip", help="chip whose energy model to use (rnc-reference, isaac or a .toml file)")
    g.add_argument("--parity", choices=("inas",), help="reproduce the iNAS cost model's quirks")
    if max_latency:
        g.add_argument("--max-latency", metavar="SECONDS", help="end-to-end latency requirement, e.g. 60s")


def power_from_args(args: argparse.Namespace):
    """The PowerOptions of --power intermittent (None for continuous power); PowerError on a bad option, so
    the compile stops before it starts."""
    if args.power != "intermittent":
        return None
    from rnc.driver.intermittent import power_options
    return power_options(args.capacitor, args.harvester, args.power_trace, power_file=args.power_file,
                         chip=args.chip, parity=args.parity, max_latency=args.max_latency)


def run_power(args: argparse.Namespace, power, result, out: Path) -> int | None:
    """With --power intermittent: plan, write intermittent.json, report.html with the capacitor voltage and
    (with a lowered program) the power-failure-safe program.intermittent.isa; print the table (not with
    --json); the exit status on a problem (2: no design fits, or too slow), else None."""
    if power is None:
        return None
    from rnc.driver.atomic import write_text_atomic
    from rnc.driver.intermittent import plan_intermittent, plan_table, write_intermittent
    from rnc.driver.report_html import render
    run = result.last
    try:
        plan = plan_intermittent(run.placed, power)
    except ValueError as e:          # a chip file, or a chip whose buffer cannot hold anything
        sys.stderr.write(f"rnc compile: error: {e}\n")
        return 2
    write_intermittent(out, plan)
    write_text_atomic(out / "report.html", render(result, run, result.runs if len(result.runs) > 1 else None,
                                                  power=plan))
    safe = _write_safe_program(run, power, out) if run.isa is not None and plan.feasible else None
    if not args.json:
        print(plan_table(plan))
        print(f"intermittent: {out / 'intermittent.json'}")
        if safe:
            print(f"power-failure-safe program: {out / 'program.intermittent.isa'} ({safe[0]} power cycles; "
                  f"weight stages {safe[1]:.4g} s with the designs its crossbar regions can run)")
    problem = plan.problem()
    if problem:
        sys.stderr.write(f"rnc compile: error: {problem}\n")
        return 2
    return None


def _write_safe_program(run, power, out: Path) -> tuple[int, float] | None:
    """program.intermittent.isa (pass insert-checkpoints on the lowered program); (power cycles, analytic
    latency of its weight stages), or None with a note when a stage cannot be cut into jobs."""
    from rnc.driver.atomic import write_text_atomic
    from rnc.driver.intermittent import safe_program
    from rnc.ir.pass_manager import PassError
    try:
        text, checkpoints = safe_program(run.isa.isa_text, power)
        why = None if text is not None else checkpoints.problem()
    except (PassError, ValueError) as e:
        why = str(e)
    if why:
        sys.stderr.write(f"rnc compile: note: no power-failure-safe program: {why}\n")
        return None
    write_text_atomic(out / "program.intermittent.isa", text)
    return (sum(s.cycles for s in checkpoints.stages), sum(s.best.latency_s for s in checkpoints.stages if s.best))
