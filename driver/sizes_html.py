"""sizes.html: a crossbar-size sweep at a glance (utilisation and speedup per size, and the table)."""
from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


def render_sizes(model: str, rows: list[dict[str, Any]]) -> str:
    """The page for sizes.json's rows (one per size and budget)."""
    env = Environment(loader=PackageLoader("rnc.driver", "templates"), autoescape=select_autoescape())
    native = all(r["native_speedup_vs_isaac"] is not None for r in rows)
    speedup_key = "native_speedup_vs_isaac" if native else "speedup_vs_isaac"
    return env.get_template("sizes.html.j2").render(model=model, rows=rows, speedup_key=speedup_key,
                                                    native=native)
