"""Running a rule's examples through the real engine, for the test suite and ``explain``.

A file example is analysed in memory as the file it names. A repository example is written
to a temporary folder and audited as a whole (as the teacher's ``audit`` does); a change example becomes a real git repository
(the base committed on main, the change on a branch) checked as a pull request's check would
check it. Nothing here is imported or run from the examples: they are files, read as data.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airflow_etiquette.config import config_from_table, configure_from, load_config, read_work_tree
from airflow_etiquette.engine.analyze import Settings, analyze_source
from airflow_etiquette.engine.audit import run_audit
from airflow_etiquette.engine.check import run_check
from airflow_etiquette.findings import Finding
from airflow_etiquette.rules import RULES_BY_CODE
from airflow_etiquette.rules.base import AnyExample, ChangeExample, Example, Link, RepositoryExample, Submodule
from airflow_etiquette.sources.files import SourceFile, owner_of
from airflow_etiquette.sources.git import git

EXAMPLE_ROOT = Path("/example-repository")


def run_example(example: AnyExample) -> list[Finding]:
    """Every finding the engine reports for ``example`` (of any rule), sorted."""
    if isinstance(example, Example):
        return _file_example(example)
    with tempfile.TemporaryDirectory(prefix="airflow-etiquette-example-") as directory:
        root = Path(directory)
        if isinstance(example, RepositoryExample):
            _write(root, example.files, example.config)
            return sorted(run_audit(load_config(root, RULES_BY_CODE), jobs=1).findings)
        return _change_example(root, example)


def _file_example(example: Example) -> list[Finding]:
    config = config_from_table(EXAMPLE_ROOT, None, dict(example.config), RULES_BY_CODE)
    file = SourceFile(str(EXAMPLE_ROOT / example.path), example.path, owner_of(example.path, config))
    settings = Settings(config=config, known_owners=frozenset(example.owners))
    return sorted(analyze_source(example.code.encode("utf-8"), file, settings).findings)


def _change_example(root: Path, example: ChangeExample) -> list[Finding]:
    _git(root, "init", "-q", "-b", "main")
    _write(root, example.base, example.config)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--allow-empty", "-m", "base")
    base = _git(root, "rev-parse", "HEAD").strip()
    _git(root, "checkout", "-q", "-b", f"{example.author}/example")
    _write(root, example.change, None)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "change")
    event = root.parent / f"{root.name}-event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "user": {"login": example.author},
                    "base": {"sha": base, "ref": "main"},
                    "head": {"ref": f"{example.author}/example"},
                }
            }
        )
    )
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}
    try:
        configure = configure_from(root, RULES_BY_CODE)
        return run_check(configure(read_work_tree, None), [], environ=environ, configure=configure).findings
    finally:
        event.unlink()


def _write(root: Path, files: Mapping[str, Any], config: Mapping[str, object] | None) -> None:
    if config:
        lines = [f"{key} = {json.dumps(value)}" for key, value in config.items()]
        (root / "pyproject.toml").write_text("[tool.airflow-etiquette]\n" + "\n".join(lines) + "\n")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.unlink()
        elif isinstance(content, Link):
            os.symlink(content.target, path)
        elif isinstance(content, Submodule):  # a gitlink without .gitmodules; the empty folder keeps `add -A` off it
            path.mkdir(exist_ok=True)
            _git(root, "update-index", "--add", "--cacheinfo", f"160000,{content.commit},{name}")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def _git(root: Path, *args: str) -> str:
    """git as the sources call it (a missing git is a one-line GitError), as an anonymous author."""
    identity = (
        "-c",
        "user.name=example",
        "-c",
        "user.email=example@example.invalid",
        "-c",
        "commit.gpgsign=false",
        "-c",
        f"core.hooksPath={os.devnull}",
    )
    return git(root, *identity, *args)
