"""Run one function per member in worker processes, with a bounded worker count.

Processes, not threads: copier changes the working directory (process-wide) while
it updates, so two updates in one process would trample each other.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from slipway_fleet.gitcmd import BOT_IDENTITY

J = TypeVar("J")
R = TypeVar("R")


def _worker_init() -> None:
    """Workers never prompt (stdin is /dev/null) and run migrations in version order.

    They ignore Ctrl-C: the main process then lets running members finish (and
    records them) instead of leaving them half-done, and cancels the queued ones.
    A worker lives for the whole run: copier is imported and its caches installed
    here, once, not per member (copier_reuse).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    for key, value in BOT_IDENTITY.items():
        os.environ.setdefault(key, value)
    # Template checkouts are shared by the workers (copier_reuse): git must not
    # refresh their index opportunistically while another worker reads them.
    os.environ["GIT_OPTIONAL_LOCKS"] = "0"
    from slipway_fleet import copier_reuse  # noqa: PLC0415
    from slipway_fleet.migrations import install_version_order  # noqa: PLC0415

    install_version_order()
    copier_reuse.install()


def run_parallel(
    fn: Callable[[J], R],
    jobs: Sequence[J],
    *,
    names: Sequence[str],
    workers: int,
    label: str,
    console: Console,
    show_progress: bool,
    on_result: Callable[[int, R], Any] | None = None,
) -> list[R]:
    """Results in job order; `on_result` is called as each one finishes."""
    results: dict[int, R] = {}
    pending: dict[Future[R], int] = {}
    workers = max(1, workers)
    if not jobs:
        return []
    ctx = multiprocessing.get_context("spawn")  # fork is unsafe with copier/rich threads
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=console,
        disable=not show_progress,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=len(jobs), last="")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)
        try:
            # Submit only as many members as there are workers: the executor would
            # otherwise pre-queue more, and Ctrl-C could not stop them from starting.
            queue = iter(enumerate(jobs))
            for index, job in itertools.islice(queue, workers):
                pending[pool.submit(fn, job)] = index
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    results[index] = future.result()
                    if on_result:
                        on_result(index, results[index])
                    progress.update(task, advance=1, last=names[index])
                    for next_index, job in itertools.islice(queue, 1):
                        pending[pool.submit(fn, job)] = next_index
        except KeyboardInterrupt:
            progress.update(task, description=f"interrupted: finishing {len(pending)} member(s)")
            for future, index in pending.items():  # running members finish and are recorded
                if on_result and not future.cancelled():
                    on_result(index, future.result())
            raise
        finally:
            # On Ctrl-C: drop queued members; running ones finish their own cleanup.
            pool.shutdown(wait=True, cancel_futures=True)
    return [results[i] for i in range(len(jobs))]
