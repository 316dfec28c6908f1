"""`rnc translate placed.rir --to isa -o prog.isa`: a placed program as crossbar ISA text.

The input is a placed xbar module (lowered here, as `convert-xbar-to-isa` does) or an isa-dialect module
(`rnc-opt placed.rir --passes=convert-xbar-to-isa`), which is printed as it is.
"""
from __future__ import annotations

import argparse
import sys

TARGETS = ("isa",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="placed .rir file, or an isa-dialect one ('-' for stdin)")
    parser.add_argument("--to", choices=TARGETS, default="isa", help="output format (default: isa)")
    parser.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the calibration inputs (default: 0)")


def run(args: argparse.Namespace) -> int:
    from rnc.backends.isa import LoweringError, lower_to_isa, print_program
    from rnc.dialects.isa import program_of
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
        program = program_of(module)
        isa = print_program(program) if program is not None else lower_to_isa(module, seed=args.seed)
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
