"""Budgets of nested levels: crossbars (a count or a fraction of the full model's), MACs and peak
activation memory."""
from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_FRACTIONS = (0.25, 0.5, 0.75, 1.0)   # REDS's levels (Corti et al., arXiv 2311.13349)


class NestedBudgetError(ValueError):
    """A budget that cannot be parsed or met; its message is one line for the user."""


@dataclass(frozen=True)
class Budget:
    """One level's limits: `xbars` crossbars or `xbar_fraction` of the full model's, `macs` MACs or
    `macs_fraction` of the full model's, and `activation` elements or `activation_fraction` of the full
    model's peak (the largest input plus output of any one layer). Unset parts are free."""

    xbars: int | None = None
    xbar_fraction: float | None = None
    macs: int | None = None
    macs_fraction: float | None = None
    activation: int | None = None
    activation_fraction: float | None = None

    def resolve(self, full_xbars: int, full_macs: int,
                full_activation: int = 0) -> tuple[int | None, int | None, int | None]:
        """(crossbars, MACs, activation elements) allowed, fractions rounded down (never above the budget)."""
        xbars = self.xbars if self.xbar_fraction is None else max(1, math.floor(self.xbar_fraction * full_xbars + 1e-9))
        macs = self.macs if self.macs_fraction is None else math.floor(self.macs_fraction * full_macs + 1e-9)
        activation = self.activation if self.activation_fraction is None else \
            math.floor(self.activation_fraction * full_activation + 1e-9)
        return xbars, macs, activation

    @property
    def label(self) -> str:
        parts = []
        if self.xbars is not None:
            parts.append(f"{self.xbars}")
        if self.xbar_fraction is not None:
            parts.append(f"{self.xbar_fraction * 100:g}%")
        if self.macs is not None:
            parts.append(f"macs={self.macs}")
        if self.macs_fraction is not None:
            parts.append(f"macs={self.macs_fraction * 100:g}%")
        if self.activation is not None:
            parts.append(f"act={self.activation}")
        if self.activation_fraction is not None:
            parts.append(f"act={self.activation_fraction * 100:g}%")
        return "+".join(parts)


def _amount(text: str, whole: str) -> tuple[float | None, float | None]:
    """(absolute, fraction) from "60" or "25%"."""
    try:
        if text.endswith("%"):
            fraction = float(text[:-1]) / 100
            if not 0 < fraction <= 1:
                raise NestedBudgetError(f"budget {text!r}: a percentage must lie in (0, 100]")
            return None, fraction
        value = float(text)
    except ValueError:
        raise NestedBudgetError(f"budget {text!r}: expected a number of {whole} or a percentage such as 25%") from None
    if value < 1 or value != int(value):
        raise NestedBudgetError(f"budget {text!r}: expected a positive whole number of {whole}")
    return int(value), None


def parse_budget(text: str) -> Budget:
    """"60" (crossbars), "25%" (of the full model's crossbars), "macs=1e6", "macs=50%", "act=20000",
    "act=50%" (peak activation elements), or parts joined by "+" ("50%+macs=40%")."""
    fields: dict = {}
    for part in text.strip().split("+"):
        part = part.strip()
        if part.startswith("macs="):
            fields["macs"], fields["macs_fraction"] = _amount(part[5:], "MACs")
        elif part.startswith("act="):
            fields["activation"], fields["activation_fraction"] = _amount(part[4:], "activation elements")
        else:
            fields["xbars"], fields["xbar_fraction"] = _amount(part, "crossbars")
    fields = {k: (int(v) if k in ("xbars", "macs", "activation") and v is not None else v) for k, v in fields.items()}
    return Budget(**fields)
