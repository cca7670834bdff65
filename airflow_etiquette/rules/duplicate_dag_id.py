"""ETQ104 duplicate-dag-id: a repository rule; each file contributes its exact dag_ids."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from airflow_etiquette.analysis.context import FileContext
from airflow_etiquette.analysis.dags import exact_dag_ids
from airflow_etiquette.analysis.model import Arms, exclusive
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.base import RepositoryExample, RepositoryRule, RepositoryView
from airflow_etiquette.sources.files import SourceFile

Place = tuple[SourceFile, int]  # a file and the ordinal of a DAG definition in it


class DuplicateDagId(RepositoryRule):
    code = "ETQ104"
    name = "duplicate-dag-id"
    severity = Severity.ERROR
    summary = "The same dag_id defined in two places; each place is reported with the others."
    what = (
        "A dag_id defined twice, in two files or twice in one file, is reported at each place with the\n"
        'other places named. Dynamic ids count where they resolve (`f"maria_{city}"` over a literal\n'
        "list gives one id per city). Within one file, two DAGs in different arms of one if/else,\n"
        "try/except or match (the Airflow 2/3 fallback) are not compared: only one of them runs;\n"
        'nor is a DAG made under `if __name__ == "__main__":` (a local test run).\n'
        "`audit` and the pytest plugin compare every file; `check` compares the files it checks, and\n"
        "for a change the changed files with the rest of the dags folder (`--base`, CI) or with the\n"
        "other files of the same owner (`--staged`, the pre-commit hook); only the changed files are\n"
        "reported then. `# noqa: ETQ104` on the DAG's first line silences one place."
    )
    why = (
        "Airflow keeps one of two DAGs with the same dag_id and drops the other without an error in\n"
        "the UI: on a shared scheduler one student's DAG silently disappears, and which one depends\n"
        "on parse order."
    )
    INVALID = [
        RepositoryExample(
            files={
                "dags/maria/taxi.py": 'from airflow.sdk import dag\n\n@dag(dag_id="maria_taxi", tags=["student:maria"])\ndef taxi():\n    pass\n\ntaxi()\n',
                "dags/maria/old/taxi.py": 'from airflow import DAG\n\ndag = DAG("maria_taxi", tags=["student:maria"])\n',
            },
            expect=(
                (
                    "dags/maria/old/taxi.py",
                    3,
                    'dag_id "maria_taxi" is also defined in dags/maria/taxi.py:3; '
                    "the scheduler keeps only one of them, so one DAG silently disappears",
                ),
                ("dags/maria/taxi.py", 3, 'dag_id "maria_taxi" is also defined in dags/maria/old/taxi.py:3'),
            ),
        ),
    ]
    VALID = [
        RepositoryExample(
            files={
                "dags/maria/taxi.py": 'from airflow.sdk import dag\n\n@dag(dag_id="maria_taxi", tags=["student:maria"])\ndef taxi():\n    pass\n\ntaxi()\n',
                "dags/maria/taxi_v2.py": 'from airflow.sdk import dag\n\n@dag(dag_id="maria_taxi_v2", tags=["student:maria"])\ndef taxi():\n    pass\n\ntaxi()\n',
                "dags/maria/compat.py": "try:\n    from airflow.sdk import DAG\nexcept ImportError:\n    from airflow import DAG\n"
                'if DAG:\n    dag = DAG("maria_compat", tags=["student:maria"])\n'
                'else:\n    dag = DAG("maria_compat", tags=["student:maria"])\n',
            },
        ),
    ]

    def collect(self, file: FileContext) -> tuple[tuple[tuple[str, ...], ...], tuple[Arms, ...]]:
        """Each DAG definition's exact ids (none for an unresolved one, or one made only in a local
        test run under ``if __name__ == "__main__":``), and the arms of if/else, try/except and
        match statements it sits in: a factory's DAG sits where the factory is called, too."""
        index = file.index
        ids: list[tuple[str, ...]] = []
        arms: list[Arms] = []
        for dag in file.dags:
            site = dag.call_site
            local = id(dag.node) in index.main_guarded or (site is not None and id(site) in index.main_guarded)
            ids.append(() if local else exact_dag_ids(dag))
            called = index.conditional_nodes.get(site, ()) if site is not None else ()
            arms.append(called + (() if dag.imported else index.conditional_nodes.get(dag.node, ())))
        return tuple(ids), tuple(arms)

    @classmethod
    def screen(cls, checked: Sequence[Any]) -> Callable[[str, bytes], bool]:
        """A file can define one of the changed files' dag_ids only if every word of that id (its
        runs of letters and digits that hold a letter: ``maria``, ``taxi`` and ``v2`` in
        ``maria_taxi_v2``) stands as a whole word in its text or its path, in any letter case
        (backslash line continuations joined): the analysis builds an exact id only from the
        file's strings and its path, and ids are joined at ``_``, ``-`` or ``.``. So a one-line
        change in a class of 3,000 parses the few files that share its words, not every file
        whose owner's name merely contains them (``lasse`` in ``lassem``). An id of digits only,
        an archive or another encoding is always compared. (Words assembled inside a word from
        smaller pieces, ``f"dai{'ly'}"`` or escapes, pass unseen.)"""
        wanted = sorted({_words(dag_id) for ids, _ in checked for dag_ids in ids for dag_id in dag_ids})
        if not wanted:
            return _no_file
        if not all(wanted):
            return _any_file
        if len(wanted) > _FEW_IDS:
            # A search per id costs ids x bytes of every file: with a generated file's thousands
            # of ids, each file's words are listed once and looked up instead.
            by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
            for words in wanted:
                by_first[words[0]].append(words)
            return functools.partial(_shares_the_words_of_one, by_first)
        return functools.partial(_holds_the_words_of_one, wanted)

    def check(self, repository: RepositoryView) -> Iterator[Finding]:
        """Every place of a duplicated id, each naming the others; with ``report_in`` only the
        places in those files (the changed ones), and only duplicates that involve them."""
        places: dict[str, list[Place]] = defaultdict(list)
        arms: dict[tuple[str, int], Arms] = {}
        for file, fact in repository.facts:
            ids_per_definition, arms_per_definition = fact
            for ordinal, dag_ids in enumerate(ids_per_definition):
                if ordinal < len(arms_per_definition):
                    arms[file.relpath, ordinal] = arms_per_definition[ordinal]
                for dag_id in dag_ids:
                    places[dag_id].append((file, ordinal))

        def clash(a: Place, b: Place) -> bool:
            """Two definitions that can both exist: not in different arms of one statement."""
            if a == b:
                return False
            if a[0].relpath != b[0].relpath:
                return True
            return not exclusive(arms.get((a[0].relpath, a[1]), ()), arms.get((b[0].relpath, b[1]), ()))

        report_in = repository.report_in
        for dag_id, where in sorted(places.items()):
            kept = [p for p in where if any(clash(p, q) for q in where)]
            if len(kept) < 2 or (report_in is not None and not any(f.relpath in report_in for f, _ in kept)):
                continue
            for file, ordinal in kept:
                if report_in is not None and file.relpath not in report_in:
                    continue
                others = [other for other in kept if clash((file, ordinal), other)]
                named = ", ".join(f"{o.relpath}:{repository.line_of(o, n)}" for o, n in others)
                message = (
                    f'dag_id "{dag_id}" is also defined in {named}; the scheduler keeps only one '
                    "of them, so one DAG silently disappears"
                )
                finding = repository.report(type(self), file, ordinal, message)
                if finding is not None:
                    yield finding


