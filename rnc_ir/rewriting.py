"""Pattern rewriting: small `RewritePattern`s applied by one shared greedy worklist driver.

    class FoldDoubleNeg(RewritePattern):
        op_name = "test.neg"
        def match_and_rewrite(self, op, rewriter) -> bool:
            ...; rewriter.replace_op(op, [new_op]); return True

The driver visits every op, tries the patterns registered for its name (and the catch-all ones), and
re-queues the users and operands' producers of whatever changed, until nothing applies. Pure ops left
without uses are erased along the way. A pattern that changes an op in place (an attribute, an operand)
says so with `rewriter.modify_op(op)`, so the driver looks at the op and its users again.

Patterns report to the user through the rewriter, as MLIR patterns do through their rewriter's listener:
`rewriter.warn(op, "...")` / `rewriter.remark(op, "...")` go to the pass's context (`apply_patterns_greedily(...,
ctx=ctx)`), and each diagnostic is emitted once however often the driver revisits its op.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable, Sequence

from .core import Operation, Value
from .diagnostics import DiagnosticEngine
from .opdef import Pure


class RewritePattern:
    """Base of patterns. `op_name = None` matches every op."""

    op_name: str | None = None
    benefit: int = 1

    def match_and_rewrite(self, op: Operation, rewriter: "Rewriter") -> bool:
        raise NotImplementedError


class Rewriter:
    """Mutations a pattern may make; keeps the driver's worklist informed and passes diagnostics on.

    `diagnostics` is the pass's engine (`ctx.diagnostics`); `reported` remembers what was emitted, so a pattern
    that warns about an op the driver visits again does not warn twice.
    """

    def __init__(self, on_change=None, diagnostics: DiagnosticEngine | None = None,
                 reported: set | None = None) -> None:
        self._on_change = on_change or (lambda op: None)
        self.changed = False
        self.diagnostics = diagnostics if diagnostics is not None else DiagnosticEngine()
        self._reported = reported if reported is not None else set()

    def warn(self, op: Operation, message: str) -> None:
        """A warning about `op`, emitted once."""
        self._report(op, message, "warning")

    def remark(self, op: Operation, message: str) -> None:
        """A remark about `op`, emitted once."""
        self._report(op, message, "remark")

    def _report(self, op: Operation, message: str, severity: str) -> None:
        from .verifier import op_diagnostic
        d = op_diagnostic(op, message, severity)
        key = (d.severity, d.message, d.loc, d.where)
        if key not in self._reported:
            self._reported.add(key)
            self.diagnostics.emit(d)

    def _touch(self, op: Operation) -> None:
        self.changed = True
        self._on_change(op)

    def insert_before(self, anchor: Operation, op: Operation) -> Operation:
        """Inserts `op` just before `anchor` (diagnostics on it then point at `anchor`'s source)."""
        if op.span is None:
            op.span = anchor.span  # diagnostics on new ops point at the source of what they replace
        if anchor.parent is None:
            raise ValueError(f"cannot insert before '{anchor.name}': it is not in a block")
        anchor.parent.insert_before(anchor, op)
        self._touch(op)
        return op

    def insert_after(self, anchor: Operation, op: Operation) -> Operation:
        """Inserts `op` just after `anchor`."""
        if op.span is None:
            op.span = anchor.span
        if anchor.parent is None:
            raise ValueError(f"cannot insert after '{anchor.name}': it is not in a block")
        anchor.parent.insert_after(anchor, op)
        self._touch(op)
        return op

    def modify_op(self, op: Operation) -> None:
        """Records that `op` was changed in place: it and its users are visited again."""
        self._touch(op)
        for r in op.results:
            for user in r.users:
                self._on_change(user)

    def replace_op(self, op: Operation, new_ops: Sequence[Operation] | Operation,
                   new_results: Sequence[Value] | None = None) -> None:
        """Inserts `new_ops` before `op`, redirects its results (default: the last new op's) and erases it."""
        if isinstance(new_ops, Operation):
            new_ops = [new_ops]
        for new in new_ops:
            self.insert_before(op, new)
        if new_results is None:
            new_results = new_ops[-1].results if new_ops else []
        self.replace_all_uses(op, new_results)
        self.erase_op(op)

    def replace_all_uses(self, op: Operation, new_results: Sequence[Value]) -> None:
        if len(new_results) != len(op.results):
            raise ValueError(f"replacing '{op.name}': {len(op.results)} results, {len(new_results)} replacements")
        for old, new in zip(op.results, new_results):
            if new.name_hint is None:
                new.name_hint = old.name_hint  # keep readable names through rewrites
            for user in old.users:
                self._touch(user)
            old.replace_all_uses_with(new)

    def replace_value(self, old: Value, new: Value) -> None:
        """Redirects every use of `old` to `new`."""
        for user in old.users:
            self._touch(user)
        old.replace_all_uses_with(new)

    def erase_op(self, op: Operation) -> None:
        producers = [v.op for v in op.operands if hasattr(v, "op")]
        op.erase()
        self.changed = True
        for p in producers:
            self._on_change(p)


def is_trivially_dead(op: Operation) -> bool:
    """A pure op without regions whose results are all unused."""
    return Pure in op.TRAITS and not op.regions and all(not r.uses for r in op.results)


class RewriteLimitError(RuntimeError):
    """The patterns kept rewriting without reaching a fixed point (two patterns undoing each other)."""


def _is_under(op: Operation, root: Operation) -> bool:
    """True if `op` is still nested in `root` (an op inside an erased op is not)."""
    while op is not root:
        block = op.parent
        if block is None or block.parent is None or block.parent.parent is None:
            return False
        op = block.parent.parent
    return True


def apply_patterns_greedily(root: Operation, patterns: Iterable[RewritePattern], *, max_iterations: int = 10,
                            remove_dead: bool = True, max_rewrites: int | None = None,
                            diagnostics: DiagnosticEngine | None = None) -> bool:
    """Applies `patterns` to every op under `root` until a fixed point; returns True if anything changed.

    `diagnostics` (a pass passes `ctx.diagnostics`) receives what patterns report through `rewriter.warn` and
    `rewriter.remark`, each diagnostic once.

    `max_rewrites` bounds the successful pattern applications of one sweep (default: 100 per op, at least
    10,000); going over raises RewriteLimitError instead of looping forever.
    """
    by_name: dict[str | None, list[RewritePattern]] = {}
    for p in sorted(patterns, key=lambda p: -p.benefit):
        by_name.setdefault(p.op_name, []).append(p)
    generic = by_name.get(None, [])
    any_change = False
    reported: set = set()
    for _ in range(max_iterations):
        worklist: deque[Operation] = deque(op for op in root.walk() if op is not root)
        queued = {id(op) for op in worklist}

        def requeue(op: Operation) -> None:
            if id(op) not in queued:
                queued.add(id(op))
                worklist.append(op)

        rewriter = Rewriter(requeue, diagnostics, reported)
        budget = max_rewrites if max_rewrites is not None else max(10_000, 100 * len(worklist))
        while worklist:
            op = worklist.popleft()
            queued.discard(id(op))
            if not _is_under(op, root):
                continue  # erased meanwhile, alone or with an op holding it
            if remove_dead and is_trivially_dead(op):
                rewriter.erase_op(op)
                continue
            for pattern in by_name.get(op.name, []) + generic:
                if pattern.match_and_rewrite(op, rewriter):
                    budget -= 1
                    if budget < 0:
                        raise RewriteLimitError(f"patterns did not converge: still rewriting after "
                                                f"{max_rewrites or 'the maximum number of'} rewrites "
                                                f"(last pattern: {type(pattern).__name__} on '{op.name}')")
                    break
        if not rewriter.changed:
            break
        any_change = True
    return any_change
