"""Ops that move data without arithmetic: `nn.flatten`, `nn.reshape`, `nn.transpose`, `nn.concat`, `nn.pad`,
`nn.slice`, `nn.gather`, `nn.expand`, `nn.cast`.

Like `nn.reshape`, the ops whose result shape is not a function of their attributes alone (`nn.slice`'s count
per axis, `nn.gather`'s index shape, `nn.expand`'s target) take it from their result type.
"""
from __future__ import annotations

from rnc.ir.opdef import (Pure, SameElementType, VerifyError, attribute, irdl_op, operand, opt_attribute, result,
                          var_operand)
from rnc.ir.types import TensorType, f32

from .base import (NnOp, broadcast_shapes, float_attr, float_tensor, int_array, int_attr, normalize_axis, product,
                   same_element_type, string_attr)

PAD_MODES = ("constant", "reflect", "edge")


@irdl_op("nn.flatten", traits=[Pure])
class FlattenOp(NnOp):
    """Reshapes to 2-d: dimensions before `axis` make the rows, the rest the columns (ONNX Flatten)."""

    input = operand(float_tensor)
    output = result(float_tensor)
    axis = opt_attribute(int_attr, default=1, doc="first dimension of the columns, in [0, rank]")

    def infer_type(self) -> TensorType:
        x = self.input.type
        axis = self.axis.value
        if not 0 <= axis <= x.rank:
            raise VerifyError(f"expects 'axis' in [0, {x.rank}], got {axis}")
        return TensorType((product(x.shape[:axis]), product(x.shape[axis:])), x.element_type)

    @classmethod
    def canonicalization_patterns(cls):
        from .canonicalization import ReshapeConstant
        return [ReshapeConstant(cls.OP_NAME)]


@irdl_op("nn.reshape", traits=[Pure])
class ReshapeOp(NnOp):
    """Reinterprets the elements (row-major) with the result type's shape; the element count must match.

    The target shape is the result type itself: shapes are static once imported."""

    input = operand(float_tensor)
    output = result(float_tensor)

    def infer_type(self) -> TensorType:
        return self.results[0].type

    def verify_(self) -> None:
        x, y = self.input.type, self.results[0].type
        same_element_type(x, y, "result")
        if x.has_static_shape and y.has_static_shape and x.num_elements != y.num_elements:
            raise VerifyError(f"cannot reshape {x} ({x.num_elements} elements) to {y} ({y.num_elements} "
                              f"elements)")

    @classmethod
    def make(cls, *, location=None, name=None, input, shape) -> "ReshapeOp":  # type: ignore[override]
        op = cls.build(location=location, input=input, output=TensorType(tuple(shape), input.type.element_type))
        op.results[0].name_hint = name
        return op  # type: ignore[return-value]

    @classmethod
    def canonicalization_patterns(cls):
        from .canonicalization import FoldReshapeChain, RemoveNoOpReshape, ReshapeConstant
        return [RemoveNoOpReshape(), ReshapeConstant(cls.OP_NAME), FoldReshapeChain()]


@irdl_op("nn.transpose", traits=[Pure])
class TransposeOp(NnOp):
    """Permutes dimensions: result dimension i is input dimension perm[i]."""

    input = operand(float_tensor)
    output = result(float_tensor)
    perm = attribute(int_array, doc="a permutation of 0 .. rank-1")

    def infer_type(self) -> TensorType:
        x = self.input.type
        perm = self.perm.ints()
        if sorted(perm) != list(range(x.rank)):
            raise VerifyError(f"expects 'perm' to be a permutation of 0..{x.rank - 1}, got {list(perm)}")
        return TensorType(tuple(x.shape[p] for p in perm), x.element_type)


@irdl_op("nn.concat", traits=[Pure, SameElementType])
class ConcatOp(NnOp):
    """Joins tensors along `axis`; all other dimensions must agree."""

    inputs = var_operand(float_tensor, doc="one or more tensors of the same rank")
    output = result(float_tensor)
    axis = attribute(int_attr, doc="the joined dimension, in [0, rank)")

    def infer_type(self) -> TensorType:
        if not self.inputs:
            raise VerifyError("expects at least one input")
        first = self.inputs[0].type
        axis = self.axis.value
        if not 0 <= axis < max(first.rank, 1):
            raise VerifyError(f"expects 'axis' in [0, {first.rank}), got {axis}")
        total: int | None = 0
        for v in self.inputs:
            t = v.type
            if t.rank != first.rank or any(a != b for i, (a, b) in enumerate(zip(t.shape, first.shape))
                                           if i != axis):
                raise VerifyError(f"expects inputs to agree except along axis {axis}, got {first} and {t}")
            total = None if total is None or t.shape[axis] is None else total + t.shape[axis]
        shape = list(first.shape)
        shape[axis] = total
        return TensorType(tuple(shape), first.element_type)


@irdl_op("nn.pad", traits=[Pure])
class PadOp(NnOp):
    """Pads every dimension (ONNX Pad): `pads` lists the begin amounts of all axes, then the end amounts."""

    input = operand(float_tensor)
    output = result(float_tensor)
    pads = attribute(int_array, doc="[x1_begin, x2_begin, ..., x1_end, x2_end, ...], non-negative")
    mode = opt_attribute(string_attr, default="constant", doc="constant, reflect or edge")
    value = opt_attribute(float_attr, default=0.0, doc="the fill value of constant mode")

    def infer_type(self) -> TensorType:
        x = self.input.type
        pads = self.pads.ints()
        if len(pads) != 2 * x.rank:
            raise VerifyError(f"expects 'pads' to have {2 * x.rank} elements for {x}, got {len(pads)}")
        if any(p < 0 for p in pads):
            raise VerifyError(f"expects non-negative 'pads', got {list(pads)}")
        if self.mode.value not in PAD_MODES:
            raise VerifyError(f"expects 'mode' to be one of {', '.join(PAD_MODES)}, got '{self.mode.value}'")
        shape = tuple(None if d is None else d + pads[i] + pads[i + x.rank] for i, d in enumerate(x.shape))
        if self.mode.value == "reflect":
            for i, d in enumerate(x.shape):
                if d is not None and max(pads[i], pads[i + x.rank]) >= max(d, 1) and (pads[i] or pads[i + x.rank]):
                    raise VerifyError(f"reflect padding of {max(pads[i], pads[i + x.rank])} needs dimension {i} "
                                      f"larger than that, got {x}")
        return TensorType(shape, x.element_type)


