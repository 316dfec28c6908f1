"""Nested levels, solved bottom-up and placed so that each level lies on a prefix of the crossbars.

Budgets are taken smallest first. Level k must contain level k-1 (every group at least as wide), and it may
only add crossbars: its new tiles (`increment_tiles`) are packed by the real packer into crossbars numbered
after level k-1's. So level k uses crossbars 0 .. n_k - 1, a superset of every smaller level's, and switching
levels only gates crossbars on or off.

The knapsack bounds a level's cells by the area its new crossbars offer ((B_k - n_{k-1}) crossbars, the
area lower bound of packing), which the packer cannot always reach. When the packed count exceeds the
budget, the cut lowers that area by the crossbars the packer needed beyond it, and the level is solved again.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from rnc.passes.xbar_algorithms.bounds import packing_lower_bound
from rnc.passes.xbar_algorithms.nested.budget import Budget, NestedBudgetError
from rnc.passes.xbar_algorithms.nested.dp import solve_dp
from rnc.passes.xbar_algorithms.nested.increments import increment_tiles
from rnc.passes.xbar_algorithms.nested.milp import solve_milp
from rnc.passes.xbar_algorithms.nested.network import Limits, WidthChoice, WidthNetwork
from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions, Placement
from rnc.passes.xbar_algorithms.packing import pack
from rnc.passes.xbar_algorithms.tiling import Tile, partition

SOLVERS = ("milp", "dp")
MAX_CUTS = 8


@dataclass
class Level:
    """One nested subnetwork: its budget, widths, the tiles it adds and where they went.

    `xbars` crossbars (0 .. xbars-1) hold this level and every smaller one; `placements[(layer, index)]` is
    the crossbar and offset of each added tile; `cuts` counts the re-solves after the packer overran.
    """

    budget: Budget
    xbar_budget: int | None
    macs_budget: int | None
    choice: WidthChoice
    tiles: list[Tile]
    placements: dict[tuple[int, int], Placement]
    xbars: int
    cuts: int = 0
    solve_s: float = 0.0


@dataclass
class NestedSolution:
    """The levels, smallest first, over one network; `full_xbars` is the full model's own packed count."""

    network: WidthNetwork
    levels: list[Level] = field(default_factory=list)
    full_xbars: int = 0
    full_macs: int = 0


def _items(tiles: list[Tile]) -> list[PackItem]:
    return [PackItem((t.layer, t.index), t.layer, t.rows, t.cols) for t in tiles]


def full_model_xbars(network: WidthNetwork, options: PackOptions) -> int:
    """Crossbars the full-width model takes when packed on its own (the 100 % of fractional budgets)."""
    full = network.full_widths
    tiles = [t for i, l in enumerate(network.layers)
             for t in partition(l.matrix(i, full[l.in_group], full[l.out_group]), network.xbar_rows,
                                network.xbar_cols)]
    items = [PackItem((t.layer, t.index), t.layer, t.rows, t.cols) for t in tiles]
    return pack(items, None, options).xbars_used


def _pack_increment(tiles: list[Tile], first_xbar: int, options: PackOptions) -> tuple[int, dict]:
    """Packs a level's new tiles into crossbars numbered from `first_xbar`: (crossbars added, placements)."""
    if not tiles:
        return 0, {}
    result = pack(_items(tiles), None, options)
    return result.xbars_used, {key: Placement(first_xbar + p.xbar, p.row_offset, p.col_offset)
                               for key, p in result.placements.items()}


