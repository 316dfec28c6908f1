"""The width-level knapsack as a MILP, solved by HiGHS (scipy.optimize.milp).

Variables: y[g, w] = 1 when group g has width w (one per group), and z[l, a, b] = 1 when layer l runs at
widths (a, b). The marginals of z are the y of the layer's two groups (sum_b z[l, a, b] = y[in, a],
sum_a z[l, a, b] = y[out, b]), so z is the product of one-hot vectors without big-M. A depthwise layer's
arcs sit on y of its single group. Maximise the kept importance subject to the resource limits. This
handles residual adds and squeeze-excite (several layers writing one group) as well as chains.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from rnc.passes.xbar_algorithms.nested.network import Limits, WidthChoice, WidthNetwork


class _Columns:
    """The MILP's columns: each knows its objective value and resource use."""

    def __init__(self, resources: list[str]):
        self.resources = resources
        self.value: list[float] = []
        self.use: list[list[int]] = []

    def add(self, value: float = 0.0, use: list[int] | None = None) -> int:
        self.value.append(value)
        self.use.append(use or [0] * len(self.resources))
        return len(self.value) - 1


def _used_groups(network: WidthNetwork) -> list[int]:
    return sorted({g for layer in network.layers for g in (layer.in_group, layer.out_group)})


def solve_milp(network: WidthNetwork, limits: Limits, floors: tuple[int, ...] | None = None,
               time_limit_s: float = 60.0, gap: float = 0.0) -> WidthChoice | None:
    """The most valuable widths within `limits`, each at least `floors` (None: no floor); None if none fits.
    `gap` is HiGHS's relative optimality gap (0: proven optimal)."""
    resources = [name for name, _ in limits.active()]
    cols = _Columns(resources)
    y: dict[tuple[int, int], int] = {}
    for g in _used_groups(network):
        for w in network.widths(g):
            if floors is None or w >= floors[g]:
                y[g, w] = cols.add()
    rows: list[list[tuple[int, float]]] = []      # equality rows (= rhs)
    rhs: list[float] = []
    for g in _used_groups(network):
        rows.append([(j, 1.0) for (h, _), j in y.items() if h == g])
        rhs.append(1.0)
    for index, layer in enumerate(network.layers):
        arcs = network.arcs(index, floors)
        if layer.in_group == layer.out_group:
            for arc in arcs:
                j = y[layer.in_group, arc.a]
                cols.value[j] += arc.value
                cols.use[j] = [u + arc.resource(r) for u, r in zip(cols.use[j], resources)]
            continue
        by_in: dict[int, list[tuple[int, float]]] = {}
        by_out: dict[int, list[tuple[int, float]]] = {}
        for arc in arcs:
            j = cols.add(arc.value, [arc.resource(r) for r in resources])
            by_in.setdefault(arc.a, []).append((j, 1.0))
            by_out.setdefault(arc.b, []).append((j, 1.0))
        for group, marginals in ((layer.in_group, by_in), (layer.out_group, by_out)):
            for w, terms in marginals.items():
                rows.append(terms + [(y[group, w], -1.0)])
                rhs.append(0.0)
    n = len(cols.value)
    if n == 0:
        return None
    constraints = [_constraint(rows, n, rhs, rhs)]
    if resources:
        usage = np.array(cols.use, dtype=float).T
        bounds = [bound for _, bound in limits.active()]
        constraints.append(LinearConstraint(usage, -np.inf, np.array(bounds, dtype=float)))
    result = milp(-np.array(cols.value), constraints=constraints, integrality=np.ones(n),
                  bounds=Bounds(0, 1), options={"time_limit": time_limit_s, "mip_rel_gap": gap})
    if result.x is None:
        return None
    widths = list(network.full_widths)
    for (g, w), j in y.items():
        if result.x[j] > 0.5:
            widths[g] = w
    return network.choice(tuple(widths))


def _constraint(rows: list[list[tuple[int, float]]], n: int, low: list[float], high: list[float]):
    r, c, v = [], [], []
    for i, terms in enumerate(rows):
        for j, coef in terms:
            r.append(i)
            c.append(j)
            v.append(coef)
    matrix = coo_matrix((v, (r, c)), shape=(len(rows), n)).tocsr()
    return LinearConstraint(matrix, np.array(low), np.array(high))
