"""ONNX frontend: an ONNX model (file or ModelProto) -> `builtin.module { func.func @main }` in the nn dialect.

    from rnc.frontends.onnx import import_onnx
    module = import_onnx("model.onnx", input_shapes=(1, 3, 64, 64))
"""
from .errors import OnnxImportError, UnsupportedError
from .importer import import_onnx
from .loading import load_model
from .registry import supported_ops

__all__ = ["import_onnx", "load_model", "supported_ops", "OnnxImportError", "UnsupportedError"]
