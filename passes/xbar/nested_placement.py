"""The nested placement as xbar IR: one placed module per level, all sharing one weight programming.

Level k's module is the partitioned module with every layer's matrix cut to the level's widths and covered
by the tiles of levels 0..k at the crossbars and offsets the nested solver gave them; its `xbar.array` holds
the level's crossbars (0 .. n_k - 1). The xbar verifier then checks what nesting promises: each level's tiles
cover its matrices exactly once, lie on its own crossbars, and never overlap.
"""
from __future__ import annotations

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import LayerOp, module_layers
from rnc.ir.core import Operation
from rnc.ir.verifier import verify
from rnc.passes.xbar.matrices import set_tiles
from rnc.passes.xbar.place import apply_packing
from rnc.passes.xbar_algorithms.nested.increments import matrix_size
from rnc.passes.xbar_algorithms.nested.levels import NestedSolution
from rnc.passes.xbar_algorithms.pack_types import PackResult


def _set_level_matrix(layer: LayerOp, rows: int, cols: int, cycles: int) -> None:
    """The one place this module writes xbar layer attributes."""
    layer.set_attr("rows", rows)
    layer.set_attr("cols", cols)
    layer.set_attr("cycles", cycles)


def level_module(partitioned: Operation, solution: NestedSolution, level: int) -> Operation:
    """A placed copy of `partitioned` (the module the network was read from) running level `level`."""
    module = partitioned.clone()
    network = solution.network
    levels = solution.levels[:level + 1]
    widths = levels[-1].choice.widths
    placements, by_id = {}, {}
    for index, layer in enumerate(module_layers(module)):
        rows, cols = matrix_size(network, index, widths)
        spec = network.layers[index]
        cycles = cols * spec.positions if spec.kind == "depthwise" else spec.positions
        _set_level_matrix(layer, rows, cols, cycles)
        mine = [(k, t) for k, lv in enumerate(levels) for t in lv.tiles if t.layer == index]
        set_tiles(layer, [t for _, t in mine])
        for op, (k, t) in zip(layer.tiles, mine):
            by_id[k, t.layer, t.index] = op
            placements[k, t.layer, t.index] = levels[k].placements[(t.layer, t.index)]
    apply_packing(module, module_target(module), PackResult(placements, levels[-1].xbars, "nested"), by_id,
                  budget=levels[-1].xbar_budget)
    verify(module)
    return module
