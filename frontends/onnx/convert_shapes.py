"""Converters of data-movement ops: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Pad,
Identity and Dropout (which pass their input through at inference)."""
from __future__ import annotations

import math

import numpy as np

from rnc.dialects.nn import ConcatOp, DropoutOp, FlattenOp, IdentityOp, PadOp, ReshapeOp, TransposeOp

from .context import NodeContext, f32_attr
from .registry import converter


@converter("Flatten")
def convert_flatten(ctx: NodeContext):
    x = ctx.value(0)
    axis = ctx.attr("axis", 1)
    return [ctx.emit(FlattenOp, input=x, axis=axis + x.type.rank if axis < 0 else axis)]


@converter("Reshape")
def convert_reshape(ctx: NodeContext):
    x = ctx.value(0)
    if ctx.opset < 5:
        requested = list(ctx.attr("shape", []))
    else:
        requested = [int(d) for d in ctx.require_const(1, "shape").reshape(-1)]
    return [ctx.emit(ReshapeOp, input=x, shape=_reshape_target(ctx, x.type.shape, requested))]


def _reshape_target(ctx: NodeContext, shape, requested: list[int]) -> tuple[int, ...]:
    """ONNX Reshape's rules: 0 copies the input dimension (unless allowzero), one -1 is inferred."""
    allow_zero = ctx.attr("allowzero", 0)
    out = [shape[i] if d == 0 and not allow_zero and i < len(shape) else d for i, d in enumerate(requested)]
    if out.count(-1) > 1:
        raise ctx.error(f"shape {requested} has more than one -1")
    total = math.prod(shape)
    if -1 in out:
        known = math.prod(d for d in out if d != -1)
        if known == 0 or total % known:
            raise ctx.error(f"cannot reshape {list(shape)} to {requested}")
        out[out.index(-1)] = total // known
    return tuple(out)


@converter("Squeeze")
def convert_squeeze(ctx: NodeContext):
    x = ctx.value(0)
    shape = x.type.shape
    axes = _axes(ctx)
    if axes is None:
        axes = [i for i, d in enumerate(shape) if d == 1]
    axes = {a + len(shape) if a < 0 else a for a in axes}
    if any(not 0 <= a < len(shape) or shape[a] != 1 for a in axes):
        raise ctx.error(f"cannot squeeze axes {sorted(axes)} of {x.type}")
    return [ctx.emit(ReshapeOp, input=x, shape=tuple(d for i, d in enumerate(shape) if i not in axes))]


@converter("Unsqueeze")
def convert_unsqueeze(ctx: NodeContext):
    x = ctx.value(0)
    axes = _axes(ctx)
    if not axes:
        raise ctx.error("expects axes")
    rank = x.type.rank + len(axes)
    axes = set(ctx.axes(axes, rank))
    dims = iter(x.type.shape)
    return [ctx.emit(ReshapeOp, input=x, shape=tuple(1 if i in axes else next(dims) for i in range(rank)))]


def _axes(ctx: NodeContext) -> list[int] | None:
    """Squeeze/Unsqueeze axes: an attribute before opset 13, a constant input since."""
    if ctx.opset < 13:
        return ctx.attr("axes")
    if not ctx.has_input(1):
        return None
    return [int(a) for a in ctx.require_const(1, "axes").reshape(-1)]


@converter("Transpose")
def convert_transpose(ctx: NodeContext):
    x = ctx.value(0)
    perm = ctx.attr("perm", list(reversed(range(x.type.rank))))
    return [ctx.emit(TransposeOp, input=x, perm=list(perm))]


@converter("Concat")
def convert_concat(ctx: NodeContext):
    inputs = [ctx.value(i) for i in range(len(ctx.node.input)) if ctx.has_input(i)]
    axis = ctx.attr("axis", 1)
    rank = inputs[0].type.rank
    return [ctx.emit(ConcatOp, inputs=inputs, axis=axis + rank if axis < 0 else axis)]


@converter("Pad")
def convert_pad(ctx: NodeContext):
    """Pads, value and axes are attributes before opset 11 and constant inputs since."""
    x = ctx.value(0)
    rank = x.type.rank
    mode = ctx.attr("mode", "constant")
    if ctx.opset < 11:
        pads = list(ctx.attr("pads", ctx.attr("paddings", [])))
        value = float(ctx.attr("value", 0.0))
    else:
        pads = [int(p) for p in ctx.require_const(1, "pads").reshape(-1)]
        value = float(ctx.require_const(2, "constant_value").reshape(-1)[0]) if ctx.has_input(2) else 0.0
        if ctx.has_input(3):
            pads = _pads_for_axes(ctx, pads, rank)
    if mode not in ("constant", "reflect", "edge"):
        raise ctx.unsupported(f"pad mode '{mode}' is not supported (constant, reflect, edge)")
    if any(p < 0 for p in pads):
        raise ctx.unsupported(f"negative pads (cropping) are not supported, got {pads}")
    return [ctx.emit(PadOp, input=x, pads=pads, mode=mode, value=f32_attr(value))]


def _pads_for_axes(ctx: NodeContext, pads: list[int], rank: int) -> list[int]:
    axes = ctx.axes(ctx.require_const(3, "axes").reshape(-1), rank)
    if len(pads) != 2 * len(axes):
        raise ctx.error(f"expects {2 * len(axes)} pads for axes {axes}, got {len(pads)}")
    full = [0] * (2 * rank)
    for k, axis in enumerate(axes):
        full[axis], full[axis + rank] = pads[k], pads[k + len(axes)]
    return full


@converter("Identity")
def convert_identity(ctx: NodeContext):
    return [ctx.emit(IdentityOp, input=ctx.value(0))]


@converter("Dropout")
def convert_dropout(ctx: NodeContext):
    """The ratio is an attribute before opset 12 and an input since; training mode is not supported."""
    if ctx.opset >= 12 and ctx.has_input(2) and bool(np.asarray(ctx.require_const(2, "training_mode")).any()):
        raise ctx.unsupported("training mode is not supported (inference only)")
    if ctx.opset >= 12:
        ratio = float(ctx.require_const(1, "ratio").reshape(-1)[0]) if ctx.has_input(1) else 0.5
    else:
        ratio = float(ctx.attr("ratio", 0.5))
    return [ctx.emit(DropoutOp, input=ctx.value(0), ratio=f32_attr(ratio))]
