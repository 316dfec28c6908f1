"""The crossbar passes on the built-in models, through the real import: layer tables and tile totals match
the reference, every pass output verifies, and replication succeeds where the reference fails."""
from __future__ import annotations

import pytest

from rnc.dialects.xbar import module_array, module_layers, module_tiles
from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.pass_manager import PassContext, PassManager, parse_pipeline
from rnc.ir.verifier import verify
from rnc.passes.xbar.report import placement_report
from rnc.passes.xbar_algorithms import reference_table, reference_tile_totals

REFERENCE_TILES = {model: totals for (model, split), totals in reference_tile_totals().items() if split == 1}


@pytest.fixture(scope="module")
def partitioned():
    """Each built-in model imported, canonicalized and partitioned once for the whole file."""
    from rnc.driver.pipeline import canonicalize_pipeline, load_model, run_passes
    out = {}
    for name in REFERENCE_TILES:
        module = load_model(name)
        run_passes(module, canonicalize_pipeline() + ",tile-partition")
        out[name] = module
    return out


def run(module, pipeline: str):
    clone = module.clone()
    PassManager(parse_pipeline(pipeline)).run(clone, PassContext())
    return clone


@pytest.mark.parametrize("name", list(REFERENCE_TILES))
def test_layer_table_matches_reference(partitioned, name):
    rows = reference_table(f"{name}.layers")
    layers = module_layers(partitioned[name])
    assert [(l.rows, l.cols, l.cycles) for l in layers] == \
        [(int(r["rows"]), int(r["cols"]), int(r["cycles"])) for r in rows]


@pytest.mark.parametrize("name", list(REFERENCE_TILES))
def test_tile_count_and_area(partitioned, name):
    tiles = list(module_tiles(partitioned[name]))
    assert (len(tiles), sum(t.footprint()[0] * t.footprint()[1] for t in tiles)) == REFERENCE_TILES[name]


def test_depthwise_split_5_gives_249_tiles_and_block_diagonal_trades_area_for_cycles(partitioned):
    split = run(partitioned["mbv3_small"], "depthwise-split{factor=5}")
    assert len(list(module_tiles(split))) == 249
    report_split = placement_report(split)["totals"]
    diag = run(partitioned["mbv3_small"], "depthwise-split{block-diagonal=4}")
    report_diag = placement_report(diag)["totals"]
    plain = placement_report(partitioned["mbv3_small"])["totals"]
    # Splitting keeps the area; block-diagonal tiles cost area but cut the bottleneck MVMs further.
    assert report_split["area_cells"] == plain["area_cells"]
    assert report_diag["area_cells"] > plain["area_cells"]
    assert report_diag["bottleneck_mvms_before"] < report_split["bottleneck_mvms_before"] < \
        plain["bottleneck_mvms_before"]


@pytest.mark.parametrize("name,count", [("mbv3_small", 104), ("squeezenet", 45), ("resnet18", 682)])
def test_min_count_without_constraints_reaches_the_figures(partitioned, name, count):
    placed = run(partitioned[name], "place{min-count conflict-distance=off max-tiles-per-xbar=0}")
    verify(placed)
    assert module_array(placed).count == count


@pytest.mark.parametrize("name,count,reference", [("mbv3_small", 105, 108), ("squeezenet", 45, 46),
                                                  ("resnet18", 684, 685)])
def test_min_count_with_reference_constraints_beats_the_reference(partitioned, name, count, reference):
    placed = run(partitioned[name], "place{min-count}")
    assert module_array(placed).count == count < reference


def test_placement_is_the_same_whatever_the_time_cap(partitioned):
    """The search is bounded by `effort` (probes), so a safety cap that is not reached changes nothing."""
    plain = run(partitioned["mbv3_small"], "place{min-count effort=20000}")
    capped = run(partitioned["mbv3_small"], "place{min-count effort=20000 time-limit=600}")
    placements = [[(t.xbar, t.offset) for t in module_tiles(m)] for m in (plain, capped)]
    assert placements[0] == placements[1]


@pytest.mark.parametrize("name,split,budget", [("squeezenet", 1, 60), ("squeezenet", 1, 120),
                                               ("mbv3_small", 1, 168), ("mbv3_small", 5, 249),
                                               ("mbv3_small", 5, 449)])
def test_replication_succeeds_within_budget(partitioned, name, split, budget):
    pipeline = (f"depthwise-split{{factor={split}}}," if split > 1 else "") + f"replicate{{budget={budget}}}"
    placed = run(partitioned[name], pipeline)
    totals = placement_report(placed)["totals"]
    assert module_array(placed).count <= budget
    assert totals["bottleneck_reduction"] > 1.5


def test_budget_below_the_area_bound_is_a_clear_error(partitioned):
    with pytest.raises(DiagnosticError, match=r"cannot place 80 tiles into 40 crossbars: area lower bound 45"):
        run(partitioned["squeezenet"], "place{budget=40}")
