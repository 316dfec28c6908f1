"""What the search optimises and what it must respect: objectives and constraints from candidate records.

Objectives (`--objectives`, any of `OBJECTIVES`) are minimised by pymoo as `minimised(record)`: accuracy and
the efficiency figures are negated. Latency is minimised through the speedup over the space's ISAAC-like
baseline (the same order, since the baseline's latency is one constant), which keeps the default search's
crowding distances, and so its results, what they were. Constraints are pymoo's `G <= 0` rows: the crossbar
budget always, and `--max-area`, `--max-latency`, `--max-energy` when given, the area limit loosened by
`--area-tolerance` percent (XPert's area tolerance). A candidate that breaks one is kept and marked
(`feasible` False, `violations` naming each limit it breaks).
"""
from __future__ import annotations

from dataclasses import dataclass

OBJECTIVES = ("accuracy", "latency", "energy", "area", "edap")
DEFAULT = ("accuracy", "latency")
DEFAULT_PERIPHERALS = ("accuracy", "edap")
# Record key whose value each objective minimises, and the sign applied.
_KEYS = {"accuracy": ("accuracy", -1.0), "latency": ("speedup", -1.0), "energy": ("energy_pj", 1.0),
         "area": ("area_mm2", 1.0), "edap": ("edap", 1.0)}
COST_OBJECTIVES = ("energy", "area", "edap")


class ObjectiveError(ValueError):
    """A bad --objectives list or limit: one line for the user."""


def parse_objectives(text: str | None, peripherals: bool) -> tuple[str, ...]:
    """'accuracy,edap' -> ('accuracy', 'edap'); None -> the default for the mode."""
    if text is None:
        return DEFAULT_PERIPHERALS if peripherals else DEFAULT
    names = tuple(n.strip().lower() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in OBJECTIVES]
    if unknown:
        raise ObjectiveError(f"unknown objective '{unknown[0]}' (choose from {', '.join(OBJECTIVES)})")
    if len(set(names)) != len(names):
        raise ObjectiveError(f"--objectives names an objective twice: {text}")
    if not names:
        raise ObjectiveError("--objectives needs at least one objective")
    return names


def minimised(record: dict, objectives: tuple[str, ...]) -> list[float]:
    """The record's objective values as pymoo minimises them."""
    return [_KEYS[name][1] * record[_KEYS[name][0]] for name in objectives]


def better_or_equal(a: dict, b: dict, objectives: tuple[str, ...]) -> bool:
    return all(x <= y for x, y in zip(minimised(a, objectives), minimised(b, objectives)))


@dataclass(frozen=True)
class Limits:
    """The constraints besides the crossbar budget (None: no limit)."""
    max_area_mm2: float | None = None
    max_latency_us: float | None = None
    max_energy_uj: float | None = None
    area_tolerance_pct: float = 0.0

    @property
    def needs_costs(self) -> bool:
        return self.max_area_mm2 is not None or self.max_energy_uj is not None

    @property
    def area_limit_mm2(self) -> float | None:
        return None if self.max_area_mm2 is None else self.max_area_mm2 * (1 + self.area_tolerance_pct / 100)

    def excesses(self, record: dict, xbars: int) -> dict[str, float]:
        """Each constraint as pymoo's G (<= 0 when met), relative to its limit so that they weigh alike."""
        out = {"xbars": float(record["xbars_used"] - xbars)}     # the search's original constraint, as it was
        if self.area_limit_mm2 is not None:
            out["area"] = record["area_mm2"] / self.area_limit_mm2 - 1
        if self.max_latency_us is not None:
            out["latency"] = record["latency_ns"] * 1e-3 / self.max_latency_us - 1
        if self.max_energy_uj is not None:
            out["energy"] = record["energy_pj"] * 1e-6 / self.max_energy_uj - 1
        return out

    def violations(self, record: dict, xbars: int) -> str:
        """The limits `record` breaks, e.g. 'xbars 230 > 211; area 6.1 > 5.25 mm2' ('' when none); `record`'s
        own `feasible` says whether it packed into the budget."""
        g = self.excesses(record, xbars)
        text = []
        if g["xbars"] > 0 or not record["feasible"]:
            text.append(f"xbars {record['xbars_used']} > {xbars}")
        if g.get("area", 0) > 0:
            text.append(f"area {record['area_mm2']:.4g} > {self.area_limit_mm2:.4g} mm2")
        if g.get("latency", 0) > 0:
            text.append(f"latency {record['latency_ns'] * 1e-3:.4g} > {self.max_latency_us:.4g} us")
        if g.get("energy", 0) > 0:
            text.append(f"energy {record['energy_pj'] * 1e-6:.4g} > {self.max_energy_uj:.4g} uJ")
        return "; ".join(text)
