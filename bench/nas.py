"""NAS figures: hardware evaluation time per candidate (export, compile, timing simulation) and, with --quick,
an end-to-end run on digits: supernet and baseline training, then NSGA-II searches (population 16,
10 generations) at 0.8x, 1x and 1.2x the ISAAC-like baseline's crossbar count, with their wall times.

The machine's load average is printed beside the timings: other work on a shared machine slows them down.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import tempfile
import time
from pathlib import Path

import torch

from rnc.nas import space
from rnc.nas.hardware import HardwareEvaluator, partition, place
from rnc.nas.train import quick_supernet

TARGET_SECONDS = 0.3           # hardware evaluation per candidate
QUICK_LIMIT_SECONDS = 180      # the whole --quick run
BUDGET_FACTORS = (0.8, 1.0, 1.2)
WARMUP_CANDIDATES = 60
QUICK_BATCH = 32


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} CPUs"


def hardware_timing(xbars: int, candidates: int, samples: int) -> None:
    from rnc.passes.xbar.report import placement_report
    from rnc.driver.timing import reference_layers, simulate
    hardware = HardwareEvaluator(xbars, samples)
    t = time.perf_counter()
    base = hardware.baseline
    print(f"baseline mbv3_small ISAAC-like: {base['xbars']} crossbars, {base['latency_ns']:,.0f} ns "
          f"({time.perf_counter() - t:.2f} s)")
    rng = random.Random(0)
    t = time.perf_counter()
    for _ in range(WARMUP_CANDIDATES):          # nearly every block piece exported once, as in a search
        hardware.blocks.model(space.random_genes(rng))
    print(f"block exports, once per process: {len(hardware.blocks)} pieces, {time.perf_counter() - t:.1f} s")
    gc.collect()
    gc.freeze()       # as a search worker does once its context is loaded (nas/evaluate.py)
    phases = {"export": 0.0, "compile": 0.0, "timing": 0.0}
    for _ in range(candidates):
        genes = space.random_genes(rng)
        t0 = time.perf_counter()
        proto = hardware.blocks.model(genes)
        t1 = time.perf_counter()
        placed = place(partition(proto), xbars, 0)
        t2 = time.perf_counter()
        latency = simulate(reference_layers(placed), samples).latency_ns
        t3 = time.perf_counter()
        phases["export"] += t1 - t0
        phases["compile"] += t2 - t1
        phases["timing"] += t3 - t2
        used = placement_report(placed)["totals"]["xbars_used"]
        print(f"  {space.describe(genes)}: speedup {base['latency_ns'] / latency:6.2f}x, {used} crossbars, "
              f"{t3 - t0:.2f} s")
    total = sum(phases.values()) / candidates
    split = ", ".join(f"{k} {v / candidates:.3f} s" for k, v in phases.items())
    print(f"hardware evaluation: {total:.3f} s per candidate ({split}; mean of {candidates}; "
          f"target < {TARGET_SECONDS} s; {load()})")


def train_baseline(steps: int) -> tuple[float, float]:
    """mbv3_small trained like the supernet: (accuracy, seconds). Runs in its own process."""
    from rnc.frontends.zoo.mbv3_small import MobileNetV3Small
    from rnc.nas import train
    from rnc.nas.data import load_dataset
    torch.set_num_threads(1)
    data = load_dataset("digits", 16)
    torch.manual_seed(0)
    base = MobileNetV3Small(data.num_classes)
    t = time.perf_counter()
    train.train_baseline(base, data, train.TrainConfig(steps=steps, batch_size=QUICK_BATCH))
    return train.accuracy(base, data.val_x, data.val_y), time.perf_counter() - t


def quick(workers: int, steps: int, pop: int, gens: int) -> None:
    from concurrent.futures import ProcessPoolExecutor
    from rnc.nas.evaluate import EvalSettings
    from rnc.nas.executors import make_executor
    from rnc.nas.search import search
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="rnc-nas-bench-"))
    with ProcessPoolExecutor(1) as side:         # the baseline trains on the second core meanwhile
        baseline = side.submit(train_baseline, steps)
        seconds = quick_supernet(folder / "supernet.pt", steps, QUICK_BATCH)
        base_acc, base_seconds = baseline.result()
    print(f"supernet training, {steps} steps of batch {QUICK_BATCH}: {seconds:.1f} s; baseline mbv3_small, "
          f"same training alongside: {base_seconds:.1f} s, accuracy {base_acc:.3f}")
    base_xbars = HardwareEvaluator(211).baseline["xbars"]
    executor = make_executor(workers)
    accuracies = {}                              # the budgets' searches share accuracy evaluations
    try:
        for factor in BUDGET_FACTORS:
            xbars = round(factor * base_xbars)
            settings = EvalSettings(str(folder / "supernet.pt"), xbars=xbars)
            t = time.perf_counter()
            result = search(settings, pop, gens, 0, executor, accuracies=accuracies)
            seconds = time.perf_counter() - t
            ok = [c for c in result.candidates if c["feasible"]]
            best = max(ok, key=lambda c: (c["speedup"], c["accuracy"]))
            as_good = [c for c in ok if c["accuracy"] >= base_acc]
            line = (f"{factor:.1f}x = {xbars} crossbars: best speedup {best['speedup']:.2f}x at accuracy "
                    f"{best['accuracy']:.3f}")
            if as_good:
                top = max(as_good, key=lambda c: c["speedup"])
                line += f"; at accuracy >= baseline: {top['speedup']:.2f}x ({top['accuracy']:.3f})"
            else:
                line += "; none as accurate as the baseline"
            print(f"{line}; {result.evaluations} evaluations, {len(ok)}/{len(result.candidates)} feasible, "
                  f"{seconds:.1f} s")
    finally:
        executor.close()
    print(f"accuracy evaluations: {len(accuracies)} distinct architectures over the {len(BUDGET_FACTORS)} searches")
    total = time.perf_counter() - started
    print(f"quick run (pop {pop}, {gens} generations, {len(BUDGET_FACTORS)} budgets, {workers} workers): "
          f"{total:.1f} s end to end, limit {QUICK_LIMIT_SECONDS} s; {load()}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--xbars", type=int, default=211)
    p.add_argument("--candidates", type=int, default=10)
    p.add_argument("--samples", type=int, default=8)
    p.add_argument("--quick", action="store_true", help="also train and search end to end")
    p.add_argument("--workers", type=int, default=2, help="evaluation processes for --quick")
    p.add_argument("--steps", type=int, default=60, help="training steps for --quick")
    p.add_argument("--pop", type=int, default=16)
    p.add_argument("--gens", type=int, default=10)
    args = p.parse_args()
    torch.set_num_threads(1)
    hardware_timing(args.xbars, args.candidates, args.samples)
    if args.quick:
        quick(args.workers, args.steps, args.pop, args.gens)


if __name__ == "__main__":
    main()
