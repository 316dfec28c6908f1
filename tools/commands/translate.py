"""`rnc translate placed.rir --to isa -o prog.isa`: a placed program as crossbar ISA text."""
from __future__ import annotations

import argparse
import sys

TARGETS = ("isa",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="placed .rir file ('-' for stdin)")
    parser.add_argument("--to", choices=TARGETS, default="isa", help="output format (default: isa)")
    parser.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the calibration inputs (default: 0)")


def run(args: argparse.Namespace) -> int:
    from rnc.backends.isa import LoweringError, lower_to_isa
    from rnc.ir.diagnostics import DiagnosticError
    from rnc.ir.parser import parse_module
    from rnc.ir.verifier import verify
    from rnc.driver.atomic import write_text_atomic

    name = "<stdin>" if args.input == "-" else args.input
    try:
        text = sys.stdin.read() if args.input == "-" else open(args.input, encoding="utf-8").read()
    except OSError as e:
        sys.stderr.write(f"rnc translate: error: cannot read '{args.input}': {e.strerror}\n")
        return 2
    try:
        module = parse_module(text, name)
        verify(module)
        isa = lower_to_isa(module, seed=args.seed)
    except DiagnosticError as e:
        sys.stderr.write(f"rnc translate: error: {str(e).splitlines()[0]}\n")
        return 2
    except (LoweringError, ValueError) as e:
        sys.stderr.write(f"rnc translate: error: {e}\n")
        return 2
    if args.output == "-":
        sys.stdout.write(isa)
    else:
        try:
            write_text_atomic(args.output, isa)
        except OSError as e:
            sys.stderr.write(f"rnc translate: error: cannot write '{args.output}': {e.strerror}\n")
            return 2
    return 0
