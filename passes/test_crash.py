"""`test-crash`: raises inside a pass on purpose, so tests can watch how rnc reports a bug in a pass."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.ir.pass_manager import ModulePass, PassContext, register_pass


def _lookup_missing_key() -> None:
    """A frame of its own, so the chained traceback shows where inside the pass the crash happened."""
    raise KeyError("boom")


@register_pass
@dataclass
class TestCrash(ModulePass):
    """Raises KeyError('boom'): a crash that must reach the user as one diagnostic, with the chained
    traceback under --show-traceback or RNC_TRACEBACK=1, and exit status 3."""

    name = "test-crash"

    def apply(self, module, ctx: PassContext) -> None:
        _lookup_missing_key()
