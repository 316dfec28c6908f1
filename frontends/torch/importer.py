"""torch.nn.Module -> nn dialect: export to ONNX (torch's exporter), then the ONNX frontend.

torch is imported only here, in export.py and in the built-in model builders.
"""
from __future__ import annotations

import torch

from rnc.dialects.builtin import ModuleOp
from rnc.frontends.onnx import import_onnx

from .export import DEFAULT_OPSET, export_onnx


def import_torch(module: torch.nn.Module, example_input: torch.Tensor, *, opset: int = DEFAULT_OPSET) -> ModuleOp:
    """The module (switched to eval mode), traced on `example_input`, as `func.func @main` in nn ops."""
    return import_onnx(export_onnx(module, example_input, opset=opset))


def import_builtin(name: str, seed: int = 0, input_shape: tuple[int, ...] | None = None) -> ModuleOp:
    """A built-in model (`rnc.frontends.zoo`) with seeded weights, imported at its default input shape.

    Raises zoo.UnknownModelError (listing the known names) for an unknown `name`.
    """
    from rnc.frontends.zoo import build_model, get_spec

    spec = get_spec(name)
    model = build_model(name, seed=seed)
    shape = tuple(input_shape or spec.input_shape)
    return import_torch(model, torch.zeros(shape))
