"""Where evaluations run: in this process, in a pool of local processes, or on a dask.distributed cluster.

All three take tasks `(genes, known accuracy or None)`, run `rnc.nas.evaluate.evaluate` on each and yield
`(genes, record)` pairs as they finish; the search puts them back in its own order, so the order of
completion never shows in the results.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

import torch

from rnc.nas.evaluate import EvalSettings, evaluate, one_torch_thread


# Imported once by the fork server, so that each worker starts with them (torch alone takes seconds).
PRELOAD = ("rnc.nas.evaluate", "rnc.nas.hardware", "rnc.frontends.torch", "rnc.frontends.onnx.importer",
           "rnc.driver.pipeline", "rnc.passes.xbar.replicate")


class ExecutorError(Exception):
    """A cluster that cannot be reached: one line for the user."""


class SerialExecutor:
    """Evaluations one after another in this process."""

    name = "serial"

    def run(self, settings: EvalSettings, tasks: Iterable[tuple]) -> Iterator[tuple[tuple, dict]]:
        with one_torch_thread():                 # as `evaluate` runs; the caller gets its own back after
            for g, accuracy in tasks:
                yield g, evaluate(settings, g, accuracy)

    def close(self) -> None:
        pass


def _pool_context():
    """forkserver where there is one: workers fork from a server that imported torch and rnc once, and never
    from this process (whose threads fork would copy in whatever state they hold)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def _start_worker(main_pid: int) -> None:
    """One torch thread (see evaluate.py), and exit once the searching process is gone: after a kill -9
    of the search the pool's workers would otherwise wait on their task queue forever."""
    torch.set_num_threads(1)
    threading.Thread(target=_exit_without, args=(main_pid,), daemon=True).start()


def _exit_without(pid: int, every_s: float = 2.0) -> None:
    while True:
        time.sleep(every_s)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)


class PoolExecutor:
    """`workers` local processes; each loads the supernet and data once, on its first task."""

    def __init__(self, workers: int):
        self.name = f"{workers} processes"
        self._pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker,
                                         initargs=(os.getpid(),))

    def run(self, settings: EvalSettings, tasks: Iterable[tuple]) -> Iterator[tuple[tuple, dict]]:
        futures = {self._pool.submit(evaluate, settings, g, accuracy): g for g, accuracy in tasks}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class DaskExecutor:
    """Tasks on a dask.distributed scheduler at `address` (its workers need rnc installed)."""

    def __init__(self, address: str, timeout_s: float = 10):
        from distributed import Client
        self.name = f"dask {address}"
        try:
            self._client = Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise ExecutorError(f"cannot reach the dask scheduler at '{address}': {e}") from None

    def run(self, settings: EvalSettings, tasks: Iterable[tuple]) -> Iterator[tuple[tuple, dict]]:
        from distributed import as_completed as dask_completed
        futures = {self._client.submit(evaluate, settings, g, accuracy, pure=False): g for g, accuracy in tasks}
        try:
            for future in dask_completed(list(futures), loop=self._client.loop):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.release()

    def close(self) -> None:
        self._client.close()


def make_executor(workers: int = 1, dask_address: str | None = None):
    """Serial for one worker, else a process pool; a dask client when an address is given."""
    if dask_address:
        return DaskExecutor(dask_address)
    if workers < 1:
        raise ExecutorError(f"--workers must be at least 1, got {workers}")
    return SerialExecutor() if workers == 1 else PoolExecutor(workers)
