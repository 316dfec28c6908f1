"""The rnc dialect: the hardware target a module is compiled for, `#rnc.target<...>`.

The target is a module attribute (`rnc.target`) so every pass and tool reads the same description:
crossbar geometry and budget, weight/cell/input bit widths, the MNSIM-style peripheral parameters that set
the MVM latency, and the digital/bus throughput rnc's own timing model uses. Only fields that differ from
the defaults are printed: `#rnc.target<budget = 211, xbar_rows = 256>`.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any

from rnc.ir.attributes import DialectAttr, quote, unquote
from rnc.ir.dialect import Dialect
from rnc.sim.peripherals import PeripheralParams

TARGET_ATTR = "rnc.target"


@dataclass(frozen=True)
class Target:
    """Everything the compiler and simulator know about the accelerator.

    Defaults reproduce the RNC reference: 128 x 128 crossbars, 8-bit weights with one weight per cell in the
    packing area, 8-bit inputs, MNSIM's ISAAC-like peripherals (152.77 ns per MVM).
    """

    budget: int | None = None             # crossbars available; None = as many as needed
    weight_bits: int = 8
    cell_bits: int = 8                    # bits one cell stores; weight_bits / cell_bits cells per weight
    # rnc's own timing model (docs/timing.md): digital units and the inter-tile bus.
    digital_lanes: int = 32               # elementwise results the digital unit produces per cycle
    bus_bytes_per_cycle: int = 32         # inter-tile bus width
    buffer_bytes_per_cycle: int = 64      # tile buffer read/write bandwidth
    peripherals: PeripheralParams = field(default_factory=PeripheralParams)

    def __post_init__(self) -> None:
        for name in ("weight_bits", "cell_bits", "digital_lanes", "bus_bytes_per_cycle", "buffer_bytes_per_cycle"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.budget is not None and self.budget < 1:
            raise ValueError(f"budget must be >= 1, got {self.budget}")
        if self.cell_bits > self.weight_bits:
            raise ValueError(f"cell_bits ({self.cell_bits}) cannot exceed weight_bits ({self.weight_bits})")

    # ---- derived ---------------------------------------------------------------------------------------
    @property
    def xbar_rows(self) -> int:
        return self.peripherals.xbar_rows

    @property
    def xbar_cols(self) -> int:
        return self.peripherals.xbar_cols

    @property
    def input_bits(self) -> int:
        return self.peripherals.input_bits

    @property
    def cells_per_weight(self) -> int:
        return -(-self.weight_bits // self.cell_bits)

    @property
    def weight_cols_per_xbar(self) -> int:
        """Matrix columns one crossbar holds (bit-sliced weights take several cells each)."""
        return self.xbar_cols // self.cells_per_weight

    @property
    def xbar_area(self) -> int:
        return self.xbar_rows * self.xbar_cols

    # ---- flat key view, shared by the attribute syntax, TOML files and command-line options ---------------
    @staticmethod
    def keys() -> dict[str, Any]:
        """Every settable key with its default."""
        out = {f.name: f.default for f in fields(Target) if f.name != "peripherals"}
        out.update({f.name: f.default for f in fields(PeripheralParams)})
        return out

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "peripherals"}
        out.update(dataclasses.asdict(self.peripherals))
        return out

    def with_values(self, **values: Any) -> "Target":
        """A copy with some keys changed (ValueError on unknown keys or invalid values)."""
        own = {f.name for f in fields(Target)} - {"peripherals"}
        periph_keys = {f.name for f in fields(PeripheralParams)}
        unknown = sorted(set(values) - own - periph_keys)
        if unknown:
            raise ValueError(f"unknown target key '{unknown[0]}'; allowed: {', '.join(sorted(self.keys()))}")
        periph = {k: v for k, v in values.items() if k in periph_keys}
        return replace(self, peripherals=replace(self.peripherals, **periph),
                       **{k: v for k, v in values.items() if k in own})


@dataclass(frozen=True)
class TargetAttr(DialectAttr):
    """`#rnc.target<key = value, ...>`: a `Target`; keys left out have their default."""

    dialect_name = "rnc"
    mnemonic = "target"
    target: Target = field(default_factory=Target)

    def body(self) -> str | None:
        defaults = Target().as_dict()
        items = [(k, v) for k, v in sorted(self.target.as_dict().items()) if defaults[k] != v]
        return ", ".join(f"{k} = {_format(v)}" for k, v in items)

    @classmethod
    def parse_body(cls, body: str | None) -> "TargetAttr":
        values: dict[str, Any] = {}
        for item in _split_items(body or ""):
            key, eq, text = item.partition("=")
            if not eq:
                raise ValueError(f"expected 'key = value', got '{item.strip()}'")
            values[key.strip()] = _parse_value(text.strip(), key.strip())
        return cls(Target().with_values(**values))


def _format(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, float):
        return repr(v)
    if v is None:
        return "none"
    return str(v)


def _split_items(body: str) -> list[str]:
    return [part for part in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", body) if part.strip()]


def _parse_value(text: str, key: str) -> Any:
    default = Target.keys().get(key)
    if text == "none":
        return None
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"'):
        return unquote(text)
    try:
        if isinstance(default, float):
            return float(text)
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"invalid value '{text}' for '{key}'") from None


def module_target(module) -> Target:
    """The target attached to `module`, or the default target."""
    attr = module.attributes.get(TARGET_ATTR)
    return attr.target if isinstance(attr, TargetAttr) else Target()


def set_module_target(module, target: Target) -> None:
    module.attributes[TARGET_ATTR] = TargetAttr(target)


DIALECT = Dialect("rnc", attributes=[TargetAttr], doc="Compilation target description.")
