"""The reference's duplication method (LPDuplicateOptimizer, timing.md section 6), for comparison.

1. Rank layers by task_per_latency = round(1 / (raw PE latency * raw cycles), 8) of the untiled layer;
   the smallest (first on ties) is the reference layer r.
2. Maximise m_r * tpc_r subject to m_L * tpc_L >= m_r * tpc_r for every layer L (tpc = round(1 / raw
   cycles, 8)), m_L integer >= 1, and sum_L m_L * rows_L * cols_L <= 128 * 128 * N * margin.
3. Pack all copies; when packing fails, retry with the next margin (0.95, 0.90, ..., 0.60), then give up.

The integer program fixes only m_r; the objective ignores the other m_L, so a solver may return any values
above their lower limits. We take the smallest, ceil(m_r * tpc_r / tpc_L), the most frugal reading.
Copies beyond a layer's parallelism are kept (the reference places them; the simulator never uses them).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rnc.hw.target import DEFAULT_TARGET
from rnc.passes.xbar_algorithms.capacity import CapacityModel
from rnc.passes.xbar_algorithms.layer_cost import LayerCost
from rnc.passes.xbar_algorithms.pack_types import PackingInfeasible, PackOptions
from rnc.passes.xbar_algorithms.replication import (ReplicationResult, bottleneck, pack_copies,
                                                    replicated_tiles)

REFERENCE_MARGINS = (0.95, 0.90, 0.85, 0.80, 0.75, 0.70, 0.65, 0.60)
TPC_DIGITS = 8
RATIO_TOLERANCE = 1e-9


def reference_copies(layers: Sequence[LayerCost], budget: int, margin: float) -> dict[int, int] | None:
    """The LP's copies for one margin, None when even one copy each exceeds the area."""
    matrices = [cost.matrix for cost in layers]
    if any(matrix is None for matrix in matrices):
        raise ValueError("the reference method needs each LayerCost's raw matrix")
    # MNSIM's PE latency of the untiled matrix on the reference's hardware (timing.md section 2).
    per_latency = [round(1 / (DEFAULT_TARGET.mvm_ns(m.rows, m.cols) * m.cycles), TPC_DIGITS) for m in matrices]
    per_cycle = [round(1 / m.cycles, TPC_DIGITS) for m in matrices]
    areas = [m.rows * m.cols for m in matrices]
    ref = int(np.argmin(per_latency))        # first of the smallest, as argsort gives on these tables
    count = len(layers)
    objective = np.zeros(count)
    objective[ref] = -per_cycle[ref]
    rows = []
    for index in range(count):
        if index != ref:
            row = np.zeros(count)
            row[index], row[ref] = per_cycle[index], -per_cycle[ref]
            rows.append(row)
    from scipy.optimize import Bounds, LinearConstraint, milp   # here: importing scipy.optimize takes ~1 s
    capacity = DEFAULT_TARGET.xbar_area * budget * margin
    constraints = [LinearConstraint(np.array(areas, dtype=float), -np.inf, capacity)]
    if rows:
        constraints.append(LinearConstraint(np.array(rows), 0, np.inf))
    solution = milp(objective, constraints=constraints, integrality=np.ones(count),
                    bounds=Bounds(np.ones(count), np.full(count, np.inf)))
    if solution.status != 0 or solution.x is None:
        return None
    ref_copies = round(solution.x[ref])
    copies = {}
    for index, cost in enumerate(layers):
        need = ref_copies * per_cycle[ref] / per_cycle[index]
        copies[cost.layer] = max(1, math.ceil(need - RATIO_TOLERANCE))
    copies[layers[ref].layer] = ref_copies
    return copies


def reference_duplication(layers: Sequence[LayerCost], budget: int,
                          pack_options: PackOptions = replace(PackOptions(), strategy="rnc"),
                          margins: Sequence[float] = REFERENCE_MARGINS) -> ReplicationResult:
    """The reference's duplication and retry loop; raises PackingInfeasible when every margin fails."""
    layers = list(layers)
    ones = {cost.layer: 1 for cost in layers}
    best_found = None
    for attempt, margin in enumerate(margins, start=1):
        copies = reference_copies(layers, budget, margin)
        if copies is None:
            continue
        try:
            packing = pack_copies(layers, copies, budget, pack_options)
        except PackingInfeasible as failure:
            if failure.best_found is not None:
                best_found = failure.best_found if best_found is None else min(best_found, failure.best_found)
            continue
        return ReplicationResult(copies, bottleneck(layers, ones), bottleneck(layers, copies), packing,
                                 replicated_tiles(layers, copies), None, f"reference (margin {margin:.2f})",
                                 attempt)
    raise PackingInfeasible(CapacityModel(layers, pack_options).lower_bound(ones), budget, best_found)
