"""A lower bound from the pattern (set-covering) model of bin packing, by column generation.

The set-covering model picks crossbar patterns (multisets of tile shapes that fit one crossbar) to cover
every shape's demand: min sum x_p subject to sum_p a_sp x_p >= d_s, x >= 0. Its LP optimum is a lower
bound on the crossbar count, and so is the Farley bound of any duals pi >= 0: every packing is a cover,
so sum_s d_s pi_s <= crossbars * max_p pi.a_p.

Deciding which multisets truly fit is itself NP-hard, so the patterns here are a relaxation, a superset
of the feasible ones: multisets whose transformed area stays within one crossbar under every pair of
dual feasible functions (DFFs) f on rows and g on columns, sum_s a_s f(rows_s) g(cols_s) <= 1 (Fekete and
Schepers: a packing stays a packing when each side is transformed by a DFF). A bound over more patterns
is lower, hence still valid, and at least as strong as every one of these DFF bounds alone; the
integrality of the patterns is what makes it stronger than all of them.

Pricing (the pattern of largest dual value) is a small integer program over shape counts, solved by
HiGHS with the DFF constraints added lazily (those a candidate violates). Its dual bound is valid
whatever the node limit, so the bound stays proven when the search is cut short. The duals are smoothed
(Wentges) towards the best Farley duals so far, which needs fewer rounds. Everything is bounded by rounds
and node counts, never by time, so the result is the same on every machine.

Cost: mbv3_small's 154 tiles that are not crossbar-sized take about 70 rounds and 4-5 minutes on one core
(2026) to prove 48 crossbars, starting from the crossbars of 30 packings (`packing_patterns`; 131 rounds
and twice the time from one packing), so `pack` does not call it; small sets take well under a second.
"""
from __future__ import annotations

import math
import os
import sys
import warnings
from collections import Counter
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np

from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions
from rnc.passes.xbar_algorithms.packing import pack

MAX_ROUNDS = 300            # column-generation rounds
PRICING_NODES = 20_000      # branch-and-bound nodes per pricing program
SEED_PACKS = 30             # packings whose crossbars seed the columns (`packing_patterns`)
SEED_EFFORT = 200_000       # probes per seed packing
CUTS_PER_CHECK = 5          # most violated DFF pairs added when a candidate pattern breaks some
SMOOTHING = 0.5             # Wentges: weight of the best duals so far in the pricing duals
SLACK = 1e-9                # loads up to 1 + SLACK count as fitting (more patterns: a weaker, safe bound)
PROOF_MARGIN = 1e-6         # a Farley bound must clear an integer by this much to round up past it
CCM_SIDE_FRACTION = 2       # CCM's lambda ranges over 1 .. side / 2
FS_STEPS_MAX = 40           # Fekete-Schepers u^(k) for k = 1 .. FS_STEPS_MAX - 1


@contextmanager
def _quiet_stdout():
    """Silences file descriptor 1: scipy's HiGHS writes debug lines there from C++ whatever `disp` says."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def dff_table(sizes: np.ndarray, capacity: int) -> np.ndarray:
    """Distinct DFF values of `sizes` on a side of `capacity`, one row per function, scaled to [0, 1]:
    identity, rounding at each threshold t <= capacity / 2 (sizes above capacity - t count whole, below
    t as zero), Fekete-Schepers u^(k), and Carlier-Clautiaux-Moukrim f_CCM,1 for lambda <= capacity / 2."""
    x = sizes.astype(np.int64)
    rows = [x / capacity]
    for threshold in range(1, capacity // 2 + 1):
        rows.append(np.where(x > capacity - threshold, 1.0, np.where(x < threshold, 0.0, x / capacity)))
    for k in range(1, FS_STEPS_MAX):
        scaled = (k + 1) * x
        rows.append(np.where(scaled % capacity == 0, x / capacity, (scaled // capacity) / k))
    for lam in range(1, capacity // CCM_SIDE_FRACTION + 1):
        whole = capacity // lam
        values = np.where(2 * x > capacity, 2 * (whole - (capacity - x) // lam),
                          np.where(2 * x == capacity, whole, 2 * (x // lam)))
        rows.append(values / (2 * whole))
    return np.unique(np.round(np.array(rows), 12), axis=0)


@dataclass
class PatternBound:
    """`bound`: crossbars proven necessary (ceil of the best Farley bound); `lp`: the master LP value
    when column generation converged (None otherwise); `rounds`: pricing rounds run."""

    bound: int
    farley: float
    lp: float | None
    rounds: int


class _Pricing:
    """The most valuable relaxed pattern for given duals, with the DFF constraints found so far."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, demand: np.ndarray, options: PackOptions):
        self.f = dff_table(rows, options.xbar_rows)
        self.g = dff_table(cols, options.xbar_cols)
        self.demand = demand
        self.cuts = [self.f[0] * self.g[0]]     # area

    def best(self, duals: np.ndarray) -> tuple[np.ndarray, float]:
        """(pattern, proven upper bound on any relaxed pattern's dual value)."""
        from scipy.optimize import Bounds, LinearConstraint, milp   # here: importing it takes ~1 s
        shapes = len(self.demand)
        while True:
            with warnings.catch_warnings(), _quiet_stdout():
                warnings.simplefilter("ignore", RuntimeWarning)   # HiGHS options scipy does not list
                result = milp(-duals, integrality=np.ones(shapes), bounds=Bounds(0, self.demand),
                              constraints=LinearConstraint(np.array(self.cuts), ub=1 + SLACK),
                              options={"disp": False, "node_limit": PRICING_NODES, "mip_rel_gap": 0.0,
                                       "presolve": True, "threads": 1, "random_seed": 0})
            if result.x is None:
                raise RuntimeError(f"pricing failed: {result.message}")
            upper = -result.mip_dual_bound
            pattern = np.round(result.x)
            loads = (self.f * pattern) @ self.g.T
            worst = np.argsort(-loads, axis=None)[:CUTS_PER_CHECK]
            violated = [np.unravel_index(flat, loads.shape) for flat in worst]
            violated = [(i, j) for i, j in violated if loads[i, j] > 1 + SLACK]
            if not violated:
                return pattern, upper
            self.cuts += [self.f[i] * self.g[j] for i, j in violated]


