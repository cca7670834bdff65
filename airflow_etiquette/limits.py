"""A time limit for the work the reporting process does itself, where a worker's cannot reach.

Files are analysed in workers with a per-file time limit; but some text is matched in the process
that reports: the patterns of ``.airflowignore`` (a regular expression each, in Airflow 2's
syntax) and of CODEOWNERS (wildcards that pathspec and codeowners turn into regular expressions). A pattern like ``(a+)+$`` or ``*a*a*a*a*a*a*a*b``
backtracks for hours on one long file name, and nothing but a signal stops a regular expression
in Python: ``re`` checks for signals as it works, so an alarm's handler can raise out of it.

The limit counts the process's CPU time (``ITIMER_VIRTUAL``), not the wall clock: a run stopped
with Ctrl-Z, a paused container or a throttled CI runner must not make an ordinary pattern look
slow. Only the main thread receives signals, and only where the platform has ``setitimer``;
elsewhere (the language server's check thread, Windows) the work runs without a limit.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

# A pattern matched against a path takes microseconds; one that takes this long (CPU time) is
# pathological (the scheduler pays the same for every path of every parse loop).
PATTERN_SECONDS = 0.5


class TooSlow(Exception):
    """The work inside ``time_limit`` ran past its seconds."""


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
