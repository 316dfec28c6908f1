"""Normalizations and pass-through ops: `nn.batch_norm`, `nn.layer_norm`, `nn.lrn`, `nn.softmax`,
`nn.dropout`, `nn.identity`."""
from __future__ import annotations

from rnc.ir.opdef import Pure, SameElementType, VerifyError, irdl_op, operand, opt_attribute, opt_operand, result
from rnc.ir.types import TensorType

from .base import NnOp, float_attr, float_tensor, int_attr, normalize_axis, require_min_rank, require_rank


@irdl_op("nn.batch_norm", traits=[Pure, SameElementType])
class BatchNormOp(NnOp):
    """Inference batch normalization over dimension 1:
    `(x - mean) / sqrt(variance + epsilon) * scale + bias`."""

    input = operand(float_tensor, doc="N x C x ...")
    scale = operand(float_tensor, doc="C")
    bias = operand(float_tensor, doc="C")
    mean = operand(float_tensor, doc="C (running mean)")
    variance = operand(float_tensor, doc="C (running variance)")
    output = result(float_tensor)
    epsilon = opt_attribute(float_attr, default=1e-5, doc="added to the variance")

    def infer_type(self) -> TensorType:
        x = require_min_rank(self.input.type, 2)
        channels = x.shape[1]
        for what in ("scale", "bias", "mean", "variance"):
            t = require_rank(getattr(self, what).type, 1, what)
            if t.shape[0] != channels:
                raise VerifyError(f"expects {what} of {channels} elements (the input's channels), got {t}")
        return x


@irdl_op("nn.layer_norm", traits=[Pure, SameElementType])
class LayerNormOp(NnOp):
    """Layer normalization over the dimensions from `axis` on (ONNX LayerNormalization):
    `(x - mean) / sqrt(variance + epsilon) * scale + bias`, mean and (biased) variance over those dimensions."""

    input = operand(float_tensor)
    scale = operand(float_tensor, doc="the normalized dimensions' shape (or broadcastable to it)")
    bias = opt_operand(float_tensor, doc="like scale (optional)")
    output = result(float_tensor)
    axis = opt_attribute(int_attr, default=-1, doc="first normalized dimension, in [-rank, rank)")
    epsilon = opt_attribute(float_attr, default=1e-5, doc="added to the variance")

    def normalized_axes(self) -> tuple[int, ...]:
        x = self.input.type
        return tuple(range(normalize_axis(self.axis.value, x.rank), x.rank))

    def infer_type(self) -> TensorType:
        x = require_min_rank(self.input.type, 1)
        normalized = tuple(x.shape[a] for a in self.normalized_axes())
        for what in ("scale", "bias"):
            value = getattr(self, what)
            if value is None:
                continue
            t = value.type
            fits = t.rank <= len(normalized) and all(d in (1, n) for d, n in zip(reversed(t.shape),
                                                                               reversed(normalized)))
            if not fits:
                raise VerifyError(f"expects {what} broadcastable to the normalized shape {list(normalized)}, "
                                  f"got {t}")
        return x


@irdl_op("nn.lrn", traits=[Pure])
class LrnOp(NnOp):
    """Local response normalization across channels (ONNX LRN):
    `x / (bias + alpha / size * sum of x^2 over `size` neighbouring channels) ^ beta`."""

    input = operand(float_tensor, doc="N x C x ...")
    output = result(float_tensor)
    size = opt_attribute(int_attr, default=5, doc="number of channels summed over")
    alpha = opt_attribute(float_attr, default=1e-4, doc="scale of the sum")
    beta = opt_attribute(float_attr, default=0.75, doc="exponent")
    bias = opt_attribute(float_attr, default=1.0, doc="added before the power")

    def infer_type(self) -> TensorType:
        x = require_min_rank(self.input.type, 3)
        if self.size.value < 1:
            raise VerifyError(f"expects 'size' >= 1, got {self.size.value}")
        return x


@irdl_op("nn.softmax", traits=[Pure])
class SoftmaxOp(NnOp):
    """`exp(x) / sum(exp(x))` along one axis (ONNX Softmax, opset 13 semantics)."""

    input = operand(float_tensor)
    output = result(float_tensor)
    axis = opt_attribute(int_attr, default=-1, doc="the normalized axis, in [-rank, rank)")

    def infer_type(self) -> TensorType:
        x = require_min_rank(self.input.type, 1)
        normalize_axis(self.axis.value, x.rank)
        return x


@irdl_op("nn.dropout", traits=[Pure])
class DropoutOp(NnOp):
    """Dropout, which at inference passes its input through unchanged."""

    input = operand(float_tensor)
    output = result(float_tensor)
    ratio = opt_attribute(float_attr, default=0.5, doc="training-time drop probability (unused at inference)")

    def infer_type(self) -> TensorType:
        return self.input.type

    @classmethod
    def canonicalization_patterns(cls):
        from .canonicalization import ForwardOperand
        return [ForwardOperand(cls.OP_NAME)]


@irdl_op("nn.identity", traits=[Pure])
class IdentityOp(NnOp):
    """Returns its input."""

    input = operand(float_tensor)
    output = result(float_tensor)

    def infer_type(self) -> TensorType:
        return self.input.type

    @classmethod
    def canonicalization_patterns(cls):
        from .canonicalization import ForwardOperand
        return [ForwardOperand(cls.OP_NAME)]
