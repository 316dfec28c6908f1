"""Loading a target from TOML, SimConfig.ini and key=value options: values land, errors are one line."""
import pytest

from rnc.hw.sim_config import DEFAULT_SIM_CONFIG
from rnc.hw.target import Target
from rnc.hw.target_files import TargetError, apply_values, load_target, parse_xbar_size


def test_toml_tables_are_flattened(tmp_path):
    path = tmp_path / "hw.toml"
    path.write_text("[crossbar]\nxbar_rows = 256\nsubarray_size = 256\nbudget = 211\n[peripherals]\nadc_bits = 6\n")
    target = load_target(path).target
    assert (target.xbar_rows, target.budget, target.peripherals.adc_bits) == (256, 211, 6)


@pytest.mark.parametrize(("text", "fragment"), [
    ("xbar_size = 3\n", "unknown target key 'xbar_size'; allowed keys:"),
    ("weight_bits = \"many\"\n", "target key 'weight_bits' must be an integer"),
    ("weight_bits = 0\n", "target key 'weight_bits' must be an integer in 1..32 (bits), got 0"),
    ("budget = [\n", "invalid TOML"),
])
def test_toml_errors_name_the_file_and_key(tmp_path, text, fragment):
    path = tmp_path / "hw.toml"
    path.write_text(text)
    with pytest.raises(TargetError, match=str(path)) as caught:
        load_target(path)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_sim_config_replaces_only_the_peripherals():
    base = Target(budget=60, weight_bits=8, cell_bits=2)
    loaded = load_target(DEFAULT_SIM_CONFIG, base)
    assert loaded.target == base
    assert "Device level/Device_Level" in loaded.ignored_keys


def test_missing_file_and_options():
    with pytest.raises(TargetError, match="no such file"):
        load_target("absent.toml")
    assert apply_values(Target(), {"budget": 5}).budget == 5
    with pytest.raises(TargetError, match="options: unknown target key 'bogus'"):
        apply_values(Target(), {"bogus": 1})
    assert parse_xbar_size("256X128") == (256, 128)
    with pytest.raises(TargetError, match="invalid crossbar size 'big'"):
        parse_xbar_size("big")
