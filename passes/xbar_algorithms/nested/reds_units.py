"""REDS's own unit-level knapsack (Corti et al., arXiv 2311.13349; docs/nested.md), for parity.

Binaries: one per output unit p[g, f] of every free channel group (a conv's filter; the depthwise filters
of that group share it, since a depthwise layer's width equals its producer's), and one per kernel
k[l, f, c] (input channel c of filter f) of every layer reading a free group. The width of group g is
x_g = sum_f p[g, f]. Constraints, as REDS states them: prefix order p[g, f] >= p[g, f + 1]; x_g >= 1; a
kept filter has exactly x_in kernels and a dropped one none (big-M with M = the input's channels); MACs
within the budget, counted on the kept kernels (so linear). Maximise the kept unit and kernel scores.
Levels are solved smallest budget first, and every item a level keeps is fixed to 1 in the larger ones.

Kernels are tied to their filter only by count, not to the prefix of input channels the deployed model
reads, so REDS's objective is optimistic: `UnitLevel.deployed` is the value of the prefix widths it
chose, the same measure as the width knapsack's (`WidthNetwork.choice`). Only chains of conv, depthwise
and linear layers with `kernel_scores` are handled, as in REDS's DS-CNN scripts.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint
from scipy.sparse import coo_matrix

from rnc.passes.xbar_algorithms.highs import quiet_milp
from rnc.passes.xbar_algorithms.nested.network import WidthChoice, WidthNetwork


@dataclass
class UnitLevel:
    """One budget's solution: REDS's objective (`optimistic`), the prefix widths it implies (`choice`, whose
    value is what the deployed model keeps) and HiGHS's wall time."""

    macs_budget: int
    optimistic: float
    choice: WidthChoice
    solve_s: float
    binaries: int
    mip_gap: float


class _Model:
    """Columns (objective, bounds) and rows of the MILP, built once and re-solved per budget."""

    def __init__(self):
        self.objective: list[float] = []
        self.rows: list[list[tuple[int, float]]] = []
        self.low: list[float] = []
        self.high: list[float] = []
        self.integer: list[int] = []
        self.upper: list[float] = []

    def column(self, value: float, upper: float = 1.0) -> int:
        self.objective.append(value)
        self.upper.append(upper)
        return len(self.objective) - 1

    def row(self, terms: list[tuple[int, float]], low: float, high: float) -> None:
        self.rows.append(terms)
        self.low.append(low)
        self.high.append(high)


def solve_reds_units(network: WidthNetwork, macs_budgets: list[int], time_limit_s: float = 60.0,
                     gap: float = 0.0) -> list[UnitLevel]:
    """REDS's levels for `macs_budgets` (solved ascending, each containing the previous); raises ValueError
    for a network REDS's formulation does not cover, and when a budget admits no subnetwork."""
    m = _Model()
    units: dict[int, list[int]] = {}           # free group -> its unit binaries p[g, f]
    for g, group in enumerate(network.groups):
        if not group.fixed:
            units[g] = [m.column(0.0) for _ in range(group.channels)]
    macs_terms: list[tuple[int, float]] = []
    macs_constant = 0
    value_constant = 0.0                       # what fixed items keep (the classifier's units, ...)
    for layer in network.layers:
        a, b = layer.in_group, layer.out_group
        if layer.kind == "depthwise":
            for f, j in enumerate(units.get(b, [])):
                m.objective[j] += float(layer.scores[f])
                macs_terms.append((j, float(layer.kernel_area * layer.positions)))
            if b not in units:
                macs_constant += layer.macs(network.groups[a].channels, network.groups[b].channels)
                value_constant += layer.value(network.groups[a].channels, network.groups[b].channels)
            continue
        if layer.kernel_scores is None and a in units:
            raise ValueError(f"layer {layer.name}: REDS's formulation needs kernel scores")
        outputs = units.get(b)
        for f in range(network.groups[b].channels):
            keep = outputs[f] if outputs else None
            whole = float(layer.kernel_scores[f].sum()) if layer.kernel_scores is not None and a not in units else 0.0
            if keep is not None:
                m.objective[keep] += float(layer.scores[f]) + whole
            else:
                value_constant += float(layer.scores[f]) + whole
            if a not in units:                  # reads the fixed input: whole filters
                per_filter = layer.kernel_area * network.groups[a].channels * layer.positions
                if keep is None:
                    macs_constant += per_filter
                else:
                    macs_terms.append((keep, float(per_filter)))
                continue
            row = [(m.column(float(layer.kernel_scores[f, c])), 1.0) for c in range(network.groups[a].channels)]
            macs_terms.extend((j, float(layer.kernel_area * layer.positions)) for j, _ in row)
            width = [(j, -1.0) for j in units[a]]
            big = float(network.groups[a].channels)
            if keep is None:                    # a filter of a fixed group: exactly x_in kernels
                m.row(row + width, 0.0, 0.0)
            else:                               # |kernels - x_in| <= M (1 - p);  kernels <= M p
                m.row(row + width + [(keep, big)], -np.inf, big)
                m.row(row + width + [(keep, -big)], -big, np.inf)
                m.row(row + [(keep, -big)], -np.inf, 0.0)
    for g, column in units.items():
        m.row([(column[0], 1.0)], 1.0, 1.0)     # width >= 1: the first unit always stays
        for j, k in zip(column, column[1:]):
            m.row([(j, 1.0), (k, -1.0)], 0.0, np.inf)
    n = len(m.objective)
    rows = _matrix(m.rows, n)
    macs_row = _matrix([macs_terms], n)
    fixed = np.zeros(n)
    levels = []
    for budget in sorted(macs_budgets):
        start = time.perf_counter()
        result = quiet_milp(-np.array(m.objective), integrality=np.ones(n), bounds=Bounds(fixed, np.array(m.upper)),
                            constraints=[LinearConstraint(rows, np.array(m.low), np.array(m.high)),
                                         LinearConstraint(macs_row, -np.inf, budget - macs_constant)],
                            options={"time_limit": time_limit_s, "mip_rel_gap": gap})
        if result.x is None:
            raise ValueError(f"REDS's formulation: no subnetwork within {budget} MACs ({result.message})")
        chosen = result.x > 0.5
        fixed = np.maximum(fixed, chosen.astype(float))   # nested: every kept item stays in larger budgets
        widths = list(network.full_widths)
        for g, column in units.items():
            widths[g] = int(chosen[column].sum())
        levels.append(UnitLevel(budget, value_constant + float(np.dot(m.objective, chosen)),
                                network.choice(tuple(widths)), time.perf_counter() - start, n,
                                float(getattr(result, "mip_gap", 0.0) or 0.0)))
    return levels


def _matrix(rows: list[list[tuple[int, float]]], n: int):
    r = [i for i, terms in enumerate(rows) for _ in terms]
    c = [j for terms in rows for j, _ in terms]
    v = [coef for terms in rows for _, coef in terms]
    return coo_matrix((v, (r, c)), shape=(len(rows), n)).tocsr()
