"""Bin-oriented packing: fill one crossbar as fully as a small search can, then open the next.

Each crossbar starts with the largest item left; a depth-first search then tries, at every step, the
`branch` largest item shapes that still fit (best short-side fit rectangle) and keeps the sequence that
leaves the least free area, within `node_budget` search nodes. Items are grouped by shape, so the cost
grows with the number of distinct shapes, not of items. This is the 2-D cousin of the "minimum bin
slack" heuristic for 1-D bin packing; it shines when near-perfect crossbars exist. Free rectangles
examined count as probes on `work`.
"""
from __future__ import annotations

from collections.abc import Sequence

from rnc.passes.xbar_algorithms.greedy import PlacedItem
from rnc.passes.xbar_algorithms.maxrects import MaxRectsBin
from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions
from rnc.passes.xbar_algorithms.work import WorkBudget, spend


class _ShapePools:
    """Items left to place, grouped by (rows, cols), largest area first."""

    def __init__(self, items: Sequence[PackItem]):
        groups: dict[tuple[int, int], list[PackItem]] = {}
        for item in items:
            groups.setdefault((item.height, item.width), []).append(item)
        shapes = sorted(groups, key=lambda shape: (-shape[0] * shape[1], -max(shape)))
        self.shapes = [(rows, cols, rows * cols) for rows, cols in shapes]
        self.pools = [groups[shape] for shape in shapes]
        self.left = len(items)

    def take_largest(self) -> PackItem:
        for pool in self.pools:
            if pool:
                self.left -= 1
                return pool.pop(0)
        raise IndexError("no items left")


def _admissible_index(xbar: MaxRectsBin, pool: list[PackItem], distance: int | None) -> int | None:
    """Index of the first item in `pool` whose layer the crossbar's conflict rule admits."""
    if distance is None:
        return 0
    for index, item in enumerate(pool):
        if all(not -distance <= other - item.layer <= distance for other in xbar.layers):
            return index
    return None


def _best_completion(xbar: MaxRectsBin, pools: _ShapePools, options: PackOptions, node_budget: int,
                     branch: int, work: WorkBudget | None) -> list[tuple[int, int, int, int]]:
    """The best (shape, pool index, row, col) sequence to add to `xbar` found by a bounded search."""
    distance, cap = options.conflict_distance, options.tile_cap
    best_free = [xbar.free_area]
    best_path: list[list[tuple[int, int, int, int]]] = [[]]
    path: list[tuple[int, int, int, int]] = []
    nodes = [0]
    probes = [0]

    def search(current: MaxRectsBin) -> None:
        nodes[0] += 1
        if current.free_area < best_free[0]:
            best_free[0], best_path[0] = current.free_area, list(path)
        if current.free_area == 0 or nodes[0] >= node_budget or (cap is not None and current.count >= cap):
            return
        tried = 0
        for shape_index, pool in enumerate(pools.pools):
            if not pool:
                continue
            rows, cols, area = pools.shapes[shape_index]
            if area > current.free_area:
                continue
            probes[0] += len(current.free)
            found = current.best_short_side_fit(rows, cols)
            if found is None:
                continue
            pool_index = _admissible_index(current, pool, distance)
            if pool_index is None:
                continue
            rect = found[1]
            child = current.clone()
            item = pool.pop(pool_index)
            probes[0] += child.place(item.layer, rect[0], rect[1], rows, cols)
            path.append((shape_index, pool_index, rect[0], rect[1]))
            search(child)
            path.pop()
            pool.insert(pool_index, item)
            tried += 1
            if tried >= branch or nodes[0] >= node_budget or best_free[0] == 0:
                return

    search(xbar)
    spend(work, probes[0])
    return best_path[0]


def fill_bins(items: Sequence[PackItem], options: PackOptions, node_budget: int = 100, branch: int = 3,
              limit: int | None = None, work: WorkBudget | None = None) -> list[list[PlacedItem]] | None:
    """Pack `items` crossbar by crossbar; None once more than `limit` crossbars would be needed."""
    pools = _ShapePools(items)
    contents: list[list[PlacedItem]] = []
    while pools.left:
        if limit is not None and len(contents) >= limit:
            return None
        xbar = MaxRectsBin(options.xbar_rows, options.xbar_cols)
        first = pools.take_largest()
        xbar.place(first.layer, 0, 0, first.height, first.width)
        placed = [(first, 0, 0)]
        completion = _best_completion(xbar, pools, options, node_budget, branch, work)
        for shape_index, pool_index, row, col in completion:
            item = pools.pools[shape_index].pop(pool_index)
            pools.left -= 1
            placed.append((item, row, col))
        contents.append(placed)
    return contents
