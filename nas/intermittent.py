"""`rnc nas search --power intermittent`: a candidate's figures under harvested power, and what the search
optimizes and constrains with them (docs/intermittent.md).

A candidate's layers are explored as `rnc compile --power intermittent` explores them
(`rnc.driver.intermittent.plan_intermittent` on its partitioned module; explorations are cached by layer
shape). Objectives: accuracy (maximized) and the intermittent end-to-end latency or energy (minimized).
Constraints: the crossbar budget, a design exists for every layer (`intermittent_feasible`), and the
latency is at most `--max-latency`. A candidate without a design is not fine-tuned (its BatchNorm is not
recalibrated): its accuracy is not computed.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# The power options of a search as text, in this order (what `power_options` takes); picklable for workers.
POWER_KEYS = ("capacitor", "harvester", "power_trace", "power_file", "chip", "parity", "max_latency")
OBJECTIVES = ("latency", "energy")
POWER_FIELDS = ("intermittent_feasible", "intermittent_latency_s", "intermittent_energy_j", "power_cycles")
UNREACHABLE = 1e30          # the objective of a candidate without a design (pymoo needs a finite number)


def power_settings(args) -> tuple | None:
    """The power options of parsed `rnc nas search` arguments (None without --power intermittent); file
    paths absolute so that any worker finds them."""
    if getattr(args, "power", "continuous") != "intermittent":
        return None
    values = {k: getattr(args, k, None) for k in POWER_KEYS}
    for k in ("power_trace", "power_file"):
        if values[k]:
            values[k] = str(Path(values[k]).resolve())
    return tuple(values[k] for k in POWER_KEYS)


@lru_cache(maxsize=8)
def options_of(power: tuple):
    """The PowerOptions of a `power_settings` tuple (PowerError on a bad option)."""
    from rnc.hw.power_options import power_options
    v = dict(zip(POWER_KEYS, power))
    return power_options(v["capacitor"], v["harvester"], v["power_trace"], power_file=v["power_file"],
                         chip=v["chip"], parity=v["parity"], max_latency=v["max_latency"])


def power_record(plan) -> dict:
    """A candidate's intermittent figures (None where no design exists)."""
    exists = all(p.exploration.feasible for p in plan.layers)
    return {"intermittent_feasible": exists, "intermittent_latency_s": plan.latency_s if exists else None,
            "intermittent_energy_j": plan.total("energy_j") if exists else None,
            "power_cycles": plan.total("cycles") if exists else None}


def within_limit(record: dict, power: tuple) -> bool:
    """A design exists and its latency meets --max-latency."""
    limit = options_of(power).max_latency_s
    return record["intermittent_feasible"] and (limit is None or record["intermittent_latency_s"] <= limit)


def objective(record: dict, which: str) -> float:
    """The intermittent objective to minimize: latency (s) or energy (J)."""
    value = record["intermittent_latency_s" if which == "latency" else "intermittent_energy_j"]
    return UNREACHABLE if value is None else value


def constraints(record: dict, power: tuple, xbars: int) -> list[float]:
    """pymoo inequality constraints (<= 0 is satisfied): the budget, a design exists, the latency limit."""
    limit = options_of(power).max_latency_s
    latency = record["intermittent_latency_s"]
    over = 1.0 if latency is None else (0.0 if limit is None else latency - limit)
    return [record["xbars_used"] - xbars, 0.0 if record["intermittent_feasible"] else 1.0, over]

