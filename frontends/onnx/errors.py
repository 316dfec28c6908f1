"""Errors of the ONNX frontend: one-line messages the CLI prints as they are (exit status 2)."""
from __future__ import annotations


class OnnxImportError(Exception):
    """A model the frontend cannot import: unreadable, invalid, or using what rnc does not support."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the cause's message looked like


class UnsupportedError(OnnxImportError):
    """A valid model using an op, or a form of an op (3-d conv, ...), that rnc does not support."""


def node_label(node) -> str:
    """How messages name a node: `node 'Conv_0' (Conv)`."""
    return f"node '{node.name}' ({node.op_type})"
