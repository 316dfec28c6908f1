"""Per-layer search for the execution and preservation design (iNAS's IEExplorer, exhaustive).

Every tiling (Tr, Tc, Tm, Tn divisors of the layer's dimensions), loop order and preservation batch S is
checked against the constraints: the volatile buffer holds the job, the worst-case energy of a power cycle
fits in the usable energy, and (optionally) the layer's latency stays under a limit. The design with the
lowest end-to-end latency wins; ties go to the smaller buffer. `parity_inas` restricts Tn and S to 1 or
even divisors as iNAS does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

from ..power import PowerModel
from .pmod import (ORDERS, Cost, CycleTerms, Design, LayerCost, LayerShape, Platform, cycle_terms, layer_cost,
                   power_cycles)


@dataclass(frozen=True)
class Exploration:
    """The outcome of a search on one layer."""

    best: LayerCost | None             # None: no design satisfies the constraints
    checked: int                       # designs whose costs were computed
    min_cycle_energy_j: float          # lowest worst-case energy of a power cycle among buffer-fitting designs
    continuous: Design | None          # the design with the lowest latency under continuous power
    continuous_s: float                # its latency under continuous power
    unaware: LayerCost | None          # what a designer without the intermittent model picks (see explore)

    @property
    def feasible(self) -> bool:
        return self.best is not None


def divisors(n: int, *, even_only: bool = False) -> list[int]:
    """1 and the divisors of n (only the even ones beyond 1 with `even_only`, iNAS's rule for Tn and S)."""
    return [1] + [k for k in range(2, n + 1) if n % k == 0 and (not even_only or k % 2 == 0)]


def batch_choices(shape: LayerShape, d: Design, *, parity_inas: bool = False) -> list[int]:
    """S values that divide the loop the batch runs along (iNAS common.filter_legal_pressizes)."""
    if d.order == "input":
        iters = math.ceil(shape.out_ch / d.tm)
    elif d.order == "weight":
        iters = math.ceil(shape.out_h / d.tr) * math.ceil(shape.out_w / d.tc)
    else:
        iters = math.ceil(shape.in_ch / d.tn)
    return divisors(iters, even_only=parity_inas)


def continuous_cost(platform: Platform, shape: LayerShape, d: Design) -> Cost:
    """The design's work with the power always on: fetch, compute and write back, no reboot or recharge."""
    return _continuous(cycle_terms(platform, shape, d), shape, d)


def _continuous(terms: CycleTerms, shape: LayerShape, d: Design) -> Cost:
    n0, n_gt0 = power_cycles(shape, d)
    work = terms.compute + terms.preserve
    return (terms.fetch_min + work).times(n0) + (terms.fetch_max + work).times(n_gt0)


def tilings(platform: Platform, power: PowerModel, shape: LayerShape, *, parity_inas: bool = False,
            allowed: Callable[[Design], bool] | None = None):
    """Every S = 1 design whose job fits in the volatile buffer (and that `allowed` accepts)."""
    tns = [1] if shape.depthwise else divisors(shape.in_ch, even_only=parity_inas)
    for tr in divisors(shape.out_h):
        for tc in divisors(shape.out_w):
            for tn in tns:
                for tm in divisors(shape.out_ch):
                    for order in ORDERS:
                        d = Design(tr, tc, tm, tn, order, 1)
                        if platform.buffer_bytes(shape, d) <= power.vm_bytes and (allowed is None or allowed(d)):
                            yield d


def explore(platform: Platform, power: PowerModel, shape: LayerShape, *, parity_inas: bool = False,
            max_latency_s: float | None = None, allowed: Callable[[Design], bool] | None = None) -> Exploration:
    """The design with the lowest end-to-end latency on `shape` under `power` (None when none exists);
    `allowed` narrows the tilings (a program can only run those its crossbar regions can express).

    `unaware` is what a designer without the intermittent model picks: of the designs that complete when
    every tile is preserved (S = 1), the one fastest under continuous power, with its figures under `power`.
    Every term of a cycle is affine in S (S tiles of fetch and compute, preservation of S outputs), so
    the costs at S = 1 and S = 2 give those of every S without recomputing the terms.
    """
    best_key, best, checked, lowest_e = None, None, 0, math.inf
    cont, cont_s, unaware, unaware_s = None, math.inf, None, math.inf
    eav = power.usable_energy_j * (1 - 1e-12)   # so that the direct evaluation of the winner agrees
    for base in tilings(platform, power, shape, parity_inas=parity_inas, allowed=allowed):
        terms = cycle_terms(platform, shape, base)
        c = _continuous(terms, shape, base).time_s
        if c < cont_s:
            cont, cont_s = base, c
        one = terms.total(worst=False), terms.total(worst=True)
        two = tuple(cycle_terms(platform, shape, replace(base, batch=2)).total(worst=w) for w in (False, True))
        lowest_e = min(lowest_e, max(one[0].energy_j, one[1].energy_j) if power_cycles(shape, base)[1]
                       else one[0].energy_j)
        for s in batch_choices(shape, base, parity_inas=parity_inas):
            d = replace(base, batch=s)
            vm = platform.buffer_bytes(shape, d)
            if vm > power.vm_bytes:
                break                  # the buffer only grows with S
            checked += 1
            lo, hi = (_at(a, b, s) for a, b in zip(one, two))
            n0, n_gt0 = power_cycles(shape, d)
            if not n_gt0:
                hi = lo
            worst = hi.energy_j if parity_inas else max(lo.energy_j, hi.energy_j)   # iNAS checks only E_max
            if worst > eav or lo.energy_j >= eav:
                break                  # atomicity: the energy of a cycle only grows with S
            if s == 1 and c < unaware_s:
                unaware, unaware_s = d, c
            latency = (n0 * (lo.time_s + power.recharge_s(lo.energy_j, parity_inas=parity_inas))
                       + n_gt0 * (hi.time_s + power.recharge_s(hi.energy_j, parity_inas=parity_inas)))
            if max_latency_s is not None and latency > max_latency_s:
                continue
            if best_key is None or (latency, vm) < best_key:
                best_key, best = (latency, vm), d
    chosen, naive = (None if d is None else layer_cost(platform, power, shape, d, parity_inas=parity_inas)
                     for d in (best, unaware))
    return Exploration(chosen, checked, lowest_e, cont, cont_s, naive)


def _at(one: Cost, two: Cost, s: int) -> Cost:
    """A cost affine in S, from its values at S = 1 and S = 2."""
    k = s - 1
    return Cost(one.energy_j + k * (two.energy_j - one.energy_j), one.time_s + k * (two.time_s - one.time_s))
