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


def _fenced(section: str, first: str) -> str:
    """The text of the fenced block of `section` whose first line starts with `first`."""
    return re.search(rf"^```[a-z]*\n({re.escape(first)}.*?)^```", section, re.S | re.M).group(1)


def test_xbar_pattern_step_runs_on_its_lit_test_as_written(tmp_path):
    """Step 5's pass, loaded from the page, passes the lit test printed under it (every RUN line)."""
    text = DOC.read_text()
    section = text[text.index("**Step 5 — a pattern on the crossbar IR.**"):
                   text.index("**Going further: errors and warnings.**")]
    (tmp_path / "merge_column_tiles.py").write_text(_fenced(section, '"""`merge-column-tiles`'))
    lit_test = tmp_path / "merge-column-tiles.rir"
    lit_test.write_text(_fenced(section, "// RUN"))
    # rnc-opt with the tutorial's pass registered, as PASS_MODULES would after step 2.
    opt = ("import sys; sys.path.insert(0, sys.argv[1]); import merge_column_tiles; "
           "from rnc.tools.rnc_opt import main; sys.exit(main(sys.argv[2:]))")
    runs = re.findall(r"^// RUN: rnc-opt %s (.*)$", lit_test.read_text(), re.M)
    assert len(runs) == 3
    filecheck = Path(sys.executable).with_name("filecheck")
    for run in runs:
        opt_args, _, check = run.partition(" | ")
        opt_args = opt_args.replace(" > /dev/null", "").replace("'", "").split()
        proc = subprocess.run([sys.executable, "-c", opt, str(tmp_path), str(lit_test), *opt_args],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (run, proc.stderr)
        if check:
            args = check.replace("%s", str(lit_test)).split()[1:]
            fc = subprocess.run([str(filecheck), *args], input=proc.stdout, capture_output=True, text=True,
                                timeout=60)
            assert fc.returncode == 0, (run, fc.stdout, fc.stderr, proc.stdout)
