"""docs/ir.md's snippets run as written and print what the page says they print."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "ir.md"


def test_errors_and_warnings_snippet_prints_what_the_doc_shows(tmp_path):
    text = DOC.read_text()
    section = text[text.index("**Going further: errors and warnings.**"):text.index("## 6. Tests")]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shown


def test_nn_op_table_lists_every_nn_op():
    from rnc.dialects.nn import OPS
    section = DOC.read_text().split("## 7. The nn dialect's ops")[1]
    assert [op.OP_NAME for op in OPS if f"`{op.OP_NAME}`" not in section] == []
