"""Bench: the nested-subnetwork knapsack on crossbars.

Prints, for REDS's DS-CNN S and mbv3_small at 25/50/75/100 % of their crossbars: crossbars used against the
budget, MACs and importance kept, weight writes when switching (must be 0), the knapsack's solve time per
level, on the DS-CNN (a chain) the gap between the MILP and the exact dynamic program, and on mbv3_small
the first level's knapsack by the DP against HiGHS.

    .venv/bin/python bench/nested.py            # --effort N: packing probes per level (default 50000)
"""
from __future__ import annotations

import argparse
import time

import torch

from rnc.driver.pipeline import canonicalize_pipeline, load_model, run_passes
from rnc.frontends.torch.importer import import_torch
from rnc.nas.nested.dscnn import MFCC_SHAPE, DSCNN
from rnc.passes.xbar.width_groups import width_network
from rnc.passes.xbar_algorithms.nested import Limits, parse_budget, solve_dp, solve_levels, solve_milp
from rnc.passes.xbar_algorithms.nested.dp import ParetoFront
from rnc.passes.xbar_algorithms.nested.levels import MILP_GAP
from rnc.passes.xbar_algorithms.nested.switching import program, weight_writes
from rnc.passes.xbar_algorithms.pack_types import PackOptions

BUDGETS = ("25%", "50%", "75%", "100%")


def network_of(module, granularity: int):
    run_passes(module, canonicalize_pipeline())
    run_passes(module, "tile-partition")
    return width_network(module, granularity)[0]


def bench_levels(name: str, network, effort: int) -> None:
    solution = solve_levels(network, [parse_budget(b) for b in BUDGETS], options=PackOptions(effort=effort))
    full = network.choice(network.full_widths)
    image = program(solution, len(solution.levels) - 1)
    print(f"== {name}: full model {solution.full_xbars} crossbars, {full.macs} MACs")
    print("  budget  crossbars   MACs  importance  writes  knapsack_s  level_s  cuts")
    for k, level in enumerate(solution.levels):
        print(f"  {level.budget.label:>6}  {level.xbars:>4} / {level.xbar_budget:<4} {level.choice.macs / full.macs:6.1%}"
              f"  {level.choice.value / full.value:9.1%}  {weight_writes(solution, k, image):>6}"
              f"  {level.knapsack_s:10.3f}  {level.solve_s:7.2f}  {level.cuts:>4}")


def bench_gap(network) -> None:
    print("== DS-CNN S: MILP against the exact DP (cells = fraction of the full model's)")
    full = network.choice(network.full_widths)
    for fraction in (0.25, 0.5, 0.75):
        limits = Limits(cells=int(fraction * full.cells))
        t0 = time.perf_counter()
        milp = solve_milp(network, limits)
        t1 = time.perf_counter()
        dp = solve_dp(network, limits)
        t2 = time.perf_counter()
        gap = (dp.value - milp.value) / dp.value
        print(f"  {fraction:4.0%}  milp {t1 - t0:6.3f} s  dp {t2 - t1:6.3f} s  gap {gap:.2e}")


def bench_solvers(name: str, network, fraction: float = 0.25) -> None:
    """One first-level knapsack (no floors) at `fraction` of the full cells: the DP's Pareto front (built
    once, it answers every packer cut) against one HiGHS solve at the levels' gap and proven optimal."""
    full = network.choice(network.full_widths)
    limits = Limits(cells=int(fraction * full.cells))
    t0 = time.perf_counter()
    front = ParetoFront(network, limits)
    dp = front.best()
    t1 = time.perf_counter()
    fast = solve_milp(network, limits, gap=MILP_GAP)
    t2 = time.perf_counter()
    exact = solve_milp(network, limits)
    t3 = time.perf_counter()
    print(f"== {name}: first-level knapsack at {fraction:.0%} of the cells")
    print(f"  dp front {t1 - t0:6.3f} s ({len(front.root.value)} labels)  milp gap {MILP_GAP:g} {t2 - t1:6.3f} s"
          f"  milp exact {t3 - t2:6.3f} s  value dp/milp-exact {dp.value / exact.value:.6f}"
          f"  milp-gap/dp {fast.value / dp.value:.6f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--effort", type=int, default=50_000)
    args = parser.parse_args()
    torch.manual_seed(0)
    dscnn = network_of(import_torch(DSCNN().eval(), torch.zeros(MFCC_SHAPE)), granularity=8)
    bench_gap(dscnn)
    bench_levels("DS-CNN S", dscnn, args.effort)
    mbv3 = network_of(load_model("mbv3_small"), granularity=16)
    bench_solvers("mbv3_small", mbv3)
    bench_levels("mbv3_small", mbv3, args.effort)


if __name__ == "__main__":
    main()
