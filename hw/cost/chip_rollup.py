"""`chip_rollup`: area and leakage of a chip whose crossbars each carry the periphery of the layers they hold.

A `CostModel` rolls its chip up as tiles x one tile, every crossbar at the model's periphery. A program whose
layers have their own periphery (`Target.layer_config`) runs on a chip built for it, as NeuroSim and XPert
size one: each crossbar's own components (`CROSSBAR_COMPONENTS`: array, DACs, sample-and-holds, column
muxes, ADCs) are those of the layers it holds, so a layer's 4-bit ADC shared by 8 columns saves area and
leakage on its crossbars. The rest of a tile (shift-adders, registers, buffer, digital units, its share of a
router) is the model's: no layer key changes it.

    rollup = chip_rollup(model, [{config_of_w0}, {config_of_w0, config_of_w1}, set()])
    rollup.area_mm2, rollup.component_area_mm2["adc"], rollup.leakage_mw

Assumptions (docs/hardware.md, "How the simulator uses it"):
- A crossbar holding layers of different peripheries is built to serve each of them: per component, the
  largest area and the largest leakage among its layers' configurations (a crossbar shared by a layer with an
  8-bit SAR ADC a column and one with 4-bit flash ADCs shared by 8 columns gets the SAR ADCs and the second
  layer's column muxes). The switch and control that would serve two peripheries are left out.
- A crossbar no layer is written to keeps the model's periphery: the chip has it, whatever the program uses.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from .crossbar import CROSSBAR_COMPONENTS, crossbar_counts
from .model import CostModel
from .params import PeripheralConfig

# Below this fraction of the chip's area, a difference of sums is float rounding (a chip without off-chip
# links leaves some between its area and tiles x tile area).
ROUNDING = 1e-9


@dataclass(frozen=True)
class ChipRollup:
    """A chip's area (total and by component, nonzero components only) and its leakage power."""

    area_mm2: float
    component_area_mm2: dict[str, float]
    leakage_mw: float


def chip_rollup(model: CostModel, crossbars: Sequence[Collection[PeripheralConfig]] = (),
                model_for: Callable[[PeripheralConfig], CostModel] | None = None) -> ChipRollup:
    """The roll-up of `model.chip` whose crossbar i carries the configurations `crossbars[i]` (those of the
    layers it holds; empty, or past the end of the list: the model's own). `model_for(config)` gives the cost
    model of a configuration (a caller's cache; default a new `CostModel` on the same chip).

    With every crossbar at the model's configuration the figures are the model's own to the last bit:
    `chip_area_mm2`, tiles x `tile_breakdown()` by component, `chip_leakage_mw`.
    """
    chip = model.chip
    if len(crossbars) > chip.tiles * model.xbars_per_tile:
        raise ValueError(f"{len(crossbars)} crossbars given, the chip has {chip.tiles * model.xbars_per_tile}")
    total, leakage = model.chip_area_mm2, model.chip_leakage_mw
    area = {name: r.area_mm2 * chip.tiles for name, r in model.tile_breakdown().items()}
    area_delta, leakage_delta = _crossbar_deltas(model, crossbars, model_for or (lambda c: CostModel(chip, c)))
    if area_delta:
        for name, delta in area_delta.items():
            area[name] += delta
        total += sum(area_delta.values())
        # A component every crossbar dropped (no column mux anywhere) may leave rounding: not an area.
        area = {name: a if abs(a) > ROUNDING * total else 0.0 for name, a in area.items()}
    if leakage_delta:
        leakage += sum(leakage_delta.values())
    area = {name: a for name, a in area.items() if a}
    links = model.chip_area_mm2 - model.tile_area_mm2 * chip.tiles
    if links > ROUNDING * model.chip_area_mm2:   # not the rounding left by a chip without links
        area["offchip_link"] = links
    return ChipRollup(total, area, leakage)


def _crossbar_deltas(model: CostModel, crossbars: Sequence[Collection[PeripheralConfig]],
                     model_for: Callable[[PeripheralConfig], CostModel]) -> tuple[dict[str, float], dict[str, float]]:
    """Area (mm^2) and leakage (mW) the crossbars' own peripheries add to the model's, by component (only
    where some crossbar differs from the model's configuration)."""
    own = frozenset((model.config,))
    groups = Counter(frozenset(c) for c in crossbars if c and frozenset(c) != own)
    figures: dict[PeripheralConfig, dict[str, tuple[float, float]]] = {}

    def of(config: PeripheralConfig) -> dict[str, tuple[float, float]]:
        if config not in figures:
            figures[config] = crossbar_figures(model if config == model.config else model_for(config))
        return figures[config]

    base = of(model.config)
    area: dict[str, float] = {}
    leakage: dict[str, float] = {}
    for configs, n in groups.items():
        for name in CROSSBAR_COMPONENTS:
            a = max(of(c)[name][0] for c in configs) - base[name][0]
            w = max(of(c)[name][1] for c in configs) - base[name][1]
            area[name] = area.get(name, 0.0) + n * a
            leakage[name] = leakage.get(name, 0.0) + n * w
    return area, leakage


def crossbar_figures(model: CostModel) -> dict[str, tuple[float, float]]:
    """(area in mm^2, leakage in mW) of each `CROSSBAR_COMPONENTS` of one crossbar at `model.config`."""
    return {name: (n * model.specs[name].area_um2 * 1e-6, n * model.specs[name].leakage_mw)
            for name, n in crossbar_counts(model.config).items()}
