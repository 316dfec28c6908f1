"""The co-search end to end on tiny settings: a Pareto member compiles to the EDAP it was scored with, the
peripheral genes reach the program, results do not depend on the number of workers, constraints mark
candidates instead of dropping them, and `rnc nas search --peripherals` / `rnc nas xpert` write their files."""
import csv
import json
from dataclasses import replace

import pytest

from rnc.nas import vgg, xpert_csv
from rnc.nas.executors import PoolExecutor
from rnc.nas.hardware import HardwareEvaluator, compile_options
from rnc.nas.objectives import Limits
from rnc.nas.search import search
from rnc.nas.spaces import VggSpace, make_space
from rnc.driver import compile_model
from rnc.tools.rnc_cli import main

from conftest import HW_IMAGE_SIZE, SAMPLES, XBARS

POP, GENS, SEED = 4, 2, 3
OBJECTIVES = ("accuracy", "edap")


@pytest.fixture(scope="module")
def co_settings(settings):
    return replace(settings, peripherals=True)


@pytest.fixture(scope="module")
def reference(co_settings):
    return search(co_settings, POP, GENS, SEED, objectives=OBJECTIVES)


def test_a_pareto_member_compiles_to_the_edap_it_was_scored_with(co_settings, reference, tmp_path):
    member = reference.pareto[0]
    space = co_settings.search_space
    genes = space.from_str(member["genes"])
    hardware = HardwareEvaluator(XBARS, SAMPLES, HW_IMAGE_SIZE, space=space, cost=True)
    overrides = hardware.layer_peripherals(genes)
    path = tmp_path / "member.onnx"
    hardware.onnx(genes, path=path)
    result = compile_model(path, compile_options(XBARS, SAMPLES, 0, overrides))
    run = result.last
    assert run.edap_pj_ns_mm2 == member["edap"]
    assert (run.energy_per_inference_pj, run.area_mm2, run.xbars_used) == \
        (member["energy_pj"], member["area_mm2"], member["xbars_used"])
    # Every layer carries its group's periphery into the program.
    layers = {layer.layer: layer.peripheral_overrides for layer in _layers(run.placed)}
    assert layers == overrides and len(set(map(str, overrides.values()))) > 1
    assert "adc_bits" in run.isa.isa_text


def _layers(module):
    from rnc.dialects.xbar import module_layers
    return module_layers(module)


def test_co_search_records_costs_and_genes(reference):
    rows = reference.candidates
    assert len(rows) == POP * GENS
    for row in rows:
        assert row["edap"] == pytest.approx(row["energy_pj"] * row["native_latency_ns"] * row["area_mm2"])
        assert row["tops_per_w"] > 0 and row["tops_per_mm2"] > 0 and row["peripherals"].count("b") >= 3
        assert row["violations"] == ("" if row["feasible"] else row["violations"])
    front = reference.pareto
    assert front == sorted(front, key=lambda c: c["edap"])
    assert all(a["accuracy"] < b["accuracy"] for a, b in zip(front, front[1:]))


def test_workers_do_not_change_the_co_search(co_settings, reference):
    executor = PoolExecutor(2)
    try:
        pooled = search(co_settings, POP, GENS, SEED, executor, objectives=OBJECTIVES)
    finally:
        executor.close()
    assert pooled.candidates == reference.candidates and pooled.pareto == reference.pareto


def test_limits_mark_candidates_without_dropping_them(co_settings, reference):
    # The first generation's smallest: a one-generation search with the same seed draws it again (the area
    # follows each candidate's periphery, so later generations may hold smaller chips).
    smallest = min(c["area_mm2"] for c in reference.candidates[:POP])
    limits = Limits(max_area_mm2=smallest * 0.999, area_tolerance_pct=0.0)
    marked = search(co_settings, POP, 1, SEED, objectives=OBJECTIVES, limits=limits)
    assert len(marked.candidates) == POP and not any(c["feasible"] for c in marked.candidates)
    assert all("area" in c["violations"] and "mm2" in c["violations"] for c in marked.candidates)
    assert marked.pareto == []
    # The tolerance loosens the limit: now the smallest design fits.
    loose = search(co_settings, POP, 1, SEED, objectives=OBJECTIVES, limits=replace(limits, area_tolerance_pct=1))
    assert any(c["feasible"] for c in loose.candidates)


def test_cli_co_search_writes_members_and_reports(tmp_path, search_flags):
    out = tmp_path / "co"
    flags = search_flags(out) + ["--gens", "1", "--peripherals", "--max-area", "1000", "--compile-best", "1"]
    assert main(flags) == 0
    rows = list(csv.DictReader(open(out / "candidates.csv")))
    assert {"energy_pj", "area_mm2", "edap", "tops_per_w", "tops_per_mm2", "peripherals", "violations"} <= set(rows[0])
    pareto = list(csv.DictReader(open(out / "pareto.csv")))
    first = pareto[0]["genes"]
    assert (out / "pareto" / f"{first}.toml").read_text().startswith("[layer.0]")
    report = json.loads((out / "pareto" / first / "report.json").read_text())
    assert report["summary"]["edap_pj_ns_mm2"] == float(pareto[0]["edap"])
    assert (out / "pareto.png").stat().st_size > 0


@pytest.mark.parametrize("flags, message", [
    (["--objectives", "accuracy,speed"], "unknown objective 'speed'"),
    (["--space", "vgg16"], "has no supernet"),
    (["--area-tolerance", "5"], "give --max-area too"),
    (["--target", "nowhere.toml"], "cannot read target file"),
])
def test_cli_co_search_errors_are_one_line(tmp_path, search_flags, capsys, flags, message):
    assert main(search_flags(tmp_path) + flags) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_cli_xpert_reads_a_design_into_a_compilable_model(tmp_path, capsys):
    space = VggSpace(peripherals=True)
    genes = space.baseline_peripherals(vgg.VGG16_GENES)
    path = tmp_path / "NetWork_custom.csv"
    xpert_csv.write_file(path, genes)
    assert main(["nas", "xpert", str(path), "--out", str(tmp_path / "design")]) == 0
    out = capsys.readouterr().out
    assert space.to_str(genes) in out and "c64,64,128" in out
    assert (tmp_path / "design" / "design.onnx").is_file()
    assert (tmp_path / "design" / "layers.toml").read_text().count("[layer.") == 14
    path.write_text("1, 2\n")
    assert main(["nas", "xpert", str(path)]) == 2
    assert "row 1 has 2 columns" in capsys.readouterr().err


def test_vgg_hardware_search_needs_no_supernet(tmp_path):
    space = make_space("vgg16", peripherals=True)
    hardware = HardwareEvaluator(None, 1, 32, space=space, cost=True)
    base = hardware.evaluate(space.baseline_peripherals(vgg.VGG16_GENES))
    assert base.feasible and base.cost.edap_pj_ns_mm2 > 0 and 0 < base.xbars_used <= hardware.baseline["xbars"]
