"""The reference RNC packer (NetworkPacker + Crossbar, after a 3-D BRKGA bin packer), reproduced.

- Boxes are taken in a random order (argsort of uniform random keys from a seeded generator).
- Each crossbar keeps a list of empty maximal spaces (EMS). A box goes to the first open crossbar that has
  an EMS it fits in and whose constraints admit it (no tile of a layer within `conflict_distance`, fewer
  than `max_tiles_per_xbar` tiles); inside it, to the fitting EMS with the largest "distance to the
  front-top-right corner" (DFTRC-2). A new crossbar takes the box at its origin.
- After a placement every EMS the box overlaps is removed and replaced by just two pieces, the space
  beyond the box along each axis (the space before it is lost). A new piece is dropped when it lies inside
  an EMS of the list, or when it is thinner than the thinnest, or smaller than the smallest, box left.

Quirks kept on purpose: a box is (cols, rows) on the reference's axes, and DFTRC-2 pairs the EMS corner's
first coordinate with the box's second extent: distance = (R - col - rows)^2 + (C - row - cols)^2.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnc.passes.xbar_algorithms.greedy import PlacedItem
from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions

Space = tuple[int, int, int, int]
"""(col0, row0, col1, row1): the reference's [min corner, max corner] with axes (cols, rows)."""


class _EmsCrossbar:
    def __init__(self, rows: int, cols: int):
        self.spaces: list[Space] = [(0, 0, cols, rows)]
        self.layers: list[int] = []
        self.placed: list[PlacedItem] = []

    def farthest_space(self, item: PackItem, rows: int, cols: int) -> Space | None:
        """DFTRC-2: the fitting space whose corner is farthest from the far corner (first on ties)."""
        chosen, farthest = None, -1
        for space in self.spaces:
            if item.width <= space[2] - space[0] and item.height <= space[3] - space[1]:
                distance = (rows - space[0] - item.height) ** 2 + (cols - space[1] - item.width) ** 2
                if distance > farthest:
                    chosen, farthest = space, distance
        return chosen

    def conflicts(self, layer: int, distance: int | None, cap: int | None) -> bool:
        if cap is not None and len(self.layers) >= cap:
            return True
        return distance is not None and any(abs(other - layer) <= distance for other in self.layers)

    def place(self, item: PackItem, space: Space, min_area: int, min_side: int) -> None:
        c3, r3 = space[0], space[1]
        c4, r4 = c3 + item.width, r3 + item.height
        self.layers.append(item.layer)
        self.placed.append((item, r3, c3))
        for old in list(self.spaces):
            c1, r1, c2, r2 = old
            if not (c4 > c1 and r4 > r1 and c3 < c2 and r3 < r2):
                continue
            self.spaces.remove(old)
            for new in ((c4, r1, c2, r2), (c1, r4, c2, r2)):
                width, height = new[2] - new[0], new[3] - new[1]
                inscribed = any(o[0] <= new[0] and o[1] <= new[1] and new[2] <= o[2] and new[3] <= o[3]
                                for o in self.spaces)
                if not inscribed and min(width, height) >= min_side and width * height >= min_area:
                    self.spaces.append(new)


def _elimination_sizes(items: Sequence[PackItem]) -> list[tuple[int, int]]:
    """(smallest area, smallest side) among the boxes after each position; (0, 0) after the last."""
    sizes = [(0, 0)] * len(items)
    area, side = None, None
    for position in range(len(items) - 1, -1, -1):
        sizes[position] = (area or 0, side or 0)
        item = items[position]
        area = item.area if area is None else min(area, item.area)
        side = min(item.height, item.width) if side is None else min(side, item.height, item.width)
    return sizes


def reference_order(items: Sequence[PackItem], seed: int, attempt: int = 0) -> list[PackItem]:
    """The reference's random packing sequence: argsort of uniform keys."""
    generator = np.random.default_rng([seed, attempt])
    keys = generator.uniform(0.0, 1.0, size=len(items))
    return [items[index] for index in np.argsort(keys, kind="stable")]


def rnc_pack(items: Sequence[PackItem], options: PackOptions,
             limit: int | None = None) -> list[list[PlacedItem]] | None:
    """Place `items` in the given order the reference's way; None once more than `limit` crossbars
    would be needed (the reference's budget mode), else the crossbars' contents."""
    distance, cap = options.conflict_distance, options.tile_cap
    sizes = _elimination_sizes(items)
    # The reference starts with one open crossbar and opens the next only when no open one takes a box.
    crossbars = [_EmsCrossbar(options.xbar_rows, options.xbar_cols)]
    for position, item in enumerate(items):
        target, space = None, None
        for crossbar in crossbars:
            found = crossbar.farthest_space(item, options.xbar_rows, options.xbar_cols)
            if found is not None and not crossbar.conflicts(item.layer, distance, cap):
                target, space = crossbar, found
                break
        if target is None:
            if limit is not None and len(crossbars) >= limit:
                return None
            target = _EmsCrossbar(options.xbar_rows, options.xbar_cols)
            crossbars.append(target)
            space = target.spaces[0]
        target.place(item, space, *sizes[position])
    return [crossbar.placed for crossbar in crossbars if crossbar.placed]
