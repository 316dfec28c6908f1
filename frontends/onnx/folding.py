"""Evaluating ONNX nodes whose inputs are all known, with onnx's reference evaluator (numpy inside).

Shape-computation chains (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, ConstantOfShape, ...) fold to
constants this way, so the nn dialect never sees them.
"""
from __future__ import annotations

import numpy as np
from onnx import helper

from .errors import OnnxImportError, node_label


def evaluate_node(node, inputs: dict[str, np.ndarray], opset: int) -> list[np.ndarray | None]:
    """The node's outputs (None for outputs it does not name) for the given input arrays."""
    from onnx.reference import ReferenceEvaluator  # imported on first fold: it is slow to import

    names = [n for n in node.input if n]
    graph_inputs = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(inputs[n].dtype),
                                                  list(inputs[n].shape)) for n in dict.fromkeys(names)]
    outputs = [n for n in node.output if n]
    graph = helper.make_graph([node], "fold", graph_inputs, [helper.make_empty_tensor_value_info(n) for n in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    try:
        results = ReferenceEvaluator(model).run(None, {n: inputs[n] for n in dict.fromkeys(names)})
    except Exception as e:  # the evaluator raises whatever its numpy code raises
        raise OnnxImportError(f"{node_label(node)}: constant folding failed: {type(e).__name__}: {e}") from None
    by_name = dict(zip(outputs, results))
    return [None if not n else np.asarray(by_name[n]) for n in node.output]


def shape_of(node, shape: tuple[int, ...], opset: int) -> np.ndarray:
    """`Shape` of a tensor whose static shape is known (with opset 15's start/end slicing)."""
    start, end = 0, len(shape)
    for a in node.attribute:
        if a.name == "start":
            start = a.i
        elif a.name == "end":
            end = a.i
    return np.array(shape[slice(start, end)] if opset >= 15 else shape, dtype=np.int64)
