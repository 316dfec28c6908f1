"""`rnc nas search --power intermittent`: a candidate's figures under harvested power, and what the search
optimizes and constrains with them (docs/intermittent.md).

A candidate's layers are explored as `rnc compile --power intermittent` explores them
(`rnc.driver.intermittent.plan_intermittent` on its partitioned module; explorations are cached by layer
shape). What the search does with them is rnc.nas.objectives': objectives accuracy (maximized) and
`intermittent_latency` or `intermittent_energy` (minimized; `--power-objective`), constraints the crossbar
budget, a design exists for every layer (`intermittent_feasible`), and the intermittent latency is at most
`--max-latency` (`Limits(intermittent=True)`). A candidate without a design is not fine-tuned (its
BatchNorm is not recalibrated): its accuracy is not computed.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# The power options of a search as text, in this order (what `power_options` takes); picklable for workers.
# --max-latency is the search's limit (rnc.nas.objectives.Limits), not a power option.
POWER_KEYS = ("capacitor", "harvester", "power_trace", "power_file", "chip", "parity")
OBJECTIVES = ("latency", "energy")
POWER_FIELDS = ("intermittent_feasible", "intermittent_latency_s", "intermittent_energy_j", "power_cycles")


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
                         chip=v["chip"], parity=v["parity"])


def power_record(plan) -> dict:
    """A candidate's intermittent figures (None where no design exists)."""
    exists = all(p.exploration.feasible for p in plan.layers)
    return {"intermittent_feasible": exists, "intermittent_latency_s": plan.latency_s if exists else None,
            "intermittent_energy_j": plan.total("energy_j") if exists else None,
            "power_cycles": plan.total("cycles") if exists else None}

