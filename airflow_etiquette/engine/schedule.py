"""Which files run where: every file is analysed in a worker process with a time limit.

libcst's native parser can crash the process or take minutes on some pathological Python
(a long ``and`` chain that Python compiles, for one), and no pre-screen foresees every such
shape, so no file is analysed in the process that reports: a crash or a hang costs one file
(see ``workers``). One worker serves a small run (a pre-commit hook's few files); a large one
is spread over the cores.
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow_etiquette.engine.analyze import FileResult, Settings
from airflow_etiquette.engine.cache import ResultCache
from airflow_etiquette.engine.read import BUNDLE_SUFFIX, expand_bundles, read_source
from airflow_etiquette.sources.files import SourceFile

PARALLEL_THRESHOLD = 16  # below this many files, one worker: more start up slower than they save


def analyze_files(
    files: Sequence[SourceFile], settings: Settings, jobs: int, cache: ResultCache | None = None
) -> list[tuple[SourceFile, FileResult]]:
    """Every file's result, in the order of ``files`` (an archive's members where it stood, then
    the archive itself if it could not all be read); each in a worker process."""
    if not any(f.relpath.endswith(BUNDLE_SUFFIX) for f in files):
        return _analyze(files, settings, jobs, cache)
    members, problems = expand_bundles(files, settings.config)
    by_path = {f.relpath: (f, r) for f, r in _analyze(members, settings, jobs, cache)}
    ordered: list[tuple[SourceFile, FileResult]] = []
    for file in files:
        if file.relpath.endswith(BUNDLE_SUFFIX):
            ordered += [by_path[m.relpath] for m in members if m.relpath.startswith(file.relpath + "/")]
            if file.relpath in problems:
                problem = problems[file.relpath]
                ordered.append((file, FileResult([problem] if problem else [])))
        else:
            ordered.append(by_path[file.relpath])
    return ordered


def files_analysed(files: Sequence[SourceFile], results: Sequence[tuple[SourceFile, FileResult]]) -> int:
    """How many files were checked, as findings name them: each member of a zip bundle (a run's
    summary must not count 3,000 members' findings in "12 files checked"), an archive that could
    not be read whole as one more, and one with no Python in it as one."""
    seen = {file.relpath for file, _ in results}
    opened = {path.partition(BUNDLE_SUFFIX + "/")[0] + BUNDLE_SUFFIX for path in seen if BUNDLE_SUFFIX + "/" in path}
    return len(seen) + sum(1 for f in files if f.relpath not in seen and f.relpath not in opened)


def _analyze(
    files: Sequence[SourceFile], settings: Settings, jobs: int, cache: ResultCache | None
) -> list[tuple[SourceFile, FileResult]]:
    if cache is None:
        return _in_workers(files, settings, jobs)
    # With a cache the files are read here: their bytes are the key.
    results: dict[str, FileResult] = {}
    missed: list[tuple[SourceFile, str]] = []
    for file in files:
        data, problem = read_source(file, settings.config)
        if data is None:
            results[file.relpath] = FileResult([problem] if problem else [])
            continue
        key = cache.key(file, data)
        cached = cache.get(key)
        if cached is not None:
            results[file.relpath] = cached
        else:
            missed.append((file._replace(content=data), key))
    for (file, key), (_, result) in zip(missed, _in_workers([f for f, _ in missed], settings, jobs), strict=True):
        cache.put(key, result)
        results[file.relpath] = result
    return [(file, results[file.relpath]) for file in files]


def _in_workers(files: Sequence[SourceFile], settings: Settings, jobs: int) -> list[tuple[SourceFile, FileResult]]:
    if not files:  # (the ownership hook, a warm run) without importing the worker machinery
        return []
    for file in files:
        settings.config.vet_per_file_ignores(file.relpath)
    from airflow_etiquette.engine import workers

    return workers.analyze_in_workers(files, settings, jobs if len(files) >= PARALLEL_THRESHOLD else 1)
