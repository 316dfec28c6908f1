"""`nn.constant`: a tensor known at compile time, weights included, plus helpers to make and read one.

Large values are `dense_resource<name>` handles whose bytes sit in the module's resource section, so a
whole model stays one self-contained .rir file; small ones are printed inline as `dense<...>`.
"""
from __future__ import annotations

import re

import numpy as np

from rnc.ir.attributes import DenseAttr, DenseResourceAttr, ResourceBlob, dense
from rnc.ir.core import Operation
from rnc.ir.opdef import Pure, VerifyError, attribute, irdl_op, result
from rnc.ir.types import TensorType, Type, type_for_dtype

from .base import NnOp

# Tensors up to this many elements print inline (`dense<[...]>`); larger ones become resources.
INLINE_ELEMENTS_LIMIT = 16


def dense_value(a) -> bool:
    """a dense or dense_resource tensor"""
    return isinstance(a, (DenseAttr, DenseResourceAttr))


@irdl_op("nn.constant", traits=[Pure])
class ConstantOp(NnOp):
    """A constant tensor (weights, biases, folded values).

    `value` holds the data: `dense<...>` for small tensors, `dense_resource<name>` for weights.
    """

    value = attribute(dense_value, doc="the tensor: dense<...> or dense_resource<name>")
    output = result(TensorType)

    def infer_type(self) -> TensorType:
        return self.value.type

    def verify_(self) -> None:
        value = self.value
        if self.results[0].type != value.type:
            raise VerifyError(f"result type {self.results[0].type} does not match the value's type "
                              f"{value.type}")
        if isinstance(value, DenseResourceAttr) and value.blob.data is not None:
            expected = value.type.num_elements * value.type.numpy_dtype.itemsize
            if len(value.blob.data) != expected:
                raise VerifyError(f"resource '{value.name}' holds {len(value.blob.data)} bytes but "
                                  f"{value.type} needs {expected}")

    def array(self) -> np.ndarray:
        """The value as a read-only numpy array (raises ValueError if its resource was elided)."""
        return constant_array(self.value)

    @staticmethod
    def of(value, *, name: str | None = None, location=None) -> "ConstantOp":
        op = ConstantOp.build(value=value, output=value.type, location=location)
        op.results[0].name_hint = name
        return op  # type: ignore[return-value]


def constant_array(value: DenseAttr | DenseResourceAttr) -> np.ndarray:
    if isinstance(value, DenseAttr):
        return value.array
    return value.to_numpy()


def constant_of(v) -> np.ndarray | None:
    """The array behind a value if an `nn.constant` (with data) defines it, else None."""
    op = getattr(v, "op", None)
    if isinstance(op, ConstantOp):
        try:
            return op.array()
        except ValueError:
            return None  # an elided resource: known shape, unknown values
    return None


def is_constant(v) -> bool:
    return isinstance(getattr(v, "op", None), ConstantOp)


_BAD_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.$]")


def sanitize_resource_name(text: str) -> str:
    """A resource key the parser accepts: identifier characters, not starting with a digit or a dot."""
    name = _BAD_NAME_CHARS.sub("_", text.replace("/", ".")).strip(".")
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "w_" + name
    return name


class ResourceNames:
    """Hands out resource names unique within a module (two blobs sharing a name would clash when printed)."""

    def __init__(self, module: Operation | None = None) -> None:
        self.taken: set[str] = set()
        if module is not None:
            for op in module.walk():
                for a in op.attributes.values():
                    if isinstance(a, DenseResourceAttr):
                        self.taken.add(a.blob.name)

    def fresh(self, hint: str) -> str:
        base = sanitize_resource_name(hint)
        name, k = base, 1
        while name in self.taken:
            name = f"{base}_{k}"
            k += 1
        self.taken.add(name)
        return name


def resource_attr(data: bytes, type_: TensorType, name: str) -> DenseResourceAttr:
    """A dense_resource over `data` (little-endian element bytes), which it keeps without copying."""
    return DenseResourceAttr(ResourceBlob(name, data), type_)


def constant_attr(array: np.ndarray, names: ResourceNames, hint: str,
                  element_type: Type | None = None) -> DenseAttr | DenseResourceAttr:
    """`array` as an attribute: inline if small, else a fresh resource named after `hint`."""
    array = np.ascontiguousarray(array)
    if array.size <= INLINE_ELEMENTS_LIMIT:
        return dense(array, element_type)
    type_ = TensorType(tuple(array.shape), element_type or type_for_dtype(array.dtype))
    data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
    return resource_attr(data, type_, names.fresh(hint))
