"""Packing tiles (rectangles, never rotated: rows are word lines) into crossbars.

`pack(items, budget, options)` returns a valid `PackResult` or raises `PackingInfeasible`. With
`budget=None` it minimises the crossbar count (stopping early at the proven lower bound); with a budget it
stops as soon as the items fit and raises when they do not.

Strategies:
- "rnc": the reference's packer (`rnc_ems`), random box order from `seed`; in budget mode it tries
  `REFERENCE_ATTEMPTS` orders like the reference's main loop, in min-count mode one (its find-solution mode).
- "maxrects": greedy MaxRects in several sorted and a few random orders and crossbar-choice rules, then
  ruin-and-recreate (`improve`) until the target count or the end of the work budget.
- "skyline": greedy Skyline in several sorted orders, then random order swaps until the end of the budget.
- "best" (default): a few quick constructive passes (MaxRects in the three most successful sorted orders
  and in random orders, the bin-oriented fill), then ruin-and-recreate on the best for the rest of the
  budget. Measured on the reference models this beats spending the work on more constructive passes:
  Skyline and the other sorted orders almost never win, while every search step counts.

The search is bounded by `options.effort` probes (`work.WorkBudget`), not by time, so a seed gives the
same packing on every machine; `options.time_limit_s` is an optional safety cap on top.

Items exactly the size of a crossbar fill one alone; every strategy but "rnc" gives them their own
crossbars up front and packs only the rest.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from rnc.passes.xbar_algorithms.bin_fill import fill_bins
from rnc.passes.xbar_algorithms.bounds import area_bound, conflict_window_bound, packing_lower_bound
from rnc.passes.xbar_algorithms.greedy import PlacedItem, greedy_maxrects
from rnc.passes.xbar_algorithms.improve import ruin_and_recreate
from rnc.passes.xbar_algorithms.pack_types import (PackingInfeasible, PackItem, PackOptions, PackResult,
                                                   Placement, split_full)
from rnc.passes.xbar_algorithms.rnc_ems import reference_order, rnc_pack
from rnc.passes.xbar_algorithms.skyline import greedy_skyline
from rnc.passes.xbar_algorithms.work import WorkBudget

REFERENCE_ATTEMPTS = 10

SORT_ORDERS: dict[str, Callable[[PackItem], tuple]] = {
    "area": lambda item: (-item.area, -max(item.height, item.width)),
    "long-side": lambda item: (-max(item.height, item.width), -item.area),
    "rows": lambda item: (-item.height, -item.width),
    "cols": lambda item: (-item.width, -item.height),
    "perimeter": lambda item: (-(item.height + item.width), -item.area),
    "short-side": lambda item: (-min(item.height, item.width), -item.area),
}
MAXRECTS_FITS = ("area", "bssf")
FIRST_ORDERS = ("area", "long-side", "cols")   # the sorted orders that win most often, tried first
RANDOM_PASSES = 4
BIN_FILL_MAX_ITEMS = 400   # its search grows with crossbars x shapes; beyond this it rarely pays
Contents = list[list[PlacedItem]]


def _check_items(items: Sequence[PackItem], options: PackOptions) -> None:
    seen = set()
    for item in items:
        if not (0 < item.height <= options.xbar_rows and 0 < item.width <= options.xbar_cols):
            raise ValueError(f"item {item.id!r} of {item.height}x{item.width} does not fit a "
                             f"{options.xbar_rows}x{options.xbar_cols} crossbar")
        if item.id in seen:
            raise ValueError(f"item id {item.id!r} appears twice")
        seen.add(item.id)


class _Search:
    """The best packing so far of the items that are not full-crossbar sized, and when to stop."""

    def __init__(self, target: int, work: WorkBudget):
        self.target = target
        self.work = work
        self.best: Contents | None = None
        self.source = ""

    @property
    def limit(self) -> int | None:
        """Constructive passes may stop once they need more crossbars than the best so far."""
        return None if self.best is None else len(self.best) - 1

    def offer(self, contents: Contents | None, source: str) -> None:
        if contents is not None and (self.best is None or len(contents) < len(self.best)):
            self.best, self.source = contents, source

    def done(self) -> bool:
        return self.best is not None and len(self.best) <= self.target

    def stop(self) -> bool:
        return self.done() or self.work.exhausted


def _shuffled(items: list[PackItem], seed: int, attempt: int) -> list[PackItem]:
    shuffled = list(items)
    random.Random(f"{seed}/{attempt}").shuffle(shuffled)
    return shuffled


def _maxrects_passes(items, options, search: _Search, orders: Sequence[str], fits: Sequence[str]) -> None:
    for order_name in orders:
        ordered = sorted(items, key=SORT_ORDERS[order_name])
        for fit in fits:
            search.offer(greedy_maxrects(ordered, options, fit, search.limit, search.work),
                         f"maxrects/{order_name}/{fit}")
            if search.stop():
                return


def _random_passes(items, options, search: _Search, count: int) -> None:
    """Random orders mix the layers, which matters when copies make the conflict and tile-count rules bind
    (sorted orders then group a layer's copies and strand small tiles)."""
    for attempt in range(count):
        search.offer(greedy_maxrects(_shuffled(items, options.seed, attempt), options, "area", search.limit,
                                     search.work), f"maxrects/random-{attempt}/area")
        if search.stop():
            return


def _skyline_passes(items, options, search: _Search) -> None:
    for order_name, key in SORT_ORDERS.items():
        search.offer(greedy_skyline(sorted(items, key=key), options, search.limit, search.work),
                     f"skyline/{order_name}")
        if search.stop():
            return


def _skyline_swaps(items, options, search: _Search, rng: random.Random) -> None:
    """Random pairwise swaps of the area order, kept when Skyline needs no more crossbars."""
    order = sorted(items, key=SORT_ORDERS["area"])
    while not search.stop() and len(order) > 1:
        trial = list(order)
        first, second = rng.randrange(len(trial)), rng.randrange(len(trial))
        trial[first], trial[second] = trial[second], trial[first]
        result = greedy_skyline(trial, options, None if search.best is None else len(search.best), search.work)
        if result is not None:
            search.offer(result, "skyline/swaps")
            order = trial


def _crowded(items: list[PackItem], options: PackOptions) -> bool:
    """Whether the tile cap or the conflict rule, rather than area, decides the crossbar count."""
    area = area_bound(items, options)
    cap = options.tile_cap
    return (cap is not None and -(-len(items) // cap) >= area) or conflict_window_bound(items, options) >= area


def _search_packing(items: list[PackItem], options: PackOptions, target: int, work: WorkBudget) -> _Search:
    """Constructive passes, quickest and most often best first, then improvement until `work` is spent.
    The first pass of the chosen family always runs, whatever the budget."""
    search = _Search(target, work)
    rng = random.Random(options.seed)
    if not items:
        search.offer([], "empty")
        return search
    strategy = options.strategy
    if strategy == "skyline":
        _skyline_passes(items, options, search)
        _skyline_swaps(items, options, search, rng)
        return search
    steps = [lambda: _maxrects_passes(items, options, search, FIRST_ORDERS, ("area",)),
             lambda: _random_passes(items, options, search, RANDOM_PASSES)]
    if _crowded(items, options):
        steps.reverse()
    if strategy == "best" and len(items) <= BIN_FILL_MAX_ITEMS:
        steps.append(lambda: search.offer(fill_bins(items, options, limit=search.limit, work=search.work),
                                          "bin-fill"))
    if strategy == "maxrects":
        steps.append(lambda: _maxrects_passes(items, options, search, tuple(SORT_ORDERS), MAXRECTS_FITS))
    for step in steps:
        step()
        if search.stop():
            break
    if not search.stop():
        improved = ruin_and_recreate(search.best, options, work, target, rng)
        if len(improved) < len(search.best):
            search.best, search.source = improved, search.source + "+ruin-recreate"
    return search


def _reference_search(items: list[PackItem], options: PackOptions, budget: int | None) -> Contents | None:
    attempts = REFERENCE_ATTEMPTS if budget is not None else 1
    for attempt in range(attempts):
        contents = rnc_pack(reference_order(items, options.seed, attempt), options, budget)
        if contents is not None:
            return contents
    return None


def _result(contents: Contents, strategy: str, bound: int, stats: dict) -> PackResult:
    # Number crossbars by the earliest layer they hold, so the numbering follows execution order.
    ordered = sorted(contents, key=lambda placed: min(item.layer for item, _r, _c in placed))
    placements = {item.id: Placement(xbar, row, col)
                  for xbar, placed in enumerate(ordered) for item, row, col in placed}
    return PackResult(placements, len(ordered), strategy, bound, stats)


def pack(items: Sequence[PackItem], budget: int | None = None, options: PackOptions = PackOptions(),
         work: WorkBudget | None = None) -> PackResult:
    """Pack `items` into at most `budget` crossbars (None: as few as found within `options.effort`).

    `work`, when given, bounds the search instead of `options.effort` and keeps the count of the probes
    spent, also when packing fails (`replicate` shares one budget among its packs)."""
    started = time.perf_counter()
    if work is None:
        deadline = None if options.time_limit_s is None else started + options.time_limit_s
        work = WorkBudget(options.effort, deadline)
    items = list(items)
    _check_items(items, options)
    full, rest = split_full(items, options)
    bound = packing_lower_bound(items, options)
    if budget is not None and budget < bound:
        raise PackingInfeasible(bound, budget, None)
    if options.strategy == "rnc":
        contents = _reference_search(items, options, budget)
        if contents is None:
            raise PackingInfeasible(bound, budget, None)
        source = "rnc"
    else:
        target = (budget if budget is not None else bound) - len(full)
        search = _search_packing(rest, options, target, work)
        contents = [[(item, 0, 0)] for item in full] + search.best
        source = search.source
        if budget is not None and len(contents) > budget:
            raise PackingInfeasible(bound, budget, len(contents))
    stats = {"seconds": time.perf_counter() - started, "source": source, "probes": work.spent}
    return _result(contents, options.strategy, bound, stats)
