"""torch.nn.Module -> onnx.ModelProto through torch's legacy TorchScript exporter.

The legacy exporter (`dynamo=False`) is used on purpose: it is several times faster than the dynamo one and
names nodes after the module path ("/blocks/0/expand/conv/Conv"), which the IR keeps as locations.
"""

from __future__ import annotations

import io
import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import onnx
import torch

from rnc.driver.atomic import write_bytes_atomic

DEFAULT_OPSET = 17


def export_onnx(module: torch.nn.Module, example_input: torch.Tensor, path: str | os.PathLike | None = None,
                opset: int = DEFAULT_OPSET, input_names: Sequence[str] = ("input",),
                output_names: Sequence[str] = ("output",)) -> onnx.ModelProto:
    """Export `module` (switched to eval mode) traced on `example_input`, with constants folded.

    Returns the ONNX model; if `path` is given, also writes it there atomically (temp file, then rename).
    """
    module.eval()
    buffer = io.BytesIO()
    with _quiet_exporter(), torch.no_grad():
        torch.onnx.export(module, (example_input,), buffer, dynamo=False, opset_version=opset,
                          do_constant_folding=True, input_names=list(input_names),
                          output_names=list(output_names))
    model = onnx.load_from_string(buffer.getvalue())
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, buffer.getvalue())   # whole or not at all, with the umask's file mode
    return model


class _quiet_exporter:
    """Silence the legacy exporter's deprecation and tracer warnings and its logging, for one export."""

    def __enter__(self):
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore")
        self._logger = logging.getLogger("torch.onnx")
        self._level = self._logger.level
        self._logger.setLevel(logging.ERROR)
        return self

    def __exit__(self, *exc_info):
        self._logger.setLevel(self._level)
        return self._warnings.__exit__(*exc_info)
