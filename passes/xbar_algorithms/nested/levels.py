"""Nested levels, solved bottom-up and placed so that each level lies on a prefix of the crossbars.

Budgets are taken smallest first. Level k must contain level k-1 (every group at least as wide), and it may
only add crossbars: its new tiles (`increment_tiles`) are packed by the real packer into crossbars numbered
after level k-1's. So level k uses crossbars 0 .. n_k - 1, a superset of every smaller level's, and switching
levels only gates crossbars on or off.

A level's new tiles first fill the free space of the crossbars already in use (MaxRects, best short-side
fit: a smaller level never reads them, so they cost it nothing), and the rest go to the real packer on new
crossbars. The knapsack bounds a level's cells by its budget's area (B_k crossbars, the area lower bound of
packing), which the packer cannot always reach. When the packed count exceeds the
budget, the cut lowers that area by the crossbars the packer needed beyond it, and the level is solved again.
With the DP (the default) a level's Pareto front is built once, at the budget's own limits, and every cut
reads its answer off that front; the MILP solves again at each cut.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from rnc.passes.xbar_algorithms.bounds import packing_lower_bound
from rnc.passes.xbar_algorithms.nested.budget import Budget, NestedBudgetError
from rnc.passes.xbar_algorithms.nested.dp import ParetoFront
from rnc.passes.xbar_algorithms.nested.increments import increment_tiles
from rnc.passes.xbar_algorithms.nested.milp import solve_milp
from rnc.passes.xbar_algorithms.nested.network import Limits, WidthChoice, WidthNetwork
from rnc.passes.xbar_algorithms.maxrects import MaxRectsBin
from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions, Placement
from rnc.passes.xbar_algorithms.packing import pack
from rnc.passes.xbar_algorithms.tiling import Tile, partition

SOLVERS = ("dp", "milp")
MAX_CUTS = 8
MILP_GAP = 1e-3    # the packer's cut moves the cap by whole crossbars; a 0.1 % value gap is far below that


@dataclass
class Level:
    """One nested subnetwork: its budget, widths, the tiles it adds and where they went.

    `xbars` crossbars (0 .. xbars-1) hold this level and every smaller one; `placements[(layer, index)]` is
    the crossbar and offset of each added tile; `cuts` counts the re-solves after the packer overran.
    `solve_s` times the whole level (knapsack and packing), `knapsack_s` the solver alone.
    """

    budget: Budget
    xbar_budget: int | None
    macs_budget: int | None
    choice: WidthChoice
    tiles: list[Tile]
    placements: dict[tuple[int, int], Placement]
    xbars: int
    cuts: int = 0
    solve_s: float = 0.0        # the whole level: knapsack solves and packing
    knapsack_s: float = 0.0     # the knapsack solves alone
    activation_budget: int | None = None


@dataclass
class NestedSolution:
    """The levels, smallest first, over one network; `full_xbars` is the full model's own packed count."""

    network: WidthNetwork
    levels: list[Level] = field(default_factory=list)
    full_xbars: int = 0
    full_macs: int = 0
    full_activation: int = 0


def _items(tiles: list[Tile]) -> list[PackItem]:
    return [PackItem((t.layer, t.index), t.layer, t.height, t.width) for t in tiles]


def full_model_xbars(network: WidthNetwork, options: PackOptions) -> int:
    """Crossbars the full-width model takes when packed on its own (the 100 % of fractional budgets)."""
    full = network.full_widths
    tiles = [t for i, l in enumerate(network.layers)
             for t in partition(l.matrix(i, full[l.in_group], full[l.out_group]), network.xbar_rows,
                                network.xbar_cols)]
    items = [PackItem((t.layer, t.index), t.layer, t.height, t.width) for t in tiles]
    return pack(items, None, options).xbars_used


