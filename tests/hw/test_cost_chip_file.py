"""Chip files: the built-in ones load, and every bad value is one line naming file, key, value and range."""
from importlib import resources

import pytest

from rnc.hw.chip import ChipFileError, builtin_chips, load_chip

ISAAC_TEXT = (resources.files("rnc.hw.targets") / "isaac.toml").read_text()


def _load_edited(tmp_path, old: str, new: str) -> str:
    assert old in ISAAC_TEXT
    path = tmp_path / "chip.toml"
    path.write_text(ISAAC_TEXT.replace(old, new, 1))
    with pytest.raises(ChipFileError) as info:
        load_chip(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


def test_builtin_chips_are_package_data():
    assert {"isaac", "rnc-reference"} <= set(builtin_chips())
    for name in builtin_chips():
        assert load_chip(name).name == name


def test_a_path_loads_like_a_name(tmp_path):
    path = tmp_path / "copy.toml"
    path.write_text(ISAAC_TEXT)
    assert load_chip(path) == load_chip("isaac")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("adc_bits = 8", "adc_bits = nan", "crossbar.adc_bits = nan: must be an integer in [1, 12]"),
    ("read_voltage_v = 0.51", "read_voltage_v = inf",
     "crossbar.read_voltage_v = inf: must be a finite number in (0, 5]"),
    ("crossbars = 8", "crossbars = -8", "core.crossbars = -8: must be an integer in [1, 1048576]"),
    ("cycle_ns = 0.8333333333", "cycle_ns = -1.0", "network.cycle_ns = -1.0: must be a finite number in (0, 1e+06]"),
    ("power_mw = 2.0", "power_mw = -2.0", "components.adc.power_mw = -2.0: must be a finite number in [0, 1e+12]"),
    ("latency_ns = 0.78125", "latency_ns = nan",
     "components.adc.latency_ns = nan: must be a finite number in [0, 1e+12]"),
    ("cols_per_adc = 128", "cols_per_adc = 129", "crossbar.cols_per_adc = 129: must be an integer in [1, 128]"),
    ("r_off_ohm = 1.7e6", "r_off_ohm = 1e3", "crossbar.r_off_ohm = 1000.0: must be a finite number in [100000, 1e+12]"),
    ("tech_node_nm = 32", "tech_node_nm = 28", "crossbar.tech_node_nm = 28: must be one of 130, 90, 65, 45, 32, 22"),
    ('adc_type = "sar"', 'adc_type = "pipelined"', "crossbar.adc_type = 'pipelined': must be one of 'sar', 'flash'"),
    ("tiles = 168", "tiles = 0", "tiles = 0: must be an integer in [1, 1048576]"),
])
def test_bad_values(tmp_path, old, new, expected):
    assert _load_edited(tmp_path, old, new).endswith(expected)


def test_unknown_keys_name_the_allowed_ones(tmp_path):
    message = _load_edited(tmp_path, "rows = 128", "rows = 128\nrow_count = 3")
    assert "crossbar.row_count = 3: unknown key (allowed: rows, cols," in message
    message = _load_edited(tmp_path, "[components.dac]", "[components.laser]")
    assert "components.laser: unknown table (allowed: array, dac," in message
    message = _load_edited(tmp_path, "area_um2 = 1200.0", "area_um2 = 1200.0\npower_w = 1")
    assert "components.adc.power_w = 1: unknown key (allowed: power_mw, ops_per_ns" in message


def test_missing_keys(tmp_path):
    assert _load_edited(tmp_path, "shift_adders = 4\n", "").endswith("core.shift_adders: missing (required)")
    assert _load_edited(tmp_path, "ops_per_ns = 1.28\n", "").endswith(
        "components.adc.ops_per_ns: missing (required)")
    assert _load_edited(tmp_path, "[network]", "[net]").endswith(
        "net: unknown table (allowed: name, source, tiles, offchip_links, crossbar, core, tile, network, components)")


def test_unreadable_and_unknown(tmp_path):
    with pytest.raises(ChipFileError, match=r"^unknown chip 'tpu': built-in chips are .*isaac"):
        load_chip("tpu")
    with pytest.raises(ChipFileError, match=r"nope\.toml: cannot read chip file"):
        load_chip(tmp_path / "nope.toml")
    path = tmp_path / "bad.toml"
    path.write_text("name = \n")
    with pytest.raises(ChipFileError, match=r"bad\.toml: invalid TOML: "):
        load_chip(path)
