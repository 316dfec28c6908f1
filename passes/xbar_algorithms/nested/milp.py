"""The width-level knapsack as a MILP over a junction tree, solved by HiGHS (scipy.optimize.milp).

Groups left with a single admissible width (fixed groups, or groups the previous level's floors pin) are
constants. The others form a junction tree (`junction_tree`); each clique has one binary per joint choice
of its groups' widths, exactly one of which is taken, and a clique's choices agree with its parent's on
their separator (for each separator choice, the two sums of the choices that restrict to it are equal).
A clique's choice carries the value and resources of the layers assigned to it. Maximise the kept
importance subject to the resource limits.

Without the resource rows this polytope has integral vertices (locally consistent marginals on a junction
tree are the marginals of one joint choice), so only the knapsack rows loosen the LP relaxation (within
about 0.1 % on mbv3_small's first level). HiGHS still spends seconds per solve there finding the last
integer solutions, about as long as with the earlier formulation (one binary per layer arc); the exact
DP on the same tree (`dp`) is the default. Residual adds, squeeze-excite gates and chains all fit.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint
from scipy.sparse import coo_matrix

from rnc.passes.xbar_algorithms.highs import quiet_milp
from rnc.passes.xbar_algorithms.nested.junction_tree import clique_tables
from rnc.passes.xbar_algorithms.nested.network import Limits, WidthChoice, WidthNetwork


def solve_milp(network: WidthNetwork, limits: Limits, floors: tuple[int, ...] | None = None,
               time_limit_s: float = 60.0, gap: float = 0.0) -> WidthChoice | None:
    """The most valuable widths within `limits`, each at least `floors` (None: no floor); None if none fits.
    `gap` is HiGHS's relative optimality gap (0: proven optimal)."""
    resources = [name for name, _ in limits.active()]
    tables = clique_tables(network, floors, resources, limits.activation)
    if tables is None:
        return None
    caps = np.array([bound for _, bound in limits.active()], dtype=np.int64) - tables.constant_use
    if (caps < 0).any():
        return None
    cliques = tables.cliques
    if not cliques:
        return network.choice(tables.widths([]))
    first = np.cumsum([0] + [len(t) for t in tables.choices]).tolist()   # each clique's first column
    rows: list[list[tuple[int, float]]] = []
    rhs: list[float] = []
    for c, clique in enumerate(cliques):
        if clique.parent is None:
            rows.append([(first[c] + j, 1.0) for j in range(len(tables.choices[c]))])
            rhs.append(1.0)
            continue
        sums: dict[tuple[int, ...], list[tuple[int, float]]] = {}
        for owner, sign in ((c, 1.0), (clique.parent, -1.0)):
            where = [cliques[owner].groups.index(g) for g in clique.separator]
            for j, joint in enumerate(tables.choices[owner]):
                sums.setdefault(tuple(joint[k] for k in where), []).append((first[owner] + j, sign))
        rows.extend(sums.values())
        rhs.extend(0.0 for _ in sums)
    n = first[-1]
    constraints = [_constraint(rows, n, rhs)]
    if resources:
        constraints.append(LinearConstraint(np.concatenate(tables.use).T.astype(float), -np.inf, caps.astype(float)))
    result = quiet_milp(-np.concatenate(tables.value), constraints=constraints, integrality=np.ones(n),
                        bounds=Bounds(0, 1), options={"time_limit": time_limit_s, "mip_rel_gap": gap})
    if result.x is None:
        return None
    picks = [int(np.argmax(result.x[first[c]:first[c + 1]])) for c in range(len(cliques))]
    return network.choice(tables.widths(picks))


def _constraint(rows: list[list[tuple[int, float]]], n: int, rhs: list[float]) -> LinearConstraint:
    """The equality rows `rows` (column, coefficient) = `rhs` as one sparse constraint."""
    r, c, v = [], [], []
    for i, terms in enumerate(rows):
        for j, coef in terms:
            r.append(i)
            c.append(j)
            v.append(coef)
    matrix = coo_matrix((v, (r, c)), shape=(len(rows), n)).tocsr()
    return LinearConstraint(matrix, np.array(rhs), np.array(rhs))
