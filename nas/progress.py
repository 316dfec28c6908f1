"""Search progress on the terminal (rich): generation, evaluations, best figures so far, time per evaluation.

Silent under --quiet and whenever stdout is not a terminal, so logs and pipes only get the results.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator


@dataclass
class Status:
    generation: int              # 0-based, the one running
    generations: int
    done: int                    # candidates of this generation with a record
    population: int              # candidates in this generation
    evaluations: int             # evaluations run by this process so far (cache hits excluded)
    seconds_per_evaluation: float | None
    best_accuracy: float | None  # over feasible candidates so far
    best_speedup: float | None

    def summary(self) -> str:
        acc = "-" if self.best_accuracy is None else f"{self.best_accuracy:.3f}"
        speed = "-" if self.best_speedup is None else f"{self.best_speedup:.2f}x"
        pace = "-" if self.seconds_per_evaluation is None else f"{self.seconds_per_evaluation:.2f}"
        return f"{self.evaluations} evals, best {acc} acc / {speed}, {pace} s/eval"


class Silent:
    def update(self, status: Status) -> None:
        pass


class _RichProgress:
    def __init__(self, progress):
        self._progress = progress
        self._task = progress.add_task("", total=None, summary="")

    def update(self, status: Status) -> None:
        self._progress.update(self._task, description=f"gen {status.generation + 1}/{status.generations}",
                              completed=status.done, total=status.population, summary=status.summary())


@contextmanager
def search_progress(enabled: bool) -> Iterator[Silent | _RichProgress]:
    """Yields an object with `update(Status)`; draws nothing unless enabled and stdout is a terminal."""
    if not enabled or not sys.stdout.isatty():
        yield Silent()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    # Short enough for an 80-column terminal.
    columns = (TextColumn("[bold]{task.description}[/]"), BarColumn(bar_width=8), MofNCompleteColumn(),
               TextColumn("{task.fields[summary]}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=sys.stdout)) as progress:
        yield _RichProgress(progress)
