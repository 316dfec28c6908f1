"""The crossbar ISA backend: placed program -> `isa` dialect -> .isa text (docs/isa.md), and .isa text -> `isa`
dialect. The opcode table (`opcodes.py`) and the 8-bit quantization rules (`quantize.py`) live here."""
from __future__ import annotations

from .baseline import isaac_baseline
from .layers import LoweringError
from .lower import lower_program
from .parser import IsaSyntaxError, parse_isa
from .printer import print_program


def lower_to_isa(placed_module, calibration_inputs=None, seed: int = 0) -> str:
    """The .isa text of a placed module; activation scales come from float runs on `calibration_inputs`
    (a list of samples, each a list of input arrays; default: 4 seeded standard-normal samples)."""
    return print_program(lower_program(placed_module, calibration_inputs, seed))


__all__ = ["IsaSyntaxError", "LoweringError", "isaac_baseline", "lower_program", "lower_to_isa", "parse_isa",
           "print_program"]
