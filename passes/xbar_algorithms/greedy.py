"""Greedy placement of items, in a given order, into MaxRects crossbars.

Each item goes to an open crossbar that admits it (constraints) and has a free rectangle it fits in; a
new crossbar opens only when none does. `fit` picks the crossbar:
- "area": the tightest one (least free area that is still enough; best fit decreasing in 2-D), inside
  it the best short-side-fit rectangle;
- "bssf": the best short-side fit over all crossbars;
- "first": the first one in opening order, bottom-left inside it.

Crossbars and free rectangles examined count as probes on `work` (see `work.WorkBudget`).
"""
from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Sequence

from rnc.passes.xbar_algorithms.maxrects import MaxRectsBin
from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions
from rnc.passes.xbar_algorithms.work import WorkBudget, spend

FITS = ("area", "bssf", "first")

PlacedItem = tuple[PackItem, int, int]
"""An item with the row and column offsets of its top-left cell."""


def _smallest_areas_after(items: Sequence[PackItem], empty_area: int) -> list[int]:
    """smallest[i] = the smallest area among items[i+1:] (so a crossbar with less room is done)."""
    smallest = [0] * len(items)
    running = empty_area + 1
    for position in range(len(items) - 1, -1, -1):
        smallest[position] = running
        running = min(running, items[position].area)
    return smallest


def _choose_tightest(bins, by_free, item, blocked: set[int], work):
    # Every crossbar in `by_free` from `start` on has room for the item's area and is under the tile cap
    # (see greedy_maxrects); `blocked` holds those the conflict rule closes to the item's layer.
    # Most crossbars visited already hold no rectangle of the item's shape (`misfits`): checked here, the
    # hottest loop of packing, rather than in a call.
    rows, cols = item.height, item.width
    shape = (rows, cols)
    start = bisect_left(by_free, (rows * cols, -1))
    probes = 0
    for _free_area, index in by_free[start:]:
        probes += 1
        if index in blocked:
            continue
        xbar = bins[index]
        probes += len(xbar.free)
        if shape in xbar.misfits:
            continue
        found = xbar.best_short_side_fit(rows, cols)
        if found is not None:
            spend(work, probes)
            return index, found[1]
    spend(work, probes)
    return None


def _choose_scanning(bins, by_free, item, distance, cap, fit, work):
    chosen, chosen_score = None, None
    for _free_area, index in sorted(by_free, key=lambda entry: entry[1]):
        xbar = bins[index]
        spend(work, 1)
        if not xbar.admits(item.layer, item.area, distance, cap):
            continue
        spend(work, len(xbar.free))
        if fit == "first":
            found = xbar.bottom_left(item.height, item.width)
            if found is not None:
                return index, found[1]
            continue
        found = xbar.best_short_side_fit(item.height, item.width)
        if found is not None and (chosen_score is None or found[0] < chosen_score):
            chosen_score, chosen = found[0], (index, found[1])
    return chosen


def greedy_maxrects(items: Sequence[PackItem], options: PackOptions, fit: str = "area",
                    limit: int | None = None, work: WorkBudget | None = None) -> list[list[PlacedItem]] | None:
    """Place `items` in order; returns the crossbars' contents, or None once more than `limit`
    crossbars would be needed."""
    if fit not in FITS:
        raise ValueError(f"unknown fit {fit!r}; expected one of {FITS}")
    distance, cap = options.conflict_distance, options.tile_cap
    empty_area = options.xbar_rows * options.xbar_cols
    smallest_after = _smallest_areas_after(items, empty_area)
    bins: list[MaxRectsBin] = []
    contents: list[list[PlacedItem]] = []
    by_free: list[tuple[int, int]] = []  # (free area, index) of crossbars that may take more
    blocked: dict[int, set[int]] = defaultdict(set)   # layer -> crossbars the conflict rule closes to it
    for position, item in enumerate(items):
        if fit == "area":
            chosen = _choose_tightest(bins, by_free, item, blocked[item.layer], work)
        else:
            chosen = _choose_scanning(bins, by_free, item, distance, cap, fit, work)
        if chosen is None:
            if limit is not None and len(bins) >= limit:
                return None
            bins.append(MaxRectsBin(options.xbar_rows, options.xbar_cols))
            contents.append([])
            chosen = (len(bins) - 1, (0, 0, options.xbar_rows, options.xbar_cols))
        else:
            by_free.pop(bisect_left(by_free, (bins[chosen[0]].free_area, chosen[0])))
        index, rect = chosen
        xbar = bins[index]
        spend(work, xbar.place(item.layer, rect[0], rect[1], item.height, item.width))
        contents[index].append((item, rect[0], rect[1]))
        if distance is not None:
            for layer in range(item.layer - distance, item.layer + distance + 1):
                blocked[layer].add(index)
        if xbar.free_area >= smallest_after[position] and (cap is None or xbar.count < cap):
            insort(by_free, (xbar.free_area, index))
    return contents