def _initial_columns(demand: np.ndarray, seeds: Sequence[np.ndarray]) -> list[np.ndarray]:
    singles = [np.eye(len(demand), dtype=np.int64)[s] for s in range(len(demand))]
    distinct = dict.fromkeys(tuple(int(count) for count in seed) for seed in seeds)   # first-seen order
    return singles + [np.array(seed, dtype=np.int64) for seed in distinct]


def packing_patterns(items: Sequence[PackItem], options: PackOptions, packs: int = SEED_PACKS,
                     effort: int = SEED_EFFORT) -> list[list[PackItem]]:
    """The crossbars' contents of `packs` packings (seeds 0 .. packs-1): real patterns to start column
    generation from. On mbv3_small, 30 packings halve the rounds (131 -> 69) and the time."""
    contents = []
    for seed in range(packs):
        found = pack(items, None, replace(options, seed=seed, effort=effort))
        per_xbar: dict[int, list[PackItem]] = {}
        for item in items:
            per_xbar.setdefault(found.placements[item.id].xbar, []).append(item)
        contents += per_xbar.values()
    return contents


def pattern_bound(items: Sequence[PackItem], options: PackOptions, target: int | None = None,
                  seeds: Sequence[Sequence[PackItem]] = (), max_rounds: int = MAX_ROUNDS) -> PatternBound:
    """Crossbars `items` need by the relaxed pattern model (no constraints: the caller checks that they
    are off). Stops once the bound reaches `target` or can no longer reach it; `seeds` are crossbars'
    contents of a known packing (good first columns)."""
    shape_count = Counter((item.height, item.width) for item in items)
    if not shape_count:
        return PatternBound(0, 0.0, 0.0, 0)
    shapes = sorted(shape_count)
    index = {shape: s for s, shape in enumerate(shapes)}
    demand = np.array([shape_count[shape] for shape in shapes], dtype=np.int64)
    seed_columns = []
    for contents in seeds:
        column = np.zeros(len(shapes), dtype=np.int64)
        for item in contents:
            column[index[(item.height, item.width)]] += 1
        seed_columns.append(column)
    columns = _initial_columns(demand, seed_columns)
    pricing = _Pricing(np.array([r for r, _c in shapes]), np.array([c for _r, c in shapes]), demand, options)
    best_farley, center, smooth = 0.0, None, True
    from scipy.optimize import linprog   # here: importing scipy.optimize takes ~1 s
    for round_ in range(1, max_rounds + 1):
        matrix = np.array(columns).T
        master = linprog(np.ones(matrix.shape[1]), A_ub=-matrix, b_ub=-demand, bounds=(0, None),
                         method="highs")
        if master.status != 0:
            raise RuntimeError(f"master LP failed: {master.message}")
        lp_duals = np.maximum(-master.ineqlin.marginals, 0.0)
        at_lp = center is None or not smooth
        duals = lp_duals if at_lp else SMOOTHING * center + (1 - SMOOTHING) * lp_duals
        pattern, upper = pricing.best(duals)
        farley = float(duals @ demand) / upper if upper > 0 else 0.0
        if farley > best_farley:
            best_farley, center = farley, duals
        proven = math.ceil(best_farley - PROOF_MARGIN)
        converged = at_lp and upper <= 1 + SLACK
        if (target is not None and proven >= target) or converged:
            return PatternBound(proven, best_farley, master.fun if converged else None, round_)
        if target is not None and master.fun <= target - 1 + PROOF_MARGIN:
            return PatternBound(proven, best_farley, None, round_)   # the LP cannot reach the target
        improving = float(lp_duals @ pattern) > 1 + SLACK
        if improving:
            columns.append(pattern.astype(np.int64))
        smooth = improving            # after a mispricing, price at the LP duals once
    return PatternBound(math.ceil(best_farley - PROOF_MARGIN), best_farley, None, max_rounds)
