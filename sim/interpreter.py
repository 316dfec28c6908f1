"""The reference interpreter: runs a module's nn-dialect function on numpy arrays, in float32.

    outputs = run_module(module, {"input": x})             # or run_module(module, [x])
    run_module(module, [x], observe=lambda op, value: ...)  # sees every op's result, e.g. for calibration

It is the float oracle that the crossbar simulator is compared against. Values are freed after their last
use, so peak memory stays near the largest live activations plus the weights.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from rnc.dialects.func import find_function
from rnc.dialects.nn.kernels import KERNELS, run_kernel
from rnc.ir.core import Operation
from rnc.ir.types import TensorType

Observer = Callable[[Operation, np.ndarray], None]


class InterpreterError(Exception):
    """A module or inputs the interpreter cannot run (one-line message)."""


def input_names(fn: Operation) -> list[str]:
    """The names callers use for the function's inputs: `arg_names` if present, else the block arguments'."""
    names = fn.attr_value("arg_names")
    args = fn.regions[0].blocks[0].args
    if names and len(names) == len(args):
        return [str(n) for n in names]
    return [a.name_hint or f"arg{i}" for i, a in enumerate(args)]


def run_module(module: Operation, inputs: Mapping[str, np.ndarray] | Sequence[np.ndarray], *,
               observe: Observer | None = None, function: str = "main") -> list[np.ndarray]:
    """Runs `function` (default `main`) on `inputs` (by name or by position); returns its results."""
    fn = find_function(module, function)
    block = fn.regions[0].blocks[0]
    arrays = _bind_inputs(fn, inputs)
    env: dict[int, np.ndarray] = {id(arg): a for arg, a in zip(block.args, arrays)}
    last_use = _last_uses(block.ops)
    for index, op in enumerate(block.ops):
        if op.name == "func.return":
            return [env[id(v)] for v in op.operands]
        if op.name not in KERNELS:
            raise InterpreterError(f"no kernel for '{op.name}' (at {op.location or 'unknown location'})")
        value = _run_kernel(op, [env[id(v)] for v in op.operands])
        env[id(op.results[0])] = value
        if observe is not None:
            observe(op, value)
        for v in op.operands:
            if last_use.get(id(v)) == index:
                env.pop(id(v), None)
    raise InterpreterError(f"function '{function}' has no 'func.return'")


def _run_kernel(op: Operation, operands: list[np.ndarray]) -> np.ndarray:
    result_type: TensorType = op.results[0].type
    out = np.asarray(run_kernel(op.name, operands, result_type.shape, op.attributes))
    if out.shape != result_type.shape:
        raise InterpreterError(f"'{op.name}' computed shape {list(out.shape)} but its type is {result_type}")
    return out.astype(result_type.numpy_dtype, copy=False)


def _bind_inputs(fn: Operation, inputs) -> list[np.ndarray]:
    args = fn.regions[0].blocks[0].args
    names = input_names(fn)
    if isinstance(inputs, Mapping):
        unknown = sorted(set(inputs) - set(names))
        missing = [n for n in names if n not in inputs]
        if unknown or missing:
            raise InterpreterError(f"inputs {sorted(inputs)} do not match the function's inputs {names}")
        ordered = [inputs[n] for n in names]
    else:
        ordered = list(inputs)
        if len(ordered) != len(args):
            raise InterpreterError(f"the function takes {len(args)} inputs ({', '.join(names)}), got {len(ordered)}")
    out = []
    for name, arg, value in zip(names, args, ordered):
        t: TensorType = arg.type
        array = np.asarray(value)
        if tuple(array.shape) != t.shape:
            raise InterpreterError(f"input '{name}' has shape {list(array.shape)} but the function expects {t}")
        out.append(np.ascontiguousarray(array, dtype=t.numpy_dtype))
    return out


def _last_uses(ops: Sequence[Operation]) -> dict[int, int]:
    """Index of the last op using each value (values the return uses are never freed)."""
    last: dict[int, int] = {}
    for index, op in enumerate(ops):
        keep = op.name == "func.return"
        for v in op.operands:
            last[id(v)] = len(ops) if keep else index
    return last
