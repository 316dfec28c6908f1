"""`rnc compile --target`: a chip by name, a TOML that changes the ADC, and the energy figures in report.json,
the table and report.html (docs/hardware.md, docs/timing.md)."""
from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from rnc.hw.chip import load_chip
from rnc.hw.cost import CostModel
from rnc.tools.rnc_cli import main

ISAAC = load_chip("isaac")


def compile_report(tmp_path_factory, *target_args: str, toml: str | None = None) -> tuple[dict, str, Path]:
    out = tmp_path_factory.mktemp("c")
    args = list(target_args)
    if toml is not None:
        (out / "hw.toml").write_text(toml)
        args = ["--target", str(out / "hw.toml")]
    assert main(["compile", "squeezenet", "--quiet", "--out", str(out / "o"), *args]) == 0
    return json.loads((out / "o" / "report.json").read_text()), (out / "o" / "report.html").read_text(), out


@pytest.fixture(scope="module")
def isaac(tmp_path_factory):
    return compile_report(tmp_path_factory, "--target", "isaac")


def test_target_isaac_end_to_end(isaac, capsys):
    report, html, _ = isaac
    s = report["summary"]
    assert s["chip"] == "isaac" and report["baseline"]["native_energy"]["chip"] == "isaac"
    for key in ("energy_per_inference_pj", "average_power_mw", "peak_power_mw", "area_mm2", "tops", "tops_per_w",
                "tops_per_mm2", "edap_pj_ns_mm2", "native_latency_one_sample_ns", "native_speedup_vs_isaac"):
        assert math.isfinite(s[key]) and s[key] > 0, key
    energy = s["isa"]["energy"]
    assert energy["component_pj"]["adc"] > 0 and energy["component_pj"]["buffer"] > 0
    assert sum(energy["component_area_mm2"].values()) == pytest.approx(s["area_mm2"], rel=1e-9)
    # The chip the program is charged for: the ISAAC tiles its crossbars fill (96 a tile).
    assert energy["tiles"] == math.ceil(s["xbars_used"] / 96)
    assert s["area_mm2"] == pytest.approx(energy["tiles"] * CostModel(ISAAC, _config("isaac")).tile_area_mm2)
    assert s["peak_power_mw"] >= s["average_power_mw"]
    assert {"*_pj", "*_mw", "area_mm2", "tops_per_w", "edap_pj_ns_mm2"} <= set(report["units"])
    assert 'id="breakdown-energy"' in html and 'id="breakdown-area"' in html and 'id="breakdown-layers"' in html


def _config(chip: str, **overrides):
    """The crossbar a compile on `chip` charges: rnc's 8-bit weights in one cell and 8-bit inputs."""
    from rnc.hw.target import Target
    return Target().with_values(chip=chip, **overrides).crossbar_config()


def test_adc_bits_in_a_toml_move_energy_and_area_as_the_formulas_say(isaac, tmp_path_factory):
    six, _, _ = compile_report(tmp_path_factory, toml='chip = "isaac"\n[peripherals]\nadc_bits = 6\n')
    base, ours = isaac[0]["summary"]["isa"]["energy"], six["summary"]["isa"]["energy"]
    at8, at6 = CostModel(ISAAC, _config("isaac")), CostModel(ISAAC, _config("isaac", adc_bits=6))
    # NeuroSim's SAR area per ADC: A_min [(269 + 109 (n-1)) + (209 + 73 (n-1))]: 1388 / 1752 from 8 to 6 bits.
    assert ours["component_area_mm2"]["adc"] / base["component_area_mm2"]["adc"] == pytest.approx(1388 / 1752)
    # The same conversions, each at the scaled energy per conversion.
    ratio = at6.specs["adc"].energy_pj / at8.specs["adc"].energy_pj
    assert ratio < 1
    assert ours["component_pj"]["adc"] / base["component_pj"]["adc"] == pytest.approx(ratio, rel=1e-9)
    assert ours["energy_per_inference_pj"] < base["energy_per_inference_pj"] and ours["area_mm2"] < base["area_mm2"]
    # A faster conversion shortens every MVM: (n+1) ns per SAR conversion, 128 conversions a read pass.
    assert six["summary"]["native_latency_one_sample_ns"] < isaac[0]["summary"]["native_latency_one_sample_ns"]


def test_cols_per_adc_in_a_toml_trades_adc_area_for_read_time(isaac, tmp_path_factory):
    shared8, _, _ = compile_report(tmp_path_factory, toml='chip = "isaac"\ncols_per_adc = 8\n')
    base, ours = isaac[0]["summary"]["isa"]["energy"], shared8["summary"]["isa"]["energy"]
    # 16 ADCs a crossbar instead of 1, each of the same size (NeuroSim's SAR area does not depend on m).
    assert ours["component_area_mm2"]["adc"] / base["component_area_mm2"]["adc"] == pytest.approx(16)
    # As many conversions as before, each of the same energy; a column mux now routes every column.
    assert ours["component_pj"]["adc"] == pytest.approx(base["component_pj"]["adc"], rel=1e-9)
    assert ours["component_area_mm2"]["column_mux"] > 0
    # The busiest ADC makes 8 conversions a pass instead of 128: every MVM is faster.
    assert shared8["summary"]["native_latency_one_sample_ns"] < isaac[0]["summary"]["native_latency_one_sample_ns"]
    assert replace(ISAAC.crossbar, cols_per_adc=8).adcs == 16


def test_the_default_target_is_rnc_reference(tmp_path_factory):
    report, _, _ = compile_report(tmp_path_factory)
    assert report["summary"]["chip"] == "rnc-reference"
    assert report["summary"]["isa"]["energy"]["leakage_pj"] > 0   # its SRAM buffers leak (MNSIM Buffer.py)
