"""Bench: the nested-subnetwork knapsack on crossbars.

Prints, for REDS's DS-CNN S and mbv3_small at 25/50/75/100 % of their crossbars: crossbars used against the
budget, MACs and importance kept, weight writes when switching (must be 0), the knapsack's solve time per
level, on the DS-CNN (a chain) the gap between the MILP and the exact dynamic program, and on mbv3_small
the first level's knapsack by the DP against HiGHS. Then levels under peak-activation budgets, REDS's own
unit-level MILP against the width DP at MACs budgets, and nested training on digits against each level
trained alone, with shared and per-level batch norms.

    .venv/bin/python bench/nested.py            # --effort N: packing probes per level (default 50000)
    .venv/bin/python bench/nested.py --skip-training   # without the accuracy comparison (minutes)
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from rnc.driver.pipeline import canonicalize_pipeline, load_model, run_passes
from rnc.frontends.torch.importer import import_torch
from rnc.nas.data import load_dataset
from rnc.nas.nested.dscnn import MFCC_SHAPE, DSCNN
from rnc.nas.nested.pipeline import NestedOptions, train_network
from rnc.nas.nested.train import NestedTrainConfig
from rnc.passes.xbar.width_groups import width_network
from rnc.passes.xbar_algorithms.nested import (ChannelGroup, Limits, WeightLayer, WidthNetwork, parse_budget, solve_dp,
                                               solve_levels, solve_milp)
from rnc.passes.xbar_algorithms.nested.reds_units import solve_reds_units
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


def bench_level_costs(name: str, effort: int) -> None:
    """Crossbar energy and one-sample latency per level, as `rnc nested compile` reports them."""
    from rnc.nas.nested.outputs import level_rows
    from rnc.nas.nested.pipeline import nested_levels, placed_levels
    run = nested_levels(name, NestedOptions(effort=effort))
    rows = level_rows(run, placed=placed_levels(run))
    print(f"== {name}: crossbar energy and latency per level (rnc nested compile)")
    print("  budget  crossbars   MACs  energy_uJ  share  latency_ms")
    for row in rows:
        print(f"  {row['budget']:>6}  {row['crossbars']:>9}  {row['macs_fraction']:6.1%}  {row['mvm_energy_nj'] / 1e3:9.0f}"
              f"  {row['energy_fraction']:5.1%}  {row['latency_us'] / 1e3:10.3f}")


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


def unit_dscnn(channels: int, blocks: int, seed: int = 0) -> WidthNetwork:
    """A DS-CNN chain with random sorted unit scores and kernel scores, at unit granularity (every width)."""
    rng = np.random.default_rng(seed)

    def units(n):
        return np.sort(rng.random(n))[::-1]

    groups = ([ChannelGroup("input", 1, fixed=True)] + [ChannelGroup(f"c{i}", channels) for i in range(blocks + 1)]
              + [ChannelGroup("classes", 12, fixed=True)])
    layers = [WeightLayer("conv0", "conv", 0, 1, 40, 125, units(channels), rng.random((channels, 1)))]
    for i in range(blocks):
        layers.append(WeightLayer(f"dw{i}", "depthwise", 1 + i, 1 + i, 9, 125, units(channels)))
        layers.append(WeightLayer(f"pw{i}", "conv", 1 + i, 2 + i, 1, 125, units(channels),
                                  rng.random((channels, channels))))
    layers.append(WeightLayer("fc", "linear", blocks + 1, blocks + 2, 1, 1, units(12), rng.random((12, channels))))
    return WidthNetwork(groups, layers, granularity=1, max_choices=channels)


def bench_reds_units(channels: int = 16, blocks: int = 2) -> None:
    """REDS's unit-level MILP against the width DP at 25/50/75/100 % of the MACs: REDS's (optimistic)
    objective, the value its prefix widths keep when deployed, and the DP's exact optimum."""
    network = unit_dscnn(channels, blocks)
    full = network.choice(network.full_widths)
    budgets = [int(f * full.macs) for f in (0.25, 0.5, 0.75, 1.0)]
    print(f"== REDS's unit-level knapsack on a DS-CNN ({channels} channels, {blocks} blocks), MACs budgets")
    print("  MACs  binaries  reds_s  mip_gap  optimistic  deployed  dp_level  dp_level_s   (values / full)")
    levels = solve_reds_units(network, budgets, time_limit_s=30.0)
    ours = solve_levels(network, [parse_budget(f"macs={f:g}%") for f in (25, 50, 75, 100)])
    for fraction, reds, level in zip((0.25, 0.5, 0.75, 1.0), levels, ours.levels):
        print(f"  {fraction:4.0%}  {reds.binaries:8}  {reds.solve_s:6.2f}  {reds.mip_gap:7.1e}"
              f"  {reds.optimistic / full.value:10.4f}  {reds.choice.value / full.value:8.4f}"
              f"  {level.choice.value / full.value:8.4f}  {level.knapsack_s:10.3f}")


