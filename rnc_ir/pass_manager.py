"""Passes, their registry, pipeline parsing and the pass manager.

A pass is a dataclass whose fields are its options (xDSL style):

    @register_pass
    @dataclass
    class Replicate(ModulePass):
        '''Copies bottleneck layers so the pipeline runs faster within the crossbar budget.'''
        name = "replicate"
        budget: int = 0

Pipelines are written `a,b{key=value key2=value2}` or `builtin.module(a,b{key=value})`.
"""
from __future__ import annotations

import dataclasses
import importlib
import sys
import time
import types as pytypes
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Literal, TextIO

from .core import Operation
from .diagnostics import Diagnostic, DiagnosticEngine, DiagnosticError, innermost_frame


class PassError(Exception):
    """A pipeline that cannot be built (unknown pass, bad option): a one-line message for the user."""


@dataclass
class PassContext:
    """What a running pass may use besides the module: the diagnostics engine and shared analyses."""

    diagnostics: DiagnosticEngine = field(default_factory=DiagnosticEngine)
    out: TextIO = field(default_factory=lambda: sys.stdout)  # where analysis passes print reports

    def warn(self, op: Operation, message: str) -> None:
        from .verifier import op_diagnostic
        self.diagnostics.emit(op_diagnostic(op, message, "warning"))

    def remark(self, op: Operation, message: str) -> None:
        from .verifier import op_diagnostic
        self.diagnostics.emit(op_diagnostic(op, message, "remark"))


class ModulePass:
    """Base of every pass: subclasses are dataclasses; `name` is kebab-case; `apply` mutates the module."""

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()

    def apply(self, module: Operation, ctx: PassContext) -> None:
        raise NotImplementedError

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().split("\n")[0]

    @classmethod
    def options(cls) -> list[dataclasses.Field]:
        return list(dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else []

    def pipeline_text(self) -> str:
        """This pass with its options, in pipeline syntax (`replicate{budget=211}`)."""
        opts = [f"{f.name.replace('_', '-')}={_format_option(getattr(self, f.name))}" for f in self.options()]
        return self.name + ("{" + " ".join(opts) + "}" if opts else "")


PASS_REGISTRY: dict[str, type[ModulePass]] = {}
_ALIASES: dict[str, str] = {}


def register_pass(cls: type[ModulePass]) -> type[ModulePass]:
    """Class decorator adding a pass to the registry (names and aliases must be unique)."""
    for key in (cls.name, *cls.aliases):
        if not key or key in PASS_REGISTRY or key in _ALIASES:
            raise ValueError(f"pass name {key!r} is empty or registered twice")
    PASS_REGISTRY[cls.name] = cls
    for alias in cls.aliases:
        _ALIASES[alias] = cls.name
    return cls


def _pass_modules() -> dict[str, str]:
    from rnc.passes import PASS_MODULES
    return PASS_MODULES


def _import_pass_module(module: str) -> None:
    try:
        importlib.import_module(module)
    except Exception as e:  # noqa: BLE001 - a broken pass module is reported in one line, not a traceback
        raise PassError(f"pass module '{module}' failed to load: {type(e).__name__}: {e}") from e


def load_all_passes() -> dict[str, type[ModulePass]]:
    """Imports every pass module listed in `rnc.passes.PASS_MODULES` and returns the registry."""
    for module in dict.fromkeys(_pass_modules().values()):
        _import_pass_module(module)
    return PASS_REGISTRY


def lookup_pass(name: str) -> type[ModulePass]:
    """The pass class registered as `name` (or an alias); imports only its module when the table lists it."""
    module = _pass_modules().get(name)
    if module is not None:
        _import_pass_module(module)
    key = _ALIASES.get(name, name)
    if key not in PASS_REGISTRY:
        load_all_passes()
        key = _ALIASES.get(name, name)
    if key not in PASS_REGISTRY:
        import difflib
        close = difflib.get_close_matches(name, list(PASS_REGISTRY) + list(_ALIASES), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else "; see --list-passes"
        raise PassError(f"unknown pass '{name}'{hint}")
    return PASS_REGISTRY[key]


# ---- options ---------------------------------------------------------------------------------------------
def _format_option(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (tuple, list)):
        return ",".join(map(str, v))
    return str(v)


def _convert(text: str, annotation: Any, pass_name: str, option: str) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, pytypes.UnionType):
        if type(None) in args and text.lower() in ("none", "off"):
            return None
        inner = [a for a in args if a is not type(None)]
        errors = []
        for a in inner:
            try:
                return _convert(text, a, pass_name, option)
            except PassError as e:
                errors.append(str(e))
        raise PassError(errors[0] if errors else f"bad value for option '{option}'")
    if origin is Literal:
        if text not in args:
            raise PassError(f"option '{option}' of pass '{pass_name}' must be one of "
                            f"{', '.join(map(str, args))}; got '{text}'")
        return text
    if origin in (tuple, list):
        return tuple(_convert(t, args[0], pass_name, option) for t in text.split(",") if t)
    try:
        if annotation is bool:
            if text.lower() in ("true", "1", "yes", "on", ""):
                return True
            if text.lower() in ("false", "0", "no", "off"):
                return False
            raise ValueError
        if annotation is int:
            return int(text)
        if annotation is float:
            return float(text)
        return text
    except ValueError:
        kind = getattr(annotation, "__name__", str(annotation))
        raise PassError(f"option '{option}' of pass '{pass_name}' expects {kind}, got '{text}'") from None


def make_pass(name: str, options: dict[str, str]) -> ModulePass:
    """An instance of pass `name` with `options` (option name -> text) converted to its fields' types."""
    cls = lookup_pass(name)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in cls.options()}
    kwargs = {}
    for key, text in options.items():
        fname = key.replace("-", "_")
        if fname not in fields:
            import difflib
            known = [f.replace("_", "-") for f in fields]
            close = difflib.get_close_matches(key, known, n=2)
            hint = f"; did you mean {', '.join(close)}?" if close else \
                (f"; it has {', '.join(known)}" if known else "; it takes no options")
            raise PassError(f"pass '{cls.name}' has no option '{key}'{hint}")
        kwargs[fname] = _convert(text, hints[fname], cls.name, key)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise PassError(f"pass '{cls.name}': {e}") from None


