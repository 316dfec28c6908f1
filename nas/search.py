"""NSGA-II search over integer genes: maximise accuracy (supernet weights, recalibrated BatchNorm) and speedup,
subject to packing into the crossbar budget. Every evaluated candidate is recorded with its generation."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnc.nas import space
from rnc.nas.data import Dataset
from rnc.nas.hardware import HardwareEvaluator
from rnc.nas.supernet import Supernet, recalibrate_bn, subnet_module
from rnc.nas.train import accuracy

CALIBRATION_BATCHES = 4
CALIBRATION_BATCH_SIZE = 64
FIELDS = ("generation", "genes", "architecture", "accuracy", "latency_ns", "speedup", "xbars_used",
          "utilization", "feasible")


@dataclass
class SearchResult:
    candidates: list[dict] = field(default_factory=list)
    pareto: list[dict] = field(default_factory=list)


def candidate_accuracy(net: Supernet, genes, data: Dataset) -> float:
    sub = subnet_module(net, genes)
    recalibrate_bn(sub, data.calibration_batches(CALIBRATION_BATCHES, CALIBRATION_BATCH_SIZE))
    return accuracy(sub, data.val_x, data.val_y)


def search(net: Supernet, data: Dataset, hardware: HardwareEvaluator, pop: int, gens: int,
           seed: int) -> SearchResult:
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.operators.sampling.rnd import IntegerRandomSampling

    problem = Problem(n_var=space.N_GENES, n_obj=2, n_ieq_constr=1, xl=0,
                      xu=np.array(space.gene_upper_bounds()), vtype=int)
    algorithm = NSGA2(pop_size=pop, sampling=IntegerRandomSampling(),
                      crossover=SBX(prob=0.9, eta=15, vtype=float, repair=RoundingRepair()),
                      mutation=PM(eta=20, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True)
    algorithm.setup(problem, termination=("n_gen", gens), seed=seed, verbose=False)
    result, accuracies = SearchResult(), {}
    generation = 0
    while algorithm.has_next():
        offspring = algorithm.ask()
        objectives, constraints = [], []
        for x in offspring.get("X"):
            genes = space.check_genes(np.rint(x).astype(int))
            key = space.canonical_genes(genes)
            if key not in accuracies:
                accuracies[key] = candidate_accuracy(net, key, data)
            hw = hardware.evaluate(key)
            result.candidates.append({"generation": generation, "genes": space.genes_to_str(genes),
                                      "architecture": space.describe(genes), "accuracy": accuracies[key],
                                      "latency_ns": hw.latency_ns, "speedup": hw.speedup,
                                      "xbars_used": hw.xbars_used, "utilization": hw.utilization,
                                      "feasible": hw.feasible})
            objectives.append([-accuracies[key], -hw.speedup])
            constraints.append([hw.xbars_used - hardware.xbars])
        offspring.set("F", np.array(objectives, dtype=float))
        offspring.set("G", np.array(constraints, dtype=float))
        algorithm.tell(infills=offspring)
        generation += 1
    result.pareto = pareto_front(result.candidates)
    return result


def pareto_front(candidates: list[dict]) -> list[dict]:
    """Feasible candidates (one per architecture) that no other feasible one beats in accuracy and speedup."""
    unique = {}
    for c in candidates:
        if c["feasible"]:
            unique.setdefault(c["architecture"], c)
    rows = list(unique.values())
    front = [c for c in rows if not any(
        o["accuracy"] >= c["accuracy"] and o["speedup"] >= c["speedup"]
        and (o["accuracy"] > c["accuracy"] or o["speedup"] > c["speedup"]) for o in rows)]
    return sorted(front, key=lambda c: (-c["speedup"], c["genes"]))


def write_csv(path: str | Path, rows: list[dict]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