class _ShapedOp(NnOp):
    """An op whose result type is given when it is built (`make(..., shape=...)`) and checked by `verify_`."""

    CONVERTS = False  # True: the result may have another element type than the input

    def infer_type(self) -> TensorType:
        return self.results[0].type

    @classmethod
    def make(cls, *, location=None, name=None, shape, element_type=None, **fields):  # type: ignore[override]
        element = element_type or fields["input"].type.element_type
        op = cls.build(location=location, output=TensorType(tuple(shape), element), **fields)
        op.results[0].name_hint = name
        return op

    def verify_(self) -> None:
        x, y = self.input.type, self.results[0].type
        if not self.CONVERTS:
            same_element_type(x, y, "result")
        self.check_shape(x.shape, y.shape)

    def check_shape(self, x: tuple, y: tuple) -> None:
        raise NotImplementedError


@irdl_op("nn.slice", traits=[Pure])
class SliceOp(_ShapedOp):
    """Takes every `steps[i]`-th element along each axis i from `starts[i]`, as many as the result has (ONNX
    Slice and Split, with the importer resolving negative, clamped and omitted bounds)."""

    input = operand(float_tensor)
    output = result(float_tensor)
    starts = attribute(int_array, doc="first index per axis, in [0, dim)")
    steps = attribute(int_array, doc="stride per axis, non-zero (negative: backwards)")

    def check_shape(self, x, y) -> None:
        starts, steps = self.starts.ints(), self.steps.ints()
        if not len(starts) == len(steps) == len(x) == len(y):
            raise VerifyError(f"expects 'starts', 'steps' and the result of the input's rank {len(x)}, got "
                              f"{len(starts)}, {len(steps)} and {len(y)}")
        for axis, (dim, count, start, step) in enumerate(zip(x, y, starts, steps)):
            if step == 0:
                raise VerifyError(f"expects non-zero 'steps', got {list(steps)}")
            last = start + step * (count - 1)
            if count and not (0 <= start < dim and 0 <= last < dim):
                raise VerifyError(f"axis {axis}: {count} elements from {start} by {step} leave [0, {dim})")


@irdl_op("nn.gather", traits=[Pure])
class GatherOp(_ShapedOp):
    """Picks the entries `indices` along `axis` (ONNX Gather with constant indices): the result's shape is the
    input's with `axis` replaced by the indices' shape (rank 0: removed)."""

    input = operand(float_tensor)
    output = result(float_tensor)
    axis = attribute(int_attr, doc="the indexed dimension, in [0, rank)")
    indices = attribute(int_array, doc="the indices in row-major order, each in [0, dim)")

    def index_shape(self) -> tuple[int, ...]:
        x, y = self.input.type.shape, self.results[0].type.shape
        axis = self.axis.value
        return tuple(y[axis:axis + len(y) - len(x) + 1])

    def check_shape(self, x, y) -> None:
        axis = normalize_axis(self.axis.value, len(x))
        if axis != self.axis.value:
            raise VerifyError(f"expects 'axis' in [0, {len(x)}), got {self.axis.value}")
        indices = self.indices.ints()
        kept = len(y) - len(x) + 1
        if kept < 0 or tuple(y[:axis]) != tuple(x[:axis]) or tuple(y[axis + kept:]) != tuple(x[axis + 1:]):
            raise VerifyError(f"result {list(y)} is not the input {list(x)} indexed along axis {axis}")
        if product(self.index_shape()) != len(indices):
            raise VerifyError(f"{len(indices)} indices do not fill the index shape {list(self.index_shape())}")
        if any(not 0 <= i < x[axis] for i in indices):
            raise VerifyError(f"expects indices in [0, {x[axis]}), got {list(indices)}")


@irdl_op("nn.expand", traits=[Pure])
class ExpandOp(_ShapedOp):
    """Broadcasts the input to the result's shape (ONNX Expand: numpy rules, so the result's rank may be larger
    and a requested 1 keeps the input's dimension)."""

    input = operand(float_tensor)
    output = result(float_tensor)

    def check_shape(self, x, y) -> None:
        try:
            fits = broadcast_shapes(TensorType(tuple(x), f32), TensorType(tuple(y), f32)) == tuple(y)
        except VerifyError:
            fits = False
        if not fits:
            raise VerifyError(f"cannot broadcast {list(x)} to {list(y)}")


@irdl_op("nn.cast", traits=[Pure])
class CastOp(_ShapedOp):
    """Converts the elements to the result's float type (ONNX Cast between float types)."""

    CONVERTS = True

    input = operand(float_tensor)
    output = result(float_tensor)

    def check_shape(self, x, y) -> None:
        if tuple(x) != tuple(y):
            raise VerifyError(f"expects the result of the input's shape {list(x)}, got {list(y)}")

    @classmethod
    def canonicalization_patterns(cls):
        from .canonicalization import RemoveNoOpReshape
        return [RemoveNoOpReshape(cls.OP_NAME)]
