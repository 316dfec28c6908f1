"""`layer-peripherals`: gives weight layers their own periphery (ADC type and bits, columns per ADC, input,
DAC and cell bits), before or after `tile-partition`.

Before partition the overrides ride on the weight nn ops as the discardable attribute `xbar.peripherals`
(a dictionary), which `tile-partition` turns into the `xbar.layer`'s own attributes; after partition they are
set on the `xbar.layer`s directly. Layers are numbered as `tile-partition` numbers them (weight layers in
execution order, from 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import LayerOp, module_layers
from rnc.hw.target_files import TargetError, check_layer_overrides, load_layer_config
from rnc.ir.attributes import DictAttr, python_value, to_attr
from rnc.ir.core import Operation
from rnc.ir.pass_manager import ModulePass, PassContext, PassError, register_pass
from rnc.passes.xbar.matrices import weight_ops

PERIPHERALS_ATTR = "xbar.peripherals"   # on a weight nn op, before partition


def format_layer_overrides(layers: Mapping[int, Mapping[str, Any]]) -> str:
    """{3: {"adc_bits": 4, "adc_type": "flash"}} -> '3:adc_bits=4,adc_type=flash' (the pass's `layers`)."""
    return ";".join(f"{i}:" + ",".join(f"{k}={v}" for k, v in sorted(o.items()))
                    for i, o in sorted(layers.items()) if o)


def parse_layer_overrides(text: str) -> dict[int, dict[str, Any]]:
    """'3:adc_bits=4,cell_bits=2;5:adc_type=flash' -> {3: {...}, 5: {...}} (TargetError on a bad item)."""
    out: dict[int, dict[str, Any]] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        index, colon, body = item.partition(":")
        if not colon or not index.strip().isdigit():
            raise TargetError(f"expected 'LAYER:key=value,...', got '{item}'")
        values: dict[str, Any] = {}
        for pair in filter(None, (p.strip() for p in body.split(","))):
            key, eq, value = pair.partition("=")
            if not eq:
                raise TargetError(f"layer {index.strip()}: expected 'key=value', got '{pair}'")
            value = value.strip()
            values[key.strip()] = int(value) if value.lstrip("-").isdigit() else value
        out.setdefault(int(index), {}).update(check_layer_overrides(values))
    return out


def nn_op_overrides(op: Operation) -> dict[str, Any]:
    """The overrides `layer-peripherals` left on a weight nn op (empty when none)."""
    attr = op.attributes.get(PERIPHERALS_ATTR)
    return {k: python_value(v) for k, v in attr.value} if isinstance(attr, DictAttr) else {}


@register_pass
@dataclass
class LayerPeripherals(ModulePass):
    """Sets per-layer peripheral keys (`layers="3:adc_bits=4,cell_bits=2;5:adc_type=flash"`, and/or `file`, a
    TOML of `[layer.N]` tables; `layers` wins where both set a key). Each layer's overrides are checked
    against the module's target; a layer index the module does not have is an error."""

    name = "layer-peripherals"
    layers: str = ""
    file: str = ""

    def apply(self, module, ctx: PassContext) -> None:
        try:
            wanted = load_layer_config(self.file) if self.file else {}
            for index, values in parse_layer_overrides(self.layers).items():
                wanted.setdefault(index, {}).update(values)
        except TargetError as e:
            raise PassError(str(e)) from None
        set_layer_overrides(module, wanted)


def set_layer_overrides(module, wanted: Mapping[int, Mapping[str, Any]]) -> None:
    """Applies {layer index: overrides} to `module` (partitioned or not); PassError on a bad index or value."""
    if not wanted:
        return
    layers: list[Operation] = list(module_layers(module)) or weight_ops(module)
    target = module_target(module)
    for index, overrides in sorted(wanted.items()):
        if not 0 <= index < len(layers):
            raise PassError(f"layer {index}: the module has {len(layers)} weight layers (0..{len(layers) - 1})")
        op = layers[index]
        merged = {**(op.peripheral_overrides if isinstance(op, LayerOp) else nn_op_overrides(op)), **overrides}
        try:
            target.for_layer(merged)
        except ValueError as e:
            raise PassError(f"layer {index}: {e}") from None
        if isinstance(op, LayerOp):
            op.set_peripheral_overrides(merged)
        else:
            op.attributes[PERIPHERALS_ATTR] = DictAttr.of({k: to_attr(v) for k, v in merged.items()})


__all__ = ["LayerPeripherals", "PERIPHERALS_ATTR", "format_layer_overrides",
           "nn_op_overrides", "parse_layer_overrides", "set_layer_overrides"]
