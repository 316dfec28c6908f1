"""Ruin-and-recreate local search on a packing, to empty crossbars.

One step empties a few crossbars (always the emptiest, plus a random draw mostly among those that are not
full), tries to slide their items into the free space of the other crossbars, and packs the rest into
fresh crossbars with the bin-oriented search and greedy MaxRects in several orders, keeping the best.
The step is kept when it needs fewer crossbars, or as many with a more uneven fill (a larger sum of
squared fills), which concentrates the free space until one crossbar empties. The search stops when the
probes of `work` are spent (see `work.WorkBudget`), so it does the same steps on any machine.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

from rnc.passes.xbar_algorithms.bin_fill import fill_bins
from rnc.passes.xbar_algorithms.greedy import PlacedItem, greedy_maxrects
from rnc.passes.xbar_algorithms.maxrects import MaxRectsBin
from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions
from rnc.passes.xbar_algorithms.work import WorkBudget, spend

RECREATE_ORDERS = (
    lambda item: (-item.area, -max(item.height, item.width)),
    lambda item: (-max(item.height, item.width), -item.area),
    lambda item: (-item.height, -item.width),
    lambda item: (-item.width, -item.height),
)
RUIN_SIZES = (2, 8)            # crossbars emptied per step, besides the emptiest
PREFER_NOT_FULL = 0.8          # chance of drawing them among crossbars with free space
INSERT_CHANCE = 0.5            # chance of first sliding items into the surviving crossbars
FILL_NODES, FILL_BRANCH = 100, 3


def _rebuilt(placed: Sequence[PlacedItem], options: PackOptions, work: WorkBudget | None = None) -> MaxRectsBin:
    xbar = MaxRectsBin(options.xbar_rows, options.xbar_cols)
    for item, row, col in placed:
        spend(work, xbar.place(item.layer, row, col, item.height, item.width))
    return xbar


def _recreate(items: list[PackItem], options: PackOptions, limit: int,
              work: WorkBudget) -> list[list[PlacedItem]] | None:
    """The packing of `items` into at most `limit` fresh crossbars with the fewest crossbars found."""
    best = fill_bins(items, options, FILL_NODES, FILL_BRANCH, limit=limit, work=work)
    for key in RECREATE_ORDERS:
        candidate = greedy_maxrects(sorted(items, key=key), options, "area", limit=limit, work=work)
        if candidate is not None and (best is None or len(candidate) < len(best)):
            best = candidate
    return best


class _Packing:
    """The crossbars' contents with their MaxRects states."""

    def __init__(self, contents: list[list[PlacedItem]], options: PackOptions):
        self.options = options
        self.contents = contents
        self.states = [_rebuilt(placed, options) for placed in contents]

    def fill(self, index: int) -> int:
        return self.options.xbar_rows * self.options.xbar_cols - self.states[index].free_area

    def slide_in(self, items: list[PackItem], survivors: list[int], work: WorkBudget):
        """Put what fits into surviving crossbars (tightest first); returns (updates, leftovers)."""
        distance, cap = self.options.conflict_distance, self.options.tile_cap
        updated: dict[int, tuple[MaxRectsBin, list[PlacedItem]]] = {}
        leftovers = []
        for item in items:
            chosen = None
            work.spend(len(survivors))
            for index in survivors:
                xbar = updated[index][0] if index in updated else self.states[index]
                if not xbar.admits(item.layer, item.area, distance, cap):
                    continue
                work.spend(len(xbar.free))
                found = xbar.best_short_side_fit(item.height, item.width)
                if found is not None and (chosen is None or (xbar.free_area, found[0]) < chosen[0]):
                    chosen = ((xbar.free_area, found[0]), index, found[1])
            if chosen is None:
                leftovers.append(item)
                continue
            _score, index, rect = chosen
            if index not in updated:
                updated[index] = (self.states[index].clone(), list(self.contents[index]))
            xbar, placed = updated[index]
            work.spend(xbar.place(item.layer, rect[0], rect[1], item.height, item.width))
            placed.append((item, rect[0], rect[1]))
        return updated, leftovers


def _capacity(options: PackOptions) -> int:
    return options.xbar_rows * options.xbar_cols


def ruin_and_recreate(contents: list[list[PlacedItem]], options: PackOptions, work: WorkBudget,
                      target: int, rng: random.Random) -> list[list[PlacedItem]]:
    """Improve a packing until it uses at most `target` crossbars or `work` is spent; returns the best
    packing (never worse than the input)."""
    packing = _Packing([list(placed) for placed in contents], options)
    capacity = _capacity(options)
    while len(packing.contents) > target and not work.exhausted:
        count = len(packing.contents)
        work.spend(count)          # the fills below
        fills = [packing.fill(index) for index in range(count)]
        emptiest = min(range(count), key=fills.__getitem__)
        not_full = [index for index in range(count) if fills[index] < capacity]
        pool = not_full if not_full and rng.random() < PREFER_NOT_FULL else list(range(count))
        ruined = sorted({emptiest} | set(rng.sample(pool, min(rng.randint(*RUIN_SIZES), len(pool)))))
        survivors = [index for index in range(count) if index not in ruined]
        freed = sorted((item for index in ruined for item, _r, _c in packing.contents[index]),
                       key=lambda item: -item.area)
        if rng.random() < INSERT_CHANCE:
            updated, leftovers = packing.slide_in(freed, survivors, work)
        else:
            updated, leftovers = {}, freed
        fresh = _recreate(leftovers, options, len(ruined), work) if leftovers else []
        if fresh is None:
            continue
        old_score = sum(fills[index] ** 2 for index in ruined) + sum(fills[index] ** 2 for index in updated)
        fresh_fills = [sum(item.area for item, _r, _c in placed) for placed in fresh]
        new_score = (sum(fill ** 2 for fill in fresh_fills)
                     + sum((capacity - xbar.free_area) ** 2 for xbar, _placed in updated.values()))
        if len(fresh) < len(ruined) or new_score >= old_score:
            for index, (xbar, placed) in updated.items():
                packing.states[index], packing.contents[index] = xbar, placed
            kept = survivors
            packing.contents = [packing.contents[index] for index in kept] + fresh
            packing.states = [packing.states[index] for index in kept] + [_rebuilt(p, options, work) for p in fresh]
    return packing.contents
