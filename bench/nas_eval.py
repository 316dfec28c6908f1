"""Per-candidate hardware evaluation time of the XPert co-search (issue #17): `HardwareEvaluator.evaluate` at
the settings of `rnc nas search --peripherals` on digits (bench/xpert.py's: the mbv3 space with peripheral
genes, 16x16 hardware input, 2 samples, the 211-crossbar budget, native costs), no checkpoint needed.

Fixed random candidates after a warm-up (baseline compiled, most block pieces exported), in pairs:
- fresh network: a new network (partition, placement, lowering, native timing all run);
- periphery only: right after it, the same network with other peripheral genes (its partition is reused).
Printed: mean wall and CPU seconds per candidate; the CPU time is what an idle core would take, whatever
the machine's load (printed beside). `--profile N` prints the N functions with the most cumulative time.
The accuracy side (bench/xpert.py --timing-only) adds its own time to a search's evaluation.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import time

import torch

from rnc.nas.evaluate import EvalSettings
from rnc.nas.hardware import HardwareEvaluator

EVAL_TARGET_SECONDS = 0.5       # the aim per candidate, accuracy included
WARMUP_CANDIDATES = 8
TIMED_CANDIDATES = 16
SEED = 1


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


def co_search_evaluator() -> HardwareEvaluator:
    """The hardware evaluator a co-search worker builds (nas/evaluate.py) for the bench's settings."""
    s = EvalSettings(None, hw_image_size=16, samples=2, peripherals=True)
    return HardwareEvaluator(s.xbars, s.samples, s.hw_image_size, 10, s.seed, s.search_space, True, s.target)


def timed(hw: HardwareEvaluator, genes, profile: cProfile.Profile | None) -> tuple[float, float]:
    """(wall, CPU) seconds of evaluating `genes`."""
    wall, cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    hw.evaluate(genes)
    if profile:
        profile.disable()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--candidates", type=int, default=TIMED_CANDIDATES)
    p.add_argument("--profile", type=int, default=0, metavar="N", help="print the top N functions (cProfile)")
    args = p.parse_args()
    torch.set_num_threads(1)
    hw = co_search_evaluator()
    space = hw.space
    rng = random.Random(SEED)
    draw = lambda: tuple(rng.randint(0, hi) for hi in space.upper_bounds())   # noqa: E731
    hw.baseline
    for _ in range(WARMUP_CANDIDATES):
        hw.evaluate(draw())
    n = space.network_genes_count
    pairs = [(genes, genes[:n] + draw()[n:]) for genes in (draw() for _ in range(args.candidates))]
    gc.collect()
    gc.freeze()        # as a search worker does once its context is loaded (nas/evaluate.py)
    profile = cProfile.Profile() if args.profile else None
    sums = {"fresh network": [0.0, 0.0], "periphery only": [0.0, 0.0]}
    for pair in pairs:
        for total, genes in zip(sums.values(), pair):
            wall, cpu = timed(hw, genes, profile)
            total[0] += wall
            total[1] += cpu
    print(f"hardware evaluation per candidate, co-search settings (mbv3 + peripherals, 16x16, 2 samples, "
          f"{hw.xbars} crossbars, native costs); mean of {args.candidates} after {WARMUP_CANDIDATES} warm-up:")
    for label, (wall, cpu) in sums.items():
        print(f"  {label}: {wall / args.candidates:.3f} s wall, {cpu / args.candidates:.3f} s CPU")
    print(f"  (aim < {EVAL_TARGET_SECONDS} s with accuracy; {load()})")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
