"""Where chunks run: in this process, in a pool of local processes, or on a Dask cluster.

Every executor runs the same pure function (``sim.experiment.replicate.run_chunk``) on the same
chunks and hands each result to ``on_result`` in this process as it finishes; the results
layer orders them, so output does not depend on the executor or on completion order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from sim.errors import InputError
from sim.experiment.replicate import Chunk, ChunkResult, Job, run_chunk

__all__ = ["default_workers", "execute"]

_JOBS: dict[str, Job] = {}


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _exit_with_parent(parent_pid: int) -> None:
    """Leave when the parent dies (e.g. ``kill -9``) instead of lingering as an orphan."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(1)


def _init_worker(jobs: dict[str, Job], parent_pid: int) -> None:
    # Ctrl-C goes to the whole process group: let the parent alone decide what to do.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    _JOBS.clear()
    _JOBS.update(jobs)


def _run_in_worker(chunk: Chunk) -> ChunkResult:
    return run_chunk(_JOBS[chunk.key], chunk)


def _serial(jobs: dict[str, Job], chunks: Sequence[Chunk], on_result: Callable[[ChunkResult], None]) -> None:
    for chunk in chunks:
        on_result(run_chunk(jobs[chunk.key], chunk))


def _processes(
    jobs: dict[str, Job], chunks: Sequence[Chunk], workers: int, on_result: Callable[[ChunkResult], None]
) -> None:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(jobs, os.getpid()),
    )
    running: set[Future[ChunkResult]] = set()
    try:
        # keep a bounded number of chunks in flight, so memory stays flat for huge runs
        todo = list(reversed(chunks))
        while todo or running:
            while todo and len(running) < 2 * workers:
                running.add(pool.submit(_run_in_worker, todo.pop()))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                on_result(fut.result())
    except KeyboardInterrupt:
        # Ctrl-C: the workers ignore it and finish the chunk in hand (a second or so); keep
        # what they finish, then stop. Killing them instead can leave the pool's manager
        # thread waiting for ever at interpreter exit.
        try:
            pool.shutdown(wait=True, cancel_futures=True)
            for fut in running:
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    on_result(fut.result())
        except KeyboardInterrupt:  # a second Ctrl-C: do not wait
            _kill(pool)
        raise
    except BaseException:
        _kill(pool)
        raise
    pool.shutdown(wait=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()


def _dask(
    jobs: dict[str, Job], chunks: Sequence[Chunk], address: str, workers: int, on_result: Callable[[ChunkResult], None]
) -> dict[str, Any]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("--dask needs Dask: pip install '.[dask]' (dask[distributed])") from None
    cluster = None
    try:
        if address == "local":
            # Worker processes inherit an ignored SIGINT, so Ctrl-C reaches only this process
            # (which cancels the work and says how to resume) instead of every worker.
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=40,
                )
            finally:
                signal.signal(signal.SIGINT, previous)
            client = Client(cluster)
        else:
            try:
                client = Client(address, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"--dask: cannot connect to the scheduler at {address}: {exc}") from None
        try:
            info = {"dask_scheduler": client.scheduler.address, "dask_workers": len(client.scheduler_info()["workers"])}
            remote = {k: client.scatter(job, broadcast=True) for k, job in jobs.items()}
            futures = [client.submit(run_chunk, remote[c.key], c, pure=False) for c in chunks]
            try:
                for fut in as_completed(futures):
                    on_result(fut.result())
            except BaseException:
                client.cancel(futures)
                raise
            return info
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def execute(
    jobs: dict[str, Job],
    chunks: Sequence[Chunk],
    on_result: Callable[[ChunkResult], None],
    *,
    workers: int = 1,
    dask: str | None = None,
) -> dict[str, Any]:
    """Run ``chunks`` and call ``on_result`` for each; return a description of the executor.

    ``dask`` is a scheduler address (``tcp://host:8786``) or ``local`` for a LocalCluster of
    ``workers`` processes on loopback; otherwise ``workers`` > 1 uses local processes and
    ``workers == 1`` runs in this process (easy to debug).
    """
    if workers < 1:
        raise InputError(f"--workers must be at least 1, found {workers}")
    if dask is not None:
        info = _dask(jobs, chunks, dask, workers, on_result)
        return {"executor": "dask", "workers": info.get("dask_workers", workers), **info}
    if workers == 1 or len(chunks) <= 1:
        _serial(jobs, chunks, on_result)
        return {"executor": "in-process", "workers": 1}
    _processes(jobs, chunks, workers, on_result)
    return {"executor": "processes", "workers": workers}
