"""NAS figures: hardware evaluation time per candidate (export, import, compile at the budget) and, with
--quick, a small end-to-end search (tiny supernet training, NSGA-II) with its wall time."""
from __future__ import annotations

import argparse
import random
import time

import torch

from rnc.nas import space
from rnc.nas.hardware import HardwareEvaluator


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--xbars", type=int, default=211)
    p.add_argument("--candidates", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="also a tiny train + search run")
    args = p.parse_args()
    torch.set_num_threads(1)
    hardware = HardwareEvaluator(args.xbars)
    started = time.perf_counter()
    base = hardware.baseline
    print(f"baseline mbv3_small ISAAC-like: {base['xbars']} crossbars, {base['latency_ns']:,.0f} ns "
          f"({time.perf_counter() - started:.2f} s)")
    rng = random.Random(0)
    times = []
    for _ in range(args.candidates):
        genes = space.random_genes(rng)
        t = time.perf_counter()
        hw = hardware.evaluate(genes)
        times.append(time.perf_counter() - t)
        print(f"  {space.describe(genes)}: speedup {hw.speedup:6.2f}x, {hw.xbars_used} crossbars, "
              f"utilization {100 * hw.utilization:.1f}%, feasible {hw.feasible}, {times[-1]:.2f} s")
    print(f"hardware evaluation: {sum(times) / len(times):.2f} s per candidate (mean of {len(times)})")
    if args.quick:
        from rnc.nas.data import load_dataset
        from rnc.nas.search import search
        from rnc.nas.supernet import Supernet
        from rnc.nas.train import TrainConfig, train_supernet
        data = load_dataset("digits", 16)
        torch.manual_seed(0)
        net = Supernet()
        t = time.perf_counter()
        train_supernet(net, data, TrainConfig(steps=20, batch_size=32))
        print(f"supernet training, 20 steps: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        result = search(net, data, hardware, pop=6, gens=2, seed=0)
        print(f"search pop 6 x 2 generations: {time.perf_counter() - t:.1f} s, "
              f"{len(result.candidates)} candidates, Pareto front:")
        for c in result.pareto:
            print(f"  acc {c['accuracy']:.3f} speedup {c['speedup']:.2f}x {c['xbars_used']} xbars {c['architecture']}")


if __name__ == "__main__":
    main()
