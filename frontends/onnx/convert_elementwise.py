"""Converters of elementwise ops: arithmetic with broadcasting, Sum, Where, Cast, activations and functions."""
from __future__ import annotations

import numpy as np

from onnx import helper

from rnc.dialects.nn import (AddOp, CastOp, ClipOp, DivOp, ErfOp, ExpOp, GeluOp, HardSigmoidOp, HardSwishOp, MulOp,
                             PowOp, ReluOp, ReshapeOp, SigmoidOp, SqrtOp, SubOp, SumOp, TanhOp, WhereOp)
from rnc.ir.types import FloatType, type_for_dtype

from .context import NodeContext, f32_attr
from .registry import converter

_BINARY = {"Add": AddOp, "Sub": SubOp, "Mul": MulOp, "Div": DivOp}
_UNARY = {"Relu": ReluOp, "Sigmoid": SigmoidOp, "Tanh": TanhOp, "HardSwish": HardSwishOp, "Erf": ErfOp,
          "Sqrt": SqrtOp, "Exp": ExpOp}


@converter(*_BINARY)
def convert_binary(ctx: NodeContext):
    lhs, rhs = ctx.value(0), ctx.value(1)
    if ctx.opset < 7 and ctx.attr("broadcast", 0) and ctx.has_attr("axis"):
        rhs = _legacy_broadcast(ctx, lhs, rhs, ctx.attr("axis"))
    return [ctx.emit(_BINARY[ctx.node.op_type], lhs=lhs, rhs=rhs)]


def _legacy_broadcast(ctx: NodeContext, lhs, rhs, axis: int):
    """Opset < 7 broadcasting aligns B with A's dimensions from `axis` on: append trailing 1s to B."""
    a_rank, b_shape = lhs.type.rank, rhs.type.shape
    axis = axis + a_rank if axis < 0 else axis
    trailing = a_rank - axis - len(b_shape)
    if trailing < 0:
        raise ctx.error(f"legacy broadcast of {rhs.type} at axis {axis} does not fit {lhs.type}")
    return ctx.emit(ReshapeOp, input=rhs, shape=b_shape + (1,) * trailing) if trailing else rhs


@converter("Pow")
def convert_pow(ctx: NodeContext):
    """The exponent may be an integer tensor in ONNX: a constant one takes the base's float type."""
    base = ctx.value(0)
    exponent = ctx.const(1)
    if exponent is not None and exponent.dtype != base.type.numpy_dtype:
        return [ctx.emit(PowOp, lhs=base, rhs=ctx.constant(exponent, "exponent", base.type))]
    return [ctx.emit(PowOp, lhs=base, rhs=ctx.value(1))]


@converter("Where")
def convert_where(ctx: NodeContext):
    """Only a constant condition (masks): it becomes a 0/1 tensor of the values' float type."""
    condition = ctx.require_const(0, "condition")
    lhs, rhs = ctx.value(1), ctx.value(2)
    mask = ctx.constant(condition.astype(bool), "condition", lhs.type)
    return [ctx.emit(WhereOp, condition=mask, lhs=lhs, rhs=rhs)]


@converter("Cast")
def convert_cast(ctx: NodeContext):
    """Between float types only (a cast of a constant folds at import)."""
    x = ctx.value(0)
    try:
        element = type_for_dtype(helper.tensor_dtype_to_np_dtype(ctx.attr("to", 0)))
    except (KeyError, ValueError, TypeError):
        element = None
    if not isinstance(element, FloatType):
        raise ctx.unsupported(f"casts of computed tensors go to float types only, got to={ctx.attr('to', 0)}")
    return [ctx.emit(CastOp, input=x, shape=x.type.shape, element_type=element)]


@converter("Gelu")
def convert_gelu(ctx: NodeContext):
    approximate = ctx.attr("approximate", "none")
    if approximate not in ("none", "tanh"):
        raise ctx.error(f"unknown approximate '{approximate}' (none or tanh)")
    return [ctx.emit(GeluOp, input=ctx.value(0), approximate=approximate)]


@converter("Sum")
def convert_sum(ctx: NodeContext):
    return [ctx.emit(SumOp, inputs=[ctx.value(i) for i in range(len(ctx.node.input)) if ctx.has_input(i)])]


@converter(*_UNARY)
def convert_unary(ctx: NodeContext):
    return [ctx.emit(_UNARY[ctx.node.op_type], input=ctx.value(0))]


@converter("HardSigmoid")
def convert_hard_sigmoid(ctx: NodeContext):
    return [ctx.emit(HardSigmoidOp, input=ctx.value(0), alpha=f32_attr(ctx.attr("alpha", 0.2)),
                     beta=f32_attr(ctx.attr("beta", 0.5)))]


@converter("Clip")
def convert_clip(ctx: NodeContext):
    """Bounds are attributes before opset 11 and (constant) inputs since."""
    if ctx.opset < 11:
        low, high = ctx.attr("min"), ctx.attr("max")
    else:
        low = _scalar(ctx.require_const(1, "min")) if ctx.has_input(1) else None
        high = _scalar(ctx.require_const(2, "max")) if ctx.has_input(2) else None
    return [ctx.emit(ClipOp, input=ctx.value(0), min=None if low is None else f32_attr(low),
                     max=None if high is None else f32_attr(high))]


def _scalar(array: np.ndarray) -> float:
    return float(np.asarray(array).reshape(-1)[0])
