"""The ADC models against NeuroSim's own figures (XPert's NeuroSim fork, as run for rnc's reference notes).

The points, the SRAM sub-array they were measured on and the precharger NeuroSim counts in its "ADC part"
(which an RRAM read path does not have) live in rnc.hw.cost.neurosim_validation; bench/energy.py prints them.
"""
import math

import pytest

from rnc.hw.cost.adc import sar_adc
from rnc.hw.cost.neurosim_validation import (COLS, PRECHARGER_AREA_UM2, PRECHARGER_PJ_PER_STEP, XPERT_POINTS,
                                            adc_model as _model)


@pytest.mark.parametrize("point", sorted(XPERT_POINTS))
def test_area_of_the_adc_part_within_10_percent(point):
    kind, levels, m = point
    area, _ = XPERT_POINTS[point]
    assert _model(kind, levels, m).area_um2 + PRECHARGER_AREA_UM2 == pytest.approx(area, rel=0.10)


@pytest.mark.parametrize("point", sorted(XPERT_POINTS))
def test_energy_per_read_of_the_adc_part_within_10_percent(point):
    # Every read converts all 128 columns, m at a time; the precharger runs once per mux step.
    kind, levels, m = point
    _, energy = XPERT_POINTS[point]
    model = COLS * _model(kind, levels, m).energy_pj + m * PRECHARGER_PJ_PER_STEP
    assert model == pytest.approx(energy, rel=0.10)


def test_sar_points_are_reproduced_to_the_rounding_of_the_figures():
    # SAR has no layout or timing approximation in rnc: the figures match to their printed digits.
    for (kind, levels, m), (area, energy) in XPERT_POINTS.items():
        if kind == "sar":
            figures = _model(kind, levels, m)
            assert figures.area_um2 + PRECHARGER_AREA_UM2 == pytest.approx(area, abs=1.0)
            assert COLS * figures.energy_pj + m * PRECHARGER_PJ_PER_STEP == pytest.approx(energy, abs=0.01)


@pytest.mark.parametrize("bits", range(1, 13))
def test_sar_conversion_takes_bits_plus_one_ns(bits):
    assert sar_adc(bits, 32, 1e3, 0.5, 1).conversion_ns == bits + 1


def test_levels_are_not_bits():
    # XPert's "5-bit" SAR: L = 5 levels is log2(5) = 2.32 bits, (2.32 + 1) ns per conversion.
    assert _model("sar", 5, 1).conversion_ns == pytest.approx(math.log2(5) + 1)
    assert _model("sar", 32, 8).conversion_ns == 6.0


def test_sar_area_at_5_bits_is_about_263_um2():
    # peripherals.md: NeuroSim's 5-bit SAR at 32 nm is about 263 um^2.
    assert sar_adc(5, 32, 1e3, 0.5, 1).area_um2 == pytest.approx(263, rel=0.01)


def test_flash_senses_in_1_ns_at_low_column_resistance():
    # NeuroSim clamps the multi-level sense amplifier's column time to at least 1 ns.
    assert _model("flash", 6, 1).conversion_ns == 1.0
