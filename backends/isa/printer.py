"""Prints an `isa.program` as `.isa` text with the Jinja2 template `templates/program.isa.j2`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from rnc.dialects.isa import ConstOp, DigitalOp, MvmOp, ProgramOp, RequantOp, WeightOp
from rnc.ir.attributes import DenseResourceAttr, quote

from .opcodes import argument_text, ordered_arguments

ISA_VERSION = 1  # the `.isa` format version (docs/isa.md), the program's first line
# MLIR's blob encoding starts with the alignment as a little-endian uint32; ours is always 4.
BLOB_HEADER = (4).to_bytes(4, "little")


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["quoted"] = quote
    env.filters["number"] = lambda v: repr(float(v))  # the shortest text that reads back as the same double
    env.filters["argval"] = argument_text
    env.filters["hexblob"] = lambda data: (BLOB_HEADER + bytes(data)).hex().upper()
    env.filters["digital_args"] = lambda op: ordered_arguments(op.opcode, op.args or {})
    return env.get_template("program.isa.j2")


def blobs(program: ProgramOp) -> list[tuple[str, bytes]]:
    """(.isa name, data) of the resources of the program's weights and constants that hold data, in the order
    the stages first use them (a weight's matrix, named after the weight, its scales, its bias), then those no
    stage uses, in declaration order."""
    owners: dict[str, list[tuple[str, DenseResourceAttr]]] = {}
    for op in program.ops:
        if isinstance(op, WeightOp):
            owners[op.sym_name] = [(op.sym_name, op.matrix), (op.scales.name, op.scales)]
            if op.bias is not None:
                owners[op.sym_name].append((op.bias.name, op.bias))
        elif isinstance(op, ConstOp):
            owners[op.sym_name] = [(op.value.name, op.value)]
    order: dict[str, None] = {}
    for stage in program.stages:
        for ins in stage.instructions:
            if isinstance(ins, (MvmOp, RequantOp)):
                order[ins.weight] = None
            elif isinstance(ins, DigitalOp):
                order.update((s, None) for s in ins.srcs if s in owners)
    order.update((name, None) for name in owners)
    return [(key, r.blob.data) for name in order for key, r in owners.get(name, ()) if r.blob.data is not None]


def print_program(program: ProgramOp) -> str:
    """The `.isa` text of an `isa.program`."""
    return _template().render(p=program, blobs=blobs(program))