def bench_activation(network, name: str) -> None:
    """Levels under peak activation budgets (every layer's input plus output elements)."""
    solution = solve_levels(network, [parse_budget(f"act={f}%") for f in (25, 50, 75, 100)],
                            options=PackOptions(effort=20_000))
    full = network.choice(network.full_widths)
    print(f"== {name}: peak activation budgets (full model's peak {solution.full_activation} elements)")
    print("  budget  peak   crossbars  MACs   importance  knapsack_s")
    for level in solution.levels:
        peak = network.peak_activation(level.choice.widths)
        print(f"  {level.budget.label:>6}  {peak / solution.full_activation:5.1%}  {level.xbars:>9}"
              f"  {level.choice.macs / full.macs:5.1%}  {level.choice.value / full.value:10.1%}  {level.knapsack_s:10.3f}")


def bench_training(steps: int, batchnorm_steps: int) -> None:
    """Nested training on digits against each level trained alone (same initial weights, same steps), with
    the shared batch norms and with REDS's per-level batch-norm fine-tune; DS-CNN (3-channel 16x16)."""
    torch.set_num_threads(1)      # several threads on a shared 2-core machine spin far slower than one
    torch.manual_seed(0)
    net = DSCNN(in_channels=3, classes=10)
    data = load_dataset("digits", image_size=16)
    config = NestedTrainConfig(steps=steps, batchnorm_steps=batchnorm_steps, compare_alone=True)
    start = time.perf_counter()
    run, trained = train_network(net, (1, 3, 16, 16), data, "dscnn", NestedOptions(granularity=8, effort=20_000),
                                 config)
    print(f"== DS-CNN on digits: {steps} steps, batch-norm fine-tune {batchnorm_steps} batches per level "
          f"({time.perf_counter() - start:.0f} s)")
    print("  budget  crossbars  nested(shared BN)  nested(own BN)  alone")
    for level, shared, own, alone in zip(run.solution.levels, trained.shared, trained.accuracy, trained.alone):
        print(f"  {level.budget.label:>6}  {level.xbars:>9}  {shared:17.1%}  {own:14.1%}  {alone:5.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--effort", type=int, default=50_000)
    parser.add_argument("--steps", type=int, default=150, help="training steps of the accuracy comparison")
    parser.add_argument("--batchnorm-steps", type=int, default=20)
    parser.add_argument("--skip-training", action="store_true", help="leave out the (slow) accuracy comparison")
    args = parser.parse_args()
    torch.manual_seed(0)
    dscnn = network_of(import_torch(DSCNN().eval(), torch.zeros(MFCC_SHAPE)), granularity=8)
    bench_gap(dscnn)
    bench_levels("DS-CNN S", dscnn, args.effort)
    bench_activation(dscnn, "DS-CNN S")
    bench_reds_units()
    mbv3 = network_of(load_model("mbv3_small"), granularity=16)
    bench_solvers("mbv3_small", mbv3)
    bench_levels("mbv3_small", mbv3, args.effort)
    bench_level_costs("mbv3_small", NestedOptions().effort)
    if not args.skip_training:
        bench_training(args.steps, args.batchnorm_steps)


if __name__ == "__main__":
    main()