def _fill_gaps(bins: list[MaxRectsBin], tiles: list[Tile], options: PackOptions) -> tuple[dict, list[Tile]]:
    """Places what fits into the free space of `bins` (changed in place): (placements, the tiles left)."""
    placements, rest = {}, []
    for tile in sorted(tiles, key=lambda t: (-t.area, t.layer, t.index)):
        best = None
        for x, b in enumerate(bins):
            if not b.admits(tile.layer, tile.area, options.conflict_distance, options.tile_cap):
                continue
            fit = b.best_short_side_fit(tile.height, tile.width)
            if fit is not None and (best is None or fit[0] < best[0]):
                best = (fit[0], x, fit[1])
        if best is None:
            rest.append(tile)
            continue
        _, x, rect = best
        bins[x].place(tile.layer, rect[0], rect[1], tile.height, tile.width)
        placements[tile.layer, tile.index] = Placement(x, rect[0], rect[1])
    return placements, rest


def _pack_increment(bins: list[MaxRectsBin], tiles: list[Tile], options: PackOptions) -> dict:
    """Places a level's new tiles: gaps of `bins` first, then new crossbars appended to `bins`."""
    placements, rest = _fill_gaps(bins, tiles, options)
    if rest:
        first = len(bins)
        result = pack(_items(rest), None, options)
        bins.extend(MaxRectsBin(options.xbar_rows, options.xbar_cols) for _ in range(result.xbars_used))
        by_key = {(t.layer, t.index): t for t in rest}
        for key, p in result.placements.items():
            bins[first + p.xbar].place(key[0], p.row0, p.col0, by_key[key].height, by_key[key].width)
            placements[key] = Placement(first + p.xbar, p.row0, p.col0)
    return placements


def _infeasible(network: WidthNetwork, budget: Budget, xbars: int | None, macs: int | None,
                activation: int | None, levels: list[Level], options: PackOptions) -> NestedBudgetError:
    """The one-line error for a budget that even the smallest admissible subnetwork exceeds."""
    previous = levels[-1] if levels else None
    floors = previous.choice.widths if previous else None
    smallest = tuple(network.widths(g)[0] if floors is None else max(floors[g], network.widths(g)[0])
                     for g in range(len(network.groups)))
    choice = network.choice(smallest)
    tiles = [t for level in levels for t in level.tiles] + increment_tiles(network, floors, smallest)
    items = [PackItem(n, t.layer, t.height, t.width) for n, t in enumerate(tiles)]
    bound = max(previous.xbars if previous else 0, packing_lower_bound(items, options))
    contained = " containing the previous level" if previous else ""
    if xbars is not None and bound > xbars:
        return NestedBudgetError(f"budget {budget.label} is infeasible: the smallest subnetwork{contained} needs "
                                 f"at least {bound} crossbars, asked {xbars}")
    if macs is not None and choice.macs > macs:
        return NestedBudgetError(f"budget {budget.label} is infeasible: the smallest subnetwork{contained} needs "
                                 f"{choice.macs} MACs, asked {macs}")
    peak = network.peak_activation(smallest)
    if activation is not None and peak > activation:
        return NestedBudgetError(f"budget {budget.label} is infeasible: the smallest subnetwork{contained} holds "
                                 f"{peak} activation elements in one layer, asked {activation}")
    return NestedBudgetError(f"budget {budget.label}: no subnetwork{contained} packed into {xbars} crossbars "
                             f"after {MAX_CUTS} cuts (lower bound {bound})")


