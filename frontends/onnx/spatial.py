"""Helpers for ops with sliding windows (Conv, MaxPool, AveragePool): explicit pads and 1-d lifting.

The nn dialect has 2-d windows only; a 1-d op (N x C x L) runs as 2-d on N x C x 1 x L.
"""
from __future__ import annotations

import math

from rnc.dialects.nn import ReshapeOp
from rnc.ir.core import Value

from .context import NodeContext


def strides_and_dilations(ctx: NodeContext, rank: int) -> tuple[list[int], list[int]]:
    """The `strides` and `dilations` attributes (default 1 each): `rank` positive integers each."""
    out = []
    for name in ("strides", "dilations"):
        values = [int(v) for v in ctx.attr(name, [1] * rank)]
        if len(values) != rank or any(v < 1 for v in values):
            raise ctx.error(f"expects {name} of {rank} positive integers, got {values}")
        out.append(values)
    return out[0], out[1]


def explicit_pads(ctx: NodeContext, sizes, kernel, strides, dilations) -> list[int]:
    """ONNX-order pads [begin..., end...], resolving `auto_pad` (SAME_UPPER/SAME_LOWER/VALID)."""
    n = len(kernel)
    auto = ctx.attr("auto_pad", "NOTSET")
    if auto in ("NOTSET", ""):
        pads = list(ctx.attr("pads", [0] * 2 * n))
        if len(pads) != 2 * n:
            raise ctx.error(f"expects {2 * n} pads, got {len(pads)}")
        return pads
    if auto == "VALID":
        return [0] * 2 * n
    if auto not in ("SAME_UPPER", "SAME_LOWER"):
        raise ctx.error(f"unknown auto_pad '{auto}'")
    begins, ends = [], []
    for size, k, s, d in zip(sizes, kernel, strides, dilations):
        out = math.ceil(size / s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        small, large = total // 2, total - total // 2
        begins.append(small if auto == "SAME_UPPER" else large)
        ends.append(large if auto == "SAME_UPPER" else small)
    return begins + ends


def spatial_rank(ctx: NodeContext, what: str) -> int:
    rank = ctx.type(0).rank - 2
    if rank not in (1, 2):
        raise ctx.unsupported(f"{rank}-d {what} is not supported (only 1-d and 2-d)")
    return rank


def lift_1d(ctx: NodeContext, value: Value) -> Value:
    """N x C x L -> N x C x 1 x L."""
    shape = value.type.shape
    return ctx.emit(ReshapeOp, input=value, shape=shape[:2] + (1,) + shape[2:])


def lower_1d(ctx: NodeContext, value: Value) -> Value:
    """N x C x 1 x L -> N x C x L."""
    shape = value.type.shape
    return ctx.emit(ReshapeOp, input=value, shape=shape[:2] + shape[3:])


def as_2d(values: list[int], fill: int) -> list[int]:
    """A 1-d window parameter as 2-d: [k] -> [fill, k]."""
    return [fill] + list(values)


def pads_as_2d(pads: list[int]) -> list[int]:
    """1-d pads [begin, end] -> 2-d [top, left, bottom, right] = [0, begin, 0, end]."""
    return [0, pads[0], 0, pads[1]]