_FEW_IDS = 16  # ids a file is searched for one by one; above, its words are listed once


def _no_file(relpath: str, data: bytes) -> bool:
    return False


def _any_file(relpath: str, data: bytes) -> bool:
    return True


def _joined(relpath: str, data: bytes) -> bytes:
    return f"{relpath}\n".encode("utf-8", "surrogateescape") + data.replace(b"\\\n", b"")  # (a name not UTF-8)


def _holds_the_words_of_one(wanted: Sequence[tuple[str, ...]], relpath: str, data: bytes) -> bool:
    if relpath.endswith(".zip"):
        return True
    joined = _joined(relpath, data)
    if joined.isascii():
        # ASCII folds as it lowers: a plain substring test rules most files out before a
        # whole-word search, which is slower by two orders of magnitude
        lowered = joined.lower()
        return any(
            all(word.encode() in lowered for word in words)
            and all(_whole_word_bytes(word).search(lowered) for word in words)
            for words in wanted
        )
    try:
        text = joined.decode("utf-8")
    except UnicodeDecodeError:
        return True  # another encoding: parse it rather than guess
    haystack = text.casefold()
    return any(all(_whole_word(word).search(haystack) for word in words) for words in wanted)


def _shares_the_words_of_one(by_first: Mapping[str, Sequence[tuple[str, ...]]], relpath: str, data: bytes) -> bool:
    if relpath.endswith(".zip"):
        return True
    try:
        present = set(re.findall(r"[^\W_]+", _joined(relpath, data).decode("utf-8").casefold()))
    except UnicodeDecodeError:
        return True
    return any(present.issuperset(words) for first in present & by_first.keys() for words in by_first[first])


def _words(dag_id: str) -> tuple[str, ...]:
    """The words of an id that a screen can look for: digits alone (a loop's counter, a year) are
    often formatted from numbers, not written."""
    return tuple(word for word in re.findall(r"[^\W_]+", dag_id.casefold()) if not word.isdigit())


@functools.lru_cache(maxsize=256)
def _whole_word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])")


@functools.lru_cache(maxsize=256)
def _whole_word_bytes(word: str) -> re.Pattern[bytes]:
    """The same whole-word search in ASCII text (``[A-Za-z0-9]`` are its word characters)."""
    return re.compile(rb"(?<![A-Za-z0-9])" + re.escape(word.encode()) + rb"(?![A-Za-z0-9])")
