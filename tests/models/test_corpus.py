"""The model corpus, exported both ways, compiles end to end: bit-exact against the quantized oracle and
within cosine 0.99 of onnxruntime (8-bit weights and activations)."""
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from compile_corpus import MIN_COSINE, compile_corpus_model  # noqa: E402
from corpus import CORPUS  # noqa: E402
from exports import EXPORTERS  # noqa: E402

# Models whose export keeps a static batch (the exporter refuses a dynamic one): none so far.
STATIC_BATCH: set[tuple[str, str]] = set()


@pytest.mark.parametrize("exporter", EXPORTERS)
@pytest.mark.parametrize("entry", CORPUS, ids=lambda e: e.name)
def test_corpus_model_compiles_end_to_end(entry, exporter, corpus_exports):
    model, dynamic = corpus_exports(entry, exporter)
    assert dynamic or (entry.name, exporter) in STATIC_BATCH
    result = compile_corpus_model(model, entry.input_shape)
    assert result.error is None, result.error
    assert result.bit_exact
    assert result.cosine_vs_onnxruntime >= MIN_COSINE
