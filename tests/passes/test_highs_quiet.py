"""HiGHS's C++ debug lines never reach stdout: every MILP goes through `quiet_milp`."""
from __future__ import annotations

import os

import numpy as np
from scipy.optimize import Bounds

from rnc.passes.xbar_algorithms.highs import quiet_milp, quiet_stdout


def test_quiet_stdout_silences_file_descriptor_one(capfd):
    with quiet_stdout():
        os.write(1, b"from C++\n")
    os.write(1, b"after\n")
    assert capfd.readouterr().out == "after\n"


def test_quiet_milp_solves_and_prints_nothing(capfd):
    result = quiet_milp(-np.array([1.0, 2.0]), integrality=np.ones(2), bounds=Bounds(0, 1),
                        options={"disp": True})
    assert list(result.x) == [1.0, 1.0]
    assert capfd.readouterr().out == ""
