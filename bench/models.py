"""How many models of the corpus (tests/models/corpus.py) compile end to end per torch exporter, with the
functional check and the cosine of the simulated output vs onnxruntime; then the onnx package's model-zoo
structures (`onnx/backend/test/data/light`, 224x224, minutes each: `--zoo`).

    .venv/bin/python bench/models.py [--zoo]

Exports are cached in out/bench-models/ (the dynamo exporter takes seconds per model).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import onnx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "models"))

from compile_corpus import compile_corpus_model  # noqa: E402
from corpus import CORPUS  # noqa: E402
from exports import EXPORTERS, cached_export  # noqa: E402

CACHE = ROOT / "out" / "bench-models"


def corpus() -> None:
    print(f"{'model':<16} {'exporter':<8} {'batch':<7} {'xbars':>5} {'exact':>5} {'cos vs ort':>10} {'time':>6}  result")
    passed = {e: 0 for e in EXPORTERS}
    for entry in CORPUS:
        for exporter in EXPORTERS:
            started = time.perf_counter()
            model, dynamic = cached_export(entry, exporter, CACHE)
            r = compile_corpus_model(model, entry.input_shape)
            wall = time.perf_counter() - started
            passed[exporter] += r.passed
            cos = f"{r.cosine_vs_onnxruntime:.4f}" if r.cosine_vs_onnxruntime is not None else "-"
            print(f"{entry.name:<16} {exporter:<8} {'dynamic' if dynamic else 'static':<7} {r.xbars or '-':>5} "
                  f"{'yes' if r.bit_exact else '-':>5} {cos:>10} {wall:5.1f}s  "
                  f"{'ok' if r.passed else r.error or 'FAILED (cosine)'}", flush=True)
    for exporter in EXPORTERS:
        print(f"{exporter}: {passed[exporter]} of {len(CORPUS)} models compile end to end with the check")


def zoo() -> None:
    from rnc.driver import CompileOptions, compile_model
    light = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
    for path in sorted(light.glob("*.onnx")):
        started = time.perf_counter()
        try:
            run = compile_model(str(path), CompileOptions(simulate_isa=True)).last
            outcome = f"{run.xbars_used} xbars, check {'ok' if run.isa.check.passed else 'FAILED'} " \
                      f"({run.isa.check.describe()})"
        except Exception as e:
            outcome = f"{type(e).__name__}: {e}"
        print(f"{path.stem:<24} {time.perf_counter() - started:6.1f}s  {outcome}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zoo", action="store_true", help="also compile the onnx package's model-zoo structures")
    args = parser.parse_args()
    corpus()
    if args.zoo:
        zoo()


if __name__ == "__main__":
    main()
