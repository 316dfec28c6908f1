"""Torch frontend: turn a torch.nn.Module into ONNX, which the ONNX importer then reads.

torch is imported here and in the built-in model builders only.
"""

from .export import export_onnx

__all__ = ["export_onnx"]
