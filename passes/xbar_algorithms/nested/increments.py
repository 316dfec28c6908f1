"""The tiles one level adds to the previous one, cut on crossbar boundaries.

Level k keeps the top-left r_k x c_k block of a layer's full matrix (a prefix of its input rows and output
columns). What it adds to level k-1 is an L-shaped region: the new columns over all its rows, and the new rows
under the old columns. Each part is cut into crossbar-sized blocks from its own corner, so the tiles of
levels 1..k cover level k's matrix exactly once and a smaller level's tiles are never rewritten.
"""
from __future__ import annotations

from rnc.passes.xbar_algorithms.nested.network import WidthNetwork
from rnc.passes.xbar_algorithms.tiling import Tile


def _cut(begin: int, end: int, block: int) -> list[tuple[int, int]]:
    return [(b, min(b + block, end)) for b in range(begin, end, block)]


def matrix_size(network: WidthNetwork, index: int, widths: tuple[int, ...] | None) -> tuple[int, int]:
    """(rows, cols) of layer `index`'s matrix at these group widths; (0, 0) for None (no level yet)."""
    if widths is None:
        return 0, 0
    layer = network.layers[index]
    m = layer.matrix(index, widths[layer.in_group], widths[layer.out_group])
    return m.rows, m.cols


def increment_tiles(network: WidthNetwork, previous: tuple[int, ...] | None,
                    current: tuple[int, ...]) -> list[Tile]:
    """Every layer's tiles that level `current` adds to level `previous` (None: the first level)."""
    tiles: list[Tile] = []
    for index, layer in enumerate(network.layers):
        r0, c0 = matrix_size(network, index, previous)
        r1, c1 = matrix_size(network, index, current)
        blocks = [(rows, cols) for rows in _cut(0, r1, network.xbar_rows) for cols in _cut(c0, c1, network.xbar_cols)]
        blocks += [(rows, cols) for rows in _cut(r0, r1, network.xbar_rows) for cols in _cut(0, c0, network.xbar_cols)]
        for n, ((rb, re), (cb, ce)) in enumerate(blocks):
            cycles = (ce - cb) * layer.positions if layer.kind == "depthwise" else layer.positions
            tiles.append(Tile(index, n, rb, re, cb, ce, cycles))
    return tiles
