"""rnc.hw: the one home of the hardware description and its cost model (plain data and formulas, no IR)."""
