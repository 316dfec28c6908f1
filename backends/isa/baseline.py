"""The ISAAC-like baseline: every tile alone on its own crossbar, no split, no replication."""
from __future__ import annotations

from rnc.dialects.xbar import ArrayOp, module_array, module_layers
from rnc.dialects.rnc import module_target

from .layers import LoweringError


def isaac_baseline(module):
    """A placed copy of a partitioned, unplaced module: tile i of the module on crossbar i at [0, 0].

    `speedup = baseline time / our time` compares a compiled program against it.
    """
    copy = module.clone()   # shares the (immutable) weight attributes: no copy of the weights
    target = module_target(copy)
    index = 0
    for layer in module_layers(copy):
        if layer.copies != 1:
            raise LoweringError("isaac_baseline expects an unreplicated module (run only 'tile-partition')")
        for tile in layer.tiles:
            tile.place(index, 0, 0)
            index += 1
    if index == 0:
        raise LoweringError("no tiles; run 'tile-partition' first")
    old = module_array(copy)
    if old is not None:
        old.erase()
    copy.regions[0].block.insert(0, ArrayOp.create(attributes={
        "count": index, "rows": target.xbar_rows, "cols": target.xbar_cols}))
    return copy
