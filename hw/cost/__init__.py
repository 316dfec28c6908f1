"""rnc.hw.cost: area, energy and latency of the hardware, as plain data and formulas.

- `params.PeripheralConfig`: one crossbar and its periphery (node, cells, DAC/ADC, column sharing).
- `components.ComponentSpec`: a component's figures; `COMPONENT_OPS` lists the components and what one
  operation of each is.
- `adc`, `crossbar`, `tech`: the formulas (NeuroSim's ADCs, MNSIM's DACs, node scaling).
- `model.CostModel`: per-instruction charges (`mvm`, `digital`, `buffer_access`, `send`, `offchip`),
  tile and chip roll-ups, and `report` (energy by component, TOPS, TOPS/W, TOPS/mm^2, EDAP).
- `chip_rollup.chip_rollup`: area and leakage of a chip whose crossbars carry their own layers' periphery.
- `activity`: `Activity` (operation counts), `Charge`, `EnergyReport`.

docs/hardware.md ("Energy and area model") explains every parameter, formula and source.
"""
from .activity import Activity, Charge, EnergyReport
from .checks import FieldError
from .chip_rollup import ChipRollup, chip_rollup
from .components import COMPONENT_OPS, ComponentSpec
from .model import CostModel, Rollup
from .params import PeripheralConfig

__all__ = ["COMPONENT_OPS", "Activity", "Charge", "ChipRollup", "ComponentSpec", "CostModel", "EnergyReport",
           "FieldError", "PeripheralConfig", "Rollup", "chip_rollup"]
