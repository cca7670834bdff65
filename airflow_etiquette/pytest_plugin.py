"""A pytest plugin, so the class repository's own test run enforces the conventions
without installing Airflow.

``pytest --etiquette`` (or ``etiquette = true`` in the pytest ini options) adds one test
item per file in the dags folder, failing with that file's findings, and one item for the
rules across files and on the tree (duplicate dag_ids, unowned DAG files, symlinks). It uses
the same configuration as the command line. Warnings do not fail a test; they are reported
as pytest warnings (``EtiquetteWarning``), so they show in the warnings summary.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.output.report import printable

REPOSITORY_ITEM = "repository-wide rules"


class EtiquetteWarning(UserWarning):
    """A warning-severity finding (ETQ103, ETQ301): shown, never failing the test."""


_REPORT_KEY = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("airflow-etiquette")
    group.addoption(
        "--etiquette",
        action="store_true",
        default=False,
        help="Check the DAG files of the repository with airflow-etiquette.",
    )
    parser.addini("etiquette", type="bool", default=False, help="Always run the airflow-etiquette checks.")


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("etiquette") or config.getini("etiquette"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _enabled(config):
        return
    relpaths = _dag_files(config)
    collector = EtiquetteCollector.from_parent(
        session, name="airflow-etiquette", path=Path(config.rootpath), nodeid="airflow-etiquette"
    )
    collector.relpaths = relpaths
    # genitems reports the collection, so "collected N items" counts these items too.
    items.extend(session.genitems(collector))


def _dag_files(config: pytest.Config) -> list[str]:
    from airflow_etiquette.config import ConfigError
    from airflow_etiquette.sources.files import discover

    try:
        return [file.relpath for file in discover([], _repository_config(config)).files]
    except ConfigError as exc:  # no dags folder is a configuration problem too
        raise _usage_error(exc) from None


class EtiquetteCollector(pytest.Collector):
    relpaths: list[str] = []

    def collect(self) -> Iterator[pytest.Item]:
        for relpath in self.relpaths:
            # (a name as the other outputs write it: a newline in a file name must not split the line)
            yield EtiquetteItem.from_parent(self, name=printable(relpath), relpath=relpath)
        yield EtiquetteItem.from_parent(self, name=REPOSITORY_ITEM, relpath=None)


def _usage_error(exc: Exception) -> pytest.UsageError:
    """pytest prints a UsageError as one line and exits 4; anything else from a hook is an INTERNALERROR."""
    return pytest.UsageError(f"airflow-etiquette: {exc}")


def _repository_config(config: pytest.Config) -> Any:
    from airflow_etiquette.config import ConfigError, load_config
    from airflow_etiquette.rules import RULES_BY_CODE

    try:
        return load_config(Path(config.rootpath), RULES_BY_CODE)
    except ConfigError as exc:
        raise _usage_error(exc) from None


class EtiquetteError(Exception):
    """The audit itself could not run (a malformed CODEOWNERS, git missing): every item fails with its reason."""


def _report(config: pytest.Config) -> Any:
    """The audit of the whole repository, made once per test session (a failure too, so it is not redone per item)."""
    report = config.stash.get(_REPORT_KEY, None)
    if report is None:
        from airflow_etiquette.engine.audit import run_audit

        try:
            report = run_audit(_repository_config(config))
        except Exception as exc:  # shown as one line per item instead of a traceback
            report = f"airflow-etiquette could not check the repository: {exc}"
        config.stash[_REPORT_KEY] = report
    if isinstance(report, str):
        raise EtiquetteError(report)
    return report


class EtiquetteFailure(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"{len(findings)} finding(s)")
        self.findings = findings


class EtiquetteItem(pytest.Item):
    def __init__(self, *, relpath: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.relpath = relpath
        self.add_marker("etiquette")

    def runtest(self) -> None:
        report = _report(self.config)
        from airflow_etiquette.rules import RULES_BY_CODE

        across = {code for code, rule in RULES_BY_CODE.items() if rule.scope in ("repository", "change")}
        if self.relpath is None:
            mine = [f for f in report.findings if f.code in across]
        else:  # a zip bundle's findings are its members': bundle.zip/taxi.py
            mine = [
                f
                for f in report.findings
                if (f.path == self.relpath or f.path.startswith(self.relpath + "/")) and f.code not in across
            ]
        for finding in mine:
            if finding.severity is Severity.WARNING:
                warnings.warn(
                    EtiquetteWarning(_line(finding)),
                    stacklevel=1,
                )
        errors = [f for f in mine if f.severity is Severity.ERROR]
        if errors:
            raise EtiquetteFailure(sorted(mine))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, EtiquetteFailure):
            return (
                "\n".join(_line(f) for f in excinfo.value.findings)
                + "\n(see `airflow-etiquette explain CODE` for each rule)"
            )
        if isinstance(excinfo.value, EtiquetteError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"airflow-etiquette: {self.name}"


def _line(finding: Finding) -> str:
    return printable(f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "etiquette: an airflow-etiquette check of a DAG file")
