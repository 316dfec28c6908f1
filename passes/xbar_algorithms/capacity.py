"""Fast necessary conditions for a copy-count vector to fit N crossbars.

The bounds of `bounds.lower_bound` (as `packing.pack` combines them: full tiles alone, plus the others'
bound), computed from per-layer totals that are linear in the copies instead of from the expanded tile
list, so duplication can test thousands of candidate vectors cheaply.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnc.passes.xbar_algorithms.bounds import rounded_areas
from rnc.passes.xbar_algorithms.layer_cost import LayerCost
from rnc.passes.xbar_algorithms.pack_types import PackOptions


class CapacityModel:
    """Per-layer tile statistics and the lower bound on crossbars for given copies."""

    def __init__(self, layers: Sequence[LayerCost], options: PackOptions):
        self.options = options
        self.layers = list(layers)
        half_rows, half_cols = options.xbar_rows / 2, options.xbar_cols / 2
        self.xbar_area = options.xbar_rows * options.xbar_cols
        self.full = {}
        self.partial_area = {}
        self.tiles = {}
        self.big = {}
        rounded = []   # per layer: its partial tiles' rounded areas, one column per rounding
        for cost in self.layers:
            full = [t for t in cost.tiles if t.rows == options.xbar_rows and t.cols == options.xbar_cols]
            self.full[cost.layer] = len(full)
            self.partial_area[cost.layer] = cost.area - len(full) * self.xbar_area
            self.tiles[cost.layer] = len(cost.tiles)
            self.big[cost.layer] = sum(1 for t in cost.tiles if t.rows > half_rows and t.cols > half_cols)
            rounded.append(np.sum([rounded_areas(t.rows, t.cols, options) for t in cost.tiles
                                   if (t.rows, t.cols) != (options.xbar_rows, options.xbar_cols)]
                                  or [rounded_areas(0, 0, options)], axis=0))
        self.rounded = np.array(rounded, dtype=np.int64)
        distance = options.conflict_distance
        positions = sorted(self.tiles)
        self.windows = ([] if distance is None else
                        [[other for other in positions if start <= other <= start + distance]
                         for start in positions])

    def lower_bound(self, copies: dict[int, int]) -> int:
        """Crossbars needed at least: the full tiles, each alone, plus the largest bound on the others."""
        full = sum(copies[layer] * count for layer, count in self.full.items())
        partial = sum(copies[layer] * area for layer, area in self.partial_area.items())
        partial_tiles = sum(copies[layer] * (self.tiles[layer] - self.full[layer]) for layer in self.tiles)
        counts = np.array([copies[cost.layer] for cost in self.layers], dtype=np.int64)
        bounds = [-(-partial // self.xbar_area), -(-int((counts @ self.rounded).max()) // self.xbar_area),
                  sum(copies[layer] * (self.big[layer] - self.full[layer]) for layer in self.big)]
        cap = self.options.tile_cap
        if cap:
            bounds.append(-(-partial_tiles // cap))
        # A window's tiles conflict pairwise: counted with the full tiles, and among the others only.
        window = max((sum(copies[layer] * self.tiles[layer] for layer in members) for members in self.windows),
                     default=0)
        bounds.append(max((sum(copies[layer] * (self.tiles[layer] - self.full[layer]) for layer in members)
                           for members in self.windows), default=0))
        return max(full + max(bounds), window)
