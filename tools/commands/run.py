"""`rnc run model.rir --input x.npy -o y.npy`: runs a module's `main` with the reference interpreter.

Inputs are .npy files in the function's input order, or `NAME=file.npy`, or one .npz holding arrays by
input name. With one result, `-o y.npy` saves it; `-o y.npz` saves every result by its name. Without
`-o` the results' shapes and a few values are printed.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

PREVIEW_VALUES = 8
BAD_INPUT = 2   # exit status when the module, an input or -o cannot be used


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input_file", metavar="MODEL.rir", help="the module to run")
    parser.add_argument("--input", action="append", default=[], metavar="[NAME=]FILE",
                        help="an input array (.npy, or .npz by input name); repeat for several inputs")
    parser.add_argument("-o", dest="output", help="where to save the results (.npy for one, .npz for all)")
    parser.add_argument("--function", default="main", help="the function to run (default main)")


def run(args: argparse.Namespace) -> int:
    from rnc.ir.diagnostics import DiagnosticError, SourceManager
    from rnc.ir.parser import parse_module
    from rnc.ir.verifier import verify
    from rnc.dialects.func import FunctionNotFoundError, find_function
    from rnc.sim.interpreter import InterpreterError, run_module
    from rnc.tools.text_files import TextFileError, read_text_file

    sources = SourceManager()
    try:
        text = read_text_file(args.input_file)
    except TextFileError as e:
        return _fail(str(e))
    try:
        module = parse_module(text, args.input_file, sources=sources)
        verify(module)
    except DiagnosticError as e:
        sys.stderr.write(e.diagnostic.render(sources) + "\n")
        return BAD_INPUT
    try:
        inputs = _load_inputs(args.input)
        results = run_module(module, inputs, function=args.function)
        names = _result_names(find_function(module, args.function), len(results))
    except (InterpreterError, FunctionNotFoundError, _InputError) as e:
        return _fail(str(e))
    return _save(results, names, args.output)


class _InputError(Exception):
    pass


def _fail(message: str) -> int:
    sys.stderr.write(f"rnc run: error: {message}\n")
    return BAD_INPUT


def _load_inputs(items: list[str]):
    positional, named = [], {}
    for item in items:
        name, eq, path = item.partition("=") if "=" in item else ("", "", item)
        try:
            loaded = np.load(path, allow_pickle=False)
        except EOFError:
            raise _InputError(f"cannot read input '{path}': the file is empty") from None
        except ValueError as e:
            if "pickled" not in str(e):
                raise _InputError(f"cannot read input '{path}': {e}") from None
            raise _InputError(f"cannot read input '{path}': not a .npy or .npz file") from None
        except OSError as e:   # numpy's messages name what is wrong, not the file
            raise _InputError(f"cannot read input '{path}': {e}") from None
        if isinstance(loaded, np.lib.npyio.NpzFile):
            named.update({k: loaded[k] for k in loaded.files})
        elif eq:
            named[name] = loaded
        else:
            positional.append(loaded)
    if positional and named:
        raise _InputError("give inputs either all by position or all by name")
    return named if named else positional


def _result_names(fn, count: int) -> list[str]:
    names = fn.attr_value("result_names")
    if names and len(names) == count:
        return [str(n) for n in names]
    return [f"result{i}" for i in range(count)]


def _save(results: list[np.ndarray], names: list[str], output: str | None) -> int:
    if output is None:
        for name, r in zip(names, results):
            flat = r.reshape(-1)[:PREVIEW_VALUES]
            sys.stdout.write(f"{name}: {r.dtype} {list(r.shape)} {np.array2string(flat, precision=5)}"
                             f"{' ...' if r.size > PREVIEW_VALUES else ''}\n")
        return 0
    import io

    from rnc.driver.atomic import write_bytes_atomic
    buffer = io.BytesIO()
    if output.endswith(".npz"):
        np.savez(buffer, **dict(zip(names, results)))
    elif len(results) == 1:
        np.save(buffer, results[0])
    else:
        return _fail(f"the function has {len(results)} results: save them with -o FILE.npz")
    try:
        write_bytes_atomic(output, buffer.getvalue())
    except OSError as e:
        return _fail(f"cannot write '{output}': {e.strerror}")
    return 0
