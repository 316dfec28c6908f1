"""Peripheral genes: one crossbar periphery (ADC type and bits, columns per ADC, input bits) per layer group.

XPert (DAC 2023) searches these four knobs per layer beside the network. Here a search space groups its
layers (a block, or one layer) and gives each group `GENES_PER_GROUP` integer genes, each an index into its
choice list below. A group's genes decode to the per-layer overrides of the shared contract
(`rnc.hw.LAYER_PERIPHERAL_KEYS`), which reach the compiled program as `CompileOptions.layer_peripherals`
(xbar.layer index -> overrides), so a searched design compiles with exactly the hardware it was scored on.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

# The choices XPert searches (Phase1_VGG16_backbone.py: ADC type 1/2, columns sharing an ADC, input
# precision) widened as the issue asks: ADC bits 3-8 (XPert passes 5 or 6), sharing 1-32, inputs 1-8 bits.
ADC_TYPES = ("sar", "flash")
ADC_BITS = (3, 4, 5, 6, 7, 8)
COLS_PER_ADC = (1, 2, 4, 8, 16, 32)
INPUT_BITS = (1, 2, 4, 8)
# (contract key, choices) in gene order within a group.
GENES = (("adc_type", ADC_TYPES), ("adc_bits", ADC_BITS), ("cols_per_adc", COLS_PER_ADC),
         ("input_bits", INPUT_BITS))
GENES_PER_GROUP = len(GENES)
# XPert's baseline, and the RNC reference chip's own periphery (hw/targets/rnc-reference.toml: ISAAC's 8-bit
# SAR ADC on every column, 8-bit inputs).
BASELINE = {"adc_type": "sar", "adc_bits": 8, "cols_per_adc": 1, "input_bits": 8}
SHORT = {"adc_type": "", "adc_bits": "b", "cols_per_adc": "m", "input_bits": "i"}


def upper_bounds(groups: int) -> list[int]:
    """Inclusive upper bound of each peripheral gene of `groups` groups (lower bounds are 0)."""
    return [len(choices) - 1 for _, choices in GENES] * groups


def genes_of(overrides: Mapping[str, object]) -> tuple[int, ...]:
    """The genes of one group's overrides (ValueError naming a value outside the choices)."""
    out = []
    for key, choices in GENES:
        value = overrides[key]
        if value not in choices:
            raise ValueError(f"{key} = {value!r} is not a searched choice ({', '.join(map(str, choices))})")
        out.append(choices.index(value))
    return tuple(out)


BASELINE_GENES = genes_of(BASELINE)


def decode_group(genes: Sequence[int]) -> dict[str, object]:
    """One group's four genes -> its overrides ({'adc_type': 'sar', 'adc_bits': 5, ...})."""
    if len(genes) != GENES_PER_GROUP:
        raise ValueError(f"a peripheral group has {GENES_PER_GROUP} genes, got {len(genes)}")
    return {key: choices[int(g)] for (key, choices), g in zip(GENES, genes)}


def decode(genes: Sequence[int]) -> list[dict[str, object]]:
    """Every group's overrides, in group order."""
    if len(genes) % GENES_PER_GROUP:
        raise ValueError(f"peripheral genes come in groups of {GENES_PER_GROUP}, got {len(genes)}")
    return [decode_group(genes[i:i + GENES_PER_GROUP]) for i in range(0, len(genes), GENES_PER_GROUP)]


def describe_group(overrides: Mapping[str, object]) -> str:
    """Short form of one group's periphery: 'sar b5 m8 i4' reads SAR, 5 bits, 8 columns an ADC, 4-bit inputs."""
    return " ".join(f"{SHORT[key]}{overrides[key]}" for key, _ in GENES)


def layer_peripherals(layer_groups: Sequence[int], genes: Sequence[int]) -> dict[int, dict[str, object]]:
    """`CompileOptions.layer_peripherals` for layers 0.. whose groups are `layer_groups` (None: no override)."""
    groups = decode(genes)
    return {layer: dict(groups[g]) for layer, g in enumerate(layer_groups) if g is not None}


def layer_config_toml(layer_peripherals_: Mapping[int, Mapping[str, object]]) -> str:
    """The `rnc compile --layer-config` file of these overrides ([layer.3] adc_bits = 4 ...)."""
    lines = []
    for layer in sorted(layer_peripherals_):
        lines.append(f"[layer.{layer}]")
        for key, value in layer_peripherals_[layer].items():
            lines.append(f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}")
        lines.append("")
    return "\n".join(lines)


def write_layer_config(path: str | Path, layer_peripherals_: Mapping[int, Mapping[str, object]]) -> None:
    from rnc.driver.atomic import write_text_atomic
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, layer_config_toml(layer_peripherals_))
