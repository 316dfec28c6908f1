"""Elementwise ops: broadcasting arithmetic (`nn.add`, `nn.mul`, `nn.sub`, `nn.div`, `nn.pow`, `nn.sum`),
selection (`nn.where`), activations (`nn.relu`, `nn.clip`, `nn.sigmoid`, `nn.hard_sigmoid`, `nn.hard_swish`,
`nn.tanh`, `nn.gelu`) and functions (`nn.erf`, `nn.sqrt`, `nn.exp`)."""
from __future__ import annotations

from rnc.ir.opdef import (Pure, SameElementType, VerifyError, irdl_op, operand, opt_attribute, result,
                          var_operand)
from rnc.ir.types import TensorType

from .base import NnOp, broadcast_shapes, float_attr, float_tensor, one_of

GELU_APPROXIMATIONS = ("none", "tanh")


class BinaryOp(NnOp):
    """Two operands of one element type (declared: `SameElementType`) broadcast against each other as ONNX
    does (numpy rules)."""

    def infer_type(self) -> TensorType:
        a, b = self.lhs.type, self.rhs.type  # type: ignore[attr-defined]
        return TensorType(broadcast_shapes(a, b), a.element_type)


@irdl_op("nn.add", traits=[Pure, SameElementType])
class AddOp(BinaryOp):
    """Elementwise `lhs + rhs`, with ONNX multidirectional broadcasting."""

    lhs = operand(float_tensor)
    rhs = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.sub", traits=[Pure, SameElementType])
class SubOp(BinaryOp):
    """Elementwise `lhs - rhs`, with ONNX multidirectional broadcasting."""

    lhs = operand(float_tensor)
    rhs = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.mul", traits=[Pure, SameElementType])
class MulOp(BinaryOp):
    """Elementwise `lhs * rhs`, with ONNX multidirectional broadcasting."""

    lhs = operand(float_tensor)
    rhs = operand(float_tensor)
    output = result(float_tensor)

    @classmethod
    def canonicalization_patterns(cls):
        from .gelu_fusion import FuseGelu
        return [FuseGelu()]


@irdl_op("nn.div", traits=[Pure, SameElementType])
class DivOp(BinaryOp):
    """Elementwise `lhs / rhs`, with ONNX multidirectional broadcasting."""

    lhs = operand(float_tensor)
    rhs = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.pow", traits=[Pure, SameElementType])
class PowOp(BinaryOp):
    """Elementwise `lhs ** rhs`, with ONNX multidirectional broadcasting (ONNX Pow; the importer gives an
    integer exponent the base's float type)."""

    lhs = operand(float_tensor, doc="the base")
    rhs = operand(float_tensor, doc="the exponent")
    output = result(float_tensor)


@irdl_op("nn.where", traits=[Pure, SameElementType])
class WhereOp(NnOp):
    """Elementwise `condition ? lhs : rhs`, all three broadcast together (ONNX Where). The condition is a float
    tensor, true where it is non-zero (the importer turns ONNX's boolean one into 0/1)."""

    condition = operand(float_tensor, doc="non-zero: take lhs")
    lhs = operand(float_tensor, doc="the value where the condition holds")
    rhs = operand(float_tensor, doc="the value elsewhere")
    output = result(float_tensor)

    def infer_type(self) -> TensorType:
        c, a, b = self.condition.type, self.lhs.type, self.rhs.type
        values = TensorType(broadcast_shapes(a, b), a.element_type)
        return TensorType(broadcast_shapes(c, values), a.element_type)


@irdl_op("nn.sum", traits=[Pure, SameElementType])
class SumOp(NnOp):
    """Elementwise sum of one or more tensors, all broadcast together (ONNX Sum)."""

    inputs = var_operand(float_tensor, doc="one or more tensors")
    output = result(float_tensor)

    def infer_type(self) -> TensorType:
        if not self.inputs:
            raise VerifyError("expects at least one input")
        acc = self.inputs[0].type
        for v in self.inputs[1:]:
            acc = TensorType(broadcast_shapes(acc, v.type), acc.element_type)
        return acc


class UnaryOp(NnOp):
    """One operand; the result has its type."""

    def infer_type(self) -> TensorType:
        return self.input.type  # type: ignore[attr-defined]


@irdl_op("nn.relu", traits=[Pure])
class ReluOp(UnaryOp):
    """Elementwise `max(x, 0)`."""

    input = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.clip", traits=[Pure])
class ClipOp(UnaryOp):
    """Elementwise `min(max(x, min), max)`; ReLU6 is `nn.clip` with min 0 and max 6."""

    input = operand(float_tensor)
    output = result(float_tensor)
    min = opt_attribute(float_attr, doc="lower bound (none: unbounded)")
    max = opt_attribute(float_attr, doc="upper bound (none: unbounded)")

    def infer_type(self) -> TensorType:
        if self.min is not None and self.max is not None and self.min.value > self.max.value:
            raise VerifyError(f"expects min <= max, got {self.min.value} > {self.max.value}")
        return self.input.type


@irdl_op("nn.sigmoid", traits=[Pure])
class SigmoidOp(UnaryOp):
    """Elementwise `1 / (1 + exp(-x))`."""

    input = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.hard_sigmoid", traits=[Pure])
class HardSigmoidOp(UnaryOp):
    """Elementwise `clip(alpha * x + beta, 0, 1)` (ONNX HardSigmoid; PyTorch's is alpha 1/6, beta 0.5)."""

    input = operand(float_tensor)
    output = result(float_tensor)
    alpha = opt_attribute(float_attr, default=0.2, doc="slope")
    beta = opt_attribute(float_attr, default=0.5, doc="offset")


@irdl_op("nn.hard_swish", traits=[Pure])
class HardSwishOp(UnaryOp):
    """Elementwise `x * clip(x / 6 + 1/2, 0, 1)` (MobileNetV3's activation)."""

    input = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.tanh", traits=[Pure])
class TanhOp(UnaryOp):
    """Elementwise hyperbolic tangent."""

    input = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.gelu", traits=[Pure])
class GeluOp(UnaryOp):
    """Elementwise Gaussian error linear unit `x * Phi(x)` (ONNX Gelu): exactly, `x/2 * (1 + erf(x/sqrt 2))`,
    or with `approximate = "tanh"`, `x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))`."""

    input = operand(float_tensor)
    output = result(float_tensor)
    approximate = opt_attribute(one_of(GELU_APPROXIMATIONS), default="none", doc='"none" (exact) or "tanh"')


@irdl_op("nn.erf", traits=[Pure])
class ErfOp(UnaryOp):
    """Elementwise Gauss error function."""

    input = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.sqrt", traits=[Pure])
class SqrtOp(UnaryOp):
    """Elementwise square root (NaN below zero, as ONNX Sqrt)."""

    input = operand(float_tensor)
    output = result(float_tensor)


@irdl_op("nn.exp", traits=[Pure])
class ExpOp(UnaryOp):
    """Elementwise natural exponential."""

    input = operand(float_tensor)
    output = result(float_tensor)
