"""Hardware evaluation: candidate ONNX compiles like a user model, the chained block exports compile exactly
like the whole export, placement does not depend on the clock, infeasible candidates are marked."""
import time

import pytest
import torch

from rnc.nas import space
from rnc.nas.hardware import HardwareEvaluator, partition, place
from rnc.nas.supernet import Supernet, subnet_module
from rnc.passes.xbar.report import placement_report
from rnc.driver import CompileOptions, compile_model
from rnc.driver.timing import reference_layers, simulate

IMAGE = 16


@pytest.fixture(scope="module")
def evaluator():
    return HardwareEvaluator(xbars=211, samples=2, image_size=IMAGE)


def _figures(placed) -> tuple:
    totals = placement_report(placed)["totals"]
    return simulate(reference_layers(placed), 2).latency_ns, totals["xbars_used"], totals["tiles"]


def test_candidate_onnx_compiles_like_a_user_model(tmp_path, evaluator):
    torch.manual_seed(0)
    genes = space.smallest_genes()
    path = tmp_path / "candidate.onnx"
    evaluator.onnx(genes, subnet_module(Supernet(), genes), path)
    # `rnc compile`'s route, verifier on after every pass.
    result = compile_model(path, CompileOptions(budgets=[211], duplicate=True, samples=2))
    assert 0 < result.runs[0].xbars_used <= 211
    hw = evaluator.evaluate(genes)
    assert hw.feasible and 0 < hw.xbars_used <= 211
    assert hw.speedup > 1.0 and hw.latency_ns > 0
    assert hw.isaac_xbars == result.baseline.xbars
    # The gene cache: a vector differing only in inactive genes is not compiled again.
    other = list(genes)
    other[space.N_STAGES + 2 * 2] = 1
    compiles = evaluator.compiles
    assert evaluator.evaluate(other) == hw and evaluator.compiles == compiles


def test_chained_block_exports_compile_like_the_whole_export(evaluator):
    middle = tuple(hi // 2 for hi in space.gene_upper_bounds())
    for genes in (space.smallest_genes(), space.largest_genes(), middle):
        whole = partition(evaluator.onnx(genes))
        chained = partition(evaluator.blocks.model(genes))
        assert _figures(place(chained, 211, 0)) == _figures(place(whole, 211, 0))


def test_placement_does_not_depend_on_the_clock(evaluator, monkeypatch):
    # A machine 1000 times slower (every clock reading a second later) must place exactly the same.
    module = partition(evaluator.blocks.model(space.smallest_genes()))
    expected = _figures(place(module, 211, 0))
    clock = iter(range(10**9))
    monkeypatch.setattr(time, "perf_counter", lambda: float(next(clock)))
    assert _figures(place(module, 211, 0)) == expected


def test_infeasible_candidate_is_marked_not_dropped():
    evaluator = HardwareEvaluator(xbars=40, samples=2, image_size=IMAGE)
    hw = evaluator.evaluate(space.smallest_genes())
    assert not hw.feasible
    assert hw.xbars_used > 40 and hw.latency_ns > 0
