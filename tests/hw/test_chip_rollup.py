"""`chip_rollup`: a chip whose crossbars carry the periphery of the layers they hold (docs/hardware.md, "How
the simulator uses it"). The expected areas are built here from the component formulas (scale_adc,
scale_dac, column_mux) and the counts of one crossbar, not from the roll-up."""
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnc.hw.chip import load_chip
from rnc.hw.cost import CostModel, chip_rollup
from rnc.hw.cost.adc import scale_adc
from rnc.hw.cost.crossbar import column_mux, scale_dac

REFERENCE = replace(load_chip("rnc-reference"), tiles=3)    # 12 crossbars (4 a tile)
OWN = REFERENCE.crossbar                                    # 8-bit SAR ADC a column, 1-bit DACs
SMALL_ADC = replace(OWN, adc_bits=4, cols_per_adc=8)         # 16 ADCs a crossbar and a mux gate a column
WIDE_DAC = replace(OWN, dac_bits=2)


def adc_um2(config) -> float:
    return scale_adc(REFERENCE.components["adc"], OWN, config).area_um2


def mux_um2(config) -> float:
    return column_mux(config, scale_adc(REFERENCE.components["adc"], OWN, config).ops_per_ns).area_um2


def test_every_crossbar_at_the_models_periphery_gives_the_models_figures_to_the_bit():
    model = CostModel(REFERENCE)
    for crossbars in ([], [set()] * 12, [{OWN}] * 5):
        rollup = chip_rollup(model, crossbars)
        assert rollup.area_mm2 == model.chip_area_mm2
        assert rollup.leakage_mw == model.chip_leakage_mw
        assert rollup.component_area_mm2 == {name: r.area_mm2 * 3 for name, r in model.tile_breakdown().items()
                                             if r.area_mm2}


def test_small_shared_adcs_save_exactly_their_adc_and_mux_difference():
    model = CostModel(REFERENCE)
    saved_um2 = 128 * adc_um2(OWN) - (16 * adc_um2(SMALL_ADC) + 128 * mux_um2(SMALL_ADC))
    assert saved_um2 > 0
    rollup = chip_rollup(model, [{SMALL_ADC}, set(), {SMALL_ADC}])
    assert model.chip_area_mm2 - rollup.area_mm2 == pytest.approx(2 * saved_um2 * 1e-6, rel=1e-9)
    assert rollup.component_area_mm2["column_mux"] == pytest.approx(2 * 128 * mux_um2(SMALL_ADC) * 1e-6, rel=1e-12)
    assert rollup.component_area_mm2["adc"] == pytest.approx(
        (10 * 128 * adc_um2(OWN) + 2 * 16 * adc_um2(SMALL_ADC)) * 1e-6, rel=1e-12)
    assert sum(rollup.component_area_mm2.values()) == pytest.approx(rollup.area_mm2, rel=1e-12)


def test_a_crossbar_holding_two_peripheries_takes_the_largest_of_each_component():
    """Small shared ADCs (with their muxes) and 2-bit DACs (at full-width ADCs) on one crossbar: the 2-bit
    DACs, the full-width ADCs and the muxes."""
    model = CostModel(REFERENCE)
    dac = REFERENCE.components["dac"]
    wider_um2 = 128 * (scale_dac(dac, OWN, WIDE_DAC).area_um2 - scale_dac(dac, OWN, OWN).area_um2)
    both = chip_rollup(model, [{SMALL_ADC, WIDE_DAC}])
    assert both.area_mm2 - model.chip_area_mm2 == pytest.approx((wider_um2 + 128 * mux_um2(SMALL_ADC)) * 1e-6,
                                                                rel=1e-9)
    assert both.component_area_mm2["adc"] == model.tile_breakdown()["adc"].area_mm2 * 3
    alone = [chip_rollup(model, [{c}]).area_mm2 for c in (SMALL_ADC, WIDE_DAC)]
    assert both.area_mm2 > max(alone)


def test_leakage_follows_each_crossbars_periphery_and_takes_the_largest():
    leaky = replace(REFERENCE, components={**REFERENCE.components,
                                           "adc": replace(REFERENCE.components["adc"], leakage_mw=0.01)})
    model = CostModel(leaky)
    small, wide = (scale_adc(leaky.components["adc"], OWN, c).leakage_mw for c in (SMALL_ADC, WIDE_DAC))
    assert chip_rollup(model, [{SMALL_ADC}]).leakage_mw == pytest.approx(
        model.chip_leakage_mw - 128 * 0.01 + 16 * small, rel=1e-12)
    assert chip_rollup(model, [{SMALL_ADC, WIDE_DAC}]).leakage_mw == pytest.approx(
        model.chip_leakage_mw - 128 * 0.01 + 128 * wide, rel=1e-12)


def test_more_crossbars_than_the_chip_has_is_an_error():
    with pytest.raises(ValueError, match="13 crossbars given, the chip has 12"):
        chip_rollup(CostModel(REFERENCE), [set()] * 13)


def test_a_cost_model_of_the_caller_is_used_for_a_configuration():
    asked = []

    def model_for(config):
        asked.append(config)
        return CostModel(REFERENCE, config)
    chip_rollup(CostModel(REFERENCE), [{SMALL_ADC}, {SMALL_ADC}], model_for)
    assert asked == [SMALL_ADC]


@given(st.integers(1, 11), st.sampled_from(["sar", "flash"]), st.sampled_from([1, 4, 8]),
       st.lists(st.sampled_from(["other", "layer", "both"]), min_size=1, max_size=12))
@settings(max_examples=60)
def test_area_grows_with_a_layers_adc_bits(bits, kind, cols, held):
    """Crossbars holding the layer, another layer at the chip's periphery, or both; the layer's ADCs at b and
    b + 1 bits."""
    model = CostModel(REFERENCE)

    def area(b: int) -> float:
        layer = replace(OWN, adc_bits=b, adc_type=kind, cols_per_adc=cols)
        configs = {"other": {OWN}, "layer": {layer}, "both": {layer, OWN}}
        return chip_rollup(model, [configs[h] for h in held]).area_mm2
    assert area(bits + 1) >= area(bits)
    if "layer" in held:
        assert area(bits + 1) > area(bits)


def test_a_tile_counts_its_crossbars_components():
    tile = CostModel(REFERENCE, SMALL_ADC).tile_counts()
    assert (tile["array"], tile["adc"], tile["column_mux"], tile["dac"], tile["sample_hold"]) == (
        4, 4 * 16, 4 * 128, 4 * 128, 4 * 128)
