"""The rnc dialect: the hardware target a module is compiled for, `#rnc.target<...>`.

The target is a module attribute (`rnc.target`) so every pass and tool reads the same description, an
`rnc.hw.target.Target` (crossbar geometry and budget, bit widths, peripherals, clocks). Only keys that
differ from the defaults are printed: `#rnc.target<budget = 211, xbar_rows = 256>`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rnc.hw.target import Target
from rnc.ir.attributes import DialectAttr, quote, unquote
from rnc.ir.dialect import Dialect

TARGET_ATTR = "rnc.target"


@dataclass(frozen=True)
class TargetAttr(DialectAttr):
    """`#rnc.target<key = value, ...>`: a `Target`; keys left out have their default."""

    dialect_name = "rnc"
    mnemonic = "target"
    target: Target = field(default_factory=Target)

    def body(self) -> str | None:
        defaults = Target().as_dict()
        items = [(k, v) for k, v in sorted(self.target.as_dict().items()) if defaults[k] != v]
        return ", ".join(f"{k} = {_format(v)}" for k, v in items)

    @classmethod
    def parse_body(cls, body: str | None) -> "TargetAttr":
        values: dict[str, Any] = {}
        for item in _split_items(body or ""):
            key, eq, text = item.partition("=")
            if not eq:
                raise ValueError(f"expected 'key = value', got '{item.strip()}'")
            values[key.strip()] = _parse_value(text.strip(), key.strip())
        return cls(Target().with_values(**values))


def _format(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, float):
        return repr(v)
    if v is None:
        return "none"
    return str(v)


def _split_items(body: str) -> list[str]:
    return [part for part in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", body) if part.strip()]


def _parse_value(text: str, key: str) -> Any:
    default = Target.keys().get(key)
    if text == "none":
        return None
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"'):
        return unquote(text)
    try:
        if isinstance(default, float):
            return float(text)
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"invalid value '{text}' for '{key}'") from None


def module_target(module) -> Target:
    """The target attached to `module`, or the default target."""
    attr = module.attributes.get(TARGET_ATTR)
    return attr.target if isinstance(attr, TargetAttr) else Target()


def set_module_target(module, target: Target) -> None:
    module.attributes[TARGET_ATTR] = TargetAttr(target)


DIALECT = Dialect("rnc", attributes=[TargetAttr], doc="Compilation target description.")
