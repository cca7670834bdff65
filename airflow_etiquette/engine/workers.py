"""Worker processes with a time limit per file.

One file that crashes the parser (a segfault in libcst's native code) or makes
it run for minutes must cost only that file: it becomes an ETQ002 finding and
the run goes on. Each worker analyses one file at a time; the parent kills a
worker that overruns its deadline or notices one that died, reports the file,
and starts a fresh worker for the rest. The same pool spreads a large run over
all cores.

A worker stopped by a signal it did not raise itself (SIGKILL from the OOM killer,
a SIGTERM meant for someone else) says nothing about the file: the file is tried
once more in a fresh worker before it is reported. A worker never outlives the
run: it asks the kernel to kill it when its parent dies (Linux), and while idle it
checks that its parent is still there (everywhere), so an IDE or a CI timeout that
kills the command leaves no process behind.

A run that will parse files can give its first worker a head start (``head_start``, called by
the command line before it reads anything): the worker loads libcst and the analysis while this
process reads the configuration, git and the cache, and gets the run's settings when the files
are known. On a one-file pre-commit run that hides most of libcst's import. A run that needs no
worker after all (every result from the cache) stops it unused.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import time
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_etiquette.analysis.lazy import load_now

if TYPE_CHECKING:  # imported where used: a head-started worker loads them in parallel with its parent
    from airflow_etiquette.engine.analyze import FileResult, Settings
    from airflow_etiquette.sources.files import SourceFile

# Signals a crashing process raises itself: the file is the cause, and trying again would crash again.
_CRASHES = frozenset(
    getattr(signal, name)
    for name in ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT", "SIGSYS", "SIGTRAP")
    if hasattr(signal, name)
)
_IDLE_CHECK = 1.0  # seconds between an idle worker's checks that its parent is alive


def _die_with_parent() -> int:
    """Ask the kernel for SIGKILL when the parent dies (Linux); the parent's pid, for the idle checks."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except (ImportError, OSError, AttributeError):
            pass  # no ctypes, or no prctl: the idle checks still end an orphan
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)
    return parent


_GC_THRESHOLD = 50_000  # allocations between young collections (CPython's default: 700)
_LOADED = "loaded"  # what a worker started ahead says once it can analyse: its file's time starts then
_LOADING_ALLOWANCE = 60.0  # seconds a worker started ahead may take to load, on top of the file's limit


def _receive(connection: Any, parent: int) -> Any:
    """The parent's next message; None when told to stop, or when the parent is gone."""
    try:
        while not connection.poll(_IDLE_CHECK):
            if os.getppid() != parent:
                return None
        return connection.recv()
    except (EOFError, OSError):
        return None


def _serve(connection: Any, parents_end: Any, settings: Settings | None) -> None:
    """A worker's loop: receive a file, send back its findings, until told to stop. A worker
    started ahead (``settings`` None) loads the analysis first, then waits for the settings."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    parent = _die_with_parent()
    if parents_end is not None:
        parents_end.close()  # a copy of the parent's end held here would hide the parent's death
    from airflow_etiquette.engine.analyze import FileResult, analyze_file
    from airflow_etiquette.rules.analysis_failed import AnalysisFailed

    load_now()  # a no-op where the parent loaded libcst before forking
    # A parse makes hundreds of thousands of nodes that their file's result outlives only briefly;
    # with the default threshold (700) the collector walks them again and again, about a tenth of a
    # worker's time. The modules loaded so far are never garbage: out of its sight.
    gc.freeze()
    gc.set_threshold(_GC_THRESHOLD, 20, 20)
    if settings is None:
        try:
            connection.send(_LOADED)
        except OSError:
            return
        settings = _receive(connection, parent)
        if settings is None:
            return
    while True:
        file = _receive(connection, parent)
        if file is None:
            return
        result = analyze_file(file, settings)
        try:
            connection.send(result)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:  # a rule collected something unpicklable
            reason = (
                f"the worker could not send the file's result back: {type(exc).__name__}: {exc} (please report this)"
            )
            connection.send(FileResult([*result.findings, AnalysisFailed.for_file(file.relpath, reason)]))


class _Worker:
    def __init__(self, context: Any, settings: Settings | None) -> None:
        self.connection, child = context.Pipe()
        # Under fork the child inherits the parent's end of its own pipe: it closes it first thing.
        inherited = self.connection if context.get_start_method() == "fork" else None
        self.process = context.Process(target=_serve, args=(child, inherited, settings), daemon=True)
        self.process.start()
        child.close()
        self.file: SourceFile | None = None
        self.deadline = 0.0
        self.loading = settings is None  # started ahead, and not yet said it has loaded

    def give(self, file: SourceFile, timeout: float) -> None:
        self.file = file
        # The file's time limit is the analysis', not the loading's of a worker started ahead.
        self.deadline = time.monotonic() + timeout + (_LOADING_ALLOWANCE if self.loading else 0.0)
        try:
            self.connection.send(file)
        except OSError:
            pass  # the worker is already dead: the parent reads its end of file next and deals with it

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _threads() -> int:
    """The process's threads, also those started outside the threading module (execnet's)."""
    import threading

    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


_ahead: list[_Worker] = []  # the worker head_start started, until a run takes it


def head_start() -> None:
    """Start the first worker now, before this process knows the settings or the files, so that
    it loads libcst while this one reads the configuration, git and the cache. Only where a fork
    is cheap and safe, and with a second core to load on; otherwise workers start as usual."""
    import multiprocessing

    if _ahead or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return
    if _threads() == 1:
        _ahead.append(_Worker(multiprocessing.get_context("fork"), None))


def _worker_ahead(settings: Settings) -> list[_Worker]:
    """The head-started worker with the run's settings, if there is one still alive."""
    while _ahead:
        worker = _ahead.pop()
        try:
            worker.connection.send(settings)
            return [worker]
        except OSError:  # it died meanwhile (stopped from outside): the run starts its own
            worker.stop(kill=True)
    return []


