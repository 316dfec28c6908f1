"""`rnc opt`: the same as rnc-opt."""
from __future__ import annotations

import argparse
import sys

from rnc.tools import rnc_opt


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for action in rnc_opt.build_arg_parser()._actions:
        if action.dest == "help":
            continue
        parser._add_action(action)


def run(args: argparse.Namespace) -> int:
    return rnc_opt.run(args, sys.stdout, sys.stderr)
