"""rnc-opt: parse .rir, run a pass pipeline, verify, print. mlir-opt's habits, rnc's passes.

Start-up matters (lit spawns this hundreds of times): nothing here imports torch, onnxruntime or pymoo.
"""
from __future__ import annotations

import argparse
import re
import sys
from typing import TextIO

from rnc.ir.diagnostics import (Diagnostic, DiagnosticEngine, DiagnosticError, SourceManager, cause_traceback,
                                innermost_frame, traceback_requested)
from rnc.ir.pass_manager import Instrumentation, PassContext, PassError, PassManager, load_all_passes, \
    parse_pipeline
from rnc.ir.parser import parse_module
from rnc.ir.printer import Printer
from rnc.ir.verifier import verify
from rnc.driver.atomic import write_text_atomic
from rnc.tools.diagnostics_check import check, parse_expectations
from rnc.tools.text_files import TextFileError, read_text_file

_SPLIT = re.compile(r"^// -----.*$", re.M)


def build_arg_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rnc-opt", description="Run rnc passes on .rir files.")
    p.add_argument("input", nargs="?", default="-", help="input .rir file, or - for stdin (default)")
    p.add_argument("-o", dest="output", default="-", help="output file (default stdout); written whole or not at all")
    p.add_argument("--passes", help="comma-separated pipeline, e.g. 'partition,replicate{budget=211}'")
    p.add_argument("--pass-pipeline", help="pipeline in MLIR form: 'builtin.module(a,b{key=value})'")
    p.add_argument("--list-passes", action="store_true", help="list every pass with aliases, docs and options")
    p.add_argument("--dump-pass-pipeline", action="store_true", help="print the pipeline (with all options) to stderr")
    p.add_argument("--print-ir-after-all", action="store_true", help="dump the IR after every pass (stderr)")
    p.add_argument("--print-ir-before-all", action="store_true", help="dump the IR before every pass (stderr)")
    p.add_argument("--print-ir-before", action="append", default=[], metavar="NAME",
                   help="dump the IR before the named pass(es) (comma list, repeatable)")
    p.add_argument("--print-ir-after", action="append", default=[], metavar="NAME",
                   help="dump the IR after the named pass(es) (comma list, repeatable)")
    p.add_argument("--verify-each", dest="verify_each", action="store_true", default=True,
                   help="verify after each pass (default)")
    p.add_argument("--no-verify-each", dest="verify_each", action="store_false", help="verify only at the end")
    p.add_argument("--timing", action="store_true", help="print a per-pass wall-time table to stderr")
    p.add_argument("--split-input-file", action="store_true", help="process each '// -----' chunk separately")
    p.add_argument("--verify-diagnostics", action="store_true",
                   help="check diagnostics against '// expected-error {{...}}' annotations")
    p.add_argument("--print-op-generic", action="store_true", help="print ops in the generic form (the only form rnc prints; accepted as mlir-opt does)")
    p.add_argument("--allow-unregistered-dialect", action="store_true",
                   help="accept ops, types and attributes of unknown dialects and keep them as they are")
    p.add_argument("--elide-resources", action="store_true",
                   help="print dense_resource<__elided__> handles and no resource section")
    p.add_argument("--no-locations", action="store_true", help="do not print op locations")
    p.add_argument("--show-traceback", action="store_true",
                   help="after a crash inside a pass or verifier, print the whole chained Python traceback "
                        "(so does RNC_TRACEBACK=1)")
    return p


# Exit statuses (README, "Exit codes and errors"): 1 --verify-diagnostics found a mismatch; 2 the input, a pass
# on it or the command line is wrong; 3 a crash inside rnc (a bug).
VERIFY_MISMATCH = 1
BAD_INPUT = 2
INTERNAL_ERROR = 3


def list_passes(out: TextIO) -> None:
    """Every registered pass: name, aliases, documentation and options with their types and defaults."""
    import dataclasses
    import typing
    registry = load_all_passes()
    out.write("Available passes:\n")
    for name in sorted(registry):
        cls = registry[name]
        aliases = f" (aliases: {', '.join(cls.aliases)})" if cls.aliases else ""
        out.write(f"  {name}{aliases}\n")
        doc = (cls.__doc__ or "").strip()
        for line in doc.split("\n"):
            out.write(f"      {line.strip()}\n")
        hints = typing.get_type_hints(cls)
        for f in cls.options():
            default = f.default if f.default is not dataclasses.MISSING else (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else "(required)")
            help_text = f.metadata.get("help", "")
            kind = getattr(hints[f.name], "__name__", None) or str(hints[f.name]).replace("typing.", "")
            out.write(f"      --{f.name.replace('_', '-')}=<{kind}> (default: {_fmt(default)})"
                      f"{'  ' + help_text if help_text else ''}\n")


def _fmt(v) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


def _chunks(text: str, split: bool) -> list[tuple[str, int]]:
    """The buffers to process, each with the number of its first line in the file."""
    if not split:
        return [(text, 1)]
    out, start_line, pos = [], 1, 0
    for m in _SPLIT.finditer(text):
        chunk = text[pos:m.start()]
        out.append((chunk, start_line))
        start_line += chunk.count("\n") + 1
        pos = m.end() + 1
    out.append((text[pos:], start_line))
    return out


