"""The search's state after each generation, in one file written whole or not at all.

The state is the pymoo NSGA-II object (population, its own random generator), the evaluation cache and
every candidate row so far. It is pickled to a temporary file that is then renamed over the checkpoint,
so a kill -9 at any moment leaves the previous generation's checkpoint intact: resuming loses at most the
generation in progress, and replays it exactly (the random generator is restored with it).

Pickle runs code from the file it loads: resume only from output folders you wrote yourself.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnc.driver.atomic import write_bytes_atomic

CHECKPOINT_NAME = "search-checkpoint.pkl"
CHECKPOINT_VERSION = 1


class CheckpointError(Exception):
    """Missing, unreadable or mismatched checkpoint: one line for the user."""


@dataclass
class SearchState:
    config: dict                   # what a resumed run must repeat: settings, population, seed, supernet hash
    algorithm: Any                 # pymoo NSGA2 after `generation` ask/tell rounds
    generation: int = 0            # generations completed
    cache: dict = field(default_factory=dict)        # canonical genes string -> evaluation record
    candidates: list = field(default_factory=list)   # one row per evaluated candidate, in search order


def save_state(folder: str | Path, state: SearchState) -> None:
    payload = {"version": CHECKPOINT_VERSION, "state": state}
    write_bytes_atomic(Path(folder) / CHECKPOINT_NAME, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


def load_state(folder: str | Path) -> SearchState:
    path = Path(folder) / CHECKPOINT_NAME
    if not path.is_file():
        raise CheckpointError(f"no search checkpoint '{path}' to resume; run without --resume")
    try:
        payload = pickle.loads(path.read_bytes())
        version, state = payload["version"], payload["state"]
    except Exception as e:  # noqa: BLE001 - truncated or foreign files raise anything from pickle
        raise CheckpointError(f"search checkpoint '{path}' is unreadable ({type(e).__name__}); "
                              "run without --resume to start over") from None
    if version != CHECKPOINT_VERSION or not isinstance(state, SearchState):
        raise CheckpointError(f"search checkpoint '{path}' has format version {version}, expected "
                              f"{CHECKPOINT_VERSION}; run without --resume to start over")
    return state


def check_resumable(state: SearchState, config: dict, folder: str | Path) -> None:
    """The checkpoint must come from a run with the same settings (the generation count may grow)."""
    changed = [f"{k} {state.config.get(k)!r} -> {v!r}" for k, v in config.items() if state.config.get(k) != v]
    if changed:
        raise CheckpointError(f"search checkpoint in '{folder}' was made with other settings "
                              f"({'; '.join(changed)}); use the same ones or run without --resume")


def remove_state(folder: str | Path) -> None:
    """A fresh search drops an old checkpoint first, so --resume never continues a different run."""
    (Path(folder) / CHECKPOINT_NAME).unlink(missing_ok=True)
