"""A time limit for the work the reporting process does itself, where a worker's cannot reach.

Files are analysed in workers with a per-file time limit; but some text is matched in the process
that reports: the patterns of ``.airflowignore`` (a regular expression each, in Airflow 2's
syntax), of CODEOWNERS, and of the configuration's ``exclude`` and ``per-file-ignores``
(wildcards that pathspec and codeowners turn into regular expressions). A pattern like
``(a+)+$`` or ``*a*a*a*a*a*a*a*b`` backtracks for hours on one long file name, and nothing but a
signal stops a regular expression in Python: ``re`` checks for signals as it works, so an
alarm's handler can raise out of it.

The limit counts the process's CPU time (``ITIMER_VIRTUAL``), not the wall clock: a run stopped
with Ctrl-Z, a paused container or a throttled CI runner must not make an ordinary pattern look
slow. Only the main thread receives signals, and only where the platform has ``setitimer``. A
program whose matching runs in another thread (the language server checks in one, to keep
answering) hands the work to its main thread (``hand_to``); where nothing can (Windows), the
work runs without a limit.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

# A pattern matched against a path takes microseconds; one that takes this long (CPU time) is
# pathological (the scheduler pays the same for every path of every parse loop).
PATTERN_SECONDS = 0.5

T = TypeVar("T")


class Runner(Protocol):
    """Calls ``work`` in the main thread and returns what it returns (or raises what it raises)."""

    def __call__(self, work: Callable[[], T]) -> T: ...


_main_thread_runner: Runner | None = None


class TooSlow(Exception):
    """The work inside ``time_limit`` ran past its seconds."""


def within(work: Callable[[], T], tries: int = 1, seconds: float = PATTERN_SECONDS) -> T:
    """``work()`` under the time limit, started again up to ``tries`` times in all when it runs
    out (a match slow once may be the machine's hiccup); ``TooSlow`` when every try ran out.
    Off the main thread, the main thread runs it where a program has said how (``hand_to``)."""

    def limited() -> T:
        for attempt in range(1, tries + 1):
            try:
                with time_limit(seconds):
                    return work()
            except TooSlow:
                if attempt == tries:
                    raise
        raise AssertionError("unreachable")

    runner = _main_thread_runner
    if runner is not None and threading.current_thread() is not threading.main_thread():
        return runner(limited)
    return limited()


def hand_to(runner: Runner | None) -> None:
    """Have ``within``, called from another thread, run its work through ``runner`` (None: not
    any more)."""
    global _main_thread_runner
    _main_thread_runner = runner


@contextlib.contextmanager
def time_limit(seconds: float = PATTERN_SECONDS) -> Iterator[None]:
    """Raise ``TooSlow`` inside the block once it has used ``seconds`` of CPU time, where the
    process can be interrupted (see the module's text). A limit already running (an outer block,
    a test runner's own alarm) is left alone, and so is its signal handler."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_VIRTUAL)[0] > 0
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGVTALRM, expire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        # (None: a handler installed from C, which Python cannot put back; the default then)
        signal.signal(signal.SIGVTALRM, previous if previous is not None else signal.SIG_DFL)
