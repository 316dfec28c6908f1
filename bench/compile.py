"""End-to-end `rnc compile` figures beside the reference's: speedup over the ISAAC-like mapping (8 samples;
reference-compatible timing and the native timing of the lowered .isa program) at the reference's budgets,
crossbars used, the functional check, and wall time per sweep (everything `rnc compile` does but writing files).

    .venv/bin/python bench/compile.py
"""
from __future__ import annotations

import time

from rnc.driver import CompileOptions, compile_model

REFERENCE = {"squeezenet": {60: 4.14, 80: 7.18, 100: 8.62, 120: 9.82},
             "mbv3_small": {168: 5.71, 211: 8.76, 253: 12.09}}


def main() -> None:
    for name, figures in REFERENCE.items():
        started = time.perf_counter()
        result = compile_model(name, CompileOptions(budgets=list(figures), duplicate=True, samples=8,
                                                    simulate_isa=True))
        wall = time.perf_counter() - started
        print(f"{name}: ISAAC-like baseline {result.baseline.xbars} crossbars, "
              f"{result.baseline.latency_ns:,.1f} ns for 8 samples; sweep wall time {wall:.2f} s")
        for run in result.runs:
            print(f"  budget {run.budget:>4}: used {run.xbars_used:>4}, utilization of budget "
                  f"{100 * run.utilization_of_budget:5.1f}%, speedup {run.speedup_vs_isaac:6.2f}x "
                  f"(reference {figures[run.budget]:.2f}x), native {run.isa.speedup:6.2f}x, "
                  f"check {'ok' if run.isa.check.passed else 'FAILED'} (cosine {run.isa.check.cosine_vs_float:.4f}), "
                  f"passes + reference timing {run.compile_seconds:.2f} s")


if __name__ == "__main__":
    main()
