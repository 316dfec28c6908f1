"""The ONNX importer: one pass over the graph's nodes, in order, building `func.func @main` in nn ops.

Every ONNX tensor becomes either an SSA value or a compile-time constant (`ConstTensor`). A node whose
inputs are all constants is evaluated (constant folding), `Shape` of a statically shaped tensor too; any
other node goes to its converter. Constants become `nn.constant` ops only when an emitted op uses them.
"""
from __future__ import annotations

import os
from typing import Mapping, Sequence

import numpy as np
import onnx

from rnc.dialects.builtin import ModuleOp
from rnc.dialects.func import FuncOp, ReturnOp
from rnc.dialects.nn.constant import ConstantOp, INLINE_ELEMENTS_LIMIT, ResourceNames, constant_attr, resource_attr
from rnc.ir.attributes import ArrayAttr, StringAttr, TypeAttr
from rnc.ir.core import Block, Region, Value
from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.location import NameLoc
from rnc.ir.types import FloatType, FunctionType, TensorType, type_for_dtype
from rnc.ir.verifier import verify

from .context import NodeContext
from .errors import OnnxImportError, UnsupportedError
from .folding import evaluate_node, shape_of
from .loading import elem_dtype, first_non_text, inferred_shapes, load_external_data, load_model
from .registry import CONVERTERS, supported_ops
from .schema import schema_problem
from .tensors import ConstTensor, from_tensor_proto, value_name

InputShapes = Mapping[str, Sequence[int]] | Sequence[int] | None

# Ops that must not be folded even when their inputs are known (their outputs are not functions of them).
_NEVER_FOLD = frozenset({"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial",
                         "Bernoulli"})


def import_onnx(model: onnx.ModelProto | str | os.PathLike, input_shapes: InputShapes = None, *,
                base_dir: str | os.PathLike | None = None) -> ModuleOp:
    """Imports an ONNX model (a ModelProto or a path) into `builtin.module { func.func @main }` of nn ops.

    `input_shapes` fixes dynamic input dimensions: a shape for the single input, or a dict by input name.
    Raises OnnxImportError (UnsupportedError for ops rnc lacks) with a one-line message, which starts with
    the file's path when `model` is one.
    """
    if not isinstance(model, onnx.ModelProto):
        path = os.fspath(model)
        model = load_model(model, base_dir)   # its errors name the file already
        try:
            return OnnxImporter(model, input_shapes).run()
        except OnnxImportError as e:
            raise type(e)(f"{path}: {e}") from None
    field = first_non_text(model)
    if field is not None:
        raise OnnxImportError(f"not a valid ONNX model ({field} is not UTF-8 text)")
    if base_dir is not None:
        load_external_data(model, base_dir)
    return OnnxImporter(model, input_shapes).run()