def _solve_level(network: WidthNetwork, budget: Budget, xbars: int | None, macs: int | None,
                 activation: int | None, previous: Level | None, bins: list[MaxRectsBin], solver: str,
                 options: PackOptions, time_limit_s: float, gap: float) -> tuple[Level, list[MaxRectsBin]] | None:
    """One level within (`xbars`, `macs`, peak `activation`) containing `previous` and the crossbars `bins`
    it fills, or None.

    The cells cap starts at the budget's area. When the packer overruns, the cap drops below the chosen
    widths' cells by the overrun's area (an aimed cut); after that, the cap bisects between the best level
    that packed (or the largest cap that left nothing feasible) and the smallest overrun, up to MAX_CUTS
    solves, keeping the most valuable level that packed.
    """
    floors = previous.choice.widths if previous else None
    cell_area = network.xbar_rows * network.xbar_cols
    cap = None if xbars is None else xbars * cell_area
    best: tuple[Level, list[MaxRectsBin]] | None = None
    overran_at: int | None = None      # cells of the smallest choice that overran, minus one
    infeasible_at = -1                 # the largest cap that gave nothing feasible or better
    start = time.perf_counter()
    front = ParetoFront(network, Limits(cells=cap, macs=macs, activation=activation), floors) \
        if solver == "dp" else None
    knapsack_s = time.perf_counter() - start
    for cut in range(MAX_CUTS + 1):
        start = time.perf_counter()
        limits = Limits(cells=cap, macs=macs, activation=activation)
        choice = (front.best(limits) if front is not None
                  else solve_milp(network, limits, floors, time_limit_s, gap))
        knapsack_s += time.perf_counter() - start
        overrun = 0
        if choice is None:
            infeasible_at = cap if cap is not None else infeasible_at
        else:
            grown = [b.clone() for b in bins]
            tiles = increment_tiles(network, floors, choice.widths)
            placements = _pack_increment(grown, tiles, options)
            if xbars is None or len(grown) <= xbars:
                if best is None or choice.value > best[0].choice.value:
                    best = Level(budget, xbars, macs, choice, tiles, placements, len(grown), cut,
                                 activation_budget=activation), grown
                elif cap is not None:
                    infeasible_at = max(infeasible_at, cap)     # nothing better at or below this cap
            else:
                overrun = len(grown) - xbars
                overran_at = choice.cells - 1 if overran_at is None else min(overran_at, choice.cells - 1)
        if overran_at is None or cap is None:
            break                      # fitted (or nothing fits) at the first cap: optimal for it
        low = max(infeasible_at + 1, best[0].choice.cells + 1 if best else 0)
        if low > overran_at:
            break
        cap = max(overran_at - overrun * cell_area, low) if overrun and best is None and infeasible_at < 0 \
            else (low + overran_at + 1) // 2
    if best is not None:
        best[0].knapsack_s = knapsack_s
    return best


def solve_levels(network: WidthNetwork, budgets: list[Budget], solver: str = "dp",
                 options: PackOptions = PackOptions(), time_limit_s: float = 10.0,
                 gap: float = MILP_GAP) -> NestedSolution:
    """Nested levels for `budgets`, smallest first, each verified by the packer (see the module doc).
    `time_limit_s` and `gap` bound each MILP solve (the best widths found so far are kept)."""
    if solver not in SOLVERS:
        raise NestedBudgetError(f"unknown solver {solver!r}; expected one of {sorted(SOLVERS)}")
    options = PackOptions(**{**options.__dict__, "xbar_rows": network.xbar_rows, "xbar_cols": network.xbar_cols})
    solution = NestedSolution(network, full_xbars=full_model_xbars(network, options),
                              full_macs=network.choice(network.full_widths).macs,
                              full_activation=network.peak_activation(network.full_widths))
    resolved = [(b, *b.resolve(solution.full_xbars, solution.full_macs, solution.full_activation)) for b in budgets]
    resolved.sort(key=lambda r: tuple(float("inf") if v is None else v for v in r[1:]))
    previous: Level | None = None
    bins: list[MaxRectsBin] = []
    for budget, xbars, macs, activation in resolved:
        start = time.perf_counter()
        solved = _solve_level(network, budget, xbars, macs, activation, previous, bins, solver, options,
                              time_limit_s, gap)
        if solved is None:
            raise _infeasible(network, budget, xbars, macs, activation, solution.levels, options)
        level, bins = solved
        level.solve_s = time.perf_counter() - start
        solution.levels.append(level)
        previous = level
    return solution
