"""Calling HiGHS (scipy.optimize.milp) quietly.

scipy's HiGHS build writes debug lines (e.g. "HighsMipSolverData::transformNewIntegerFeasibleSolution") to
file descriptor 1 from C++, whatever `disp` says, and warns about HiGHS options scipy does not list. Every
MILP in rnc goes through `quiet_milp`, so neither reaches a user's terminal or a CLI's captured stdout.
"""
from __future__ import annotations

import os
import sys
import warnings
from contextlib import contextmanager


@contextmanager
def quiet_stdout():
    """Silences file descriptor 1 (C++ writes bypass sys.stdout), restoring it afterwards."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def quiet_milp(c, **kwargs):
    """scipy.optimize.milp(c, **kwargs) with HiGHS's stdout lines and option warnings silenced."""
    from scipy.optimize import milp   # here: importing scipy.optimize takes ~1 s
    with warnings.catch_warnings(), quiet_stdout():
        warnings.simplefilter("ignore", RuntimeWarning)   # HiGHS options scipy does not list
        return milp(c, **kwargs)
