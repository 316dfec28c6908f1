"""The LALR tables: built from grammar.lark by Lark, cached beside it, rebuilt when the cache is bad."""
import shutil
from pathlib import Path

import rnc.ir.parser as parser_module
from rnc.ir.lalr import LalrParser, Tables, load_tables

GRAMMAR = Path(parser_module.__file__).with_name("grammar.lark")


def test_tables_are_cached_and_a_damaged_cache_is_rebuilt(tmp_path):
    grammar = tmp_path / "grammar.lark"
    shutil.copy(GRAMMAR, grammar)
    first = load_tables(grammar)
    (cache,) = (tmp_path / "__pycache__").glob("grammar-tables-*.pickle")
    assert isinstance(load_tables(grammar), Tables)
    cache.write_bytes(cache.read_bytes()[:50])
    again = load_tables(grammar)
    # Lark may number the states differently from one build to the next; the grammar's rules are the same.
    assert sorted(zip(again.rule_origins, again.rule_sizes)) == sorted(zip(first.rule_origins, first.rule_sizes))
    assert len(again.actions) == len(first.actions)


def test_a_changed_grammar_gets_new_tables_and_old_ones_go(tmp_path):
    grammar = tmp_path / "grammar.lark"
    shutil.copy(GRAMMAR, grammar)
    load_tables(grammar)
    grammar.write_text(grammar.read_text() + "\n// a comment changes the hash\n")
    load_tables(grammar)
    assert len(list((tmp_path / "__pycache__").glob("grammar-tables-*.pickle"))) == 1


def test_every_rule_has_a_callback():
    # LalrParser binds `builder.<rule or alias>` for every rule that is not inlined: a missing callback would
    # fail here, not in the middle of a parse.
    LalrParser(load_tables(GRAMMAR), parser_module._Builder())