def _infeasible(network: WidthNetwork, budget: Budget, xbars: int | None, macs: int | None,
                previous: Level | None, options: PackOptions) -> NestedBudgetError:
    """The one-line error for a budget that even the smallest admissible subnetwork exceeds."""
    floors = previous.choice.widths if previous else None
    smallest = tuple(network.widths(g)[0] if floors is None else max(floors[g], network.widths(g)[0])
                     for g in range(len(network.groups)))
    choice = network.choice(smallest)
    used = previous.xbars if previous else 0
    options = PackOptions(**{**options.__dict__, "xbar_rows": network.xbar_rows, "xbar_cols": network.xbar_cols})
    bound = used + packing_lower_bound(_items(increment_tiles(network, floors, smallest)), options)
    contained = " containing the previous level" if previous else ""
    if xbars is not None and bound > xbars:
        return NestedBudgetError(f"budget {budget.label} is infeasible: the smallest subnetwork{contained} needs "
                                 f"at least {bound} crossbars, asked {xbars}")
    if macs is not None and choice.macs > macs:
        return NestedBudgetError(f"budget {budget.label} is infeasible: the smallest subnetwork{contained} needs "
                                 f"{choice.macs} MACs, asked {macs}")
    return NestedBudgetError(f"budget {budget.label}: no subnetwork{contained} packed into {xbars} crossbars "
                             f"after {MAX_CUTS} cuts (lower bound {bound})")


def _solve_level(network: WidthNetwork, budget: Budget, xbars: int | None, macs: int | None,
                 previous: Level | None, solver: str, options: PackOptions, time_limit_s: float) -> Level | None:
    """One level within (`xbars`, `macs`) containing `previous`, or None.

    The cells cap starts at the area of the crossbars left. When the packer overruns, the cap drops below the
    chosen widths' cells by the overrun's area; when a cap leaves nothing feasible, it moves halfway back up
    (bisection between the largest infeasible cap and the smallest overrun).
    """
    used = previous.xbars if previous else 0
    floors = previous.choice.widths if previous else None
    cell_area = network.xbar_rows * network.xbar_cols
    cap = None if xbars is None else (previous.choice.cells if previous else 0) + (xbars - used) * cell_area
    overran_at: int | None = None      # cells of the smallest choice that overran, minus one
    infeasible_at = -1                 # the largest cap that left nothing feasible
    for cut in range(MAX_CUTS + 1):
        if cap is not None and (cap <= infeasible_at or (overran_at is not None and cap > overran_at)):
            return None
        limits = Limits(cells=cap, macs=macs)
        choice = (solve_dp(network, limits, floors) if solver == "dp"
                  else solve_milp(network, limits, floors, time_limit_s))
        if choice is None:
            if overran_at is None:
                return None
            infeasible_at = cap
            cap = (cap + overran_at + 1) // 2
            continue
        tiles = increment_tiles(network, floors, choice.widths)
        added, placements = _pack_increment(tiles, used, options)
        if xbars is None or used + added <= xbars:
            return Level(budget, xbars, macs, choice, tiles, placements, used + added, cut)
        overran_at = choice.cells - 1
        cap = max(overran_at - (used + added - xbars) * cell_area, infeasible_at + 1)
    return None


def solve_levels(network: WidthNetwork, budgets: list[Budget], solver: str = "milp",
                 options: PackOptions = PackOptions(), time_limit_s: float = 60.0) -> NestedSolution:
    """Nested levels for `budgets`, smallest first, each verified by the packer (see the module doc)."""
    if solver not in SOLVERS:
        raise NestedBudgetError(f"unknown solver {solver!r}; expected one of {sorted(SOLVERS)}")
    options = PackOptions(**{**options.__dict__, "xbar_rows": network.xbar_rows, "xbar_cols": network.xbar_cols})
    solution = NestedSolution(network, full_xbars=full_model_xbars(network, options),
                              full_macs=network.choice(network.full_widths).macs)
    resolved = [(b, *b.resolve(solution.full_xbars, solution.full_macs)) for b in budgets]
    resolved.sort(key=lambda r: (r[1] if r[1] is not None else float("inf"),
                                 r[2] if r[2] is not None else float("inf")))
    previous: Level | None = None
    for budget, xbars, macs in resolved:
        start = time.perf_counter()
        level = _solve_level(network, budget, xbars, macs, previous, solver, options, time_limit_s)
        if level is None:
            raise _infeasible(network, budget, xbars, macs, previous, options)
        level.solve_s = time.perf_counter() - start
        solution.levels.append(level)
        previous = level
    return solution
