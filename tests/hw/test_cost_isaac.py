"""The chip model configured as ISAAC against ISAAC's published totals (Shafiee et al., ISCA 2016, Table 6).

ISAAC: a tile of 12 IMAs plus eDRAM, bus, router share, sigmoid, pooling and output register is 330 mW and
0.372 mm^2; 168 tiles with the HyperTransport links are 65.8 W and 85.4 mm^2; ADCs are about 58 % of the
tile's power and 31 % of its area. rnc adds the column muxes in front of the ADCs, which ISAAC's table
does not list (about 1.4 % of the tile area, almost no power).
"""
import pytest

from rnc.hw.chip import load_chip
from rnc.hw.cost import CostModel

TILE_POWER_MW, TILE_AREA_MM2 = 330.0, 0.372
CHIP_POWER_MW, CHIP_AREA_MM2 = 65.8e3, 85.4
# Per IMA (ISAAC Table 6): component -> (power mW, area mm^2)
IMA_ROWS = {"adc": (16.0, 0.0096), "dac": (4.0, 0.00017), "array": (2.4, 0.0002),
            "sample_hold": (0.01, 0.00004), "shift_add": (0.2, 0.00024), "input_register": (1.24, 0.0021),
            "output_register": (0.23, 0.00077)}


@pytest.fixture(scope="module")
def isaac() -> CostModel:
    return CostModel(load_chip("isaac"))


def test_tile_power_and_area_within_5_percent(isaac):
    assert isaac.tile_power_mw == pytest.approx(TILE_POWER_MW, rel=0.05)
    assert isaac.tile_area_mm2 == pytest.approx(TILE_AREA_MM2, rel=0.05)


def test_adc_share_of_tile_power_and_area(isaac):
    adc = isaac.tile_breakdown()["adc"]
    assert adc.power_mw / isaac.tile_power_mw == pytest.approx(0.58, abs=0.02)
    assert adc.area_mm2 / isaac.tile_area_mm2 == pytest.approx(0.31, abs=0.02)


def test_chip_power_and_area_within_5_percent(isaac):
    assert isaac.chip_power_mw == pytest.approx(CHIP_POWER_MW, rel=0.05)
    assert isaac.chip_area_mm2 == pytest.approx(CHIP_AREA_MM2, rel=0.05)


@pytest.mark.parametrize("component", sorted(IMA_ROWS))
def test_every_ima_row(isaac, component):
    power, area = IMA_ROWS[component]
    row, imas = isaac.tile_breakdown()[component], isaac.chip.tile.cores
    assert row.power_mw / imas == pytest.approx(power, rel=1e-9)
    assert row.area_mm2 / imas == pytest.approx(area, rel=1e-9)


def test_a_16_bit_mvm_takes_16_adc_bound_cycles(isaac):
    # ISAAC: one 100 ns IMA cycle per input bit (an ADC converts 128 columns at 1.28 GS/s); rnc adds the
    # digital periphery's two 1.2 GHz periods per pass and two per MVM.
    charge = isaac.mvm(128, 128)
    assert charge.time_ns == pytest.approx(16 * (100 + 2 / 1.2) + 2 / 1.2)
    assert charge.activity.ops["adc"] == 16 * 128
    assert charge.activity.macs == 128 * 16          # 128 columns hold 16 weights of 8 cells
