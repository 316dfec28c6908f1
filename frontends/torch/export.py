"""torch.nn.Module -> onnx.ModelProto through torch's legacy TorchScript exporter.

The legacy exporter (`dynamo=False`) is used on purpose: it is several times faster than the dynamo one and
names nodes after the module path ("/blocks/0/expand/conv/Conv"), which the IR keeps as locations.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import warnings
from collections.abc import Sequence
from pathlib import Path

import onnx
import torch

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
        write_atomically(Path(path), buffer.getvalue())
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


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temp file beside `path`, then rename, so readers never see a half-written model.

    The temp file is created with mode 0666 less the umask, as open() would (mkstemp's 0600 made the Pareto
    models of `rnc nas` unreadable to others). frontends sits below rnc.driver, so it has its own writer.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp_name = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
        os.replace(temp_name, path)
    except BaseException:
        temp_name.unlink(missing_ok=True)
        raise
