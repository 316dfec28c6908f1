"""`rnc`: the umbrella command. Each subcommand lives in its own module under rnc.tools.commands."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from rnc.ir.diagnostics import cause_traceback, innermost_frame, traceback_requested

# name -> (module, one-line help). A module provides `add_arguments(parser)` and `run(args) -> int`.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "opt": ("rnc.tools.commands.opt", "run passes on a .rir file (same as rnc-opt)"),
    "translate": ("rnc.tools.commands.translate", "placed .rir -> crossbar ISA text (.isa)"),
    "sim": ("rnc.tools.commands.sim", "simulate a .isa program: outputs, latency, throughput, trace"),
    "import": ("rnc.tools.commands.import_model", "ONNX file or built-in model -> nn dialect .rir"),
    "run": ("rnc.tools.commands.run", "run a .rir module with the reference interpreter (numpy, float32)"),
    "compile": ("rnc.tools.commands.compile", "model -> placed crossbar program, timing, speedup and reports"),
    "nas": ("rnc.tools.commands.nas", "once-for-all supernet training and NSGA-II search for a crossbar budget"),
    "nested": ("rnc.tools.commands.nested", "nested subnetworks: one model, several crossbar budgets, no rewrites"),
}


INTERNAL_ERROR = 3  # exit status of a crash inside rnc; 1 is a failed functional check, 2 bad input


class _Parser(argparse.ArgumentParser):
    """argparse's parser with its errors on one line (`rnc compile: error: ...`, exit status 2), without the
    usage block: the subcommand's --help has it."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rnc", description="rnc: a compiler for RRAM crossbar accelerators.")
    parser.add_argument("--show-traceback", action="store_true",
                        help="after an internal error, print the whole chained Python traceback "
                             "(so does RNC_TRACEBACK=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if name != "opt":  # rnc-opt's own parser has the flag
            sp.add_argument("--show-traceback", action="store_true", default=argparse.SUPPRESS,
                            help="after an internal error, print the whole chained Python traceback")
        sp.set_defaults(_module=module)
        importlib.import_module(module).add_arguments(sp)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return importlib.import_module(args._module).run(args)
    except BrokenPipeError:
        # The reader went away (`rnc compile ... | head`): stop quietly, and keep Python's exit-time flush of
        # stdout from failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"rnc {args.command}: interrupted\n")
        return 130
    except Exception as e:  # noqa: BLE001 - a bug in rnc: one line that says so; the traceback when asked for
        if traceback_requested(args.show_traceback):
            sys.stderr.write(cause_traceback(e) + "\n")
        sys.stderr.write(f"rnc {args.command}: internal error: {type(e).__name__}: {e} ({innermost_frame(e)}); "
                         f"please report it with the input (--show-traceback or RNC_TRACEBACK=1 shows the "
                         f"traceback)\n")
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
