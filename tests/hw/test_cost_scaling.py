"""Properties the formulas promise: growth with ADC bits, column sharing, technology node; finite results.

NeuroSim (SarADC.cpp, MultilevelSenseAmp.cpp, SubArray.cpp) says: an ADC's area and energy per conversion
grow with its bits; sharing one ADC among m columns divides the ADC area and power per column by m but
leaves the energy per conversion alone (each column is still converted once per read), and makes a read m
conversions long.
"""
import math
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from rnc.hw.chip import load_chip
from rnc.hw.cost import CostModel, PeripheralConfig
from rnc.hw.cost.adc import flash_adc, sar_adc
from rnc.hw.cost.tech import NODES_NM

CHIPS = {name: load_chip(name) for name in ("isaac", "rnc-reference")}
nodes = st.sampled_from(NODES_NM)
column_ohms = st.floats(10.0, 1e7)
read_voltages = st.floats(0.05, 1.0)
bits = st.integers(1, 11)


@given(bits, nodes, column_ohms, read_voltages, st.integers(1, 256))
def test_neurosim_sar_grows_with_bits(n, node, ohm, volts, adcs):
    low, high = sar_adc(n, node, ohm, volts, adcs), sar_adc(n + 1, node, ohm, volts, adcs)
    assert high.area_um2 > low.area_um2 and high.energy_pj > low.energy_pj
    assert high.conversion_ns == low.conversion_ns + 1


@given(bits, nodes, column_ohms, read_voltages, st.integers(1, 256), st.floats(10.0, 500.0))
def test_neurosim_flash_grows_with_bits(n, node, ohm, volts, adcs, width):
    low, high = flash_adc(n, node, ohm, volts, adcs, width), flash_adc(n + 1, node, ohm, volts, adcs, width)
    assert high.area_um2 > low.area_um2 and high.energy_pj > low.energy_pj
    assert high.conversion_ns == low.conversion_ns


@given(st.sampled_from(sorted(CHIPS)), bits, st.sampled_from(["sar", "flash"]))
@settings(max_examples=40)
def test_chip_adc_energy_area_and_tile_power_grow_with_bits(chip, n, kind):
    base = CHIPS[chip]
    low = CostModel(base, replace(base.crossbar, adc_bits=n, adc_type=kind))
    high = CostModel(base, replace(base.crossbar, adc_bits=n + 1, adc_type=kind))
    for figure in ("energy_pj", "area_um2"):
        assert getattr(high.specs["adc"], figure) > getattr(low.specs["adc"], figure)
    assert high.tile_power_mw > low.tile_power_mw and high.tile_area_mm2 > low.tile_area_mm2


@given(st.sampled_from(sorted(CHIPS)), st.integers(1, 127), st.sampled_from(["sar", "flash"]))
@settings(max_examples=60)
def test_column_sharing_shrinks_adc_area_and_power_per_column(chip, m, kind):
    base = CHIPS[chip]
    fewer, more = (CostModel(base, replace(base.crossbar, cols_per_adc=k, adc_type=kind)) for k in (m, m + 1))

    def per_column(model, figure):
        rows = model.tile_breakdown()
        return sum(getattr(rows[name], figure) for name in ("adc", "column_mux")) / rows["sample_hold"].count

    for figure in ("area_mm2", "power_mw"):
        assert per_column(more, figure) <= per_column(fewer, figure) * (1 + 1e-12)
    if math.ceil(128 / (m + 1)) < math.ceil(128 / m):          # one ADC fewer per crossbar
        assert per_column(more, "area_mm2") < per_column(fewer, "area_mm2")


@given(st.sampled_from(sorted(CHIPS)), st.integers(1, 128), st.integers(1, 128), st.sampled_from(["sar", "flash"]))
@settings(max_examples=60)
def test_column_sharing_keeps_adc_energy_and_lengthens_the_read(chip, m, cols, kind):
    base = CHIPS[chip]
    shared = CostModel(base, replace(base.crossbar, cols_per_adc=m, adc_type=kind))
    alone = CostModel(base, replace(base.crossbar, cols_per_adc=1, adc_type=kind))
    a, b = shared.mvm(64, cols), alone.mvm(64, cols)
    assert a.activity.ops["adc"] == b.activity.ops["adc"]
    assert shared.specs["adc"].energy_pj == alone.specs["adc"].energy_pj
    extra_conversions = (min(cols, m) - 1) * base.crossbar.input_passes()
    assert math.isclose(a.time_ns - b.time_ns, extra_conversions * shared.specs["adc"].latency_ns, abs_tol=1e-9)


@given(st.sampled_from(sorted(CHIPS)), nodes)
@settings(max_examples=30)
def test_area_shrinks_with_the_node(chip, node):
    base = CHIPS[chip]
    smaller = [n for n in NODES_NM if n < node]
    model = CostModel(base, replace(base.crossbar, tech_node_nm=node))
    for other in smaller:
        assert CostModel(base, replace(base.crossbar, tech_node_nm=other)).tile_area_mm2 < model.tile_area_mm2


@given(st.sampled_from(sorted(CHIPS)), st.integers(1, 128), st.integers(1, 128), st.integers(1, 16),
       st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128]), bits, st.sampled_from(["sar", "flash"]), nodes)
@settings(max_examples=80)
def test_every_figure_is_finite(chip, rows, cols, input_bits, m, n, kind, node):
    base = CHIPS[chip]
    config = replace(base.crossbar, cols_per_adc=m, adc_bits=n, adc_type=kind, tech_node_nm=node)
    model = CostModel(base, config)
    charge = model.mvm(rows, cols, input_bits)
    report = model.report(charge.activity, charge.time_ns)
    numbers = [charge.time_ns, report.total_pj, report.tops, report.tops_per_w, report.tops_per_mm2,
               report.edap, model.tile_power_mw, model.chip_area_mm2]
    assert all(math.isfinite(x) and x > 0 for x in numbers)


def test_default_config_is_the_chip_config():
    for chip in CHIPS.values():
        assert CostModel(chip).specs == CostModel(chip, replace(chip.crossbar)).specs
        assert isinstance(chip.crossbar, PeripheralConfig)
