"""Every default of the packing knobs is the one reference preset, not a restated number."""
from dataclasses import asdict

from rnc.hw.packing_rules import REFERENCE_PACKING
from rnc.nas.hardware import PACK_KNOBS
from rnc.passes.xbar.place import PackingKnobs, Place
from rnc.passes.xbar.replicate import Replicate
from rnc.passes.xbar_algorithms import REFERENCE_CONSTRAINTS
from rnc.driver.pipeline import CompileOptions

RULES = asdict(REFERENCE_PACKING)


def rules_of(options) -> dict:
    return {key: getattr(options, key) for key in RULES}


def test_the_preset_is_the_reference_rules():
    assert RULES == {"conflict_distance": 1, "max_tiles_per_xbar": 6, "strategy": "best"}


def test_every_default_is_the_preset():
    for options in (PackingKnobs(), Place(), Replicate(), CompileOptions(), REFERENCE_CONSTRAINTS):
        assert rules_of(options) == RULES, type(options).__name__
    assert PACK_KNOBS == RULES
