"""`tile-partition` (alias `partition`): weight layers become crossbar matrices cut into tiles."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.dialects.nn import Conv2dOp
from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import LayerOp
from rnc.ir.pass_manager import ModulePass, PassContext, PassError, register_pass
from rnc.passes.xbar.layer_peripherals import nn_op_overrides
from rnc.passes.xbar.matrices import layer_matrix, layer_shape, set_tiles, weight_ops
from rnc.passes.xbar_algorithms.tiling import partition


@register_pass
@dataclass
class TilePartition(ModulePass):
    """Turns every conv, linear and constant-weight matmul into an `xbar.layer` cut into crossbar tiles.

    Matrices follow the RNC reference: conv = k*k*Cin rows x Cout cols, Hout*Wout MVMs per sample;
    depthwise = k*k rows x C cols, C*Hout*Wout MVMs (one channel per MVM); linear = in x out, 1 MVM.
    Tiles are the full crossbar-sized blocks plus the remainders (depthwise: chunks of channels). Layers
    are numbered in execution order. Bit-sliced weights (cell_bits < weight_bits) take several columns, and
differential pairs twice as many (`Target.cols_per_weight`, with the layer's own `cell_bits`).
    """

    name = "tile-partition"
    aliases = ("partition",)

    def apply(self, module, ctx: PassContext) -> None:
        target = module_target(module)
        for index, op in enumerate(weight_ops(module)):
            kind, rows, cols, cycles = layer_shape(op)
            if kind == "depthwise" and rows > target.xbar_rows:
                raise PassError(f"layer {index} ({op.name}): a depthwise kernel of {rows} rows does not fit "
                                f"{target.xbar_rows} crossbar rows")
            attrs = {"layer": index, "kind": kind, "rows": rows, "cols": cols, "cycles": cycles}
            if isinstance(op, Conv2dOp):
                attrs.update(strides=op.strides, pads=op.pads, dilations=op.dilations, groups=op.groups)
            attrs.update(nn_op_overrides(op))   # left by layer-peripherals
            operands = op.operands
            bias = operands[2] if len(operands) > 2 else None
            layer = LayerOp.make(operands[0], operands[1], bias, op.results[0].type, **attrs)
            layer.location, layer.span = op.location, op.span
            layer.results[0].name_hint = op.results[0].name_hint
            try:
                own = target.for_layer(layer.peripheral_overrides)   # its cells per weight
            except ValueError as e:
                raise PassError(f"layer {index}: {e}") from None
            set_tiles(layer, partition(layer_matrix(layer), target.xbar_rows, own.weight_cols_per_xbar))
            op.parent.insert_before(op, layer)
            op.results[0].replace_all_uses_with(layer.results[0])
            op.erase()
