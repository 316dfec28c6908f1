"""Converters of indexing ops with constant indices: Slice, Split, Gather, Expand.

Each becomes one nn op per output (`nn.slice` for Slice and every piece of Split, `nn.gather`, `nn.expand`)
with the ONNX bounds resolved here: negative indices counted from the end, out-of-range ones clamped.
"""
from __future__ import annotations

import math

import numpy as np

from rnc.dialects.nn import ExpandOp, GatherOp, SliceOp
from rnc.dialects.nn.base import broadcast_shapes
from rnc.ir.opdef import VerifyError
from rnc.ir.types import TensorType

from .context import NodeContext
from .registry import converter


@converter("Slice")
def convert_slice(ctx: NodeContext):
    """Bounds are attributes before opset 10 and constant inputs since (axes and steps optional)."""
    x = ctx.value(0)
    shape = x.type.shape
    if ctx.opset < 10:
        starts, ends = list(ctx.attr("starts", [])), list(ctx.attr("ends", []))
        axes, steps = ctx.attr("axes"), None
    else:
        starts = _ints(ctx.require_const(1, "starts"))
        ends = _ints(ctx.require_const(2, "ends"))
        axes = _ints(ctx.require_const(3, "axes")) if ctx.has_input(3) else None
        steps = _ints(ctx.require_const(4, "steps")) if ctx.has_input(4) else None
    axes = ctx.axes(axes if axes is not None else range(len(starts)), len(shape))
    steps = steps if steps is not None else [1] * len(axes)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise ctx.error(f"expects as many starts, ends, axes and steps, got {len(starts)}, {len(ends)}, "
                        f"{len(axes)} and {len(steps)}")
    first, step_of, counts = [0] * len(shape), [1] * len(shape), list(shape)
    for axis, start, end, step in zip(axes, starts, ends, steps):
        if step == 0:
            raise ctx.error("expects non-zero steps")
        first[axis], counts[axis] = _resolve(start, end, step, shape[axis])
        step_of[axis] = step
    return [_slice(ctx, x, first, step_of, counts)]


def _resolve(start: int, end: int, step: int, dim: int) -> tuple[int, int]:
    """ONNX Slice's bounds along one axis: (first index, element count)."""
    start = start + dim if start < 0 else start
    end = end + dim if end < 0 else end
    if step > 0:
        start, end = min(max(start, 0), dim), min(max(end, 0), dim)
    else:
        start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
    count = max(0, math.ceil((end - start) / step))
    return (start if count else 0), count


def _slice(ctx: NodeContext, x, starts, steps, counts):
    return ctx.emit(SliceOp, input=x, shape=counts, starts=list(starts), steps=list(steps))


@converter("Split")
def convert_split(ctx: NodeContext):
    """Sizes are an attribute before opset 13 and a constant input since; without them, equal pieces (opset 18:
    `num_outputs` of them, the last one smaller if need be)."""
    x = ctx.value(0)
    axis = ctx.axes([ctx.attr("axis", 0)], x.type.rank, "axis")[0]
    dim = x.type.shape[axis]
    if ctx.opset < 13:
        sizes = ctx.attr("split")
    else:
        sizes = _ints(ctx.require_const(1, "split")) if ctx.has_input(1) else None
    pieces = len(ctx.node.output)
    if not sizes:
        pieces = ctx.attr("num_outputs", pieces)
        chunk = math.ceil(dim / pieces)
        sizes = [min(chunk, dim - k * chunk) for k in range(pieces)]
    if sum(sizes) != dim or any(s < 0 for s in sizes):
        raise ctx.error(f"split sizes {list(sizes)} do not add up to dimension {axis} of {x.type}")
    outputs, begin = [], 0
    for size in sizes:
        starts, counts = [0] * x.type.rank, list(x.type.shape)
        starts[axis], counts[axis] = begin, size
        outputs.append(_slice(ctx, x, starts, [1] * x.type.rank, counts))
        begin += size
    return outputs


@converter("Gather")
def convert_gather(ctx: NodeContext):
    x = ctx.value(0)
    axis = ctx.axes([ctx.attr("axis", 0)], x.type.rank, "axis")[0]
    indices = np.asarray(ctx.require_const(1, "indices")).astype(np.int64)
    dim = x.type.shape[axis]
    if np.any((indices < -dim) | (indices >= dim)):
        raise ctx.error(f"indices {indices.reshape(-1).tolist()} are out of range for dimension {axis} of {x.type}")
    indices = np.where(indices < 0, indices + dim, indices)
    shape = x.type.shape[:axis] + tuple(indices.shape) + x.type.shape[axis + 1:]
    return [ctx.emit(GatherOp, input=x, shape=shape, axis=axis, indices=[int(i) for i in indices.reshape(-1)])]


@converter("Expand")
def convert_expand(ctx: NodeContext):
    x = ctx.value(0)
    requested = TensorType(tuple(_ints(ctx.require_const(1, "shape"))), x.type.element_type)
    try:
        shape = broadcast_shapes(x.type, requested)
    except VerifyError as e:
        raise ctx.error(str(e)) from None
    return [ctx.emit(ExpandOp, input=x, shape=shape)]


def _ints(array) -> list[int]:
    return [int(v) for v in np.asarray(array).reshape(-1)]
