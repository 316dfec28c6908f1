"""Per-layer peripherals (the contract of #13/#14): `Target.layer_config`, `CompileOptions.layer_peripherals`,
`rnc compile --layer-config` and the global `--adc-bits/--input-bits/--cell-bits/--cols-per-adc/--adc-type`;
each layer is charged with its own configuration, and the compiled program (.rir and .isa) carries it."""
from __future__ import annotations

import pytest

from rnc.backends.isa import lower_program, parse_isa, print_program
from rnc.dialects.rnc import module_target
from rnc.dialects.xbar import module_layers
from rnc.driver import CompileError, CompileOptions, compile_model
from rnc.hw import LAYER_PERIPHERAL_KEYS
from rnc.hw.parameters import ParameterError
from rnc.hw.target import Target
from rnc.sim.isa_sim import simulate
from rnc.tools.rnc_cli import main

from tests.backends.isa_models import partitioned_net

def test_layer_keys_are_target_keys_and_layer_config_applies_them():
    assert set(LAYER_PERIPHERAL_KEYS) <= set(Target.keys())
    base = Target().crossbar_config()
    cfg = Target().layer_config({"adc_bits": 4, "cell_bits": 2, "cols_per_adc": 8, "adc_type": "flash"})
    assert (cfg.adc_bits, cfg.bits_per_cell, cfg.cols_per_adc, cfg.adc_type) == (4, 2, 8, "flash")
    assert (cfg.rows, cfg.cols, cfg.tech_node_nm) == (base.rows, base.cols, base.tech_node_nm)
    assert Target().layer_config({}) == base

@pytest.mark.parametrize("overrides, message", [
    ({"adc_bits": 0}, "adc_bits must be an integer in 1..12"),
    ({"cols_per_adc": 129}, "cols_per_adc must be an integer in [1, 128], got 129"),
    ({"adc_type": "ramp"}, "adc_type must be one of 'sar', 'flash', got 'ramp'"),
    ({"cell_bits": 9}, "cell_bits must be an integer in 1..8"),
    ({"xbar_rows": 64}, "xbar_rows is not a per-layer peripheral key"),
])
def test_layer_config_refuses_a_bad_key_or_value_naming_it(overrides, message):
    with pytest.raises(ParameterError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Target().layer_config(overrides)

def _placed(passes: str):
    return partitioned_net(passes=f"{passes},place")

def test_isa_carries_the_overrides_and_each_layer_is_charged_with_its_own():
    plain, tuned = _placed("partition"), _placed('layer-peripherals{layers="0:adc_bits=4;2:cols_per_adc=8"},partition')
    assert [l.peripheral_overrides for l in module_layers(tuned)] == [{"adc_bits": 4}, {}, {"cols_per_adc": 8}]
    program = lower_program(tuned)
    text = print_program(program)
    assert "adc_bits=4" in text and "cols_per_adc=8" in text
    assert print_program(parse_isa(text)) == text
    base, ours = (simulate(lower_program(m), samples=1).energy.layer_pj for m in (plain, tuned))
    layer0, layer1, layer2 = (k for k in base if k.split(":")[1] in ("Conv_0", "Conv_1", "Gemm_0"))
    assert ours[layer0] < base[layer0]          # a 4-bit ADC costs less per conversion
    assert ours[layer1] == base[layer1]         # untouched layer, same price
    assert ours[layer2] != base[layer2]         # a shared ADC: fewer ADCs, more conversions each

def test_compile_options_apply_layer_peripherals_before_partition():
    module = partitioned_net(passes="canonicalize")
    result = compile_model(module, CompileOptions(layer_peripherals={1: {"input_bits": 4}},
                                                  target_values={"adc_bits": 6}))
    layers = module_layers(result.partitioned)
    assert module_target(result.partitioned).peripherals.adc_bits == 6
    assert [l.peripheral_overrides for l in layers] == [{}, {"input_bits": 4}, {}]
    with pytest.raises(CompileError, match="layer 5: the module has 3 weight layers"):
        compile_model(module, CompileOptions(layer_peripherals={5: {"adc_bits": 4}}))

def test_rnc_compile_layer_config_and_global_options(tmp_path, capsys):
    config = tmp_path / "layers.toml"
    config.write_text("[layer.0]\nadc_bits = 4\ncell_bits = 2\n[layer.3]\nadc_type = \"flash\"\n")
    out = tmp_path / "o"
    assert main(["compile", "squeezenet", "--quiet", "--no-simulate", "--out", str(out), "--layer-config",
                 str(config), "--adc-bits", "6", "--cols-per-adc", "4", "--json"]) == 0
    capsys.readouterr()
    placed = (out / "placed.rir").read_text()
    assert "adc_bits = 6" in placed and "cols_per_adc = 4" in placed           # the target
    assert "adc_bits = 4 : i64, cell_bits = 2 : i64" in placed and 'adc_type = "flash"' in placed

@pytest.mark.parametrize("text, message", [
    ("[layer.0]\nadc_bitz = 4\n", "[layer.0]: unknown per-layer key 'adc_bitz'"),
    ("[layer.x]\nadc_bits = 4\n", "[layer.x]: expected a table [layer.N]"),
    ("[layer.0]\nadc_bits = 40\n", "[layer.0]: key 'adc_bits' must be an integer in 1..12 (bits), got 40"),
    ("[layers.0]\nadc_bits = 4\n", "unknown key or table 'layers'"),
    ("[layer.99]\nadc_bits = 4\n", "layer 99: the module has"),
])
def test_rnc_compile_refuses_a_bad_layer_config_in_one_line(tmp_path, capsys, text, message):
    config = tmp_path / "layers.toml"
    config.write_text(text)
    assert main(["compile", "squeezenet", "--quiet", "--no-simulate", "--out", str(tmp_path / "o"),
                 "--layer-config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rnc compile: error:") and message in err and "\n" not in err

def test_rnc_compile_refuses_out_of_range_global_options(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["compile", "squeezenet", "--adc-bits", "13", "--out", str(tmp_path)])
    assert e.value.code == 2 and "expects an integer in 1..12" in capsys.readouterr().err
