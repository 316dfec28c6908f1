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
        self.xbar_area = options.xbar_rows * options.xbar_cols
        full_shape = (options.xbar_rows, options.xbar_cols)
        half_rows, half_cols = options.xbar_rows / 2, options.xbar_cols / 2
        # Per-layer totals as vectors in the order of `layers`, so a bound is a few dot products.
        full, tiles, partial_area, big, rounded = [], [], [], [], []
        for cost in self.layers:
            partial = [t for t in cost.tiles if (t.height, t.width) != full_shape]
            full.append(len(cost.tiles) - len(partial))
            tiles.append(len(cost.tiles))
            partial_area.append(sum(t.area for t in partial))
            big.append(sum(1 for t in partial if t.height > half_rows and t.width > half_cols))
            # one column per rounding threshold
            rounded.append(np.sum([rounded_areas(t.height, t.width, options) for t in partial]
                                  or [rounded_areas(0, 0, options)], axis=0))
        self.full_v = np.array(full, dtype=np.int64)
        self.tiles_v = np.array(tiles, dtype=np.int64)
        self.partial_tiles_v = self.tiles_v - self.full_v
        self.partial_area_v = np.array(partial_area, dtype=np.int64)
        self.big_partial_v = np.array(big, dtype=np.int64)
        self.rounded = np.array(rounded, dtype=np.int64)
        distance = options.conflict_distance
        positions = np.array([cost.layer for cost in self.layers], dtype=np.int64)
        # windows[w, l] = 1 when layer l lies in the window starting at the w-th layer's position.
        self.windows = (np.zeros((0, len(positions)), dtype=np.int64) if distance is None else
                        ((positions[None, :] >= positions[:, None])
                         & (positions[None, :] <= positions[:, None] + distance)).astype(np.int64))

    def lower_bound(self, copies: dict[int, int]) -> int:
        """Crossbars needed at least: the full tiles, each alone, plus the largest bound on the others."""
        counts = np.array([copies[cost.layer] for cost in self.layers], dtype=np.int64)
        full = int(counts @ self.full_v)
        bounds = [-(-int(counts @ self.partial_area_v) // self.xbar_area),
                  -(-int((counts @ self.rounded).max()) // self.xbar_area),
                  int(counts @ self.big_partial_v)]
        cap = self.options.tile_cap
        if cap:
            bounds.append(-(-int(counts @ self.partial_tiles_v) // cap))
        # A window's tiles conflict pairwise: counted with the full tiles, and among the others only.
        window = int((self.windows @ (counts * self.tiles_v)).max(initial=0))
        bounds.append(int((self.windows @ (counts * self.partial_tiles_v)).max(initial=0)))
        return max(full + max(bounds), window)
