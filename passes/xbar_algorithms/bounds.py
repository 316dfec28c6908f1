"""Proven lower bounds on the crossbars a set of items needs.

Each bound counts items that can never share a crossbar, or the area:
- area: ceil(total area / crossbar area);
- big items: two items taller than half the crossbar and wider than half of it fit neither side by side
  nor one above the other, so each needs its own crossbar;
- tile cap: ceil(items / max_tiles_per_xbar);
- conflict windows: all items of layers p .. p+d (d = conflict_distance) conflict pairwise, so each
  needs its own crossbar;
- rounded area (a dual feasible function on one side, Fekete and Schepers): the tiles crossing one bit
  line have at most `xbar_rows` rows together. So a tile with more than rows - e rows leaves fewer than e
  rows in each of its bit lines, and only tiles of fewer than e rows share them: counting the first as
  full height and the others as zero keeps every bit line within `xbar_rows`, hence every crossbar
  within its area. The same holds across word lines. The bound is the rounded area over a crossbar's, for
  the best e.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from rnc.passes.xbar_algorithms.pack_types import PackItem, PackOptions, split_full


def area_bound(items: Sequence[PackItem], options: PackOptions) -> int:
    capacity = options.xbar_rows * options.xbar_cols
    return -(-sum(item.area for item in items) // capacity)


def big_item_bound(items: Sequence[PackItem], options: PackOptions) -> int:
    return sum(1 for item in items if 2 * item.height > options.xbar_rows and 2 * item.width > options.xbar_cols)


def conflict_window_bound(items: Sequence[PackItem], options: PackOptions) -> int:
    """The most items in any window of d+1 consecutive layer positions."""
    distance = options.conflict_distance
    if distance is None or not items:
        return 0
    per_layer = Counter(item.layer for item in items)
    return max(sum(per_layer.get(layer, 0) for layer in range(start, start + distance + 1))
               for start in per_layer)


def _rounded(size: int, capacity: int, threshold: int) -> int:
    """`size` counted as the whole `capacity` when above capacity - threshold, as 0 below threshold."""
    if size > capacity - threshold:
        return capacity
    return 0 if size < threshold else size


def rounded_areas(rows: int, cols: int, options: PackOptions) -> np.ndarray:
    """The rounded areas of one `rows` x `cols` item, for every threshold, rows then columns rounded."""
    return _rounded_areas(rows, cols, options.xbar_rows, options.xbar_cols)


@lru_cache(maxsize=4096)   # a model has few tile shapes, and the bound is taken for many copy counts
def _rounded_areas(rows: int, cols: int, xbar_rows: int, xbar_cols: int) -> np.ndarray:
    # Thresholds above half a side would let two rounded-up tiles share a line.
    areas = np.array([cols * _rounded(rows, xbar_rows, t) for t in range(1, xbar_rows // 2 + 1)]
                     + [rows * _rounded(cols, xbar_cols, t) for t in range(1, xbar_cols // 2 + 1)],
                     dtype=np.int64)
    areas.flags.writeable = False
    return areas


def rounded_area_bound(items: Sequence[PackItem], options: PackOptions) -> int:
    shapes = Counter((item.height, item.width) for item in items)
    if not shapes:
        return 0
    total = sum(count * rounded_areas(rows, cols, options) for (rows, cols), count in shapes.items())
    return -(-int(total.max()) // (options.xbar_rows * options.xbar_cols))


def lower_bound(items: Sequence[PackItem], options: PackOptions) -> int:
    """The largest of the bounds above (0 for no items)."""
    cap = options.tile_cap
    cap_bound = -(-len(items) // cap) if cap else 0
    return max(area_bound(items, options), big_item_bound(items, options), cap_bound,
               conflict_window_bound(items, options), rounded_area_bound(items, options))


def packing_lower_bound(items: Sequence[PackItem], options: PackOptions) -> int:
    """`lower_bound`, strengthened: crossbar-sized items each fill a crossbar alone, so the others' bound
    adds to their count."""
    full, rest = split_full(items, options)
    return max(lower_bound(items, options), len(full) + lower_bound(rest, options))
