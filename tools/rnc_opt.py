"""rnc-opt: parse .rir, run a pass pipeline, verify, print. mlir-opt's habits, rnc's passes.

Start-up matters (lit spawns this hundreds of times): nothing here imports torch, onnxruntime or pymoo.
"""
from __future__ import annotations

import argparse
import re
import sys

from rnc.ir.diagnostics import Diagnostic, DiagnosticEngine, DiagnosticError, SourceManager
from rnc.ir.pass_manager import Instrumentation, PassContext, PassError, PassManager, load_all_passes, \
    parse_pipeline
from rnc.ir.parser import parse_module
from rnc.ir.printer import Printer
from rnc.ir.verifier import verify
from rnc.tools.atomic import write_text_atomic
from rnc.tools.diagnostics_check import check, parse_expectations

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
    p.add_argument("--print-op-generic", action="store_true", help="print every op in the generic form")
    p.add_argument("--allow-unregistered-dialect", action="store_true",
                   help="accept ops, types and attributes of unknown dialects and keep them as they are")
    p.add_argument("--elide-resources", action="store_true",
                   help="print dense_resource<__elided__> handles and no resource section")
    p.add_argument("--no-locations", action="store_true", help="do not print op locations")
    return p


def list_passes(out) -> None:
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
    if not split:
        return [(text, 1)]
    out, start_line, pos = [], 1, 0
    for m in _SPLIT.finditer(text):
        chunk = text[pos:m.start()]
        out.append((chunk, start_line))
        start_line += chunk.count("\n") + m.group(0).count("\n") + 1
        pos = m.end() + 1
    out.append((text[pos:], start_line))
    return out


def run(args: argparse.Namespace, stdout, stderr) -> int:
    if args.list_passes:
        list_passes(stdout)
        return 0
    pipeline_text = args.pass_pipeline or args.passes or ""
    try:
        passes = parse_pipeline(pipeline_text) if pipeline_text else []
    except PassError as e:
        stderr.write(f"rnc-opt: error: {e}\n")
        return 1
    if args.dump_pass_pipeline:
        stderr.write("Pass Manager with " + str(len(passes)) + " passes:\n")
        stderr.write("builtin.module(" + ",".join(p.pipeline_text() for p in passes) + ")\n")
    filename = "<stdin>" if args.input == "-" else args.input
    try:
        text = sys.stdin.read() if args.input == "-" else open(args.input, encoding="utf-8").read()
    except OSError as e:
        stderr.write(f"rnc-opt: error: cannot read '{args.input}': {e.strerror}\n")
        return 1
    printer_opts = dict(elide_resources=args.elide_resources, print_locations=not args.no_locations)
    sources = SourceManager()
    outputs: list[str] = []
    failed = False
    total_timings: list[tuple[str, float]] = []
    for chunk, first_line in _chunks(text, args.split_input_file):
        engine = DiagnosticEngine(sources)
        ctx = PassContext(diagnostics=engine, out=stderr)
        result = None
        try:
            module = parse_module(chunk, filename, allow_unregistered=args.allow_unregistered_dialect,
                                  sources=sources, first_line=first_line)
            verify(module)
            inst = Instrumentation(
                print_before={n for s in args.print_ir_before for n in s.split(",")},
                print_after={n for s in args.print_ir_after for n in s.split(",")},
                print_after_all=args.print_ir_after_all, print_before_all=args.print_ir_before_all,
                verify_each=args.verify_each, timing=args.timing,
                dump=lambda m: Printer(**printer_opts).print_module(m).rstrip("\n"), stream=stderr)
            pm = PassManager(passes, inst)
            pm.run(module, ctx)
            total_timings.extend(pm.timings)
            if not args.verify_each:
                verify(module)
            result = Printer(**printer_opts).print_module(module)
        except DiagnosticError as e:
            engine.emit(e.diagnostic)
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
    if failed and not args.verify_diagnostics:
        return 1
    out_text = "// -----\n".join(outputs)
    if args.output == "-":
        stdout.write(out_text)
    else:
        try:
            write_text_atomic(args.output, out_text)
        except OSError as e:
            stderr.write(f"rnc-opt: error: cannot write '{args.output}': {e.strerror}\n")
            return 1
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    try:
        return run(args, sys.stdout, sys.stderr)
    except BrokenPipeError:
        return 1
    except RecursionError:
        sys.stderr.write("rnc-opt: error: input nests too deeply\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
