"""Hardware evaluation: candidate ONNX compiles like a user model; infeasible candidates are kept and marked."""
import pytest
import torch

from rnc.nas import space
from rnc.nas.hardware import HardwareEvaluator
from rnc.nas.supernet import Supernet, subnet_module
from rnc.tools.compile.pipeline import CompileOptions, compile_model, load_model

IMAGE = 16


@pytest.fixture(scope="module")
def evaluator():
    return HardwareEvaluator(xbars=211, samples=2, image_size=IMAGE)


def test_candidate_onnx_compiles_like_a_user_model(tmp_path, evaluator):
    torch.manual_seed(0)
    genes = space.smallest_genes()
    path = tmp_path / "candidate.onnx"
    evaluator.onnx(genes, subnet_module(Supernet(), genes), path)
    result = compile_model("candidate", load_model(str(path)), CompileOptions(budgets=[211], duplicate=True,
                                                                              samples=2))
    totals = result.runs[0].report["totals"]
    assert 0 < totals["xbars_used"] <= 211
    hw = evaluator.evaluate(genes)
    assert hw.feasible and hw.xbars_used == totals["xbars_used"]
    assert hw.speedup > 1.0 and hw.latency_ns > 0
    # The gene cache: a vector differing only in inactive genes is not compiled again.
    other = list(genes)
    other[space.N_STAGES + 2 * 2] = 1
    compiles = evaluator.compiles
    assert evaluator.evaluate(other) == hw and evaluator.compiles == compiles


def test_infeasible_candidate_is_marked_not_dropped():
    evaluator = HardwareEvaluator(xbars=40, samples=2, image_size=IMAGE)
    hw = evaluator.evaluate(space.smallest_genes())
    assert not hw.feasible
    assert hw.xbars_used > 40 and hw.latency_ns > 0
