"""The regression corpus (tests/fuzz/corpus/expected.toml): every kept hostile input is still refused with
exit status 2 and its one-line message."""
from __future__ import annotations

import tomllib
from pathlib import Path

import onnx
import pytest
from fuzz_harness import run_rnc
from nn_onnx_cases import CASES

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES_TOML = tomllib.loads((CORPUS / "expected.toml").read_text())["case"]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "small.onnx"
    onnx.save(CASES["small_convnet"](), str(path))
    return path


def test_every_corpus_file_is_listed():
    listed = {case["file"] for case in CASES_TOML}
    present = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*")}
    assert listed == present


@pytest.mark.parametrize("case", CASES_TOML, ids=[case["file"] for case in CASES_TOML])
def test_corpus_case_is_refused_with_its_message(tmp_path, monkeypatch, model_file, case):
    monkeypatch.chdir(CORPUS)
    out = str(tmp_path / "out")
    argv = {"import": ["import", case["file"], "-o", str(tmp_path / "out.rir")],
            "compile": ["compile", case["file"], "--quiet", "--out", out],
            "sim": ["sim", case["file"]],
            "target": ["compile", str(model_file), "--target", case["file"], "--no-simulate", "--quiet",
                       "--out", out]}[case["command"]]
    outcome = run_rnc(argv)
    assert outcome.problem(case["file"]) is None and outcome.status == 2, outcome
    assert case["message"] in outcome.stderr
