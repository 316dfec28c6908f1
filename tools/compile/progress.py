"""Progress of `rnc compile` on the terminal (rich): the current step, steps done, elapsed time.

Silent under --quiet and whenever stderr is not a terminal, so logs and pipes only ever get the results.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def step_progress(total_steps: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    """Yields `advance(step_name)`: marks the previous step done and shows `step_name` as running."""
    if not enabled or not sys.stderr.isatty():
        yield lambda step: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    columns = (SpinnerColumn(), TextColumn("[bold]rnc compile[/] {task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=total_steps)
        started = False

        def advance(step: str) -> None:
            nonlocal started
            progress.update(task, description=step, advance=1 if started else 0, refresh=True)
            started = True

        yield advance