# ---- pipeline text ---------------------------------------------------------------------------------------
class _PipelineReader:
    """Reads `a,b{k=v k2="v 2"}`, optionally wrapped in `builtin.module(...)`, reporting errors by column."""

    NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> PassError:
        return PassError(f"pipeline '{self.text}': {message} at column {self.pos + 1}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            found = f"'{self.peek()}'" if self.peek() else "the end"
            raise self.fail(f"expected '{ch}', found {found}")
        self.pos += 1

    def name(self) -> str:
        self.skip_space()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in self.NAME_CHARS:
            self.pos += 1
        if start == self.pos:
            found = f"'{self.text[self.pos]}'" if self.pos < len(self.text) else "the end"
            raise self.fail(f"expected a pass name, found {found}")
        return self.text[start:self.pos]

    def value(self) -> str:
        self.skip_space()
        if self.peek() == '"':
            end = self.text.find('"', self.pos + 1)
            if end < 0:
                raise self.fail("unterminated quoted option value")
            value = self.text[self.pos + 1:end]
            self.pos = end + 1
            return value
        start = self.pos
        while self.pos < len(self.text) and not self.text[self.pos].isspace() and self.text[self.pos] not in "{}":
            self.pos += 1
        return self.text[start:self.pos]

    def options(self, pass_name: str) -> dict[str, str]:
        out: dict[str, str] = {}
        self.expect("{")
        while self.peek() not in ("}", ""):
            key_pos = self.pos
            key = self.name()
            value = "true"  # a bare flag switches a bool option on
            if self.peek() == "=":
                self.pos += 1
                value = self.value()
            if key in out:
                self.pos = key_pos
                raise self.fail(f"option '{key}' of pass '{pass_name}' is given twice")
            out[key] = value
        self.expect("}")
        return out

    def pipeline(self, top: bool = True) -> list[tuple[str, dict[str, str]]]:
        items: list[tuple[str, dict[str, str]]] = []
        if self.peek() == "":
            return items
        while True:
            name_pos = self.pos
            name = self.name()
            if self.peek() == "(":
                if name != "builtin.module" or items or not top:
                    self.pos = name_pos
                    self.skip_space()
                    raise self.fail(f"nested pipeline '{name}(...)': rnc passes run on the whole module, "
                                    f"so only one 'builtin.module(...)' may wrap the pipeline")
                self.pos += 1
                if self.peek() != ")":
                    items = self.pipeline(top=False)
                self.expect(")")
                if self.peek():
                    raise self.fail("unexpected text after 'builtin.module(...)'")
                return items
            items.append((name, self.options(name) if self.peek() == "{" else {}))
            if self.peek() != ",":
                break
            self.pos += 1
        if self.peek() not in ("", ")"):
            raise self.fail(f"expected ',' or the end, found '{self.peek()}'")
        return items


def parse_pipeline_text(text: str) -> list[tuple[str, dict[str, str]]]:
    """The (pass name, options) of a pipeline, without looking the passes up."""
    reader = _PipelineReader(text)
    items = reader.pipeline()
    if reader.peek():
        raise reader.fail(f"unexpected '{reader.peek()}'")
    return items


def parse_pipeline(text: str) -> list[ModulePass]:
    """`a,b{k=v k2=v2}` or `builtin.module(a,b{k=v})` -> pass instances. Raises PassError."""
    return [make_pass(name, options) for name, options in parse_pipeline_text(text)]


# ---- running -------------------------------------------------------------------------------------------
@dataclass
class Instrumentation:
    print_before: set[str] = field(default_factory=set)
    print_after: set[str] = field(default_factory=set)
    print_after_all: bool = False
    print_before_all: bool = False
    verify_each: bool = True
    timing: bool = False
    dump: Callable[[Operation], str] | None = None
    stream: TextIO = field(default_factory=lambda: sys.stderr)


def _pass_failure(module: Operation, p: ModulePass, message: str) -> DiagnosticError:
    """Reported, as MLIR does, at the op the pass ran on: the module's source position when it has one."""
    from .verifier import op_position
    loc, _ = op_position(module)
    return DiagnosticError(Diagnostic("error", f"pass '{p.name}' {message}", loc, None if loc else f"pass '{p.name}'"))


@dataclass
class PassManager:
    passes: list[ModulePass]
    instrumentation: Instrumentation = field(default_factory=Instrumentation)
    timings: list[tuple[str, float]] = field(default_factory=list)

    def run(self, module: Operation, ctx: PassContext | None = None) -> None:
        from .verifier import verify
        ctx = ctx or PassContext()
        inst = self.instrumentation
        for p in self.passes:
            names = {p.name, *type(p).aliases}
            if inst.print_before_all or names & inst.print_before:
                self._dump("Before", p, module)
            start = time.perf_counter()
            try:
                p.apply(module, ctx)
            except DiagnosticError:
                raise
            except PassError as e:
                raise _pass_failure(module, p, f"failed: {e}") from None
            except RecursionError:
                raise _pass_failure(module, p, "failed: the IR nests too deeply") from None
            except Exception as e:  # noqa: BLE001 - a bug in a pass: one line saying where; the cause is kept
                raise _pass_failure(module, p, f"crashed: {type(e).__name__}: {e} ({innermost_frame(e)})") from e
            self.timings.append((p.name, time.perf_counter() - start))
            if inst.verify_each:
                verify(module)
            if inst.print_after_all or names & inst.print_after:
                self._dump("After", p, module)

    def _dump(self, when: str, p: ModulePass, module: Operation) -> None:
        title = type(p).__name__
        text = self.instrumentation.dump(module) if self.instrumentation.dump else str(module)
        self.instrumentation.stream.write(f"// -----// IR Dump {when} {title} ({p.name}) //----- //\n{text}\n")

    def timing_report(self) -> str:
        total = sum(t for _, t in self.timings) or 1e-12
        lines = ["===-------------------------------------------------------------------------===",
                 "                         ... Execution time report ...",
                 "===-------------------------------------------------------------------------===",
                 f"  Total Execution Time: {total:.4f} seconds", "",
                 "  ----Wall Time----  ----Name----"]
        for name, t in self.timings:
            lines.append(f"    {t:.4f} ({100 * t / total:5.1f}%)  {name}")
        lines.append(f"    {total:.4f} (100.0%)  Total")
        return "\n".join(lines)
