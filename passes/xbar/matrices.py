"""What the crossbar passes share: which nn ops become crossbar layers, and tiles <-> IR."""
from __future__ import annotations

import math
from typing import Iterable

from rnc.dialects.nn import ConstantOp, Conv2dOp, LinearOp, MatMulOp
from rnc.dialects.xbar import LayerOp, TileOp
from rnc.ir.core import Operation, Value
from rnc.passes.xbar_algorithms.tiling import LayerMatrix, Tile


def is_constant(v: Value) -> bool:
    return isinstance(getattr(v, "op", None), ConstantOp)


def layer_shape(op: Operation) -> tuple[str, int, int, int] | None:
    """(kind, rows, cols, cycles) of an nn op that crossbars compute, None for the digital rest.

    conv: k*k*Cin/groups x Cout, N*Hout*Wout MVMs; depthwise (groups = Cin = Cout): k*k x C, C*N*Hout*Wout
    MVMs (one channel per MVM, as the reference); linear: K x N, M MVMs; matmul by a constant: K x N,
    one MVM per row of the left operand.
    """
    if isinstance(op, Conv2dOp) and is_constant(op.weight):
        o, ci, kh, kw = op.weight.type.shape
        n, _, h, w = op.output.type.shape
        groups = op.groups.value
        cin = op.input.type.shape[1]
        if groups > 1 and ci == 1 and o == cin == groups:
            return "depthwise", kh * kw, o, o * n * h * w
        # A grouped (non-depthwise) conv is mapped as its dense equivalent run once per group.
        return "conv", ci * kh * kw, o, n * h * w * groups
    if isinstance(op, LinearOp) and is_constant(op.weight):
        m, k = op.input.type.shape
        return "linear", k, op.weight.type.shape[0], m
    if isinstance(op, MatMulOp) and is_constant(op.rhs) and op.rhs.type.rank == 2:
        k, n = op.rhs.type.shape
        lhs = op.lhs.type.shape
        return "matmul", k, n, int(math.prod(lhs[:-1])) if len(lhs) > 1 else 1
    return None


def weight_ops(module: Operation) -> list[Operation]:
    """The nn ops `tile-partition` turns into xbar layers, in its numbering (execution order)."""
    return [op for op in module.walk() if layer_shape(op) is not None]


def layer_matrix(layer: LayerOp) -> LayerMatrix:
    return LayerMatrix(layer.layer, layer.rows, layer.cols, layer.cycles,
                       depthwise=layer.kind == "depthwise", linear=layer.kind == "linear")


def tile_op(tile: Tile) -> TileOp:
    attrs = {"replica": tile.replica, "rows": [tile.row_begin, tile.row_end],
             "cols": [tile.col_begin, tile.col_end], "cycles": tile.cycles}
    if tile.groups != 1:
        attrs["groups"] = tile.groups
    return TileOp.create(attributes=attrs)  # type: ignore[return-value]


def as_tile(op: TileOp, layer: int, index: int, cols_per_weight: int = 1) -> Tile:
    r0, r1 = op.rows
    c0, c1 = op.cols
    return Tile(layer, index, r0, r1, c0, c1, op.cycles, op.replica, op.groups, cols_per_weight)


def set_tiles(layer: LayerOp, tiles: Iterable[Tile]) -> None:
    """Replaces the layer's tiles."""
    for old in list(layer.body.ops):
        old.erase()
    for t in tiles:
        layer.body.append(tile_op(t))


def layer_tiles(layer: LayerOp) -> list[Tile]:
    cols_per_weight = layer.cols_per_weight
    return [as_tile(op, layer.layer, i, cols_per_weight) for i, op in enumerate(layer.tiles)]


def require_unplaced(layers: Iterable[LayerOp], pass_name: str) -> None:
    from rnc.ir.pass_manager import PassError
    for layer in layers:
        if layer.copies != 1 or any(t.is_placed for t in layer.tiles):
            raise PassError(f"'{pass_name}' must run before 'replicate' and 'place' (layer {layer.layer} "
                            f"is already replicated or placed)")
