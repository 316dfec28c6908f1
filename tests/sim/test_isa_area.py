"""Area and leakage of a native run follow each crossbar's layers (docs/timing.md section 1, "Energy"): on
hand-written programs, the expected areas built from the component formulas and one crossbar's counts."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnc.backends.isa import parse_isa
from rnc.hw.chip import load_chip
from rnc.hw.cost import CostModel
from rnc.hw.cost.adc import scale_adc
from rnc.hw.cost.crossbar import column_mux, scale_dac
from rnc.hw.target import Target
from rnc.sim.isa_sim import simulate

from test_isa_timing import TWO_LAYERS   # the hand-checked timing cases' stages (same folder)

CHIP = load_chip("rnc-reference")
OWN = Target().crossbar_config()        # 128 x 128, an 8-bit SAR ADC a column, 1-bit DACs

HEAD = """isa 1
target ""
xbars {xbars} rows 128 cols 128
input %x [1,4] scale 1.0
tensor %y [1,4] scale 1.0
tensor %z [1,4] scale 1.0
output %z
weight @w0 [4,4] kind linear cycles 1 scale @w0.s {w0}
weight @w1 [4,4] kind linear cycles 1 scale @w1.s {w1}
program xb0[0:4,0:4] <- @w0[0:4,0:4]
program {xb1}[0:4,4:8] <- @w1[0:4,0:4]
"""


def simulated(w0: str = "", w1: str = "", xb1: str = "xb1", xbars: int = 2):
    """Two layers: w0 on crossbar 0, w1 on `xb1`, with peripheral attributes `w0` and `w1`; one sample."""
    return simulate(parse_isa(HEAD.format(w0=w0, w1=w1, xb1=xb1, xbars=xbars) + TWO_LAYERS.format(xbar=xb1)))


def run(**program):
    return simulated(**program).energy


def adc(config):
    return scale_adc(CHIP.components["adc"], OWN, config)


def um2(config) -> dict[str, float]:
    """ADC, column mux and DAC area of one crossbar configured as `config` (128 rows and columns)."""
    return {"adc": config.adcs * adc(config).area_um2,
            "column_mux": 128 * column_mux(config, adc(config).ops_per_ns).area_um2 if config.cols_per_adc > 1 else 0,
            "dac": 128 * scale_dac(CHIP.components["dac"], OWN, config).area_um2}


def test_a_layer_without_overrides_is_charged_the_targets_chip_to_the_bit():
    result = simulated()
    plain = result.energy
    model = CostModel(replace(CHIP, tiles=1, offchip_links=0), OWN)
    assert plain.area_mm2 == model.chip_area_mm2
    assert plain.component_area_mm2 == {n: r.area_mm2 for n, r in model.tile_breakdown().items() if r.area_mm2}
    assert plain.leakage_pj == model.chip_leakage_mw * result.total_ns
    same = run(w0="adc_bits=8 adc_type=sar cols_per_adc=1")     # the target's own values, spelled out
    assert (same.area_mm2, same.component_area_mm2, same.leakage_pj) == (
        plain.area_mm2, plain.component_area_mm2, plain.leakage_pj)


def test_a_4_bit_adc_shared_by_8_columns_saves_its_crossbars_adc_and_mux_difference():
    plain, result = run(), simulated(w0="adc_bits=4 cols_per_adc=8")
    small = result.energy
    config = replace(OWN, adc_bits=4, cols_per_adc=8)
    before, after = um2(OWN), um2(config)
    saved = (before["adc"] - after["adc"] - after["column_mux"]) * 1e-6       # one crossbar: xb0
    assert saved > 0
    assert plain.area_mm2 - small.area_mm2 == pytest.approx(saved, rel=1e-9)
    assert small.component_area_mm2["column_mux"] == pytest.approx(after["column_mux"] * 1e-6, rel=1e-12)
    assert "column_mux" not in plain.component_area_mm2
    # Every area figure follows: TOPS/mm^2 and EDAP use the same area.
    assert small.tops_per_mm2 == pytest.approx(small.tops / small.area_mm2, rel=1e-12)
    assert small.edap_pj_ns_mm2 == pytest.approx(
        small.energy_per_inference_pj * result.latency_ns * small.area_mm2, rel=1e-12)


def test_two_layers_on_one_crossbar_take_each_components_largest():
    """w0's small shared ADCs and w1's 2-bit DACs on crossbar 0: its DACs are w1's, its ADCs the target's
    (w1's), its muxes w0's."""
    plain = run(xb1="xb0", xbars=1)
    both = run(w0="adc_bits=4 cols_per_adc=8", w1="dac_bits=2", xb1="xb0", xbars=1)
    small, wide = um2(replace(OWN, adc_bits=4, cols_per_adc=8)), um2(replace(OWN, dac_bits=2))
    extra = (wide["dac"] - um2(OWN)["dac"] + small["column_mux"]) * 1e-6
    assert both.area_mm2 - plain.area_mm2 == pytest.approx(extra, rel=1e-9)
    assert both.component_area_mm2["adc"] == plain.component_area_mm2["adc"]


def test_unused_crossbars_keep_the_targets_periphery():
    """Three crossbars declared, two used: the tile's other two crossbars stay at the target's periphery."""
    small = run(w0="adc_bits=4 cols_per_adc=8", w1="adc_bits=4 cols_per_adc=8", xbars=3)
    config = replace(OWN, adc_bits=4, cols_per_adc=8)
    assert small.component_area_mm2["adc"] == pytest.approx(
        (2 * um2(config)["adc"] + 2 * um2(OWN)["adc"]) * 1e-6, rel=1e-12)


@given(st.integers(1, 11), st.sampled_from(["sar", "flash"]), st.sampled_from([1, 2, 8]), st.booleans())
@settings(max_examples=20, deadline=None)
def test_the_programs_area_grows_with_a_layers_adc_bits(bits, kind, cols, shared):
    """Layer w0's ADC bits b and b + 1, w1 on its own crossbar or on w0's (at the target's periphery)."""
    def area(b: int) -> float:
        return run(w0=f"adc_bits={b} adc_type={kind} cols_per_adc={cols}", xb1="xb0" if shared else "xb1").area_mm2
    assert area(bits + 1) >= area(bits)
    if not shared:
        assert area(bits + 1) > area(bits)
