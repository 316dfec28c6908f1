"""Damaged `.isa` programs through `rnc sim`: a one-line error naming the file, or a run whose figures are all
finite; never a traceback, an internal error or a hang (issue #16). The program mutated is the one
`rnc compile` writes for a tiny convnet: numbers swapped for hostile values, lines dropped, repeated, swapped
or cut, bytes flipped."""
from __future__ import annotations

import random
import re

import onnx
import pytest
from fuzz_harness import failures_report, run_rnc
from nn_onnx_cases import CASES

SEED = 1717
CASES_RUN = 120
HOSTILE_NUMBERS = ["0", "-1", "1e308", "nan", "inf", "-0", "99999999999999999999", "4097", "1.5", "0x10", "",
                   "2147483648", "-2147483649"]
NUMBER = re.compile(r"(?<![\w@%.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.fixture(scope="module")
def program_text(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("isa")
    model = folder / "small.onnx"
    onnx.save(CASES["small_convnet"](), str(model))
    outcome = run_rnc(["compile", str(model), "--quiet", "--out", str(folder / "out")], time_limit=120)
    assert outcome.status == 0, outcome.stderr
    return (folder / "out" / "program.isa").read_text()


def _mutant(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(7)
        i = rng.randrange(len(lines))
        if kind <= 2:   # a number (shape, slice bound, count, scale) becomes hostile
            numbers = list(NUMBER.finditer(lines[i]))
            if numbers:
                m = rng.choice(numbers)
                lines[i] = lines[i][:m.start()] + rng.choice(HOSTILE_NUMBERS) + lines[i][m.end():]
        elif kind == 3:
            del lines[i]
        elif kind == 4:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif kind == 5:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        else:   # a word becomes another word of the program (a name, an opcode, a keyword)
            words = lines[i].split()
            if words:
                words[rng.randrange(len(words))] = rng.choice(text.split())
                lines[i] = " ".join(words)
    data = ("\n".join(lines) + "\n").encode()
    if rng.random() < 0.15:
        data = data[:rng.randrange(len(data))]
    if rng.random() < 0.15:
        k = rng.randrange(len(data))
        data = data[:k] + bytes([rng.randrange(256)]) + data[k + 1:]
    return data


def test_damaged_programs_through_rnc_sim(tmp_path, monkeypatch, program_text):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(SEED)
    problems, refused = [], 0
    for index in range(CASES_RUN):
        program = tmp_path / f"p{index}.isa"
        program.write_bytes(_mutant(program_text, rng))
        outcome = run_rnc(["sim", program.name, "--json"])
        problem = outcome.problem(program.name)
        if problem:
            problems.append(f"{problem}\n    {program.read_bytes()[:200]!r}")
        refused += outcome.status == 2
    assert not problems, failures_report(problems)
    assert refused > CASES_RUN // 3


def test_the_unmutated_program_simulates(tmp_path, monkeypatch, program_text):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.isa").write_text(program_text)
    outcome = run_rnc(["sim", "p.isa", "--json"])
    assert outcome.status == 0 and outcome.problem("p.isa") is None, outcome.stderr
