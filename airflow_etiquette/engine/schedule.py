"""Which files run where: in this process, or in worker processes with a time limit.

libcst's native parser can crash the whole process or take minutes on some valid but
pathological Python, so files that look risky to a cheap pre-screen, and every file of a
large run, are analysed in workers (see ``workers``); a crash or a hang costs one file.
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow_etiquette.engine.analyze import FileResult, Settings, analyze_source
from airflow_etiquette.engine.read import BUNDLE_SUFFIX, expand_bundles, read_source, risky
from airflow_etiquette.sources.files import SourceFile

PARALLEL_THRESHOLD = 16  # below this many files, worker start-up costs more than it saves


def analyze_files(files: Sequence[SourceFile], settings: Settings, jobs: int) -> list[tuple[SourceFile, FileResult]]:
    """Every file's result, in the order of ``files`` (an archive's members where it stood, then
    the archive itself if it could not all be read); large runs and risky files go to workers."""
    if not any(f.relpath.endswith(BUNDLE_SUFFIX) for f in files):
        return _analyze(files, settings, jobs)
    members, problems = expand_bundles(files, settings.config)
    by_path = {f.relpath: (f, r) for f, r in _analyze(members, settings, jobs)}
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


def _analyze(files: Sequence[SourceFile], settings: Settings, jobs: int) -> list[tuple[SourceFile, FileResult]]:
    from airflow_etiquette.engine import workers

    if jobs > 1 and len(files) >= PARALLEL_THRESHOLD:
        return workers.analyze_in_workers(files, settings, jobs)
    results: dict[str, FileResult] = {}
    isolated: list[SourceFile] = []
    for file in files:
        data, problem = read_source(file, settings.config)
        if problem is not None:
            results[file.relpath] = FileResult([problem])
        elif risky(data or b""):
            isolated.append(file)
        else:
            results[file.relpath] = analyze_source(data or b"", file, settings)
    if isolated:
        results.update((f.relpath, r) for f, r in workers.analyze_in_workers(isolated, settings, 1))
    return [(file, results[file.relpath]) for file in files]
