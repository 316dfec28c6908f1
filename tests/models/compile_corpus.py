"""One corpus model end to end: import its ONNX export at batch 1, compile with the functional check, and
compare the simulated output with onnxruntime's on the check's input."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx

from rnc.driver import CompileOptions, compile_model
from rnc.frontends.onnx import import_onnx

MIN_COSINE = 0.99


@dataclass
class CorpusResult:
    """What `compile_corpus_model` found: None figures when it stopped at `error`."""

    bit_exact: bool | None = None
    cosine_vs_float: float | None = None
    cosine_vs_onnxruntime: float | None = None
    xbars: int | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.bit_exact) and self.cosine_vs_onnxruntime >= MIN_COSINE


def compile_corpus_model(model: onnx.ModelProto, input_shape: tuple[int, ...]) -> CorpusResult:
    try:
        run = compile_model(import_onnx(model, input_shape), CompileOptions(simulate_isa=True)).last
    except Exception as e:  # the corpus reports what stopped a model, it does not stop
        return CorpusResult(error=f"{type(e).__name__}: {e}")
    expected = onnxruntime_outputs(model, run.isa.check_input)[0]
    return CorpusResult(run.isa.check.bit_exact_vs_quantized_oracle, run.isa.check.cosine_vs_float,
                        cosine(run.isa.outputs[0], expected), run.xbars_used)


def onnxruntime_outputs(model: onnx.ModelProto, inputs: list[np.ndarray]) -> list[np.ndarray]:
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, {i.name: x for i, x in zip(session.get_inputs(), inputs)})


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b / norms) if norms else float(np.array_equal(a, b))
