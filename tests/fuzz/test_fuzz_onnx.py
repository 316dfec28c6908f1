"""Damaged ONNX files through `rnc import` and `rnc compile`: a one-line error naming the file, or a clean
success; never a traceback, an internal error or a hang (issue #16). Seeded: the same cases every run."""
from __future__ import annotations

import random

from fuzz_harness import failures_report, run_rnc
from onnx_mutants import mutant

SEED = 16
IMPORT_CASES = 300
COMPILE_CASES = 40      # also through placement, timing and (every other case) the functional check


def test_damaged_onnx_through_rnc_import(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # short names in the messages
    rng = random.Random(SEED)
    problems, refused = [], 0
    for index in range(IMPORT_CASES):
        path, damage = mutant(rng, tmp_path, index)
        outcome = run_rnc(["import", path.name, "-o", "out.rir"])
        problem = outcome.problem(path.name)
        if problem:
            problems.append(f"[{damage}] {problem}")
        refused += outcome.status == 2
    assert not problems, failures_report(problems)
    assert refused > IMPORT_CASES // 2   # the damage is mostly detected, not mostly harmless


def test_damaged_onnx_through_rnc_compile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(SEED + 1)
    problems = []
    for index in range(COMPILE_CASES):
        path, damage = mutant(rng, tmp_path, index)
        out = f"out{index}"
        simulate = [] if index % 2 else ["--no-simulate"]
        outcome = run_rnc(["compile", path.name, "--quiet", "--out", out, *simulate])
        problem = outcome.problem(path.name, report=tmp_path / out / "report.json")
        if problem:
            problems.append(f"[{damage}] {problem}")
    assert not problems, failures_report(problems)
