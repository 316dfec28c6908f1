"""ISA simulator figures: wall time for mbv3_small (8 samples; timing only, timing + functional), accuracy vs
the float interpreter, and speedups over the ISAAC-like baseline at the reference's budgets, with both timing
models (rnc: the reference's; rnc-native: docs/timing.md), beside the reference's figures.

    .venv/bin/python bench/sim.py [--no-sweep]
"""
from __future__ import annotations

import sys
import time

import numpy as np

from rnc.backends.isa import isaac_baseline, lower_program
from rnc.backends.isa.reference import run_float
from rnc.sim.isa_sim import simulate
from rnc.driver.pipeline import CompileOptions, compile_model, load_model, run_passes, canonicalize_pipeline

REFERENCE = {"squeezenet": {60: 4.14, 80: 7.18, 100: 8.62, 120: 9.82},
             "mbv3_small": {168: 5.71, 211: 8.76, 253: 12.09}}
SAMPLES = 8


def _timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def wall_times() -> None:
    module = load_model("mbv3_small")
    run_passes(module, canonicalize_pipeline())
    run_passes(module, "tile-partition")
    program, t_lower = _timed(lambda: lower_program(isaac_baseline(module)))
    x = np.random.default_rng(1).standard_normal(program.inputs[0].shape).astype(np.float32)
    _, t_timing = _timed(lambda: simulate(program, samples=SAMPLES))
    result, t_both = _timed(lambda: simulate(program, [x], samples=SAMPLES))
    f = run_float(isaac_baseline(module), [x])[0].ravel()
    o = result.outputs[0].ravel()
    cos = float(np.dot(f, o) / np.linalg.norm(f) / np.linalg.norm(o))
    print(f"mbv3_small (ISAAC-like placement, {program.instruction_count()} instructions): lower {t_lower:.2f} s; "
          f"simulate {SAMPLES} samples: timing only {t_timing:.3f} s, timing + functional {t_both:.3f} s; "
          f"cosine vs float {cos:.4f}")


def accuracy(names=("squeezenet", "resnet18")) -> None:
    """Cosine similarity of the simulator's int8 outputs to the float model (one tile per crossbar)."""
    for name in names:
        module = load_model(name)
        run_passes(module, canonicalize_pipeline())
        run_passes(module, "tile-partition")
        placed = isaac_baseline(module)
        program = lower_program(placed)
        x = np.random.default_rng(1).standard_normal(program.inputs[0].shape).astype(np.float32)
        o = simulate(program, [x]).outputs[0].ravel()
        f = run_float(placed, [x])[0].ravel()
        print(f"{name}: {program.instruction_count()} instructions, cosine vs float "
              f"{float(np.dot(f, o) / np.linalg.norm(f) / np.linalg.norm(o)):.5f}")


def sweep() -> None:
    for name, figures in REFERENCE.items():
        result = compile_model(name, CompileOptions(budgets=list(figures), duplicate=True, samples=SAMPLES))
        base = lower_program(isaac_baseline(result.partitioned))
        base_t = {m: simulate(base, samples=SAMPLES, timing_model=m).total_ns for m in ("rnc", "rnc-native")}
        print(f"{name}: baseline {base.xbars} crossbars; {SAMPLES} samples: rnc {base_t['rnc']:,.0f} ns, "
              f"rnc-native {base_t['rnc-native']:,.0f} ns")
        for run in result.runs:
            program = lower_program(run.placed)
            ours = {m: simulate(program, samples=SAMPLES, timing_model=m).total_ns for m in base_t}
            print(f"  budget {run.budget:>4}: speedup rnc {base_t['rnc'] / ours['rnc']:6.2f}x, "
                  f"rnc-native {base_t['rnc-native'] / ours['rnc-native']:6.2f}x "
                  f"(reference {figures[run.budget]:.2f}x; rnc compile says {run.speedup_vs_isaac:.2f}x)")


def main(argv: list[str]) -> None:
    wall_times()
    accuracy()
    if "--no-sweep" not in argv:
        sweep()


if __name__ == "__main__":
    main(sys.argv[1:])
