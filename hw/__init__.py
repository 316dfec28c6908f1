"""rnc.hw: the one home of the hardware description and its cost model (plain data and formulas, no IR)."""
from .target import LAYER_PERIPHERAL_KEYS

__all__ = ["LAYER_PERIPHERAL_KEYS"]
