"""Robustness: rnc-opt answers any damaged .rir text with a diagnostic and status 2, never a traceback.

Valid files are mutated (characters and tokens deleted, duplicated, swapped, replaced) with a fixed seed;
each mutant runs in-process through rnc.tools.rnc_opt.run (fast), a few through the real command.
"""
import io
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnc.ir.diagnostics import source_excerpt
from rnc.tools.rnc_opt import build_arg_parser, run

LIT = Path(__file__).resolve().parents[1] / "lit"
SOURCES = sorted((LIT / "ir").glob("*.rir")) + sorted((LIT / "dialects").glob("*/ops.rir")) \
    + [LIT / "ir" / "resources.rir"]
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[%^@!#]?[\w.$-]+(?:<[^<>\n]*>)?|\S')
SEED = 20240611
CASES = 300
ODD_CHARACTERS = ['"', "\\", "{", "}", "(", ")", "<", ">", "[", "]", "%", "#", "^", "@", "!", ":", ",", "=",
                  "-", "0", "x", "\n", "\x00", "é", "//", "{-#", "#-}", "0x", "1e999", "9" * 5000, "?"]


def mutate(text: str, rng: random.Random) -> str:
    """One random damage: at the character or the token level."""
    kind = rng.randrange(7)
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return text + rng.choice(ODD_CHARACTERS)
    if kind < 4:
        i = rng.randrange(len(text))
        if kind == 0:
            return text[:i] + text[i + 1:]
        if kind == 1:
            return text[:i] + text[i] + text[i:]
        if kind == 2 and i + 1 < len(text):
            return text[:i] + text[i + 1] + text[i] + text[i + 2:]
        return text[:i] + rng.choice(ODD_CHARACTERS) + text[i:]
    a = rng.choice(tokens)
    if kind == 4:
        return text[:a.start()] + text[a.end():]
    if kind == 5:
        return text[:a.start()] + a.group() + " " + text[a.start():]
    b = rng.choice(tokens)
    first, second = sorted((a, b), key=lambda m: m.start())
    if first.end() > second.start():
        return text
    return (text[:first.start()] + second.group() + text[first.end():second.start()] + first.group()
            + text[second.end():])


def mutants():
    rng = random.Random(SEED)
    # The test files are mostly CHECK comments: damage the code, not them.
    texts = [(p.name, "\n".join(line for line in p.read_text().split("\n") if not line.startswith("//")))
             for p in SOURCES]
    out = []
    for k in range(CASES):
        name, text = texts[k % len(texts)]
        damaged = text
        for _ in range(rng.randint(1, 3)):
            damaged = mutate(damaged, rng)
        out.append((f"{name}#{k}", damaged))
    return out


def run_in_process(text: str, *flags: str) -> tuple[int, str, str]:
    args = build_arg_parser().parse_args(["-", *flags])
    out, err = io.StringIO(), io.StringIO()
    status = run(args, out, err, stdin=io.StringIO(text))
    return status, out.getvalue(), err.getvalue()


def test_mutants_get_diagnostics_not_tracebacks():
    failures = []
    errors = 0
    for name, text in mutants():
        for flags in ((), ("--allow-unregistered-dialect", "--passes=canonicalize")):
            try:
                status, _, err = run_in_process(text, *flags)
            except Exception as e:  # noqa: BLE001 - collected, then reported all at once
                failures.append(f"{name} {flags}: raised {type(e).__name__}: {e}")
                continue
            if status not in (0, 2):
                failures.append(f"{name}: exit status {status}")
            elif status == 2 and ("error:" not in err or "Traceback" in err or "internal error" in err):
                failures.append(f"{name}: status 2 without a proper diagnostic:\n{err}")
            elif status == 0 and "error:" in err:
                failures.append(f"{name}: status 0 with an error:\n{err}")
            errors += status == 2
    assert not failures, "\n".join(failures[:10])
    assert errors > CASES  # most damage is detected (some mutations stay valid: a swapped name, ...)


def test_parse_errors_point_into_the_text():
    """Every located diagnostic names a line of the input and puts its caret within (or just past) it; a long
    line is quoted in part (source_excerpt), the caret on the same character."""
    for name, text in mutants()[:100]:
        status, _, err = run_in_process(text)
        lines = err.split("\n")
        for i, line in enumerate(lines):
            m = re.match(r"<stdin>:(\d+):(\d+): error: ", line)
            if m and i + 2 < len(lines):
                row, col = int(m.group(1)), int(m.group(2))
                source = text.split("\n")
                assert 1 <= row <= len(source), (name, line)
                shown, caret = source_excerpt(source[row - 1], col)
                assert lines[i + 1] == shown, (name, line)
                assert lines[i + 2] == " " * (caret - 1) + "^", (name, line)
                assert col <= len(source[row - 1]) + 1, (name, line)


@pytest.mark.parametrize("index", [3, 11, 42])
def test_the_command_line_tool_also_exits_2_with_a_diagnostic(tmp_path, index):
    name, text = [m for m in mutants() if run_in_process(m[1])[0] == 2][index]
    path = tmp_path / "damaged.rir"
    path.write_text(text, encoding="utf-8")
    exe = Path(sys.executable).with_name("rnc-opt")
    proc = subprocess.run([str(exe), str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, name
    assert f"{path}:" in proc.stderr and "error:" in proc.stderr, name
    assert "Traceback" not in proc.stderr