def _read_input(args: argparse.Namespace, stdin: TextIO | None) -> tuple[str, str]:
    """(text, name for diagnostics); raises _ToolError if it cannot be read as UTF-8."""
    if args.input == "-":
        return (stdin or sys.stdin).read(), "<stdin>"
    try:
        return read_text_file(args.input), args.input
    except TextFileError as e:
        raise _ToolError(str(e)) from None


class _ToolError(Exception):
    """A problem with the command line or the files: `rnc-opt: error: <message>`, exit status 2."""


def _instrumentation(args: argparse.Namespace, printer_opts: dict, stderr: TextIO) -> Instrumentation:
    return Instrumentation(
        print_before={n for s in args.print_ir_before for n in s.split(",") if n},
        print_after={n for s in args.print_ir_after for n in s.split(",") if n},
        print_after_all=args.print_ir_after_all, print_before_all=args.print_ir_before_all,
        verify_each=args.verify_each, timing=args.timing,
        dump=lambda m: Printer(**printer_opts).print_module(m).rstrip("\n"), stream=stderr)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO, stdin: TextIO | None = None) -> int:
    """Runs rnc-opt with parsed `args` on the given streams; returns the exit status: 0 ok, 1 a
    --verify-diagnostics mismatch, 2 the input or a pass on it failed, 3 a crash inside a pass or verifier."""
    try:
        return _run(args, stdout, stderr, stdin)
    except _ToolError as e:
        stderr.write(f"rnc-opt: error: {e}\n")
        return BAD_INPUT


def _run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO, stdin: TextIO | None) -> int:
    if args.list_passes:
        try:
            list_passes(stdout)
        except PassError as e:
            raise _ToolError(str(e)) from None
        return 0
    if args.pass_pipeline is not None and args.passes is not None:
        raise _ToolError("use either --passes or --pass-pipeline, not both")
    pipeline_text = args.pass_pipeline if args.pass_pipeline is not None else (args.passes or "")
    try:
        passes = parse_pipeline(pipeline_text)
    except PassError as e:
        raise _ToolError(str(e)) from None
    if args.dump_pass_pipeline:
        stderr.write(f"Pass Manager with {len(passes)} passes:\n")
        stderr.write("builtin.module(" + ",".join(p.pipeline_text() for p in passes) + ")\n")
    text, filename = _read_input(args, stdin)
    printer_opts = dict(elide_resources=args.elide_resources, print_locations=not args.no_locations)
    sources = SourceManager()
    outputs: list[str] = []
    failed = crashed = False
    total_timings: list[tuple[str, float]] = []
    for chunk, first_line in _chunks(text, args.split_input_file):
        engine = DiagnosticEngine(sources)
        ctx = PassContext(diagnostics=engine, out=stderr)
        result = None
        try:
            module = parse_module(chunk, filename, allow_unregistered=args.allow_unregistered_dialect,
                                  sources=sources, first_line=first_line)
            verify(module)
            pm = PassManager(passes, _instrumentation(args, printer_opts, stderr))
            try:
                pm.run(module, ctx)
            finally:
                total_timings.extend(pm.timings)
            if not args.verify_each:
                verify(module)
            result = Printer(**printer_opts).print_module(module)
        except DiagnosticError as e:
            engine.emit(e.diagnostic)
            if e.internal:
                crashed = True
                if traceback_requested(args.show_traceback):
                    stderr.write(cause_traceback(e) + "\n")
        except RecursionError:
            engine.emit(Diagnostic("error", "the input nests too deeply", where=filename))
        if args.verify_diagnostics:
            problems = check(parse_expectations(chunk, first_line), engine.emitted, filename)
            for msg in problems:
                stderr.write(msg + "\n")
            failed |= bool(problems)
        else:
            for d in engine.emitted:
                stderr.write(d.render(sources) + "\n")
            failed |= engine.has_errors
        if result is not None and not engine.has_errors:
            outputs.append(result)
    if args.timing:
        stderr.write(PassManager([], timings=total_timings).timing_report() + "\n")
    if crashed and not args.verify_diagnostics:
        return INTERNAL_ERROR  # nothing is written after a crash
    if failed and not (args.split_input_file or args.verify_diagnostics):
        return BAD_INPUT  # like mlir-opt: no output for a buffer that failed
    out_text = "// -----\n".join(outputs)
    if args.output == "-":
        stdout.write(out_text)
    else:
        try:
            write_text_atomic(args.output, out_text)
        except OSError as e:
            raise _ToolError(f"cannot write '{args.output}': {e.strerror}") from None
    if not failed:
        return 0
    return VERIFY_MISMATCH if args.verify_diagnostics else BAD_INPUT


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    try:
        return run(args, sys.stdout, sys.stderr)
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("rnc-opt: interrupted\n")
        return 1
    except Exception as e:  # noqa: BLE001 - a bug in rnc: one line, the traceback only when asked for
        if traceback_requested(args.show_traceback):
            sys.stderr.write(cause_traceback(e) + "\n")
        sys.stderr.write(f"rnc-opt: internal error: {type(e).__name__}: {e} ({innermost_frame(e)}); "
                         f"please report it with the input (--show-traceback shows the traceback)\n")
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
