"""The ONNX export of a built-in model, kept on disk so that compiling it again needs no torch.

Building a model (seeded init, BatchNorm calibration) and exporting it takes torch's import and ~10 s; the
export is a pure function of the model's source, the seed, the input shape, the opset and the torch and
onnx versions, so the bytes are cached under a key hashing all of them. A stale or unreadable entry is
rebuilt; a cache that cannot be written is skipped.

Folder: $RNC_CACHE_DIR, else $XDG_CACHE_HOME/rnc, else ~/.cache/rnc; RNC_CACHE_DIR="" turns the cache off.
"""
from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from . import get_spec

CACHE_ENV = "RNC_CACHE_DIR"
# The files whose text decides the exported bytes (besides the versions in the key); read as files, since
# importing rnc.frontends.torch would import torch.
_ZOO = Path(__file__).parent
_SOURCES = (_ZOO / "__init__.py", _ZOO.parent / "torch" / "export.py")


def cache_dir() -> Path | None:
    """Where exports are kept (None: caching is off)."""
    if CACHE_ENV in os.environ:
        value = os.environ[CACHE_ENV]
        return Path(value) if value else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnc"


def builtin_onnx(name: str, seed: int = 0) -> onnx.ModelProto:
    """The ONNX model of built-in `name` at `seed`, from the cache when it is there."""
    folder = cache_dir()
    path = folder / "zoo" / f"{name}-{_key(name, seed)}.onnx" if folder else None
    if path is not None and path.is_file():
        try:
            return onnx.load_from_string(path.read_bytes())
        except (OSError, DecodeError):
            pass   # a damaged entry: export again below
    import torch
    from rnc.frontends.torch import export_onnx
    from rnc.frontends.torch.export import write_atomically
    from . import build_model
    model = export_onnx(build_model(name, seed), torch.zeros(get_spec(name).input_shape))
    if path is not None:
        try:
            write_atomically(path, model.SerializeToString())
        except OSError:
            pass   # a read-only home: compile without the cache
    return model


def _key(name: str, seed: int) -> str:
    spec = get_spec(name)
    h = hashlib.sha256()
    for path in _SOURCES + (_ZOO / f"{spec.builder.__qualname__[len('build_'):]}.py",):
        h.update(path.read_bytes())
    for dist in ("torch", "onnx"):
        h.update(metadata.version(dist).encode())
    h.update(repr((name, seed, spec.input_shape, spec.num_classes)).encode())
    return h.hexdigest()[:16]
