"""Compile-time tensors of an ONNX graph (initializers, Constant nodes, folded values) and their naming.

An initializer keeps the `raw_data` bytes of its TensorProto; they become the `dense_resource` blob as
they are, so importing a large model makes no extra copy of its weights.
"""
from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import helper, numpy_helper

from rnc.ir.core import Value

from .errors import OnnxImportError, UnsupportedError


@dataclass
class ConstTensor:
    """A tensor known at import time: raw little-endian bytes of an initializer, or a numpy array."""

    shape: tuple[int, ...]
    dtype: np.dtype
    raw: bytes | None = None
    folded: np.ndarray | None = None
    materialized: Value | None = field(default=None, repr=False)  # its nn.constant, once an op needs it

    @staticmethod
    def of(array: np.ndarray) -> "ConstTensor":
        array = np.asarray(array)
        return ConstTensor(tuple(array.shape), array.dtype, folded=array)

    def array(self) -> np.ndarray:
        """The values (a read-only view over the raw bytes when there are any)."""
        if self.folded is None:
            self.folded = np.frombuffer(self.raw, dtype=self.dtype).reshape(self.shape)  # type: ignore[arg-type]
        return self.folded

    @property
    def size(self) -> int:
        return math.prod(self.shape)


def from_tensor_proto(tensor: onnx.TensorProto, what: str) -> ConstTensor:
    """Reads an initializer or a Constant node's value, keeping raw bytes as they are when it can."""
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        raise OnnxImportError(f"{what} '{tensor.name}' keeps its data in an external file that was not loaded "
                              "(load the model from its path, next to its data files)")
    try:
        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(tensor.data_type))
    except (KeyError, ValueError, TypeError):
        raise UnsupportedError(f"{what} '{tensor.name}' has an unsupported data type "
                               f"({data_type_name(tensor.data_type)})") from None
    shape = tuple(int(d) for d in tensor.dims)
    # ONNX raw data is little-endian; plain numeric types on a little-endian host need no conversion.
    plain = dtype.kind in "fiub" and sys.byteorder == "little" and tensor.data_type != onnx.TensorProto.BFLOAT16
    if tensor.HasField("raw_data") and plain:
        raw = tensor.raw_data  # the blob's bytes from here on: no numpy copy
        if len(raw) != math.prod(shape) * dtype.itemsize:
            raise OnnxImportError(f"{what} '{tensor.name}' has {len(raw)} bytes of data but its shape "
                                  f"{list(shape)} of {dtype} needs {math.prod(shape) * dtype.itemsize}")
        return ConstTensor(shape, dtype, raw=raw)
    try:
        return ConstTensor.of(numpy_helper.to_array(tensor))
    except Exception as e:  # malformed protos fail inside onnx in many ways
        raise OnnxImportError(f"{what} '{tensor.name}' cannot be read: {e}") from None


def data_type_name(data_type: int) -> str:
    """'FLOAT', 'STRING', ...; the number for a value outside ONNX's enum (a damaged file)."""
    try:
        return onnx.TensorProto.DataType.Name(data_type)
    except ValueError:
        return f"type {data_type}"


_NOT_NAME = re.compile(r"[^A-Za-z0-9_$.\-]")


def value_name(onnx_name: str) -> str | None:
    """An SSA name hint from an ONNX tensor name: `/layer1/conv/Conv_output_0` -> `layer1.conv.Conv`."""
    name = onnx_name.replace("/", ".").strip(".")
    if name.endswith("_output_0"):
        name = name[: -len("_output_0")]
    name = _NOT_NAME.sub("_", name)
    return name or None
