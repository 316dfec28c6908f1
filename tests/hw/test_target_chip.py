"""The target's chip: named or a file, one source per crossbar fact (docs/hardware.md, "The chip")."""
from __future__ import annotations

from importlib import resources

import pytest

from rnc.hw.chip import load_chip
from rnc.hw.target import DEFAULT_TARGET, Target
from rnc.hw.target_files import TargetError, load_target


def test_default_chip_is_the_reference_and_its_crossbar_is_the_targets():
    cfg = DEFAULT_TARGET.crossbar_config()
    assert DEFAULT_TARGET.chip == "rnc-reference"
    assert cfg == load_chip("rnc-reference").crossbar   # the reference chip file agrees with the defaults


def test_overlapping_facts_come_from_the_target():
    t = Target().with_values(chip="isaac", xbar_rows=256, subarray_size=256, adc_bits=6, dac_bits=2, input_bits=4,
                             weight_bits=8, cell_bits=2)
    cfg = t.crossbar_config()
    assert (cfg.rows, cfg.cols, cfg.adc_bits, cfg.dac_bits, cfg.input_bits, cfg.weight_bits, cfg.bits_per_cell) == \
        (256, 128, 6, 2, 4, 8, 2)
    # Knobs only the chip describes stay the chip's until the target overrides them.
    assert (cfg.cols_per_adc, cfg.adc_type, cfg.tech_node_nm) == (128, "sar", 32)
    cfg = t.with_values(cols_per_adc=8, adc_type="flash", tech_node_nm=22).crossbar_config()
    assert (cfg.cols_per_adc, cfg.adc_type, cfg.tech_node_nm) == (8, "flash", 22)
    # A narrower array than the chip's shares one ADC among all its columns.
    assert Target().with_values(chip="isaac", xbar_cols=64).crossbar_config().cols_per_adc == 64


def test_invalid_chip_values_are_one_line_errors():
    with pytest.raises(ValueError, match="unknown chip 'nochip'"):
        Target(chip="nochip")
    with pytest.raises(ValueError, match=r"cols_per_adc = 300: must be an integer in \[1, 128\]"):
        Target(cols_per_adc=300)
    with pytest.raises(ValueError, match="adc_type = 'ramp'"):
        Target(adc_type="ramp")


def test_target_files_name_a_chip(tmp_path):
    assert load_target("isaac").target.chip == "isaac"
    chip_file = resources.files("rnc.hw.targets") / "isaac.toml"
    copy = tmp_path / "chips" / "mine.toml"
    copy.parent.mkdir()
    copy.write_text(chip_file.read_text())
    assert load_target(copy).target.chip == str(copy.resolve())          # a chip file as the target
    hw = tmp_path / "hw.toml"
    hw.write_text('chip = "chips/mine.toml"\nadc_bits = 6\n')            # relative to the target file
    target = load_target(hw).target
    assert target.chip == str(copy.resolve()) and target.crossbar_config().adc_bits == 6
    hw.write_text("chip = 3\n")
    with pytest.raises(TargetError, match="target key 'chip' must be a string, got 3"):
        load_target(hw)
