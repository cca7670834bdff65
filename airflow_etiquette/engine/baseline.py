"""A baseline: the findings a repository had when it adopted the tool, written once and read on
every run after, so that only new findings fail.

A finding is known when an entry has its path, code and message: not its line, which moves when
anyone edits above it. Entries are counted, so a second identical finding in the same file is new.
The file is JSON with sorted entries, so that it diffs well and a reviewer sees what was waived.
In a change, the baseline is read from the base commit, like the configuration: a pull request
that adds its own findings to the baseline still has them reported.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from airflow_etiquette.config import Config, ConfigError
from airflow_etiquette.findings import Finding

FORMAT_VERSION = 1

Key = tuple[str, str, str]


def _key(finding: Finding) -> Key:
    return (finding.path, finding.code, finding.message)


@dataclass(frozen=True)
class Baseline:
    entries: Counter[Key]

    def split(
        self, findings: Sequence[Finding], checked: Callable[[str, str], bool]
    ) -> tuple[list[Finding], list[Finding], list[Key]]:
        """(new, known, entries no longer found): ``checked(path, code)`` says whether this run
        looked for that code in that file, so a run of part of the repository, or of some rules,
        does not call the rest of the baseline fixed."""
        left = Counter(self.entries)
        new: list[Finding] = []
        known: list[Finding] = []
        for finding in findings:
            key = _key(finding)
            if left[key] > 0:
                left[key] -= 1
                known.append(finding)
            else:
                new.append(finding)
        gone = [key for key, count in sorted(left.items()) for _ in range(count) if checked(key[0], key[1])]
        return new, known, gone


def dump(findings: Iterable[Finding]) -> str:
    """The baseline file holding ``findings`` (nothing else: the file changes only when they do)."""
    entries = sorted(({"path": f.path, "code": f.code, "message": f.message} for f in findings), key=_entry_key)
    document = {"airflow-etiquette-baseline": FORMAT_VERSION, "findings": entries}
    # A file name that is not UTF-8 holds surrogate escapes: written as JSON's \\udcXX escapes (the
    # only place they can be, inside strings), it reads back as the same path and stays valid UTF-8.
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace").decode() + "\n"


def _entry_key(entry: dict[str, str]) -> tuple[str, str, str]:
    return (entry["path"], entry["code"], entry["message"])


def parse(data: bytes, where: str) -> Baseline:
    """The baseline in ``data``; anything else is one line naming the file (exit 2)."""
    try:
        loaded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{where}: not a baseline file (invalid JSON: {exc})") from None
    if not isinstance(loaded, dict) or loaded.get("airflow-etiquette-baseline") != FORMAT_VERSION:
        raise ConfigError(f'{where}: not a baseline file of this tool (no "airflow-etiquette-baseline": 1)')
    raw = loaded.get("findings")
    if not isinstance(raw, list):
        raise ConfigError(f'{where}: "findings" must be a list')
    entries: Counter[Key] = Counter()
    for position, entry in enumerate(raw):
        path, code, message = (
            (entry.get(k) for k in ("path", "code", "message")) if isinstance(entry, dict) else ((),) * 3
        )
        if not (isinstance(path, str) and isinstance(code, str) and isinstance(message, str)):
            raise ConfigError(f"{where}: entry {position + 1} must have the strings path, code and message")
        entries[(path, code, message)] += 1
    return Baseline(entries)


def load(path: Path, config: Config, *, in_change: bool, shown: str) -> Baseline | None:
    """The baseline at ``path``, as a run reads it: in a change the base commit's copy (a missing
    one is an error: the change is judged by its base), otherwise the file on disk (None when
    there is none). ``shown``: the path as the user wrote it, for messages."""
    if in_change and config.policy_revision is not None:
        from airflow_etiquette.sources.git import revision_reader

        absolute = Path(os.path.abspath(path))
        if not absolute.is_relative_to(config.root):
            raise ConfigError(f"{shown}: a change reads its base's baseline, so the file must be in the repository")
        data = revision_reader(config.root, config.policy_revision)(absolute)
        if data is None:
            raise ConfigError(
                f"{shown}: not in the base commit {config.policy_revision[:7]}; a change is judged by its base's "
                "baseline, so the file must be committed there first"
            )
        return parse(data, shown)
    try:
        return parse(path.read_bytes(), shown)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read the baseline: {exc.strerror or exc}") from None


def in_scope(config: Config, checked: Iterable[str]) -> Callable[[str, str], bool]:
    """Whether a run that analysed ``checked`` looked for a code in a file (see ``Baseline.split``)."""
    looked = set(checked)
    return lambda path, code: path in looked and config.rule_enabled(code, path)
