"""How `rnc` ends when things go wrong outside a command's own checks: a bug, a closed pipe."""
from __future__ import annotations

import subprocess
import sys

import pytest

import rnc.tools.commands.run as run_command
from rnc.tools.rnc_cli import main


def _crash(args):
    raise RuntimeError("boom")


def test_internal_error_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(run_command, "run", _crash)
    monkeypatch.delenv("RNC_TRACEBACK", raising=False)
    assert main(["run", "model.rir"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rnc run: internal error: RuntimeError: boom (")
    assert "RNC_TRACEBACK=1" in err and len(err.strip().splitlines()) == 1


def test_rnc_traceback_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(run_command, "run", _crash)
    monkeypatch.setenv("RNC_TRACEBACK", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["run", "model.rir"])


def test_closed_pipe_ends_quietly():
    # The reader of stdout went away (`rnc ... | head`): the command sees BrokenPipeError. Run in a fresh
    # process, since the handler points this process's stdout at /dev/null.
    script = ("import sys, rnc.tools.commands.run as r\n"
              "def gone(args):\n    raise BrokenPipeError(32, 'Broken pipe')\n"
              "r.run = gone\n"
              "from rnc.tools.rnc_cli import main\n"
              "sys.exit(main(['run', 'model.rir']))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr == ""
