"""A node checked against its ONNX op schema before a converter reads it: attribute types and input counts.

A damaged or hand-made file can give `pads` as a graph or `axis` as a string; converters read attributes
by name and trust their type, so the importer checks every attribute the schema knows, and the number of
inputs, first. Ops without a schema (unknown types) are left to the "unsupported op" message.
"""
from __future__ import annotations

import onnx
from onnx import defs


def _schema(node, opset: int):
    try:
        return defs.get_schema(node.op_type, opset, node.domain)
    except defs.SchemaError:
        return None


def attribute_type_name(attr_type: int) -> str:
    """'INTS', 'TENSOR', ...; the number for a value outside ONNX's enum."""
    try:
        return onnx.AttributeProto.AttributeType.Name(attr_type)
    except ValueError:
        return f"type {attr_type}"


def schema_problem(node, opset: int) -> str | None:
    """Why `node` does not fit its op's schema at `opset` (a wrong attribute type, too few or too many
    inputs), or None."""
    schema = _schema(node, opset)
    if schema is None:
        return None
    for attr in node.attribute:
        declared = schema.attributes.get(attr.name)
        if declared is not None and int(attr.type) != int(declared.type):
            return (f"attribute '{attr.name}' must be {attribute_type_name(int(declared.type))}, "
                    f"got {attribute_type_name(attr.type)}")
    count = len(node.input)
    if not schema.min_input <= count <= schema.max_input:
        return f"takes {schema.min_input}..{schema.max_input} inputs, got {count}"
    return None
