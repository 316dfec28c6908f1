"""`NodeContext`: what a converter sees of the node it converts and of the function being built."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from onnx import AttributeProto, helper

from rnc.ir.attributes import FloatAttr
from rnc.ir.core import Value
from rnc.ir.location import NameLoc
from rnc.ir.opdef import VerifyError, verify_structure
from rnc.ir.types import TensorType, f32

from .errors import OnnxImportError, UnsupportedError

if TYPE_CHECKING:
    from .importer import OnnxImporter


class NodeContext:
    """One node being converted: its inputs (SSA values or constants), attributes, and emit helpers."""

    def __init__(self, importer: "OnnxImporter", node, node_name: str) -> None:
        self.importer = importer
        self.node = node
        self.name = node_name
        self.opset = importer.opset
        self.location = NameLoc(node_name)
        self._attrs = {a.name: a for a in node.attribute}

    @property
    def label(self) -> str:
        return f"node '{self.name}' ({self.node.op_type})"

    # ---- errors ----------------------------------------------------------------------------------------
    def error(self, message: str) -> OnnxImportError:
        return OnnxImportError(f"{self.label}: {message}")

    def unsupported(self, message: str) -> UnsupportedError:
        return UnsupportedError(f"{self.label}: {message}")

    # ---- attributes ------------------------------------------------------------------------------------
    def attr(self, name: str, default: Any = None) -> Any:
        """The attribute's Python value (ints, floats, lists, str for strings, arrays for tensors).

        Its type must be one converters read, and a list when `default` is one, a number when `default` is a
        number: a damaged file can hold a graph where a list of ints belongs.
        """
        a = self._attrs.get(name)
        if a is None:
            return default
        kinds = _kinds_for(default)
        if a.type not in kinds:
            raise self.error(f"attribute '{name}' must be {' or '.join(_kind_name(k) for k in sorted(kinds))}, "
                             f"got {_kind_name(a.type)}")
        value = helper.get_attribute_value(a)
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
        if isinstance(value, list):
            return [v.decode("utf-8", errors="replace") if isinstance(v, bytes) else v for v in value]
        return value

    def axes(self, values, rank: int, what: str = "axes") -> list[int]:
        """`values` with negative axes counted from the end; an error unless each is a distinct axis of a
        rank-`rank` tensor."""
        axes = [int(a) + rank if int(a) < 0 else int(a) for a in values]
        if any(not 0 <= a < rank for a in axes) or len(set(axes)) != len(axes):
            raise self.error(f"{what} {[int(a) for a in values]} do not name distinct axes of a rank-{rank} tensor")
        return axes

    def has_attr(self, name: str) -> bool:
        return name in self._attrs

    # ---- inputs ----------------------------------------------------------------------------------------
    def has_input(self, index: int) -> bool:
        return index < len(self.node.input) and self.node.input[index] != ""

    def const(self, index: int) -> np.ndarray | None:
        """The input's value if it is known at import time, else None."""
        if not self.has_input(index):
            return None
        c = self.importer.consts.get(self.node.input[index])
        return None if c is None else c.array()

    def require_const(self, index: int, what: str) -> np.ndarray:
        value = self.const(index)
        if value is None:
            if not self.has_input(index):
                raise self.error(f"missing the {what} input")
            raise self.unsupported(f"the {what} input must be a constant")
        return value

    def value(self, index: int) -> Value:
        """The input as an SSA value (constants become `nn.constant`s the first time they are used)."""
        if not self.has_input(index):
            raise self.error(f"missing input #{index}")
        return self.importer.value_of(self.node.input[index])

    def optional_value(self, index: int) -> Value | None:
        return self.value(index) if self.has_input(index) else None

    def type(self, index: int) -> TensorType:
        if not self.has_input(index):
            raise self.error(f"missing input #{index}")
        return self.importer.type_of(self.node.input[index])

    # ---- building --------------------------------------------------------------------------------------
    def emit(self, op_class, **fields) -> Value:
        """Appends `op_class.make(**fields)` (result type inferred) at this node's location."""
        try:
            op = op_class.make(location=self.location, **fields)
            verify_structure(op)
            op.verify_()
        except VerifyError as e:
            raise self.error(f"cannot build '{op_class.OP_NAME}': {e}") from None
        self.importer.block.append(op)
        return op.results[0]

    def constant(self, array: np.ndarray, hint: str, like: TensorType) -> Value:
        """A new `nn.constant` for an array derived while converting (a transposed weight, a scale), with the
        element type of `like` (numpy arithmetic on attributes would otherwise widen it to float64)."""
        array = np.asarray(array).astype(like.numpy_dtype, copy=False)
        return self.importer.new_constant(array, f"{self.name}_{hint}", self.location)


_A = AttributeProto
_READABLE = frozenset({_A.INT, _A.FLOAT, _A.STRING, _A.TENSOR, _A.INTS, _A.FLOATS, _A.STRINGS})


def _kinds_for(default: Any) -> frozenset:
    """The attribute types that can stand for a converter's `default` (any readable one for None)."""
    if isinstance(default, int):
        return frozenset({_A.INT})
    if isinstance(default, float):
        return frozenset({_A.FLOAT, _A.INT})
    if isinstance(default, str):
        return frozenset({_A.STRING})
    if isinstance(default, (list, tuple)):
        if default and all(isinstance(v, int) for v in default):
            return frozenset({_A.INTS})
        return frozenset({_A.INTS, _A.FLOATS, _A.STRINGS})
    return _READABLE


def _kind_name(attr_type: int) -> str:
    try:
        return _A.AttributeType.Name(attr_type)
    except ValueError:
        return f"type {attr_type}"


def f32_attr(value: float) -> FloatAttr:
    """An f32 attribute printed in the float32 value's shortest form (0.2, not 0.20000000298023224)."""
    return FloatAttr(float(str(np.float32(value))), f32)
