"""What every nn op shares: type constraints, the inferred-result-type contract and shape helpers.

An nn op computes its one result type from its operands and attributes (`infer_type`). The verifier checks
the printed result type against it, and builders (`Op.make(...)`) use it, so shape rules live in one place.
"""
from __future__ import annotations

import math
from typing import Sequence

from rnc.ir.attributes import ArrayAttr, FloatAttr, IntegerAttr, StringAttr, UnitAttr
from rnc.ir.core import Operation
from rnc.ir.opdef import SameElementType, VerifyError
from rnc.ir.types import FloatType, TensorType, Type, f32

# A placeholder result type while `make` builds an op, replaced by the inferred one right after.
_PENDING = TensorType((), f32)


# ---- constraints (their docstrings are what verifier messages call them) --------------------------------
def float_tensor(t: Type) -> bool:
    """a tensor of floats"""
    return isinstance(t, TensorType) and isinstance(t.element_type, FloatType)


def int_array(a) -> bool:
    """an array of integers"""
    return isinstance(a, ArrayAttr) and all(isinstance(x, IntegerAttr) for x in a.value)


def float_array(a) -> bool:
    """an array of floats"""
    return isinstance(a, ArrayAttr) and all(isinstance(x, FloatAttr) for x in a.value)


def float_attr(a) -> bool:
    """a float"""
    return isinstance(a, FloatAttr)


def int_attr(a) -> bool:
    """an integer"""
    return isinstance(a, IntegerAttr)


def unit_attr(a) -> bool:
    """a unit flag"""
    return isinstance(a, UnitAttr)


def string_attr(a) -> bool:
    """a string"""
    return isinstance(a, StringAttr)


class NnOp(Operation):
    """Base of nn ops: one result, whose type `infer_type` derives from the operands and attributes."""

    def infer_type(self) -> TensorType:
        raise NotImplementedError

    def verify_(self) -> None:
        expected = self.infer_type()
        got = self.results[0].type
        if got != expected:
            raise VerifyError(f"result type {got} does not match the inferred type {expected}")

    @classmethod
    def make(cls, *, location=None, name: str | None = None, **fields) -> "NnOp":
        """Builds the op with its inferred result type; raises VerifyError if the operands do not fit.

        Unit-flag attributes (`ceil_mode`) take Python booleans: True sets the flag, False leaves it out.
        """
        for d in cls.DEFINITION.attributes:
            if d.constraint is unit_attr and isinstance(fields.get(d.name), bool):
                fields[d.name] = UnitAttr() if fields[d.name] else None
        op = cls.build(location=location, output=_PENDING, **fields)  # type: ignore[attr-defined]
        if SameElementType in cls.TRAITS:  # a declared rule the type inference relies on
            SameElementType.verify(op)
        op.results[0].type = op.infer_type()
        op.results[0].name_hint = name
        return op


# ---- shape helpers ---------------------------------------------------------------------------------------
def require_rank(t: Type, rank: int, what: str = "input") -> TensorType:
    if not isinstance(t, TensorType) or t.rank != rank:
        raise VerifyError(f"expects {rank}-d {what}, got {t}")
    return t


def require_min_rank(t: Type, rank: int, what: str = "input") -> TensorType:
    if not isinstance(t, TensorType) or t.rank < rank:
        raise VerifyError(f"expects {what} of rank >= {rank}, got {t}")
    return t


def same_element_type(a: TensorType, b: TensorType, what: str) -> None:
    if a.element_type != b.element_type:
        raise VerifyError(f"expects {what} of element type {a.element_type}, got {b}")


def int_list(attr: ArrayAttr, length: int, name: str, minimum: int | None = None) -> tuple[int, ...]:
    """The attribute's integers, checked to have `length` elements, each >= `minimum`."""
    values = attr.ints()
    if len(values) != length:
        raise VerifyError(f"expects '{name}' to have {length} elements, got {len(values)}")
    if minimum is not None and any(v < minimum for v in values):
        raise VerifyError(f"expects '{name}' elements >= {minimum}, got {list(values)}")
    return values


def conv_operands(op) -> tuple[TensorType, TensorType, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(input, weight, strides, dilations, pads) of a 2-d convolution op, each checked: 4-d input and weight,
    2 positive strides and dilations, 4 non-negative pads."""
    return (require_rank(op.input.type, 4, "input"), require_rank(op.weight.type, 4, "weight"),
            int_list(op.strides, 2, "strides", minimum=1), int_list(op.dilations, 2, "dilations", minimum=1),
            int_list(op.pads, 4, "pads", minimum=0))


def normalize_axis(axis: int, rank: int, name: str = "axis", allow_end: bool = False) -> int:
    """`axis` in [-rank, rank) (or up to rank inclusive with allow_end), made non-negative."""
    upper = rank + 1 if allow_end else rank
    if not -upper <= axis < upper:
        raise VerifyError(f"expects '{name}' in [{-upper}, {upper}), got {axis}")
    return axis + upper if axis < 0 else axis


def broadcast_shapes(a: TensorType, b: TensorType) -> tuple[int | None, ...]:
    """ONNX (numpy) multidirectional broadcasting: align trailing dimensions; a 1 stretches."""
    out: list[int | None] = []
    for i in range(1, max(a.rank, b.rank) + 1):
        x = a.shape[-i] if i <= a.rank else 1
        y = b.shape[-i] if i <= b.rank else 1
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            raise VerifyError(f"operands are not broadcast-compatible: {a} and {b}")
    return tuple(reversed(out))


def window_output_size(size: int | None, kernel: int, stride: int, pad_begin: int, pad_end: int,
                       dilation: int = 1, ceil_mode: bool = False, axis: int = 2) -> int | None:
    """Output length of a sliding window (conv, pool) along one axis, ONNX's formula.

    In ceil mode a last window that would start inside the end padding is dropped (PyTorch and ONNX
    Runtime agree on this), so every window overlaps the input or the begin padding.
    """
    if size is None:
        return None
    extent = dilation * (kernel - 1) + 1
    padded = size + pad_begin + pad_end
    if padded < extent:
        raise VerifyError(f"window of {extent} exceeds the padded input of {padded} along dimension {axis}")
    span = padded - extent
    out = (math.ceil(span / stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad_begin:
        out -= 1
    return out


def spatial_window_shape(x: TensorType, kernel: Sequence[int], strides: Sequence[int],
                         pads: Sequence[int], dilations: Sequence[int], ceil_mode: bool) -> tuple:
    """(H_out, W_out) of a 2-d window over NCHW `x` with pads [top, left, bottom, right]."""
    return tuple(window_output_size(x.shape[2 + i], kernel[i], strides[i], pads[i], pads[i + 2],
                                    dilations[i], ceil_mode, axis=2 + i) for i in range(2))


def one_of(values: Sequence[str]):
    """A constraint: a string attribute holding one of `values`."""
    def check(a) -> bool:
        return isinstance(a, StringAttr) and a.value in values
    check.__doc__ = "one of " + ", ".join(values)
    return check


def product(dims: Sequence[int | None]) -> int | None:
    if any(d is None for d in dims):
        return None
    return math.prod(dims)  # type: ignore[arg-type]
