"""The corpus exports, shared by every test of this folder: each model is exported once per session (and
cached on disk across sessions, see exports.py)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def corpus_exports(request):
    """`get(entry, exporter) -> (onnx model, dynamic batch?)`, each export made once."""
    pytest.importorskip("onnxscript")
    from exports import cached_export
    folder = Path(request.config.cache.mkdir("rnc-corpus-exports"))
    made = {}

    def get(entry, exporter):
        key = (entry.name, exporter)
        if key not in made:
            made[key] = cached_export(entry, exporter, folder)
        return made[key]
    return get
