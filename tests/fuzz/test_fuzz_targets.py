"""Damaged hardware descriptions (TOML targets and SimConfig.ini files) through `rnc compile --target`: a
one-line error naming the file, or a compile whose figures are all finite; never a hang (issue #16)."""
from __future__ import annotations

import random

import onnx
import pytest
from fuzz_harness import failures_report, run_rnc
from nn_onnx_cases import CASES

from rnc.hw.sim_config import DEFAULT_SIM_CONFIG
from rnc.hw.target import Target

SEED = 1616
TOML_CASES = 70
INI_CASES = 70
HOSTILE_VALUES = ["nan", "inf", "-inf", "1e308", "1e-300", "-1", "0", "0.5", "4097", "99999999999999999999",
                  '"eight"', "true", "[1, 2]", "{a = 1}", "1979-05-27", "3", "128", "1"]
HOSTILE_INI_VALUES = ["nan", "inf", "-inf", "1e308", "1e-300", "-1", "0", "0.5", "4097", "", "abc", "1, 2, 3",
                      "128, 128", "5000, 5000", "-1, 128", "9", "99999999999999999999", "\x00"]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "small.onnx"
    onnx.save(CASES["small_convnet"](), str(path))
    return path


def _toml_mutant(rng: random.Random) -> bytes:
    keys = [p.key for p in Target.parameters()]
    lines = ["[crossbar]"] + [f"{key} = {rng.choice(HOSTILE_VALUES)}" for key in rng.sample(keys, rng.randint(1, 3))]
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.25:   # damage the syntax too
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice(["[", "=", '"', "\n[crossbar]\n", "\xff"]) + text[i + 1:]
    return text.encode("utf-8", "surrogateescape")


def _ini_mutant(rng: random.Random) -> bytes:
    lines = DEFAULT_SIM_CONFIG.read_text().splitlines()
    settable = [i for i, line in enumerate(lines) if "=" in line and not line.startswith("#")]
    for i in rng.sample(settable, rng.randint(1, 3)):
        key = lines[i].split("=")[0].strip()
        lines[i] = f"{key} = {rng.choice(HOSTILE_INI_VALUES)}"
    kind = rng.randrange(6)
    if kind == 0:
        lines.insert(rng.randrange(len(lines)), rng.choice(["[Device level]", "[Crossbar level", "Read_Latency = 1",
                                                            "no equals sign", "  indented = 3"]))
    elif kind == 1:
        lines = lines[:rng.randrange(len(lines))]
    data = ("\n".join(lines) + "\n").encode()
    if kind == 2:
        data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))) + data
    return data


@pytest.mark.parametrize("suffix, make, cases", [(".toml", _toml_mutant, TOML_CASES), (".ini", _ini_mutant, INI_CASES)])
def test_damaged_targets_through_rnc_compile(tmp_path, monkeypatch, model_file, suffix, make, cases):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(SEED)
    problems, refused = [], 0
    for index in range(cases):
        target = tmp_path / f"t{index}{suffix}"
        target.write_bytes(make(rng))
        out = tmp_path / f"out{index}"
        outcome = run_rnc(["compile", str(model_file), "--target", target.name, "--no-simulate", "--quiet",
                           "--out", str(out)])
        problem = outcome.problem(target.name, report=out / "report.json")
        if problem:
            problems.append(f"{problem}\n    {target.read_bytes()[:300]!r}")
        refused += outcome.status == 2
    assert not problems, failures_report(problems)
    assert refused > cases // 2
