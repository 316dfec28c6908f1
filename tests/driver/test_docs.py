"""docs/compile.md's "Compiling from Python" snippet runs as written and prints what the page says."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "compile.md"


def _section(title: str) -> str:
    text = DOC.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def _block(section: str, language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"docs/compile.md has no ```{language} block in this section"
    return match.group(1)


def test_python_snippet_prints_what_the_doc_shows(tmp_path):
    section = _section("Compiling from Python")
    proc = subprocess.run([sys.executable, "-c", _block(section, "python")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == _block(section, "text")
    written = {p.name for p in (tmp_path / "out" / "squeezenet").iterdir()}
    assert {"report.json", "report.html", "sweep.json", "program.isa"} <= written
    assert "placed.rir" not in written and "model.rir" not in written   # the weights once, by default