class OnnxImporter:
    def __init__(self, model: onnx.ModelProto, input_shapes: InputShapes = None) -> None:
        self.model = model
        self.graph = model.graph
        self.opset = _default_opset(model)
        self.consts: dict[str, ConstTensor] = {}
        self.values: dict[str, Value] = {}
        self.unavailable: dict[str, str] = {}  # tensor name -> why it cannot be used
        self.names = ResourceNames()
        self.block = Block()
        self._requested_shapes = input_shapes
        supported_ops()  # loads the converter modules into CONVERTERS

    # ---- driver --------------------------------------------------------------------------------------
    def run(self) -> ModuleOp:
        self._read_initializers()
        arg_names, shapes = self._read_inputs()
        expected = inferred_shapes(self.model, shapes)
        for index, node in enumerate(self.graph.node):
            self._convert(node, node.name or f"{node.op_type}_{index}", expected)
        result_names = [o.name for o in self.graph.output]
        results = [self._output_value(name) for name in result_names]
        self.block.append(ReturnOp.build(values=results, location=NameLoc("output")))
        fn = FuncOp.create(regions=[Region([self.block])], attributes={
            "sym_name": StringAttr("main"),
            "function_type": TypeAttr(FunctionType(tuple(a.type for a in self.block.args),
                                                   tuple(v.type for v in results))),
            "arg_names": ArrayAttr(tuple(StringAttr(n) for n in arg_names)),
            "result_names": ArrayAttr(tuple(StringAttr(n) for n in result_names))})
        module = ModuleOp.empty([fn])
        try:
            verify(module)
        except DiagnosticError as e:
            raise OnnxImportError(f"internal error: the imported module does not verify: {e.diagnostic.message}") \
                from None
        return module

    def _read_initializers(self) -> None:
        for tensor in self.graph.initializer:
            self.consts[tensor.name] = from_tensor_proto(tensor, "initializer")

    def _read_inputs(self) -> tuple[list[str], dict[str, tuple[int, ...]]]:
        inputs = [i for i in self.graph.input if i.name not in self.consts]  # IR < 4 lists initializers too
        requested = self._requested_shapes
        if requested is not None and not isinstance(requested, Mapping):
            if len(inputs) != 1:
                raise OnnxImportError(f"one input shape given but the model has {len(inputs)} inputs "
                                      f"({', '.join(i.name for i in inputs)}); give shapes by input name")
            requested = {inputs[0].name: tuple(requested)}
        requested = dict(requested or {})
        unknown = sorted(set(requested) - {i.name for i in inputs})
        if unknown:
            raise OnnxImportError(f"input shape given for unknown input(s) {', '.join(unknown)}; the model's inputs "
                                  f"are {', '.join(i.name for i in inputs)}")
        shapes = {}
        for info in inputs:
            shape = self._input_shape(info, requested.get(info.name))
            dtype = elem_dtype(info)
            if dtype is None:
                raise UnsupportedError(f"input '{info.name}' has an unsupported element type")
            element = _element_type(dtype, f"input '{info.name}'")
            arg = self.block.add_arg(TensorType(shape, element), value_name(info.name))
            self.values[info.name] = arg
            shapes[info.name] = shape
        return [i.name for i in inputs], shapes

    def _input_shape(self, info, requested) -> tuple[int, ...]:
        if not info.type.HasField("tensor_type"):
            raise UnsupportedError(f"input '{info.name}' is not a tensor")
        dims = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None
                for d in info.type.tensor_type.shape.dim]
        if requested is not None:
            requested = tuple(int(d) for d in requested)
            if len(requested) != len(dims) or any(d is not None and d != r for d, r in zip(dims, requested)):
                raise OnnxImportError(f"input shape {'x'.join(map(str, requested))} does not fit input "
                                      f"'{info.name}' of shape {_dims_text(dims)}")
            return requested
        if any(d is None for d in dims) or not info.type.tensor_type.HasField("shape"):
            raise OnnxImportError(f"input '{info.name}' has the dynamic shape {_dims_text(dims)}; give a static "
                                  f"one (e.g. --input-shape {'x'.join(str(d or 1) for d in dims)})")
        return tuple(dims)  # type: ignore[arg-type]

    # ---- nodes ---------------------------------------------------------------------------------------
    def _convert(self, node, name: str, expected: dict[str, tuple]) -> None:
        label = f"node '{name}' ({node.op_type})"
        if node.domain not in ("", "ai.onnx"):
            raise UnsupportedError(f"{label}: unsupported op domain '{node.domain}'; supported ops (default "
                                   f"domain): {', '.join(supported_ops())}")
        problem = schema_problem(node, self.opset)
        if problem is not None:
            raise OnnxImportError(f"{label}: {problem}")
        for tensor in node.input:
            if tensor in self.unavailable:
                raise UnsupportedError(self.unavailable[tensor])
            if tensor and tensor not in self.consts and tensor not in self.values:
                raise OnnxImportError(f"{label}: input '{tensor}' is not defined by any earlier node, "
                                      "initializer or graph input")
        if self._fold(node, name):
            return
        for tensor in node.input:
            t = self.values[tensor].type if tensor in self.values else None
            if t is not None and not isinstance(getattr(t, "element_type", None), FloatType):
                raise UnsupportedError(f"{label}: only float tensors are computed; input '{tensor}' is {t}")
        convert = CONVERTERS.get(node.op_type)
        if convert is None:
            raise UnsupportedError(f"{label}: unsupported op type '{node.op_type}'; supported: "
                                   f"{', '.join(supported_ops())}")
        results = convert(NodeContext(self, node, name))
        for k, tensor in enumerate(node.output):
            if not tensor:
                continue
            if k >= len(results):
                self.unavailable[tensor] = f"{label}: output #{k} ('{tensor}') is not supported"
                continue
            value = results[k]
            if value.name_hint is None:
                value.name_hint = value_name(tensor)
            self.values[tensor] = value
            want = expected.get(tensor)
            if want is not None and isinstance(value.type, TensorType) and value.type.shape != want:
                raise OnnxImportError(f"{label}: rnc infers {value.type} for '{tensor}' but ONNX shape inference "
                                      f"gives shape {list(want)}")

    def _fold(self, node, name: str) -> bool:
        """Evaluates the node now if its outputs only depend on known values; True if it did."""
        if node.op_type in _NEVER_FOLD:
            return False
        if node.op_type in ("Shape", "Size") and node.input and node.input[0] in self.values:
            t = self.values[node.input[0]].type
            if not isinstance(t, TensorType) or not t.has_static_shape:
                return False
            shape = shape_of(node, t.shape, self.opset)
            value = shape if node.op_type == "Shape" else np.array(t.num_elements, dtype=np.int64)
            self.consts[node.output[0]] = ConstTensor.of(value)
            return True
        if node.op_type == "Constant":
            attrs = {a.name: a for a in node.attribute}
            if "value" in attrs:  # a tensor, maybe a big one: keep its raw bytes like an initializer's
                self.consts[node.output[0]] = from_tensor_proto(attrs["value"].t, f"constant of node '{name}'")
                return True
        if any(t and t not in self.consts for t in node.input):
            return False
        arrays = {t: self.consts[t].array() for t in node.input if t}
        for tensor, value in zip(node.output, evaluate_node(node, arrays, self.opset)):
            if tensor and value is not None:
                self.consts[tensor] = ConstTensor.of(value)
        return True

    # ---- values and constants --------------------------------------------------------------------------
    def value_of(self, tensor: str) -> Value:
        value = self.values.get(tensor)
        if value is not None:
            return value
        const = self.consts[tensor]
        if const.materialized is None:
            const.materialized = self._materialize(const, tensor)
        return const.materialized

    def type_of(self, tensor: str) -> TensorType:
        if tensor in self.values:
            return self.values[tensor].type  # type: ignore[return-value]
        const = self.consts[tensor]
        return TensorType(const.shape, _element_type(const.dtype, f"tensor '{tensor}'"))

    def _materialize(self, const: ConstTensor, tensor: str) -> Value:
        element = _element_type(const.dtype, f"constant '{tensor}'")
        dtype = _compute_dtype(const.dtype)
        if const.raw is not None and dtype == const.dtype and const.size > INLINE_ELEMENTS_LIMIT:
            attr = resource_attr(const.raw, TensorType(const.shape, element), self.names.fresh(tensor))
        else:
            attr = constant_attr(const.array().astype(dtype, copy=False), self.names, tensor)
        op = ConstantOp.of(attr, name=value_name(tensor), location=NameLoc(tensor))
        self.block.append(op)
        return op.results[0]

    def new_constant(self, array: np.ndarray, hint: str, location) -> Value:
        op = ConstantOp.of(constant_attr(array, self.names, hint), name=value_name(hint), location=location)
        self.block.append(op)
        return op.results[0]

    def _output_value(self, tensor: str) -> Value:
        if tensor in self.values or tensor in self.consts:
            return self.value_of(tensor)
        if tensor in self.unavailable:
            raise UnsupportedError(self.unavailable[tensor])
        raise OnnxImportError(f"graph output '{tensor}' is not computed by any node")


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype a tensor keeps in the IR: ONNX's own (models are float32; a float64 model stays float64)."""
    return np.dtype(dtype)


def _element_type(dtype: np.dtype, what: str):
    """The IR element type of a tensor of `dtype`; UnsupportedError naming `what` for types rnc lacks (float8,
    strings, ...)."""
    try:
        return type_for_dtype(_compute_dtype(dtype))
    except ValueError:
        raise UnsupportedError(f"{what} has element type {dtype}, which rnc does not support") from None


def _default_opset(model: onnx.ModelProto) -> int:
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return int(entry.version)
    return 1


def _dims_text(dims) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"
