"""The verifier: structure, dominance and each op's own `verify_`.

Checks, for every op under the root: the declared operand/result/attribute/region structure, that every
operand is defined before its use in a scope that can see it (within an isolated-from-above op only values
defined inside it are visible), that terminators end their blocks, then the op's `verify_`.
The first failure becomes a diagnostic on the op: `file:line:col: error: 'nn.conv2d' op <message>`.
"""
from __future__ import annotations

from .core import BlockArgument, Operation, OpResult, Value
from .diagnostics import Diagnostic, DiagnosticError, SourceLoc
from .location import FileLineColLoc, NameLoc
from .opdef import IsolatedFromAbove, IsTerminator, VerifyError, verify_structure


def op_diagnostic(op: Operation, message: str, severity: str = "error") -> Diagnostic:
    """A diagnostic about `op`, at its source position if it has one, else at its location."""
    loc: SourceLoc | None = op.span
    where = None
    if loc is None and isinstance(op.location, FileLineColLoc):
        loc = SourceLoc(op.location.file, op.location.line, op.location.col)
    elif loc is None and isinstance(op.location, NameLoc):
        where = f'loc("{op.location.name}")'
    return Diagnostic(severity, f"'{op.name}' op {message}", loc, where)  # type: ignore[arg-type]


def verify(root: Operation) -> None:
    """Raises DiagnosticError on the first problem found under `root`."""
    _verify_op(root, visible=set())


def _verify_op(op: Operation, visible: set[int]) -> None:
    try:
        verify_structure(op)
    except VerifyError as e:
        raise DiagnosticError(op_diagnostic(op, str(e))) from None
    for i, v in enumerate(op.operands):
        if id(v) not in visible:
            raise DiagnosticError(op_diagnostic(op, f"operand #{i} {_describe(v)} does not dominate this use"))
    isolated = IsolatedFromAbove in op.TRAITS
    for region in op.regions:
        inner = set() if isolated else set(visible)
        # Blocks are visited in textual order and a value of an earlier block stays visible in later ones:
        # without branch ops (rnc has none), textual order is the dominance order.
        for block in region.blocks:
            inner.update(id(a) for a in block.args)
            for k, inner_op in enumerate(block.ops):
                if IsTerminator in inner_op.TRAITS and k != len(block.ops) - 1:
                    raise DiagnosticError(op_diagnostic(inner_op, "must be the last operation in its block"))
                _verify_op(inner_op, inner)
                inner.update(id(r) for r in inner_op.results)
    try:
        op.verify_()
    except VerifyError as e:
        raise DiagnosticError(op_diagnostic(op, str(e))) from None
    except DiagnosticError:
        raise
    except Exception as e:  # a bug in a verify_ must still not reach the user as a traceback
        raise DiagnosticError(op_diagnostic(op, f"verifier failed internally: {type(e).__name__}: {e}")) from None


def _describe(v: Value) -> str:
    if isinstance(v, OpResult):
        return f"(result #{v.index} of '{v.op.name}')"
    if isinstance(v, BlockArgument):
        return f"(block argument #{v.index})"
    return ""

