"""How `rnc` ends when things go wrong outside a command's own checks: a bug, a closed pipe."""
from __future__ import annotations

import os
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
    assert main(["run", "model.rir"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("rnc run: internal error: RuntimeError: boom (")
    assert "RNC_TRACEBACK=1" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("how", ["env", "flag before the command", "flag after the command"])
def test_the_traceback_is_shown_when_asked_for(monkeypatch, capsys, how):
    monkeypatch.setattr(run_command, "run", _crash)
    monkeypatch.delenv("RNC_TRACEBACK", raising=False)
    argv = ["run", "model.rir"]
    if how == "env":
        monkeypatch.setenv("RNC_TRACEBACK", "1")
    elif how == "flag before the command":
        argv = ["--show-traceback", *argv]
    else:
        argv = [*argv, "--show-traceback"]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "in _crash" in err and "RuntimeError: boom" in err
    assert err.rstrip().splitlines()[-1].startswith("rnc run: internal error: RuntimeError: boom (")


def _rnc_opt(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnc.tools.rnc_opt", "--passes=test-crash", *args],
                          input='"builtin.module"() ({\n}) : () -> ()\n', capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def test_a_crash_in_a_pass_is_one_diagnostic_and_exit_status_3():
    proc = _rnc_opt(env={"RNC_TRACEBACK": ""})
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.startswith("<stdin>:1:1: error: pass 'test-crash' crashed: KeyError: 'boom' (")
    assert "Traceback" not in proc.stderr


def test_a_crash_in_a_pass_keeps_its_cause_for_show_traceback():
    proc = _rnc_opt("--show-traceback", env={"RNC_TRACEBACK": ""})
    assert proc.returncode == 3
    head, _, tail = proc.stderr.partition("<stdin>:1:1: error: pass 'test-crash' crashed")
    assert head.startswith("Traceback (most recent call last):") and "in _lookup_missing_key" in head
    assert head.rstrip().endswith("KeyError: 'boom'") and tail


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
