"""Energy per level, the crossbar map and user data for `rnc nested`."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnc.dialects.rnc import module_target
from rnc.driver.pipeline import CompileError
from rnc.nas.data import DataError, load_dataset
from rnc.nas.nested.crossbar_map import nested_map_svg
from rnc.nas.nested.pipeline import NestedOptions, nested_levels, training_data
from rnc.passes.xbar_algorithms.nested.energy import level_mvm_energy_pj

SMALL_NET = str(Path(__file__).parents[1] / "lit" / "passes" / "Inputs" / "small_net.rir")


@pytest.fixture(scope="module")
def run():
    return nested_levels(SMALL_NET, NestedOptions(effort=20_000))


def test_energy_grows_with_the_level_and_follows_the_cost_model(run):
    target = module_target(run.partitioned)
    energy = level_mvm_energy_pj(run.solution, target)
    assert all(a <= b for a, b in zip(energy, energy[1:])) and energy[0] > 0
    from rnc.hw.cost.model import CostModel
    model = CostModel(target.chip_model(), target.crossbar_config())
    first = run.solution.levels[0]
    expected = sum(sum(model.energy_pj(model.mvm(t.height, t.width * target.cells_per_weight).activity
                                       + model.buffer_access(t.height).activity).values()) * t.cycles
                   for t in first.tiles)
    assert energy[0] == pytest.approx(expected)


def test_the_map_draws_every_tile_once_in_its_level_colour(run):
    svg = nested_map_svg(run.solution)
    tiles = sum(len(level.placements) for level in run.solution.levels)
    assert svg.count("<title>level ") == tiles
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>") and "<script" not in svg


def _write(folder: Path, inputs, labels) -> Path:
    folder.mkdir()
    np.save(folder / "inputs.npy", inputs)
    np.save(folder / "labels.npy", labels)
    return folder


def test_npy_folder_is_split_resized_and_normalised(tmp_path):
    rng = np.random.default_rng(0)
    folder = _write(tmp_path / "d", rng.random((50, 1, 12, 12)), rng.integers(0, 4, 50))
    data = load_dataset("npy", image_size=16, data_dir=str(folder))
    assert data.train_x.shape == (40, 3, 16, 16) and data.val_x.shape == (10, 3, 16, 16)
    assert data.num_classes <= 4 and abs(float(data.train_x.mean())) < 1e-4


@pytest.mark.parametrize("inputs, labels, message", [
    (np.zeros((4, 2, 8, 8)), np.zeros(4, int), "expected numbers shaped"),
    (np.zeros((4, 8, 8)), np.zeros(3, int), "expected 4 integer labels"),
    (np.zeros((4, 8, 8)), np.full(4, 0.5), "expected 4 integer labels"),
])
def test_npy_folder_errors_are_one_line(tmp_path, inputs, labels, message):
    folder = _write(tmp_path / "d", inputs, labels)
    with pytest.raises(DataError, match=message) as e:
        load_dataset("npy", image_size=8, data_dir=str(folder))
    assert "\n" not in str(e.value)


def test_labels_beyond_the_model_outputs_are_a_compile_error(tmp_path):
    folder = _write(tmp_path / "d", np.zeros((10, 8, 8)), np.arange(10) + 5)
    with pytest.raises(CompileError, match="label 14 is out of range: the model has 10 outputs"):
        training_data(NestedOptions(data_dir=str(folder)), 8, 10)
    with pytest.raises(CompileError, match="has no inputs.npy"):
        training_data(NestedOptions(data_dir=str(tmp_path)), 8, 10)
