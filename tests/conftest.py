"""Shared helpers: real repositories in temporary directories, and the real CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import libcst
import pytest

from airflow_etiquette.cli import main

# libcst's native parser is a PyO3 module, which older releases (1.1, the lowest we support) allow
# to be initialised once per process. pytester's in-process runs (the pytest plugin's tests) take
# out of sys.modules whatever they imported: if the first parse of this process happened there,
# the next import would initialise it again and fail. Loaded here, before any of them.
libcst.parse_module("")

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
# Coverage data of the command's subprocesses and of the workers they fork goes to the project,
# never to the temporary repository a test runs the command in (see [tool.coverage.run]).
os.environ.setdefault("COVERAGE_DATA_FILE", str(ROOT / ".coverage"))

# The CI this suite runs in is not the CI a test stages: inside GitHub Actions (the project's own
# workflow runs .ci/run there) GITHUB_ACTIONS would turn every text report into workflow commands,
# and CI=true would forbid writing a baseline. A test that means a CI sets these itself.
for _name in [name for name in os.environ if name == "CI" or name.startswith(("GITHUB_", "GITLAB_", "CI_"))]:
    del os.environ[_name]

# The integration tier: real git histories, pre-commit, pip, the command in subprocesses.
# `pytest -m "not slow"` is the inner loop; the README's test command runs both tiers.
SLOW_MODULES = frozenset(
    {
        "test_action",
        "test_audit",
        "test_class_repo_flows",
        "test_config_cli_robustness",
        "test_duplicates_in_check",
        "test_hostile_input",
        "test_loaded_files",
        "test_ownership",
        "test_precommit",
        "test_pytest_plugin",
        "test_static_only",
        "test_trust",
        "test_ci_outputs",
        "test_example_repo",
        "test_fuzz",
        "test_linear_scans",
        "test_workers",
        "test_io_robustness",
        "test_cache",
        "test_airflowignore",
        "test_owner_modules",
        "test_airflow_examples",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


_MARK = re.compile(r"#\s*expect(?P<below>-below)?:\s*(?P<codes>ETQ\d+(?:\s*,\s*ETQ\d+)*)")


def expected_findings(corpus: Path) -> set[tuple[str, int, str]]:
    """The findings a corpus marks inline: ``# expect: CODE[, CODE]`` on the line, or
    ``# expect-below: CODE`` for the next line; as (path, line, code)."""
    expected = set()
    for path in sorted(corpus.rglob("*.py")):
        relpath = path.relative_to(corpus).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = _MARK.search(line)
            if match:
                target = number + 1 if match.group("below") else number
                expected.update((relpath, target, code.strip()) for code in match.group("codes").split(","))
    return expected


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def make_repo(root: Path, files: Mapping[str, str | bytes], config: str | None = None, init_git: bool = True) -> Path:
    """A repository at ``root`` holding ``files`` (dedented), optionally with a pyproject config."""
    root.mkdir(parents=True, exist_ok=True)
    if init_git:
        git(root, "init", "-q", "-b", "main")
    if config is not None:
        (root / "pyproject.toml").write_text("[tool.airflow-etiquette]\n" + textwrap.dedent(config))
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"))
    return root


@dataclass
class Result:
    exit_code: int
    out: str
    err: str

    @property
    def findings(self) -> list[dict[str, object]]:
        return json.loads(self.out)

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """Run ``airflow-etiquette ARGS`` in-process from directory ``cwd``."""

    def run(*args: str, cwd: Path) -> Result:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield run


def run_installed(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> Result:
    """Run the real command in a subprocess (``python -m airflow_etiquette``)."""
    proc = subprocess.run(
        [sys.executable, "-m", "airflow_etiquette", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git snapshot of this checkout as it is now (pre-commit try-repo needs a repository)."""
    snapshot = tmp_path_factory.mktemp("hook-source")
    for item in ["airflow_etiquette", "pyproject.toml", ".pre-commit-hooks.yaml", "README.md"]:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, snapshot / item, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, snapshot / item)
    git(snapshot, "init", "-q", "-b", "main")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot")
    os.environ.setdefault("AIRFLOW_ETIQUETTE_TEST_PRE_COMMIT_HOME", str(tmp_path_factory.mktemp("pre-commit-home")))
    return snapshot
