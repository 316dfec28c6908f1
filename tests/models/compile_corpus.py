"""One corpus model end to end: import its ONNX export at batch 1, compile with the functional check, and
compare the simulated output with onnxruntime's on the check's input."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import onnx

from rnc.driver import CompileOptions, compile_model
from rnc.frontends.onnx import import_onnx

sys.path.insert(0, str(Path(__file__).parents[1] / "frontends"))
from nn_compare import cosine, onnxruntime_outputs  # noqa: E402

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