def stop_ahead() -> None:
    """Stop a head-started worker that no run took (every result came from the cache); killed,
    since it may still be loading and would read the request to stop only after that."""
    while _ahead:
        _ahead.pop().stop(kill=True)


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # fork shares the already imported libcst with the workers, but forking a process that
    # runs other threads (the pytest plugin under pytest-xdist, an IDE) can deadlock the
    # child: then a fork server, else spawn, which re-import what they need.
    if "fork" in methods and _threads() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def analyze_in_workers(
    files: Sequence[SourceFile],
    settings: Settings,
    processes: int,
) -> list[tuple[SourceFile, FileResult]]:
    """Each file's result, in the order of ``files``."""
    from multiprocessing.connection import wait

    from airflow_etiquette.engine.analyze import FileResult
    from airflow_etiquette.rules.analysis_failed import AnalysisFailed

    context = _context()
    timeout = settings.config.timeout
    pending = deque(files)
    results: dict[str, FileResult] = {}
    retried: set[str] = set()
    settings.config.prepare()  # once here, not once in every worker
    workers = _worker_ahead(settings)
    wanted = max(1, min(processes, len(files)))
    if len(workers) < wanted:
        load_now()  # before the fork: the workers share the parent's libcst instead of each importing it
        workers += [_Worker(context, settings) for _ in range(wanted - len(workers))]
    try:
        while pending or any(w.file is not None for w in workers):
            for worker in workers:
                if worker.file is None and pending:
                    worker.give(pending.popleft(), timeout)
            busy = [w for w in workers if w.file is not None]
            wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = set(wait([w.connection for w in busy], timeout=wait_for))
            for position, worker in enumerate(workers):
                file = worker.file
                if file is None:
                    continue
                if worker.connection in ready:
                    try:
                        message = worker.connection.recv()
                        if message == _LOADED:  # (a worker started ahead) the file's time starts now
                            worker.loading = False
                            worker.deadline = time.monotonic() + timeout
                            continue
                        results[file.relpath] = message
                        worker.file = None
                        continue
                    except (EOFError, OSError):
                        worker.process.join(timeout=5)
                        exitcode = worker.process.exitcode
                        if _stopped_from_outside(exitcode) and file.relpath not in retried:
                            retried.add(file.relpath)  # says nothing about the file: once more
                            pending.appendleft(file)
                        else:
                            results[file.relpath] = FileResult(
                                [AnalysisFailed.for_file(file.relpath, _crash_message(exitcode))]
                            )
                elif time.monotonic() >= worker.deadline:
                    results[file.relpath] = FileResult(
                        [
                            AnalysisFailed.for_file(
                                file.relpath,
                                (
                                    f"analysis did not finish within {timeout:g} s (the timeout setting); the file is "
                                    "probably too large or too deeply nested for the parser"
                                ),
                            )
                        ]
                    )
                else:
                    continue
                worker.stop(kill=True)
                workers[position] = _Worker(context, settings)
    finally:
        for worker in workers:
            worker.stop(kill=worker.file is not None)
    return [(file, results[file.relpath]) for file in files]


def _stopped_from_outside(exitcode: int | None) -> bool:
    return exitcode is not None and exitcode < 0 and -exitcode not in _CRASHES


def _crash_message(exitcode: int | None) -> str:
    if exitcode is None or exitcode >= 0:
        return f"the analysis process exited unexpectedly (exit code {exitcode}); please report this"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    if -exitcode in _CRASHES:
        return f"the parser crashed on this file ({name}); it is probably too deeply nested or too long for libcst"
    return (
        f"the analysis process was stopped from outside ({name}), twice; perhaps the machine ran out of "
        "memory. The file was not analysed"
    )
