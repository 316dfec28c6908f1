"""The fuzz tests mutate the tiny models of tests/frontends/nn_onnx_cases.py: make them importable here."""
import sys
from pathlib import Path

FRONTENDS = str(Path(__file__).resolve().parents[1] / "frontends")
if FRONTENDS not in sys.path:
    sys.path.insert(0, FRONTENDS)
