"""Every `rnc` option says what it is for, and option errors are one line with exit status 2."""
from __future__ import annotations

import argparse

import pytest

from rnc.tools.rnc_cli import build_parser, main


def _parsers(parser: argparse.ArgumentParser, prog: str = "rnc"):
    yield prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{prog} {name}")


def test_every_option_has_help_text():
    missing = [f"{prog} {action.option_strings[0]}" for prog, parser in _parsers(build_parser())
               for action in parser._actions if action.option_strings and not action.help]
    assert not missing, missing   # issue #16: many `rnc nas` flags had none


@pytest.mark.parametrize("argv, message", [
    (["compile", "m", "--samples", "x"], "rnc compile: error: argument --samples: invalid int value: 'x'"),
    (["nas", "search", "--pop", "1"], "rnc nas search: error: argument --pop: expects an integer in 2..10000, got '1'"),
    (["nas", "train", "--lr", "nan"], "rnc nas train: error: argument --lr: expects a number > 0 and <= 10, got 'nan'"),
    (["nas", "search", "--xbars", "0"], "rnc nas search: error: argument --xbars: expects an integer in 1..1000000"),
    (["bogus"], "rnc: error: argument COMMAND: invalid choice: 'bogus'"),
])
def test_option_errors_are_one_line_with_status_2(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(message), err


def test_building_the_cli_imports_no_torch():
    """Every `rnc` command builds every subcommand's options; none of them may cost torch's import (1.4 s)."""
    import subprocess
    import sys
    code = ("import sys; from rnc.tools.rnc_cli import build_parser; build_parser(); "
            "assert 'torch' not in sys.modules, sorted(m for m in sys.modules if m.startswith('rnc.nas'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
