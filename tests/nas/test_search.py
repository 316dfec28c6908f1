"""NSGA-II search: the same seed gives the same candidates, generation by generation."""
import torch

from rnc.nas.data import load_dataset
from rnc.nas.hardware import HardwareEvaluator
from rnc.nas.search import search, write_csv
from rnc.nas.supernet import Supernet


def test_search_is_deterministic_for_a_seed(tmp_path):
    data = load_dataset("digits", image_size=16, limit=64)
    torch.manual_seed(0)
    net = Supernet()
    # One evaluator for both runs: the second reuses its compile cache (compiles are seeded and deterministic).
    hardware = HardwareEvaluator(xbars=180, samples=2, image_size=16)
    first = search(net, data, hardware, pop=3, gens=2, seed=5)
    second = search(net, data, hardware, pop=3, gens=2, seed=5)
    assert first.candidates == second.candidates
    assert {c["generation"] for c in first.candidates} == {0, 1}
    assert all(c["feasible"] for c in first.pareto)
    write_csv(tmp_path / "candidates.csv", first.candidates)
    assert (tmp_path / "candidates.csv").read_text().count("\n") == len(first.candidates) + 1
