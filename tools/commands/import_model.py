"""`rnc import MODEL -o model.rir`: an ONNX file or a built-in model -> the nn dialect, as one .rir file.

MODEL is a path to an .onnx file or the name of a built-in model (`rnc import mbv3_small`). Failures
(unknown model, unreadable or invalid ONNX, unsupported op) print one line and exit with status 2;
nothing is written then.
"""
from __future__ import annotations

import argparse
import os
import sys

EXIT_IMPORT_ERROR = 2
# The canonicalization run after import (unless --no-canonicalize).
CANONICALIZATION_PIPELINE = "fold-constants,fold-batch-norm,remove-dropout-identity,canonicalize"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="an .onnx file, or a built-in model name (e.g. mbv3_small)")
    parser.add_argument("-o", dest="output", default="-", help="output .rir file (default stdout); "
                                                               "written whole or not at all")
    parser.add_argument("--input-shape", action="append", default=[], metavar="[NAME=]1x3x64x64",
                        help="static shape for a dynamic input (repeat with NAME= for several inputs)")
    parser.add_argument("--canonicalize", dest="canonicalize", action="store_true", default=True,
                        help=f"run {CANONICALIZATION_PIPELINE} after import (default)")
    parser.add_argument("--no-canonicalize", dest="canonicalize", action="store_false",
                        help="keep the ops exactly as imported")
    parser.add_argument("--elide-resources", action="store_true",
                        help="print dense_resource<__elided__> handles and no weights")
    parser.add_argument("--seed", type=int, default=0, help="weight seed of a built-in model (default 0)")


def run(args: argparse.Namespace) -> int:
    from rnc.frontends.onnx import OnnxImportError
    try:
        shapes = _parse_shapes(args.input_shape)
        module = _import(args.model, shapes, args.seed)
    except (OnnxImportError, _UsageError) as e:
        return _fail(str(e))
    text = _print(module, args)
    if text is None:
        return EXIT_IMPORT_ERROR
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    from rnc.driver.atomic import write_text_atomic
    try:
        write_text_atomic(args.output, text)
    except OSError as e:
        return _fail(f"cannot write '{args.output}': {e.strerror}")
    return 0


class _UsageError(Exception):
    pass


def _fail(message: str) -> int:
    sys.stderr.write(f"rnc import: error: {message}\n")
    return EXIT_IMPORT_ERROR


def _import(model: str, shapes, seed: int):
    from rnc.frontends import zoo

    looks_like_file = os.path.exists(model) or model.endswith(".onnx") or os.sep in model
    if looks_like_file:
        from rnc.frontends.onnx import import_onnx
        return import_onnx(model, shapes)
    if model not in zoo.model_names():
        raise _UsageError(f"unknown model '{model}': not a file, and not a built-in model "
                          f"({', '.join(zoo.model_names())})")
    if shapes is not None and not isinstance(shapes, tuple):
        raise _UsageError("built-in models take one --input-shape without a name")
    from rnc.frontends.torch.importer import import_builtin
    return import_builtin(model, seed=seed, input_shape=shapes)


def _parse_shapes(items: list[str]):
    """None, one shape (a tuple), or {name: shape}."""
    if not items:
        return None
    named = {}
    for item in items:
        name, eq, dims = item.rpartition("=")
        try:
            shape = tuple(int(d) for d in dims.lower().split("x"))
        except ValueError:
            raise _UsageError(f"bad --input-shape '{item}': expected dimensions like 1x3x64x64") from None
        if any(d < 1 for d in shape):
            raise _UsageError(f"bad --input-shape '{item}': dimensions must be positive")
        if not eq and len(items) == 1:
            return shape
        if not eq:
            raise _UsageError("with several --input-shape options, name each input: NAME=1x3x64x64")
        named[name] = shape
    return named


def _print(module, args) -> str | None:
    from rnc.ir.diagnostics import DiagnosticError
    from rnc.ir.pass_manager import PassManager, parse_pipeline
    from rnc.ir.printer import print_module
    if args.canonicalize:
        try:
            PassManager(parse_pipeline(CANONICALIZATION_PIPELINE)).run(module)
        except DiagnosticError as e:
            if e.internal:
                raise   # a crash in a pass: an internal error
            _fail(f"{args.model}: {e.diagnostic.render()}")
            return None
    return print_module(module, elide_resources=args.elide_resources)
