"""The nested pipeline as a library: levels from an nn .rir, outputs, and one-line errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from rnc.driver.pipeline import CompileError
from rnc.nas.nested.outputs import level_rows, write_nested_outputs
from rnc.nas.nested.pipeline import NestedOptions, nested_levels, placed_levels

SMALL_NET = str(Path(__file__).parents[1] / "lit" / "passes" / "Inputs" / "small_net.rir")


def test_levels_outputs_and_placement(tmp_path):
    run = nested_levels(SMALL_NET, NestedOptions(effort=20_000))
    rows = level_rows(run)
    assert [r["budget"] for r in rows] == ["25%", "50%", "75%", "100%"]
    assert all(r["weight_writes"] == 0 and r["crossbars"] <= r["xbar_budget"] for r in rows)
    assert [r["gated"] for r in rows] == [rows[-1]["crossbars"] - r["crossbars"] for r in rows]
    written = write_nested_outputs(tmp_path, run, placed_levels(run))
    assert sorted(p.name for p in written) == ["level0.rir", "level1.rir", "level2.rir", "levels.csv",
                                               "nested.rir", "nested_map.svg", "report.txt"]


@pytest.mark.parametrize("options, message", [
    (NestedOptions(importance="taylor"), "--importance taylor and training need a built-in model"),
    (NestedOptions(granularity=0), "--granularity must be >= 1"),
    (NestedOptions(budgets=["x"]), "budget 'x'"),
    (NestedOptions(solver="cp"), "unknown solver 'cp'"),
])
def test_user_errors_are_one_line(options, message):
    with pytest.raises(CompileError, match=message) as e:
        nested_levels(SMALL_NET, options)
    assert "\n" not in str(e.value)


def test_a_missing_file_is_a_compile_error():
    with pytest.raises(CompileError, match="cannot read model"):
        nested_levels("no/such/model.rir", NestedOptions())


def test_level_latency_lies_between_the_parallel_and_serial_bounds():
    """Each level's latency (reference timing of its placed program, one sample) is at least its slowest
    tile's work and at most all of its tiles' work one after another (no replication in a nested layout)."""
    from rnc.driver.timing import reference_layers
    run = nested_levels(SMALL_NET, NestedOptions(effort=20_000))
    placed = placed_levels(run)
    rows = level_rows(run, placed=placed)
    for row, module in zip(rows, placed):
        tiles = [t for layer in reference_layers(module) for copy in layer.copies for t in copy]
        slowest, serial = max(t.busy_ns for t in tiles), sum(t.busy_ns for t in tiles)
        assert slowest / 1e3 - 1e-3 <= row["latency_us"] <= serial / 1e3 + 1e-3
    assert all(r["latency_us"] == "" for r in level_rows(run))
