"""Pass pipelines: their text, option conversion, errors, the registry and the pass manager."""
import dataclasses
import io
from typing import Literal, Optional

import pytest

from rnc.ir.diagnostics import DiagnosticError
from rnc.ir.parser import parse_module
from rnc.ir.pass_manager import (PASS_REGISTRY, Instrumentation, ModulePass, PassError, PassManager, _convert,
                                 load_all_passes, parse_pipeline, parse_pipeline_text, register_pass)


def test_pipeline_forms_and_options():
    assert parse_pipeline_text("a,b{k=v k2=v2}") == [("a", {}), ("b", {"k": "v", "k2": "v2"})]
    assert parse_pipeline_text("builtin.module(a, b{k=v})") == [("a", {}), ("b", {"k": "v"})]
    assert parse_pipeline_text(" a { flag } ") == [("a", {"flag": "true"})]
    assert parse_pipeline_text('a{name="two words" list=1,2,3}') == [("a", {"name": "two words",
                                                                            "list": "1,2,3"})]
    assert parse_pipeline_text("") == []
    assert parse_pipeline_text("builtin.module()") == []


@pytest.mark.parametrize("text, message", [
    ("a,,b", "expected a pass name, found ',' at column 3"),
    ("a,", "expected a pass name, found the end at column 3"),
    ("a b", "expected ',' or the end, found 'b'"),
    ("a{k=1", "expected '}', found the end"),
    ('a{k="open}', "unterminated quoted option value"),
    ("a{k=1 k=2}", "option 'k' of pass 'a' is given twice"),
    ("builtin.module(a", "expected ')', found the end"),
    ("builtin.module(a)b", "unexpected text after 'builtin.module(...)'"),
    ("func.func(a)", "nested pipeline 'func.func(...)'"),
    ("builtin.module(builtin.module(a))", "nested pipeline 'builtin.module(...)'"),
])
def test_pipeline_syntax_errors_name_the_column(text, message):
    with pytest.raises(PassError, match="pipeline '.*': " + message.replace("(", r"\(").replace(")", r"\)")):
        parse_pipeline_text(text)


def test_unknown_pass_and_option_suggest_close_names():
    with pytest.raises(PassError, match="unknown pass 'canonicalise'; did you mean 'canonicalize'"):
        parse_pipeline("canonicalise")
    with pytest.raises(PassError, match="unknown pass 'zzzz'; see --list-passes"):
        parse_pipeline("zzzz")
    with pytest.raises(PassError, match="has no option 'max-iteration'; did you mean max-iterations"):
        parse_pipeline("canonicalize{max-iteration=2}")
    with pytest.raises(PassError, match="pass 'dce' has no option 'x'; it takes no options"):
        parse_pipeline("dce{x=1}")


def test_options_become_typed_fields_and_print_back():
    (p,) = parse_pipeline("canonicalize{max-iterations=3}")
    assert p.max_iterations == 3
    assert p.pipeline_text() == "canonicalize{max-iterations=3}"
    assert parse_pipeline(p.pipeline_text())[0] == p


def test_option_conversion():
    assert _convert("7", int, "p", "o") == 7
    assert _convert("0.5", float, "p", "o") == 0.5
    assert _convert("off", bool, "p", "o") is False
    assert _convert("", bool, "p", "o") is True
    assert _convert("none", Optional[int], "p", "o") is None
    assert _convert("4", Optional[int], "p", "o") == 4
    assert _convert("1,2", tuple[int, ...], "p", "o") == (1, 2)
    assert _convert("fast", Literal["fast", "slow"], "p", "o") == "fast"
    with pytest.raises(PassError, match="must be one of fast, slow; got 'medium'"):
        _convert("medium", Literal["fast", "slow"], "p", "o")
    with pytest.raises(PassError, match="expects int, got 'x'"):
        _convert("x", int, "p", "o")
    with pytest.raises(PassError, match="expects bool"):
        _convert("maybe", bool, "p", "o")


def test_registry_names_are_unique():
    load_all_passes()
    with pytest.raises(ValueError, match="registered twice"):
        @register_pass
        @dataclasses.dataclass
        class Again(ModulePass):
            name = "dce"


def test_pass_manager_instrumentation_and_crashes():
    @dataclasses.dataclass
    class Crashes(ModulePass):
        """Raises."""

        name = "test-crashes-here"

        def apply(self, module, ctx) -> None:
            raise KeyError("boom")

    module = parse_module('"test.effect"() : () -> ()')
    stream = io.StringIO()
    (dce,) = parse_pipeline("dce")
    pm = PassManager([dce], Instrumentation(print_before={"dce"}, print_after_all=True, stream=stream))
    pm.run(module)
    out = stream.getvalue()
    assert "// -----// IR Dump Before DeadCodeElimination (dce) //----- //" in out
    assert "// -----// IR Dump After DeadCodeElimination (dce) //----- //" in out
    assert [name for name, _ in pm.timings] == ["dce"]
    assert "dce" in pm.timing_report()
    with pytest.raises(DiagnosticError, match=r"pass 'test-crashes-here' crashed: KeyError: 'boom' \(.*\.py:\d+\)"):
        PassManager([Crashes()]).run(module)
    assert "test-crashes-here" not in PASS_REGISTRY
