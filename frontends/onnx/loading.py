"""Reading ONNX files (with external data) and running ONNX shape inference without copying weights."""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import onnx
from onnx import helper

from .errors import OnnxImportError

# Initializers larger than this are left out of the copy given to shape inference (as typed inputs).
SHAPE_INFERENCE_COPY_LIMIT_BYTES = 1024


def load_model(path: str | os.PathLike, base_dir: str | os.PathLike | None = None) -> onnx.ModelProto:
    """Loads a model file, with initializers kept in external files read from `base_dir` (default: its folder)."""
    p = Path(path)
    if not p.is_file():
        raise OnnxImportError(f"cannot read '{path}': no such file")
    try:
        model = onnx.load(str(p), load_external_data=False)
    except Exception as e:  # protobuf's DecodeError, OSError, ...
        raise OnnxImportError(f"cannot read '{path}': not a valid ONNX model ({type(e).__name__}: {e})") from None
    if not model.HasField("graph") or not (model.graph.node or model.graph.output):
        raise OnnxImportError(f"cannot read '{path}': not a valid ONNX model (no graph)")
    field = first_non_text(model)
    if field is not None:
        raise OnnxImportError(f"cannot read '{path}': not a valid ONNX model ({field} is not UTF-8 text)")
    try:
        load_external_data(model, base_dir if base_dir is not None else p.parent)
    except OnnxImportError as e:
        raise OnnxImportError(f"cannot read '{path}': {e}") from None
    return model


def first_non_text(message, where: str = "model") -> str | None:
    """The path of the first string field that is not UTF-8 text ('model.graph.node[3].op_type'), or None.

    ONNX strings are UTF-8; protobuf hands back a damaged one as bytes, which no name or message can use.
    Only string and message fields are visited: tensor data (bytes, numbers) is never touched or copied.
    """
    for fd in message.DESCRIPTOR.fields:
        if fd.type == fd.TYPE_STRING:
            value = getattr(message, fd.name)
            items = [value] if isinstance(value, (str, bytes)) else value
            for i, item in enumerate(items):
                if isinstance(item, bytes):
                    return f"{where}.{fd.name}" + ("" if items is not value else f"[{i}]")
        elif fd.type == fd.TYPE_MESSAGE:
            value = getattr(message, fd.name)
            if hasattr(value, "DESCRIPTOR"):
                found = first_non_text(value, f"{where}.{fd.name}") if message.HasField(fd.name) else None
            else:
                found = next((f for i, m in enumerate(value)
                              if (f := first_non_text(m, f"{where}.{fd.name}[{i}]")) is not None), None)
            if found is not None:
                return found
    return None


def load_external_data(model: onnx.ModelProto, base_dir: str | os.PathLike) -> None:
    """Reads initializers stored outside the model file into the model (no-op if there are none).

    Each data file is checked first: it must exist in `base_dir` and hold the bytes the tensor names.
    """
    from onnx.external_data_helper import ExternalDataInfo, load_external_data_for_model, uses_external_data
    external = [t for t in model.graph.initializer if uses_external_data(t)]
    if not external:
        return
    for tensor in external:
        info = ExternalDataInfo(tensor)
        data = Path(base_dir) / info.location
        what = f"initializer '{tensor.name}': its external data file '{info.location}'"
        if not data.is_file():
            raise OnnxImportError(f"{what} is missing (looked in '{base_dir}')")
        size = data.stat().st_size
        needed = (info.offset or 0) + (info.length if info.length is not None else tensor_nbytes(tensor))
        if size < needed:
            raise OnnxImportError(f"{what} has {size} bytes; the tensor needs {needed}")
    try:
        load_external_data_for_model(model, str(base_dir))
    except Exception as e:   # onnx's checks (a location outside base_dir, ...) raise many kinds
        raise OnnxImportError(f"cannot read the model's external data from '{base_dir}': "
                              f"{type(e).__name__}: {e}") from None


def inferred_shapes(model: onnx.ModelProto, input_shapes: dict[str, tuple[int, ...]]) -> dict[str, tuple]:
    """Static shapes ONNX shape inference finds for the graph's tensors (empty if inference fails).

    Inference runs on a copy that leaves large initializers out (declared as typed inputs instead), so it
    never duplicates the weights.
    """
    light = onnx.ModelProto()
    light.ir_version = model.ir_version
    light.opset_import.extend(model.opset_import)
    graph = light.graph
    graph.name = model.graph.name
    initializer_names = set()
    for t in model.graph.initializer:
        initializer_names.add(t.name)
        if tensor_nbytes(t) <= SHAPE_INFERENCE_COPY_LIMIT_BYTES:
            graph.initializer.append(t)
        else:
            graph.input.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    for i in model.graph.input:
        if i.name in initializer_names:
            continue
        elem = i.type.tensor_type.elem_type
        graph.input.append(helper.make_tensor_value_info(i.name, elem, list(input_shapes[i.name]))
                           if i.name in input_shapes else i)
    for node in model.graph.node:
        big_constant = node.op_type == "Constant" and any(
            a.name == "value" and tensor_nbytes(a.t) > SHAPE_INFERENCE_COPY_LIMIT_BYTES for a in node.attribute)
        if big_constant:
            t = next(a.t for a in node.attribute if a.name == "value")
            graph.input.append(helper.make_tensor_value_info(node.output[0], t.data_type, list(t.dims)))
        else:
            graph.node.append(node)
    graph.output.extend(model.graph.output)
    if light.ir_version < 4:
        light.ir_version = 4  # lets initializers stay out of the inputs, as built above
    try:
        inferred = onnx.shape_inference.infer_shapes(light, strict_mode=False)
    except Exception:  # inference is advisory here: the importer computes every type itself
        return {}
    shapes = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
        t = vi.type.tensor_type
        if t.HasField("shape") and all(d.HasField("dim_value") for d in t.shape.dim):
            shapes[vi.name] = tuple(int(d.dim_value) for d in t.shape.dim)
    return shapes


def tensor_nbytes(tensor: onnx.TensorProto) -> int:
    """The data size of a tensor from its dims and type; TensorProto.ByteSize() would serialize the whole
    tensor to find out (upb keeps that buffer as long as the model lives)."""
    try:
        itemsize = np.dtype(helper.tensor_dtype_to_np_dtype(tensor.data_type)).itemsize
    except Exception:
        itemsize = 8
    return math.prod(tensor.dims) * itemsize


def elem_dtype(value_info) -> np.dtype | None:
    try:
        return np.dtype(helper.tensor_dtype_to_np_dtype(value_info.type.tensor_type.elem_type))
    except Exception:
        return None
