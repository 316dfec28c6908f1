"""Exports the corpus with both torch exporters, with a dynamic batch dimension where the exporter allows it.

The dynamo exporter takes several seconds per model, so exports are cached on disk (the pytest cache, or
`bench/models.py`'s folder), keyed by the corpus source and the torch and onnxscript versions: a changed
model or exporter exports again.
"""
from __future__ import annotations

import hashlib
import io
import logging
import warnings
from contextlib import contextmanager
from pathlib import Path

import onnx
import torch

from corpus import CorpusModel, build

EXPORTERS = ("dynamo", "legacy")
LEGACY_OPSET = 17  # torch's legacy exporter default


def export(entry: CorpusModel, exporter: str) -> tuple[onnx.ModelProto, bool]:
    """(the ONNX model, whether its batch dimension is dynamic): dynamic if the exporter manages it."""
    module = build(entry)
    x = torch.randn(*entry.input_shape, generator=torch.Generator().manual_seed(0))
    with _quiet(), torch.no_grad():
        for dynamic in (True, False):
            try:
                return _export(module, x, exporter, dynamic), dynamic
            except Exception:
                if not dynamic:
                    raise
    raise AssertionError("unreachable")


def _export(module, x, exporter: str, dynamic: bool) -> onnx.ModelProto:
    if exporter == "dynamo":
        shapes = ({0: torch.export.Dim("batch")},) if dynamic else None
        program = torch.onnx.export(module, (x,), dynamo=True, dynamic_shapes=shapes, verbose=False)
        return program.model_proto
    buffer = io.BytesIO()
    axes = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic else None
    torch.onnx.export(module, (x,), buffer, dynamo=False, opset_version=LEGACY_OPSET, input_names=["input"],
                      output_names=["output"], dynamic_axes=axes)
    return onnx.load_from_string(buffer.getvalue())


def cached_export(entry: CorpusModel, exporter: str, folder: Path) -> tuple[onnx.ModelProto, bool]:
    """`export`, read from `folder` when this corpus and these exporter versions wrote it before."""
    path = folder / f"{entry.name}.{exporter}.{_version_key()}.onnx"
    if path.exists():
        model = onnx.load(str(path))
        return model, model.graph.input[0].type.tensor_type.shape.dim[0].HasField("dim_param")
    model, dynamic = export(entry, exporter)
    folder.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_bytes(model.SerializeToString())
    temp.replace(path)
    return model, dynamic


def _version_key() -> str:
    import onnxscript
    source = (Path(__file__).parent / "corpus.py").read_bytes() + Path(__file__).read_bytes()
    text = source + f"{torch.__version__} {onnxscript.__version__}".encode()
    return hashlib.sha256(text).hexdigest()[:12]


@contextmanager
def _quiet():
    """Silences both exporters' warnings and progress logging."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(previous)
