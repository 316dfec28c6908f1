"""ADC sharing is one fact with two readers (docs/hardware.md, "ADC sharing"): the chip's `cols_per_adc` (cost
model, native timing) and the reference-compatible model's `adcs_per_subarray` (MNSIM's ADC_Num). Where the
chip is the reference's own machine they must agree; elsewhere they differ on purpose."""
from __future__ import annotations

import math

from rnc.hw.chip import load_chip
from rnc.hw.peripherals import PeripheralParams
from rnc.hw.sim_config import DEFAULT_SIM_CONFIG, read_sim_config
from rnc.hw.target import Target


def test_reference_chip_shares_adcs_as_its_simconfig_says():
    ini, _ = read_sim_config(DEFAULT_SIM_CONFIG)            # ADC_Num 128, Xbar_Size 128
    chip = load_chip("rnc-reference").crossbar
    assert ini.cols_per_adc == math.ceil(ini.xbar_cols / ini.adcs_per_subarray) == 1
    assert chip.cols_per_adc == ini.cols_per_adc == PeripheralParams().cols_per_adc
    assert Target().crossbar_config().cols_per_adc == Target().peripherals.cols_per_adc


def test_other_chips_keep_the_reference_timing_and_their_own_sharing():
    """On isaac one ADC scans an array's 128 columns (ISAAC Table 6: 8 ADCs an IMA of 8 arrays), while the
    reference-compatible time stays MNSIM's 128 ADCs a subarray, so that speedup stays comparable with the
    RNC paper on every chip."""
    isaac = Target().with_values(chip="isaac")
    assert isaac.crossbar_config().cols_per_adc == 128
    assert isaac.peripherals.cols_per_adc == 1
    assert isaac.mvm_ns(128, 128) == Target().mvm_ns(128, 128)


def test_a_narrower_crossbar_caps_the_chips_sharing():
    t = Target().with_values(chip="isaac", xbar_cols=64)
    assert t.crossbar_config().cols_per_adc == 64 and t.peripherals.cols_per_adc == 1
