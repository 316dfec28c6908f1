"""`convert-xbar-to-isa`: a placed xbar program becomes an `isa.program`, the crossbar instruction stream."""
from __future__ import annotations

from dataclasses import dataclass, field

from rnc.backends.isa import LoweringError
from rnc.backends.isa.lower import calibration_inputs, lower_program
from rnc.dialects.rnc import TARGET_ATTR
from rnc.ir.pass_manager import ModulePass, PassContext, PassError, register_pass


@register_pass
@dataclass
class ConvertXbarToIsa(ModulePass):
    """Lowers a placed module (`xbar.layer`s placed by `xbar.array`, nn digital ops) to the isa dialect.

    Each network op becomes an `isa.stage`: a layer programs its tiles' crossbar regions (`isa.write`) and
    runs one `isa.mvm` per tile and copy, then `isa.accum` of its row tiles' partial sums, `isa.requant` to
    int8 and `isa.send`; a digital op runs as `isa.digital`. Weights are quantized to int8 per column,
    activations per tensor with scales from float runs on seeded standard-normal inputs. The module then
    holds only the `isa.program`; `rnc translate` prints it as .isa text (docs/isa.md).
    """

    name = "convert-xbar-to-isa"
    seed: int = field(default=0, metadata={"help": "seed of the calibration inputs"})
    samples: int = field(default=4, metadata={"help": "calibration inputs (float runs that set the scales)"})

    def apply(self, module, ctx: PassContext) -> None:
        if self.samples < 1:
            raise PassError(f"samples must be >= 1, got {self.samples}")
        try:
            program = lower_program(module, calibration_inputs(module, self.seed, self.samples))
        except LoweringError as e:
            raise PassError(str(e)) from None
        body = module.regions[0].block
        for op in list(body.ops):
            op.erase()
        body.append(program)
        module.attributes.pop(TARGET_ATTR, None)  # the program carries the target
