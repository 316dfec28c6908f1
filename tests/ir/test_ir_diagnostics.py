"""Diagnostics: their rendering, and --verify-diagnostics' matching rules."""
import pytest

from rnc.ir.diagnostics import QUOTED_LINE_CHARS, Diagnostic, DiagnosticError, SourceLoc, SourceManager, source_excerpt
from rnc.ir.parser import parse_module
from rnc.ir.floats import format_float, from_bits, round_to, to_bits
from rnc.tools.diagnostics_check import check, parse_expectations


def test_render_quotes_the_line_with_a_caret_and_notes():
    sources = SourceManager()
    sources.add("m.rir", "first\n  %x = bad\n", 1)
    d = Diagnostic("error", "'nn.conv2d' op expects 4-d input", SourceLoc("m.rir", 2, 3),
                   notes=[Diagnostic("note", "see here", SourceLoc("m.rir", 1, 1))])
    assert d.render(sources) == ("m.rir:2:3: error: 'nn.conv2d' op expects 4-d input\n  %x = bad\n  ^\n"
                                 "m.rir:1:1: note: see here\nfirst\n^")


def test_split_buffers_keep_their_line_numbers():
    sources = SourceManager()
    sources.add("f.rir", "a\nb", 1)
    sources.add("f.rir", "c\nd", 4)
    assert sources.line(SourceLoc("f.rir", 5, 1)) == "d"
    assert sources.line(SourceLoc("f.rir", 2, 1)) == "b"


def at(line, severity="error", message="boom", file="t.rir"):
    return Diagnostic(severity, message, SourceLoc(file, line, 1))


def test_designators():
    text = "\n".join([
        "// expected-error @+2 {{plus}}",      # 1 -> 3
        "// expected-error @below {{below}}",  # 2 -> 3 (the next line without an annotation)
        "op",                                  # 3
        "op // expected-error {{same}}",       # 4 -> 4
        "// expected-error @-1 {{minus}}",     # 5 -> 4
        "// expected-note @above {{above}}",   # 6 -> 3 (lines 4 and 5 hold annotations)
    ])
    expectations = parse_expectations(text, 10)
    assert [(e.severity, e.line) for e in expectations] == [
        ("error", 12), ("error", 12), ("error", 13), ("error", 13), ("note", 12)]
    emitted = [at(12, message="plus"), at(12, message="below"), at(13, message="same"),
               at(13, message="minus"), at(12, "note", "above")]
    assert check(expectations, emitted, "t.rir") == []


def test_mismatches_are_reported_both_ways():
    expectations = parse_expectations("op // expected-warning {{careful}}", 1)
    problems = check(expectations, [at(1, "error", "careful"), at(1, "warning", "other")], "t.rir")
    assert problems == ["t.rir:1:1: error: unexpected error: careful",
                        "t.rir:1:1: error: unexpected warning: other",
                        't.rir:1: error: expected warning "careful" was not produced']


def test_notes_attached_to_a_diagnostic_must_be_expected_too():
    d = at(1, message="redefinition")
    d.notes.append(at(1, "note", "previously defined here"))
    assert check(parse_expectations("x // expected-error {{redefinition}}", 1), [d], "t.rir") == [
        "t.rir:1:1: error: unexpected note: previously defined here"]


def test_a_diagnostic_in_another_file_does_not_match():
    expectations = parse_expectations("x // expected-error {{boom}}", 1)
    assert check(expectations, [at(1, file="other.rir")], "t.rir")[0].startswith("other.rir:1:1: error: unexpected")


def test_float_spelling():
    assert format_float(0.1) == "0.1"
    assert format_float(round_to(0.1, "f32"), "f32") == "0.1"
    assert format_float(1e-5, "f32") == "1.0e-05"
    assert format_float(float("inf"), "f16") == "0x7C00"
    assert format_float(float("-inf"), "bf16") == "0xFF80"
    assert format_float(float("nan"), "f64") == "0x7FF8000000000000"
    assert from_bits(to_bits(1.5, "bf16"), "bf16") == 1.5
    assert round_to(3.14159, "bf16") == 3.140625


@pytest.mark.parametrize("col", [1, 7, 5000, 9990, 10001, 10002])
def test_a_long_source_line_is_quoted_in_part_with_the_caret_on_the_same_character(col):
    line = "".join(chr(ord("a") + i % 26) for i in range(10001))
    shown, caret = source_excerpt(line, col)
    assert len(shown) <= QUOTED_LINE_CHARS + 2 * len("...")
    assert shown[caret - 1:caret] == line[col - 1:col]   # both empty just past the end


def test_a_bad_hex_digit_in_a_megabyte_resource_quotes_a_short_excerpt():
    # Issue #16: the whole 1.18 MB line was printed under the error.
    digits = "00" * 600_000
    bad = 123_457
    text = ('"builtin.module"() ({\n}) : () -> ()\n{-#\n  dialect_resources: {\n    builtin: {\n'
            f'      blob: "0x{digits[:bad]}G{digits[bad + 1:]}"\n    }}\n  }}\n#-}}\n')
    sources = SourceManager()
    with pytest.raises(DiagnosticError) as caught:
        parse_module(text, "big.rir", sources=sources)
    head, shown, caret = caught.value.diagnostic.render(sources).split("\n")
    col = len('      blob: "0x') + bad + 1
    assert head == f"big.rir:6:{col}: error: hex string has a character that is not a hex digit ('G')"
    assert len(shown) < 200 and shown[len(caret) - 1] == "G"
