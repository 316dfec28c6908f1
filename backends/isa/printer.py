"""Prints a Program as .isa text with the Jinja2 template `templates/program.isa.j2`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from rnc.ir.attributes import quote

from .program import Mvm, Program, Send

# MLIR's blob encoding starts with the alignment as a little-endian uint32; ours is always 4.
BLOB_HEADER = (4).to_bytes(4, "little")


def format_number(v: float) -> str:
    """Shortest text that reads back as the same double (always with '.', 'e' or 'inf', never an int)."""
    text = repr(float(v))
    return text


def format_arg(v) -> str:
    if isinstance(v, tuple):
        return "[" + ",".join(str(x) for x in v) + "]"
    if isinstance(v, float):
        return format_number(v)
    return str(v)


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["quoted"] = quote
    env.filters["number"] = format_number
    env.filters["argval"] = format_arg
    env.filters["hexblob"] = lambda data: (BLOB_HEADER + data).hex().upper()
    return env.get_template("program.isa.j2")


class _View:
    """An instruction with a `kind` tag for the template."""

    def __init__(self, instr) -> None:
        self._instr = instr
        self.kind = "mvm" if isinstance(instr, Mvm) else "send" if isinstance(instr, Send) else "op"

    def __getattr__(self, name):
        return getattr(self._instr, name)


class _StageView:
    def __init__(self, stage) -> None:
        self.index, self.label, self.deps = stage.index, stage.label, stage.deps
        self.instrs = [_View(i) for i in stage.instrs]


def print_program(program: Program) -> str:
    p = _ProgramView(program)
    return _template().render(p=p)


class _ProgramView:
    def __init__(self, program: Program) -> None:
        self._p = program
        self.stages = [_StageView(s) for s in program.stages]

    def __getattr__(self, name):
        return getattr(self._p, name)
