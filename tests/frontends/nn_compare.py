"""Shared by the frontend tests: run a model with onnxruntime and with rnc, and measure the difference."""
from __future__ import annotations

import numpy as np
import onnx

# Required agreement: max |rnc - reference| <= TOLERANCE * max |reference| (the output's scale).
TOLERANCE = 1e-4
CANONICALIZATION = "fold-constants,fold-batch-norm,remove-dropout-identity,canonicalize"


def random_inputs(module, seed: int = 0) -> list[np.ndarray]:
    from rnc.dialects.func import find_function
    rng = np.random.default_rng(seed)
    args = find_function(module).regions[0].blocks[0].args
    return [rng.standard_normal(a.type.shape).astype(a.type.numpy_dtype) for a in args]


def onnxruntime_outputs(model: onnx.ModelProto, inputs: list[np.ndarray]) -> list[np.ndarray]:
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, dict(zip(names, inputs)))


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    want = np.asarray(want)
    if got.shape != want.shape:
        return float("inf")
    scale = max(float(np.max(np.abs(want))), 1e-12) if want.size else 1.0
    return float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) / scale if want.size else 0.0


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine similarity of two outputs, flattened (1.0 for two zero outputs)."""
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b / norms) if norms else float(np.array_equal(a, b))


def canonicalize(module) -> None:
    from rnc.ir.pass_manager import PassManager, parse_pipeline
    PassManager(parse_pipeline(CANONICALIZATION)).run(module)
