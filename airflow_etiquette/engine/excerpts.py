"""The source lines findings point at, for ``--output-format full``: read as the check read them
(the staged or committed blob for a change, the file on disk otherwise), through the same guarded
reader, so a line from outside the repository root is never shown."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from airflow_etiquette.config import Config
from airflow_etiquette.engine.read import read_source
from airflow_etiquette.findings import Finding
from airflow_etiquette.sources.files import SourceFile, owner_of
from airflow_etiquette.sources.git import ChangeSet, GitError, blob_contents, changed_checked_files

MAX_LINE = 400  # characters of a line shown; a minified line is cut, not printed whole


def excerpts(findings: Iterable[Finding], config: Config, change: ChangeSet | None) -> dict[tuple[str, int], str]:
    """``(path, line) -> text`` of every line a finding points at that can be read."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for finding in findings:
        if finding.line > 0:
            wanted[finding.path].add(finding.line)
    blobs: Mapping[str, str] = changed_checked_files(change) if change is not None else {}
    contents: dict[str, bytes] = {}
    if blobs:
        try:
            by_blob = blob_contents(config.root, {blobs[p] for p in wanted if p in blobs})
        except GitError:
            by_blob = {}
        contents = {path: by_blob[blobs[path]] for path in wanted if blobs.get(path) in by_blob}
    found: dict[tuple[str, int], str] = {}
    for path, lines in wanted.items():
        data = contents.get(path)
        if data is None:
            data = _on_disk(path, config)
        if data is None:
            continue
        text = data.decode("utf-8", "replace").splitlines()
        for line in lines:
            if line <= len(text):
                found[(path, line)] = text[line - 1][:MAX_LINE]
    return found


def lines_of(data: bytes, findings: Iterable[Finding]) -> dict[tuple[str, int], str]:
    """The lines of ``data`` (one file's text, such as an editor's buffer) the findings point at."""
    text = data.decode("utf-8", "replace").splitlines()
    return {(f.path, f.line): text[f.line - 1][:MAX_LINE] for f in findings if 0 < f.line <= len(text)}


def _on_disk(relpath: str, config: Config) -> bytes | None:
    file = SourceFile(str(Path(config.root, relpath)), relpath, owner_of(relpath, config))
    try:
        data, _ = read_source(file, config)
    except OSError:
        return None
    return data
