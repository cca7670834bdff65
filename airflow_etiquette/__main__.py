"""``python -m airflow_etiquette`` and the ``airflow-etiquette`` command.

``--version`` alone is answered here, before click and the rules are imported: a shell prompt,
an editor plugin or a CI log that asks for the version pays for the interpreter only.

A ``check`` that will likely parse files starts its first worker here, before anything else is
imported (``engine.workers.head_start``): the worker loads libcst while this process loads the
command line and reads the configuration, git and the cache. The guess reads the raw arguments
only; a wrong one costs some CPU and a few milliseconds, never a result (the worker is stopped
unused), so it is made only where parsing is likely: a run without the cache, and the runs
whose files are new to it (a pre-commit hook's staged change, CI's pull request, an editor's
buffer). A plain re-run of ``check`` is more often answered from the cache, and starts none.

The process ends without the interpreter's teardown (``_end``): freeing every module and object
one by one is work nobody sees, 10 to 16 ms of a run that takes 100 (a warm run, the ownership
hook) to 200 (a pre-commit run on one file). What an exit does that can be seen still happens.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing itself (with re and enum) would double what `--version` costs
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

# Options after which a check parses no file: help, the settings or the file list only.
_NOTHING_PARSED = frozenset({"--help", "-h", "--show-settings", "--show-files"})
# Options of the runs whose files the result cache has seldom seen (or that do not use it).
_NEW_FILES = ("--no-cache", "--staged", "--base", "--stdin-filename")


def likely_parses(args: Sequence[str]) -> bool:
    """Whether ``airflow-etiquette ARGS`` is a check that will likely parse files: ``check``
    without the cache or on new files, neither help nor a listing, and not only the ownership
    rules (``--select ETQ2``, the ownership hook, which reads no file's content)."""
    if args[:1] != ["check"] or any(arg in _NOTHING_PARSED for arg in args):
        return False
    if not any(arg.partition("=")[0] in _NEW_FILES for arg in args):
        return False
    selected: list[str] = []
    for position, arg in enumerate(args):
        if arg == "--select" and position + 1 < len(args):
            selected += args[position + 1].split(",")
        elif arg.startswith("--select="):
            selected += arg.partition("=")[2].split(",")
    codes = [code.strip().upper() for code in selected if code.strip()]
    return not codes or not all(code.startswith("ETQ2") for code in codes)


def main() -> None:
    args = sys.argv[1:]
    if sys.stdin is None or sys.stdout is None or sys.stderr is None:
        _closed_streams_to_devnull()
    if args == ["--version"]:
        from airflow_etiquette import __version__

        print(f"airflow-etiquette {__version__}")  # the same line as click's --version in cli.py
        return
    if likely_parses(args):
        from airflow_etiquette.engine import workers

        workers.head_start()
        try:
            code = _run()
        finally:
            workers.stop_ahead()
    else:
        code = _run()
    _end(code)


def _closed_streams_to_devnull() -> None:
    """A standard stream closed before the start (``>&-``) writes to nowhere, as a reader that went
    away does: the exit code still tells the result. A closed standard input stays None (what
    reads it says so), but its descriptor is taken, so no file opened later lands on 0, 1 or 2."""
    import os

    for number, name in enumerate(("stdin", "stdout", "stderr")):
        if getattr(sys, name) is None:
            descriptor = os.open(os.devnull, os.O_RDONLY if number == 0 else os.O_WRONLY)
            if number and descriptor == number:
                setattr(sys, name, open(descriptor, "w", encoding="utf-8", errors="surrogateescape"))


def _run() -> int:
    from airflow_etiquette.cli import main as cli_main

    return cli_main()


def _end(code: int) -> NoReturn:
    """Exit with ``code`` as ``sys.exit`` would, without the teardown: the atexit functions run
    (coverage's and multiprocessing's among them) and the standard streams are flushed, then the
    process ends. Where another thread still runs (the language server's), its end is waited for
    the usual way."""
    import atexit
    import os

    threading = sys.modules.get("threading")  # no thread was started without it
    if (threading is not None and threading.active_count() > 1) or not hasattr(atexit, "_run_exitfuncs"):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:  # the reader went away (`| head`): as quiet as the report's own writes
            pass
        except OSError:
            code = code or 2  # a full disk: the report is incomplete, so never a clean exit
    os._exit(code)


if __name__ == "__main__":
    main()
