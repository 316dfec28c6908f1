"""The table of ONNX op converters: `@converter("Conv")` registers a function `(ctx) -> list[Value]`.

A converter receives a `NodeContext` (inputs, attributes, emit helpers) and returns one value per ONNX
output it produces. Nodes whose inputs are all constants never reach a converter: they are folded.
"""
from __future__ import annotations

from typing import Callable

CONVERTERS: dict[str, Callable] = {}

# Ops the importer evaluates itself instead of converting (Shape and Size: of statically shaped tensors).
FOLDED_OPS = ("Constant", "Shape", "Size")


def converter(*op_types: str):
    def register(fn: Callable) -> Callable:
        for op_type in op_types:
            if op_type in CONVERTERS:
                raise ValueError(f"converter for {op_type} registered twice")
            CONVERTERS[op_type] = fn
        return fn
    return register


def supported_ops() -> list[str]:
    """ONNX op types the frontend imports (loading every converter module first)."""
    from . import (convert_elementwise, convert_indexing, convert_layers, convert_pooling, convert_resize,  # noqa: F401
                   convert_shapes)
    return sorted([*CONVERTERS, *FOLDED_OPS])
