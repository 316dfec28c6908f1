"""`nn.resize`: nearest and (multi)linear resampling of a tensor's dimensions (ONNX Resize, torch's
`interpolate` / `Upsample`).

The result's shape is its type (as `nn.reshape`'s); `scales` keeps the factor each axis maps coordinates
with, which is not always result / input: ONNX takes a given scale as it is (`floor(5 * 1.5) = 7` output
elements mapped with 1.5, not 7/5).
"""
from __future__ import annotations

import math

from rnc.ir.opdef import Pure, VerifyError, attribute, irdl_op, operand, opt_attribute, result
from rnc.ir.types import TensorType

from .base import NnOp, float_array, float_tensor, one_of, same_element_type

RESIZE_MODES = ("nearest", "linear")
COORDINATE_MODES = ("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric")
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


@irdl_op("nn.resize", traits=[Pure])
class ResizeOp(NnOp):
    """Resamples every dimension to the result's size: output coordinate `x` maps to an input coordinate by
    `coordinate_transformation_mode` with that axis's scale, and takes the nearest input element (`nearest_mode`
    breaks ties) or interpolates linearly between the two around it (clamped to the input)."""

    input = operand(float_tensor)
    output = result(float_tensor)
    scales = attribute(float_array, doc="per axis, the factor output coordinates are divided by (> 0)")
    mode = opt_attribute(one_of(RESIZE_MODES), default="nearest", doc='"nearest" or "linear"')
    coordinate_transformation_mode = opt_attribute(one_of(COORDINATE_MODES), default="half_pixel",
                                                   doc="how an output coordinate maps to the input (ONNX's names)")
    nearest_mode = opt_attribute(one_of(NEAREST_MODES), default="round_prefer_floor",
                                 doc="rounding of the input coordinate in nearest mode")

    def infer_type(self) -> TensorType:
        return self.results[0].type

    @classmethod
    def make(cls, *, location=None, name=None, input, shape, **fields) -> "ResizeOp":  # type: ignore[override]
        op = cls.build(location=location, input=input, output=TensorType(tuple(shape), input.type.element_type),
                       **fields)
        op.results[0].name_hint = name
        return op  # type: ignore[return-value]

    def verify_(self) -> None:
        x, y = self.input.type, self.results[0].type
        same_element_type(x, y, "result")
        scales = [a.value for a in self.scales.value]
        if len(scales) != x.rank or y.rank != x.rank:
            raise VerifyError(f"expects {x.rank} scales and a result of rank {x.rank}, got {len(scales)} and {y}")
        for axis, (n, m, s) in enumerate(zip(x.shape, y.shape, scales)):
            if not s > 0 or not math.isfinite(s):
                raise VerifyError(f"expects positive scales, got {scales}")
            # floor(n * s) for a given scale; a given size m makes s = m / n, which float rounding can put
            # just under m: either way m is within one of n * s.
            if m < 1 or abs(m - n * s) > 1:
                raise VerifyError(f"axis {axis}: {m} elements do not fit {n} scaled by {s}")
