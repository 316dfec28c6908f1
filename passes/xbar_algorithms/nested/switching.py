"""What switching between nested levels costs: weight writes (cells reprogrammed) and crossbars gated.

The chip is programmed once with the largest level's tiles. A cell holds one weight, named by
(layer, matrix row, matrix column); a level can run when every cell its tiles read already holds the right
weight. Counting the cells that would have to be rewritten checks the nesting directly on the placements
instead of trusting the construction.
"""
from __future__ import annotations

import numpy as np

from rnc.passes.xbar_algorithms.nested.levels import Level, NestedSolution

_EMPTY = 0


def _weight_ids(level_tile, rows: int, cols: int) -> np.ndarray:
    """The weight id of every cell of a tile: (layer + 1, row, column) packed into one integer."""
    r = np.arange(level_tile.row_begin, level_tile.row_begin + rows)[:, None]
    c = np.arange(level_tile.col_begin, level_tile.col_begin + cols)[None, :]
    return ((level_tile.layer + 1) << 42) | (r << 21) | c


def _tiles(levels: list[Level]):
    for level in levels:
        for tile in level.tiles:
            yield tile, level.placements[(tile.layer, tile.index)]


def program(solution: NestedSolution, upto: int) -> np.ndarray:
    """The cells after programming levels 0..`upto` (crossbar, row, column) -> weight id (0: empty).
    Raises ValueError if two tiles claim one cell."""
    network = solution.network
    image = np.zeros((solution.levels[upto].xbars, network.xbar_rows, network.xbar_cols), np.int64)
    for tile, (x, r, c) in _tiles(solution.levels[:upto + 1]):
        cells = image[x, r:r + tile.height, c:c + tile.width]
        if (cells != _EMPTY).any():
            raise ValueError(f"two tiles share cells on crossbar {x} (layer {tile.layer})")
        cells[...] = _weight_ids(tile, tile.height, tile.width)
    return image


def weight_writes(solution: NestedSolution, target: int, image: np.ndarray) -> int:
    """Cells that must be rewritten before level `target` can run on a chip holding `image`."""
    writes = 0
    for tile, (x, r, c) in _tiles(solution.levels[:target + 1]):
        if x >= len(image):
            writes += tile.height * tile.width
            continue
        held = image[x, r:r + tile.height, c:c + tile.width]
        writes += int((held != _weight_ids(tile, tile.height, tile.width)).sum())
    return writes


def gated_xbars(solution: NestedSolution, level: int) -> int:
    """Crossbars of the largest level that level `level` leaves unused (power-gated)."""
    return solution.levels[-1].xbars - solution.levels[level].xbars
