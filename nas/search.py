"""NSGA-II search over integer genes: by default maximise accuracy (supernet weights, recalibrated BatchNorm;
with peripheral genes the compiled program's accuracy under each layer's precision, nas/evaluate.py) and
speedup, subject to packing into the crossbar budget; `objectives` and `limits` (nas/objectives.py) choose
others, e.g. accuracy and EDAP under an area limit when peripherals are searched, or (with
`settings.power`, rnc.nas.intermittent) accuracy and the intermittent latency, a design existing for every
layer being a constraint. Every evaluated candidate is
recorded with its generation, infeasible ones marked.

pymoo is driven through ask/tell, one generation per round: ask for offspring, evaluate the architectures not
seen before (serially, in local processes or on dask: evaluations are pure, so it makes no difference), tell
the objectives, then checkpoint the whole state (see checkpoint.py) and rewrite the candidates CSV from it.
A resumed run therefore ends with the same candidates and Pareto front as an uninterrupted one.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rnc.nas.checkpoint import SearchState, check_resumable, load_state, remove_state, save_state
from rnc.nas.evaluate import EvalSettings
from rnc.nas.executors import SerialExecutor
from rnc.nas.objectives import COST_OBJECTIVES, DEFAULT, INTERMITTENT, Limits, minimised
from rnc.nas.progress import Silent, Status
from rnc.nas.results import best_feasible, pareto_front, write_csv

CANDIDATES_CSV = "candidates.csv"


@dataclass
class SearchResult:
    candidates: list[dict] = field(default_factory=list)
    pareto: list[dict] = field(default_factory=list)
    resumed_after: int = 0       # generations restored from the checkpoint
    evaluations: int = 0         # evaluations run by this call (cache hits and restored ones excluded)


def make_algorithm(pop: int, seed: int, upper_bounds: list[int], n_obj: int = 2, n_constr: int = 1,
                   initial: list[tuple[int, ...]] | None = None):
    """NSGA-II on integer genes (SBX and polynomial mutation, rounded), set up for ask/tell with no end:
    the caller counts generations, so a resumed run may ask for more than the first one did. `initial`: the
    first generation's rows (None: uniform integer draws)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.core.termination import NoTermination
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.operators.sampling.rnd import IntegerRandomSampling

    problem = Problem(n_var=len(upper_bounds), n_obj=n_obj, n_ieq_constr=n_constr, xl=0,
                      xu=np.array(upper_bounds), vtype=int)
    sampling = IntegerRandomSampling() if initial is None else np.array(initial, dtype=int)
    algorithm = NSGA2(pop_size=pop, sampling=sampling,
                      crossover=SBX(prob=0.9, eta=15, vtype=float, repair=RoundingRepair()),
                      mutation=PM(eta=20, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True)
    algorithm.setup(problem, termination=NoTermination(), seed=seed, verbose=False)
    return algorithm


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def search_config(settings: EvalSettings, pop: int, seed: int, objectives: tuple[str, ...] = DEFAULT,
                  limits: Limits = Limits()) -> dict:
    """What a resumed run must repeat; the supernet by content, so a moved output folder still resumes."""
    fields = {k: v for k, v in asdict(settings).items() if k != "supernet"}
    digest = file_sha256(settings.supernet) if settings.supernet else None
    return fields | {"pop": pop, "seed": seed, "supernet_sha256": digest, "objectives": list(objectives),
                     "limits": asdict(limits)}


def search(settings: EvalSettings, pop: int, gens: int, seed: int, executor=None, out: str | Path | None = None,
           resume: bool = False, progress=None, accuracies: dict | None = None,
           objectives: tuple[str, ...] = DEFAULT, limits: Limits = Limits()) -> SearchResult:
    """Runs generations until `gens` are done. With `out`, checkpoints each generation there and keeps
    `out/candidates.csv` up to date; `resume` continues from that checkpoint (CheckpointError if none).
    `accuracies` (canonical genes string -> accuracy) may be shared by searches that differ only in the
    crossbar budget: known ones are not recomputed, new ones are added."""
    if (limits.needs_costs or set(objectives) & set(COST_OBJECTIVES)) and not (settings.cost or settings.peripherals):
        raise ValueError(f"objectives {', '.join(objectives)} and the limits need the native costs: "
                         f"EvalSettings(cost=True)")
    if (set(objectives) & set(INTERMITTENT) or limits.intermittent) and settings.power is None:
        raise ValueError("intermittent objectives and limits need EvalSettings(power=...)")
    executor = executor or SerialExecutor()
    progress = progress or Silent()
    space = settings.search_space
    config = search_config(settings, pop, seed, objectives, limits)
    if resume:
        state = load_state(out)
        check_resumable(state, config, out)
    else:
        if out is not None:
            remove_state(out)
        n_constr = len(limits.excesses(_ANY_RECORD, settings.xbars))
        state = SearchState(config, make_algorithm(pop, seed, space.upper_bounds(), len(objectives), n_constr,
                                                    space.initial_population(pop, seed)))
    result = SearchResult(resumed_after=state.generation)
    known = accuracies if accuracies is not None else {}
    clock = _Pace()
    while state.generation < gens:
        offspring = state.algorithm.ask()
        genes = [space.check(np.rint(x).astype(int)) for x in offspring.get("X")]
        keys = [space.to_str(space.canonical(g)) for g in genes]

        def show(done: int, fresh: int) -> None:
            acc, speed = best_feasible(state.candidates + [state.cache[k] for k in keys if k in state.cache])
            evaluations = result.evaluations + fresh
            progress.update(Status(state.generation, gens, done, len(keys), evaluations,
                                   clock.per_evaluation(evaluations), acc, speed))

        result.evaluations += _evaluate_new(keys, state.cache, known, settings, executor, show)
        records = [state.cache[k] for k in keys]
        offspring.set("F", np.array([minimised(r, objectives) for r in records], dtype=float))
        offspring.set("G", np.array([list(limits.excesses(r, settings.xbars).values()) for r in records],
                                    dtype=float))
        state.algorithm.tell(infills=offspring)
        state.candidates += [{"generation": state.generation, "genes": space.to_str(g)} | r
                             | marked(r, limits, settings.xbars) for g, r in zip(genes, records)]
        state.generation += 1
        if out is not None:
            save_state(out, state)
            write_csv(Path(out) / CANDIDATES_CSV, state.candidates)
    if out is not None and result.resumed_after == state.generation:
        # Nothing left to run: the CSV may still lag the checkpoint if a kill fell between the two writes.
        write_csv(Path(out) / CANDIDATES_CSV, state.candidates)
    result.candidates, result.pareto = state.candidates, pareto_front(state.candidates, objectives)
    return result


# The fields `Limits.excesses` reads: how many constraints a search has does not depend on the values.
_ANY_RECORD = {"xbars_used": 0, "area_mm2": 1.0, "latency_ns": 1.0, "energy_pj": 1.0,
               "intermittent_feasible": True, "intermittent_latency_s": 1.0}


def marked(record: dict, limits: Limits, xbars: int) -> dict:
    """A candidate row's verdict: feasible when it packs into the budget and meets every limit."""
    violations = limits.violations(record, xbars)
    return {"feasible": not violations, "violations": violations}


def _evaluate_new(keys: list[str], cache: dict, known: dict, settings: EvalSettings, executor, show) -> int:
    """Evaluates the architectures of `keys` not in `cache` (each once) into it; returns how many.
    Calls `show(candidates of keys with a record, evaluations so far)` at the start and after each."""
    new = list(dict.fromkeys(k for k in keys if k not in cache))
    show(len(keys) - len(new), 0)
    space = settings.search_space
    tasks = [(space.from_str(k), known.get(k)) for k in new]
    for fresh, (genes, record) in enumerate(executor.run(settings, tasks), 1):
        key = space.to_str(genes)
        cache[key], known[key] = record, record["accuracy"]
        show(sum(k in cache for k in keys), fresh)
    return len(new)


class _Pace:
    """Wall seconds per evaluation since the search (re)started."""

    def __init__(self):
        self.started = time.perf_counter()

    def per_evaluation(self, evaluations: int) -> float | None:
        return (time.perf_counter() - self.started) / evaluations if evaluations else None
