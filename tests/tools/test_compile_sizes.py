"""`rnc compile --xbar-size A,B,...`: one compile per crossbar size, one row and one subfolder per size."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import onnx
import pytest

from rnc.driver import CompileOptions
from rnc.driver.size_sweep import compile_sizes, parse_sizes
from rnc.driver.pipeline import CompileError
from rnc.tools.rnc_cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "frontends"))   # the tiny ONNX test models
from nn_onnx_cases import CASES  # noqa: E402

SIZES = "32x32,64x64,128x128"


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "small.onnx"
    onnx.save(CASES["small_convnet"](), str(path))
    return path


@pytest.fixture(scope="module")
def sweep_out(tmp_path_factory, model_file):
    out = tmp_path_factory.mktemp("sizes") / "out"
    assert main(["compile", str(model_file), "--xbar-size", SIZES, "--quiet", "--emit", "all", "--out", str(out)]) == 0
    return out


def test_one_subfolder_and_one_row_per_size(sweep_out):
    assert sorted(p.name for p in sweep_out.iterdir()) == ["128x128", "32x32", "64x64", "sizes.html", "sizes.json"]
    rows = json.loads((sweep_out / "sizes.json").read_text())
    assert [r["xbar_size"] for r in rows] == SIZES.split(",")
    for r in rows:   # each size's subfolder holds that size's own compile
        report = json.loads((sweep_out / r["xbar_size"] / "report.json").read_text())
        assert report["summary"]["xbars_used"] == r["xbars_used"]
        if r["xbar_size"] != "128x128":   # the default size is not printed in the target attribute
            placed = (sweep_out / r["xbar_size"] / "placed.rir").read_text()
            assert f"xbar_cols = {r['xbar_size'].split('x')[1]}" in placed


def test_smaller_crossbars_need_more_tiles(sweep_out):
    rows = json.loads((sweep_out / "sizes.json").read_text())
    tiles = [r["tiles"] for r in rows]
    assert tiles == sorted(tiles, reverse=True) and tiles[0] > tiles[-1]


def test_sizes_html_plots_every_size(sweep_out):
    page = (sweep_out / "sizes.html").read_text()
    assert page.count('class="util"') == 3 and page.count('class="speedup"') == 3
    assert "utilisation of used crossbars (%)" in page and "speedup vs ISAAC-like (x)" in page
    for size in SIZES.split(","):
        assert f'href="{size}/report.html"' in page


def test_the_table_has_one_row_per_size(model_file, tmp_path, capsys):
    assert main(["compile", str(model_file), "--xbar-size", "64x64,128x128", "--no-simulate", "--quiet",
                 "--out", str(tmp_path / "o")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:5] == ["size", "budget", "tiles", "used", "util"]
    assert [line.split()[0] for line in lines[1:3]] == ["64x64", "128x128"]


def test_the_library_imports_once_and_compiles_each_size(model_file):
    steps = []
    sweep = compile_sizes(str(model_file), CompileOptions(), ["64x64", "128x128"], progress=steps.append)
    assert list(sweep.results) == ["64x64", "128x128"] and steps.count("import") == 1
    assert sweep.results["64x64"].last.placed is not sweep.results["128x128"].last.placed


@pytest.mark.parametrize("text, message", [("64x64,64x64", "lists a size twice"),
                                           ("64x64,,128x128", "invalid crossbar size ''"),
                                           ("64x64,5000x5000", "rows")])
def test_bad_size_lists_are_one_line_errors(text, message):
    with pytest.raises(CompileError, match=message):
        parse_sizes(text)


def test_a_bad_size_list_exits_2(model_file, tmp_path, capsys):
    assert main(["compile", str(model_file), "--xbar-size", "64x64,12", "--quiet", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rnc compile: error: --xbar-size: invalid crossbar size '12'" in err


def test_a_size_sweep_refuses_intermittent_power(model_file, tmp_path, capsys):
    assert main(["compile", str(model_file), "--xbar-size", "64x64,128x128", "--power", "intermittent",
                 "--quiet", "--out", str(tmp_path)]) == 2
    assert "--power intermittent plans one crossbar size" in capsys.readouterr().err
