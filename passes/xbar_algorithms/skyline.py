"""Greedy Skyline (bottom-left) packing of items, in a given order, into crossbars.

Each crossbar keeps its skyline: segments (col, width, height) saying columns col .. col+width-1 are
filled down to row `height` (rows grow downwards from row 0). An item sits on the skyline where its top
edge ends lowest (ties: leftmost), in the crossbar where that is lowest among those the constraints admit
(ties: the earliest opened). Space below an overhang is lost, which makes Skyline fast and simple but
usually weaker than MaxRects. Crossbars and skyline segments examined count as probes on `work`.
"""
from __future__ import annotations

from collections.abc import Sequence

from rnc.passes.xbar_algorithms.greedy import PlacedItem
from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions
from rnc.passes.xbar_algorithms.work import WorkBudget, spend


class _SkylineCrossbar:
    __slots__ = ("segments", "layers", "free_area", "placed")

    def __init__(self, rows: int, cols: int):
        self.segments: list[list[int]] = [[0, cols, 0]]
        self.layers: list[int] = []
        self.free_area = rows * cols
        self.placed: list[PlacedItem] = []

    def admits(self, item: PackItem, distance: int | None, cap: int | None) -> bool:
        if item.area > self.free_area or (cap is not None and len(self.layers) >= cap):
            return False
        return distance is None or all(abs(other - item.layer) > distance for other in self.layers)

    def lowest_position(self, item: PackItem, rows: int, cols: int) -> tuple[int, int, int] | None:
        """(top edge after placing, row, col) of the best position, or None if the item does not fit."""
        best = None
        segments = self.segments
        for start in range(len(segments)):
            col = segments[start][0]
            if col + item.width > cols:
                break
            row, covered, index = 0, 0, start
            while covered < item.width:
                row = max(row, segments[index][2])
                covered = segments[index][0] + segments[index][1] - col
                index += 1
            if row + item.height <= rows and (best is None or (row + item.height, col) < best[:1] + best[2:]):
                best = (row + item.height, row, col)
        return best

    def place(self, item: PackItem, row: int, col: int) -> None:
        end = col + item.width
        kept = []
        for seg_col, width, height in self.segments:
            seg_end = seg_col + width
            if seg_end <= col or seg_col >= end:
                kept.append([seg_col, width, height])
                continue
            if seg_col < col:
                kept.append([seg_col, col - seg_col, height])
            if seg_end > end:
                kept.append([end, seg_end - end, height])
        kept.append([col, item.width, row + item.height])
        kept.sort()
        merged = [kept[0]]
        for segment in kept[1:]:
            if segment[2] == merged[-1][2]:
                merged[-1][1] += segment[1]
            else:
                merged.append(segment)
        self.segments = merged
        self.layers.append(item.layer)
        self.free_area -= item.area
        self.placed.append((item, row, col))


def greedy_skyline(items: Sequence[PackItem], options: PackOptions, limit: int | None = None,
                   work: WorkBudget | None = None) -> list[list[PlacedItem]] | None:
    """Place `items` in order; returns the crossbars' contents, or None once more than `limit`
    crossbars would be needed."""
    distance, cap = options.conflict_distance, options.tile_cap
    rows, cols = options.xbar_rows, options.xbar_cols
    crossbars: list[_SkylineCrossbar] = []
    for item in items:
        chosen, chosen_key = None, None
        spend(work, len(crossbars))
        for crossbar in crossbars:
            if not crossbar.admits(item, distance, cap):
                continue
            spend(work, len(crossbar.segments))
            position = crossbar.lowest_position(item, rows, cols)
            if position is not None and (chosen_key is None or position[0] < chosen_key):
                chosen, chosen_key = (crossbar, position), position[0]
        if chosen is None:
            if limit is not None and len(crossbars) >= limit:
                return None
            crossbars.append(_SkylineCrossbar(rows, cols))
            chosen = (crossbars[-1], (item.height, 0, 0))
        crossbar, (_top, row, col) = chosen
        crossbar.place(item, row, col)
    return [crossbar.placed for crossbar in crossbars]
