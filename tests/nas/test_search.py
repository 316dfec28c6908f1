"""NSGA-II search: deterministic for a seed, resumable after a crash with the same result, and the same
whether evaluations run serially, in two processes or on a dask cluster."""
import csv
from dataclasses import replace

import pytest

from rnc.nas import space
from rnc.nas.checkpoint import CheckpointError, load_state
from rnc.nas.executors import PoolExecutor, SerialExecutor
from rnc.nas.search import search

POP, GENS, SEED = 4, 3, 5


@pytest.fixture(scope="module")
def reference(settings):
    """The uninterrupted serial run every other test compares with."""
    return search(settings, POP, GENS, SEED)


class Crash(Exception):
    pass


class CrashingExecutor(SerialExecutor):
    """Dies after `after` evaluations, like a kill -9 in the middle of a generation."""

    def __init__(self, after: int):
        self.left = after

    def run(self, settings, tasks):
        for item in super().run(settings, tasks):
            if self.left == 0:
                raise Crash()
            self.left -= 1
            yield item


def test_search_is_deterministic_for_a_seed(settings, reference):
    again = search(settings, POP, GENS, SEED)
    assert again.candidates == reference.candidates and again.pareto == reference.pareto
    assert [c["generation"] for c in reference.candidates] == [g for g in range(GENS) for _ in range(POP)]
    assert reference.pareto and all(c["feasible"] for c in reference.pareto)
    # One evaluation per architecture: genes differing only in dropped blocks share it.
    architectures = {space.canonical_genes(space.genes_from_str(c["genes"])) for c in reference.candidates}
    assert reference.evaluations == len(architectures)


def test_resume_after_a_crash_equals_an_uninterrupted_run(settings, reference, tmp_path):
    with pytest.raises(Crash):
        search(settings, POP, GENS, SEED, CrashingExecutor(after=POP + 1), out=tmp_path)
    done = load_state(tmp_path).generation
    assert 1 <= done < GENS
    # The CSV holds exactly the checkpointed generations, never half of one.
    assert len(list(csv.DictReader(open(tmp_path / "candidates.csv")))) == done * POP
    resumed = search(settings, POP, GENS, SEED, out=tmp_path, resume=True)
    assert resumed.resumed_after == done
    assert resumed.candidates == reference.candidates and resumed.pareto == reference.pareto
    full = (tmp_path / "candidates.csv").read_bytes()
    assert len(list(csv.DictReader(open(tmp_path / "candidates.csv")))) == GENS * POP
    # A kill between the checkpoint and the CSV write of the last generation: resuming rewrites the CSV.
    (tmp_path / "candidates.csv").write_text("generation\n")
    assert search(settings, POP, GENS, SEED, out=tmp_path, resume=True).evaluations == 0
    assert (tmp_path / "candidates.csv").read_bytes() == full


def test_resume_needs_the_same_settings(settings, tmp_path):
    search(settings, POP, 1, SEED, out=tmp_path)
    with pytest.raises(CheckpointError, match="other settings.*xbars 150 -> 149"):
        search(replace(settings, xbars=149), POP, 2, SEED, out=tmp_path, resume=True)
    with pytest.raises(CheckpointError, match="no search checkpoint"):
        search(settings, POP, 2, SEED, out=tmp_path / "elsewhere", resume=True)


def test_two_worker_processes_give_the_serial_result(settings, reference):
    pool = PoolExecutor(2)
    try:
        result = search(settings, POP, GENS, SEED, pool)
    finally:
        pool.close()
    assert result.candidates == reference.candidates


def test_a_dask_cluster_gives_the_serial_result(settings, reference):
    from distributed import LocalCluster
    from rnc.nas.executors import DaskExecutor
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            result = search(settings, POP, GENS, SEED, executor)
        finally:
            executor.close()
    assert result.candidates == reference.candidates


def test_infeasible_candidates_are_marked_not_dropped(settings):
    tight = replace(settings, xbars=119)
    result = search(tight, POP, 2, SEED)
    assert len(result.candidates) == 2 * POP
    infeasible = [c for c in result.candidates if not c["feasible"]]
    assert infeasible and all(c["xbars_used"] > 119 for c in infeasible)
    assert all(c["xbars_used"] <= 119 for c in result.candidates if c["feasible"])
    assert all(c["feasible"] for c in result.pareto)
