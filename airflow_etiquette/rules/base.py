"""The rule base class: a rule's code, name, documentation and examples live together.

A rule sees one analysed file (a FileContext) and yields Reports; it never reads
files, parses configuration or formats output. Its VALID and INVALID examples
are run by the test suite, and `explain` shows the first of each, so the
documentation cannot drift from what the rule does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import ClassVar, NamedTuple

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.findings import Severity

DEFAULT_EXAMPLE_PATH = "dags/lasse/taxi_pipeline.py"
DEFAULT_EXAMPLE_OWNERS = ("lasse", "maria", "ahmed")


class Example(NamedTuple):
    """A snippet of a DAG file and where it lives; INVALID ones say what is reported.

    ``expect`` lists ``(line, message)`` pairs: the rule must report exactly
    these lines, each with a message that contains the given text.
    """

    code: str
    path: str = DEFAULT_EXAMPLE_PATH
    expect: tuple[tuple[int, str], ...] = ()
    config: Mapping[str, object] = MappingProxyType({})
    owners: tuple[str, ...] = DEFAULT_EXAMPLE_OWNERS
    severity: Severity | None = None  # where the configuration (strict mode) changes the rule's default


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line for `rules`
    what: ClassVar[str]  # "What it does"
    why: ClassVar[str]  # "Why is this bad?"
    VALID: ClassVar[Sequence[Example]] = ()
    INVALID: ClassVar[Sequence[Example]] = ()
    # "content": looks inside one parsed file; "engine": reported by the engine (ETQ001/ETQ002);
    # "change": looks at a change set or the tree (ETQ201/ETQ202); "repository": across every file
    # (ETQ104/ETQ203). Both are documented with text examples and tested on real repositories.
    kind: ClassVar[str] = "content"
    example_text: ClassVar[str] = ""
    fix_text: ClassVar[str] = ""

    def check(self, file: FileContext) -> Iterator[Report]:
        """Yield a Report for every violation in ``file``."""
        return iter(())
