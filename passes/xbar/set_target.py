"""`set-target`: attaches the hardware description (`#rnc.target<...>`) to the module."""
from __future__ import annotations

from dataclasses import dataclass

from rnc.dialects.rnc import module_target, set_module_target
from rnc.hw.target_files import TargetError, apply_values, load_target, parse_xbar_size
from rnc.ir.pass_manager import ModulePass, PassContext, PassError, register_pass


@register_pass
@dataclass
class SetTarget(ModulePass):
    """Sets the module's target from a TOML file or SimConfig.ini (`file`) and/or single options.

    Options override the file; keys left unset keep the module's current target (default: the RNC
    reference's 128x128 crossbars, 8-bit weights, one weight per cell, MNSIM ISAAC-like peripherals).
    A SimConfig.ini's keys that rnc does not use are reported as a remark.
    """

    name = "set-target"
    aliases = ("target",)
    file: str = ""
    budget: int | None = None
    xbar_size: str = ""
    weight_bits: int | None = None
    cell_bits: int | None = None
    input_bits: int | None = None

    def apply(self, module, ctx: PassContext) -> None:
        target = module_target(module)
        try:
            if self.file:
                loaded = load_target(self.file, target)
                target = loaded.target
                if loaded.ignored_keys:
                    ctx.remark(module, f"{self.file}: keys not used by rnc: {', '.join(loaded.ignored_keys)}")
            values = {k: getattr(self, k) for k in ("budget", "weight_bits", "cell_bits", "input_bits")
                      if getattr(self, k) is not None}
            if self.xbar_size:
                values["xbar_rows"], values["xbar_cols"] = parse_xbar_size(self.xbar_size)
                values["subarray_size"] = min(values["xbar_rows"], target.peripherals.subarray_size)
            target = apply_values(target, values)
        except TargetError as e:
            raise PassError(str(e)) from None
        set_module_target(module, target)
