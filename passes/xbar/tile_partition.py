"""`tile-partition` (alias `partition`): weight layers become crossbar matrices cut into tiles."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rnc.dialects.nn import Conv2dOp
from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import LayerOp, describe_layer
from rnc.ir.pass_manager import ModulePass, PassContext, PassError, register_pass
from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.passes.xbar.layer_peripherals import nn_op_overrides
from rnc.passes.xbar.matrices import layer_matrix, layer_shape, set_tiles, weight_ops
from rnc.passes.xbar_algorithms.tiling import grouped_layout, partition


@register_pass
@dataclass
class TilePartition(ModulePass):
    """Turns every conv, linear and constant-weight matmul into an `xbar.layer` cut into crossbar tiles.

    Matrices follow the RNC reference: conv = k*k*Cin rows x Cout cols, Hout*Wout MVMs per sample;
    depthwise = k*k rows x C cols, C*Hout*Wout MVMs (one channel per MVM); linear = in x out, 1 MVM.
    Tiles are the full crossbar-sized blocks plus the remainders (depthwise: chunks of channels). Layers
    are numbered in execution order. Bit-sliced weights (cell_bits < weight_bits) take several columns.

    A grouped conv (1 < groups < channels) is one group's k*k*Cin/G rows by Cout columns, one group per
    MVM; `grouped` chooses its tiles (`tiling.grouped_layout`): `per-group` (a tile per group, no cell
    wasted), `block-diagonal` (as many groups per tile as fit, one MVM for all of them; tiles per group
    where two do not fit) or `auto` (the default: block-diagonal only where it needs fewer crossbars under
    `max-tiles-per-xbar`, the cap `place` applies).
    """

    name = "tile-partition"
    aliases = ("partition",)
    grouped: Literal["auto", "per-group", "block-diagonal"] = "auto"
    max_tiles_per_xbar: int = REFERENCE_PACKING.max_tiles_per_xbar

    def apply(self, module, ctx: PassContext) -> None:
        target = module_target(module)
        for index, op in enumerate(weight_ops(module)):
            kind, rows, cols, cycles = layer_shape(op)
            if kind == "depthwise" and rows > target.xbar_rows:
                raise PassError(f"{describe_layer(index, kind, None, op.location)}: a depthwise kernel of {rows} "
                                f"rows does not fit {target.xbar_rows} crossbar rows")
            attrs = {"layer": index, "kind": kind, "rows": rows, "cols": cols, "cycles": cycles}
            if isinstance(op, Conv2dOp):
                attrs.update(strides=op.strides, pads=op.pads, dilations=op.dilations, groups=op.groups)
            attrs.update(nn_op_overrides(op))   # left by layer-peripherals
            operands = op.operands
            bias = operands[2] if len(operands) > 2 else None
            layer = LayerOp.make(operands[0], operands[1], bias, op.results[0].type, **attrs)
            layer.location, layer.span = op.location, op.span
            layer.results[0].name_hint = op.results[0].name_hint
            matrix = layer_matrix(layer)
            if matrix.group_cols:
                tiles = grouped_layout(matrix, self.grouped, self.max_tiles_per_xbar or None, target.xbar_rows,
                                       target.weight_cols_per_xbar)
            else:
                tiles = partition(matrix, target.xbar_rows, target.weight_cols_per_xbar)
            set_tiles(layer, tiles)
            op.parent.insert_before(op, layer)
            op.results[0].replace_all_uses_with(layer.results[0])
            op.erase()
