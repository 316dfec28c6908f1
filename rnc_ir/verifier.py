"""The verifier: structure, dominance and each op's own `verify_`.

Checks, for every op under the root: the declared operand/result/attribute/region structure, that every
operand is defined before its use in a scope that can see it (within an isolated-from-above op only values
defined inside it are visible), that terminators end their blocks, then the op's `verify_`.
The first failure becomes a diagnostic on the op: `file:line:col: error: 'nn.conv2d' op <message>`.
"""
from __future__ import annotations

from .attributes import Attribute
from .core import BlockArgument, Operation, OpResult, Value
from .diagnostics import Diagnostic, DiagnosticError, SourceLoc
from .location import FileLineColLoc, NameLoc
from .opdef import IsolatedFromAbove, IsTerminator, VerifyError, verify_structure
from .types import Type


def op_position(op: Operation) -> tuple[SourceLoc | None, str | None]:
    """Where a diagnostic about `op` points: its source position, else its FileLineColLoc, else its name."""
    if op.span is not None:
        return op.span, None
    if isinstance(op.location, FileLineColLoc):
        return SourceLoc(op.location.file, op.location.line, op.location.col), None
    if isinstance(op.location, NameLoc):
        return None, str(op.location)
    return None, f"'{op.name}'"


def op_diagnostic(op: Operation, message: str, severity: str = "error") -> Diagnostic:
    """A diagnostic about `op` (`'nn.conv2d' op <message>`), at its source position if it has one."""
    loc, where = op_position(op)
    return Diagnostic(severity, f"'{op.name}' op {message}", loc, where)  # type: ignore[arg-type]


def _diagnostic_from(op: Operation, e: VerifyError) -> DiagnosticError:
    d = op_diagnostic(e.op or op, str(e))
    for note_op, message in e.notes:
        loc, where = op_position(note_op)
        d.notes.append(Diagnostic("note", message, loc, where))
    return DiagnosticError(d)


def verify(root: Operation) -> None:
    """Raises DiagnosticError on the first problem found under `root`."""
    try:
        _verify_op(root, visible=set())
    except RecursionError:
        raise DiagnosticError(op_diagnostic(root, "nests too deeply to verify")) from None


def _verify_op(op: Operation, visible: set[int]) -> None:
    for key, value in op.attributes.items():
        if not isinstance(value, Attribute):
            raise DiagnosticError(op_diagnostic(op, f"attribute '{key}' is a {type(value).__name__}, not an "
                                                    f"Attribute (use rnc.ir.attributes.to_attr)"))
    for r in op.results:
        if not isinstance(r.type, Type):
            raise DiagnosticError(op_diagnostic(op, f"result #{r.index} has no valid type ({r.type!r})"))
    try:
        verify_structure(op)
    except VerifyError as e:
        raise _diagnostic_from(op, e) from None
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
        raise _diagnostic_from(op, e) from None
    except DiagnosticError:
        raise
    except Exception as e:  # a bug in a verify_: one diagnostic; the cause is kept for --show-traceback
        raise DiagnosticError(op_diagnostic(op, f"verifier failed internally: {type(e).__name__}: {e}")) from e


def _describe(v: Value) -> str:
    if isinstance(v, OpResult):
        return f"(result #{v.index} of '{v.op.name}')"
    if isinstance(v, BlockArgument):
        return f"(block argument #{v.index})"
    return ""

