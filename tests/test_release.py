"""What a release publishes, built the way the release workflow builds it: `python -m build` from a
clean clone of HEAD (only committed files count), `twine check --strict`, the wheel installed in a
fresh virtualenv with its dependencies from the index as a user gets them, the sdist's own unit
tests run from the sdist; and the workflows that build, test and publish it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, git

WORKFLOWS = ROOT / ".github" / "workflows"
REPOSITORY = "https://github.com/airflow-etiquette/airflow-etiquette"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def run(*command: str | Path, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """A command as a user runs it: no PYTHON* settings, no coverage hooks, nothing of this checkout."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "COVERAGE", "VIRTUAL_ENV"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@dataclass
class Built:
    sdist: Path
    wheel: Path


def build(clone: Path, out: Path) -> Built:
    ok(run(sys.executable, "-m", "build", "--outdir", out, clone, cwd=clone))
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    ok(run(sys.executable, "-m", "twine", "check", "--strict", sdist, wheel, cwd=out))
    return Built(sdist, wheel)


def clean_clone(destination: Path, tag: str | None = None) -> Path:
    """HEAD of this repository as a fresh clone has it: committed files only, no tags unless given."""
    git(destination.parent, "clone", "-q", "--no-local", "--no-tags", str(ROOT), str(destination))
    if tag is not None:
        git(destination, "tag", tag)
    return destination


def fresh_venv(path: Path) -> Path:
    ok(run(sys.executable, "-m", "venv", path, cwd=path.parent))
    return path / "bin"


@pytest.fixture(scope="module")
def untagged(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("release-untagged")
    return build(clean_clone(tmp / "clone"), tmp / "dist")


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp = tmp_path_factory.mktemp("release-tagged")
    return build(clean_clone(tmp / "clone", tag="v0.1.0"), tmp / "dist")


def metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name).decode("utf-8")


def readme_sample() -> list[str]:
    """The findings the README shows for the bundled example, with its summary line."""
    block = README.split("$ airflow-etiquette check examples/class-repo\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


@pytest.mark.slow
def test_a_clone_without_tags_builds_a_development_version(untagged: Built) -> None:
    match = re.fullmatch(r"airflow_etiquette-(0\.1\.dev\d+\+g[0-9a-f]+)-py3-none-any\.whl", untagged.wheel.name)
    assert match, untagged.wheel.name
    assert f"Version: {match.group(1)}" in metadata(untagged.wheel).splitlines()


@pytest.mark.slow
def test_the_sdist_carries_what_its_tests_and_users_need(untagged: Built) -> None:
    with tarfile.open(untagged.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for required in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", ".pre-commit-hooks.yaml", "action.yml"):
        assert required in names, required
    for folder in ("tests/unit/", "tests/conftest.py", "examples/class-repo/", "docs/rules.md", "bench/"):
        assert any(name.startswith(folder) for name in names), folder
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert "airflow_etiquette/_version.py" in names  # the version travels without git


@pytest.mark.slow
def test_a_tagged_release_installs_from_its_wheel_and_finds_what_the_readme_shows(
    tagged: Built, tmp_path: Path
) -> None:
    assert tagged.wheel.name == "airflow_etiquette-0.1.0-py3-none-any.whl"
    assert tagged.sdist.name == "airflow_etiquette-0.1.0.tar.gz"
    meta = metadata(tagged.wheel).splitlines()
    assert "Version: 0.1.0" in meta and "Name: airflow-etiquette" in meta
    assert "License-Expression: MIT" in meta
    assert f"Project-URL: Source, {REPOSITORY}" in meta
    # Installed like a user installs it: the dependencies come from the index.
    bin_dir = fresh_venv(tmp_path / "venv")
    ok(run(bin_dir / "python", "-m", "pip", "install", "--quiet", tagged.wheel, cwd=tmp_path))
    assert ok(run(bin_dir / "airflow-etiquette", "--version", cwd=tmp_path)) == "airflow-etiquette 0.1.0\n"
    example = shutil.copytree(ROOT / "examples" / "class-repo", tmp_path / "class-repo")
    git(example, "init", "-q", "-b", "main")
    git(example, "add", "-A")
    git(example, "commit", "-q", "-m", "class")
    checked = run(bin_dir / "airflow-etiquette", "check", cwd=example)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert checked.stdout.splitlines() == readme_sample()


@pytest.mark.slow
def test_the_sdist_installs_and_passes_its_own_unit_tests(untagged: Built, tmp_path: Path) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    ok(run(bin_dir / "python", "-m", "pip", "install", "--quiet", untagged.sdist, "pytest", cwd=tmp_path))
    with tarfile.open(untagged.sdist) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    (source,) = (tmp_path / "src").iterdir()
    tests = run(bin_dir / "python", "-m", "pytest", "tests/unit", "-q", "-p", "no:cacheprovider", cwd=source)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert re.search(r"^\d+ passed", tests.stdout.splitlines()[-1]), tests.stdout[-500:]


# ---------------------------------------------------------------------------------------------
# The workflows and the install lines: what the release publishes is what the README names.
# ---------------------------------------------------------------------------------------------


def load(path: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), path
    return loaded


def triggers(workflow: Mapping[Any, Any]) -> dict[str, Any]:
    on = workflow.get(True, workflow.get("on"))  # YAML 1.1 reads `on` as True
    assert isinstance(on, dict), on
    return on


PINNED_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+\s*$")


@pytest.mark.parametrize("name", ["release.yml", "ci.yml"])
def test_every_action_a_workflow_uses_is_pinned_by_sha_with_its_release_in_a_comment(name: str) -> None:
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    uses = [line for line in text.splitlines() if re.match(r"^\s*(?:-\s+)?uses:", line)]
    assert uses
    assert [line for line in uses if not PINNED_LINE.match(line)] == []
    steps = [step for job in load(WORKFLOWS / name)["jobs"].values() for step in job["steps"]]
    assert sum("uses" in step for step in steps) == len(uses)
    assert all("${{" not in step.get("run", "") for step in steps)  # values reach scripts through env:


def test_the_release_runs_on_version_tags_and_only_publishing_may_mint_a_token() -> None:
    workflow = load(WORKFLOWS / "release.yml")
    tags = triggers(workflow)["push"]["tags"]
    assert "v*" in tags and "!v[0-9]" in tags  # a release tag, never the moving major tag itself
    assert set(triggers(workflow)) == {"push"}
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    minting = [name for name, job in jobs.items() if "id-token" in (job.get("permissions") or {})]
    assert minting == ["pypi"]
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    assert {"build", "test"} <= set(jobs["pypi"]["needs"])
    (publish,) = [s for s in jobs["pypi"]["steps"] if str(s.get("uses", "")).startswith("pypa/gh-action-pypi-publish@")]
    assert "with" not in publish  # trusted publishing: no password, no token
    writers = {name for name, job in jobs.items() if (job.get("permissions") or {}).get("contents") == "write"}
    assert writers == {"github", "major"}
    build_steps = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    assert "python -m build" in build_steps and "twine check --strict" in build_steps
    # Built once: every later job takes the files the build job uploaded.
    assert all(
        "python -m build" not in step.get("run", "") for name in jobs if name != "build" for step in jobs[name]["steps"]
    )
    release = "\n".join(step.get("run", "") for step in jobs["github"]["steps"])
    assert "gh release create" in release and "CHANGELOG.md" in release
    assert 'git push --force origin "refs/tags/$major"' in jobs["major"]["steps"][-1]["run"]


def test_ci_runs_the_projects_own_ci_script_on_pull_requests_and_pushes() -> None:
    workflow = load(WORKFLOWS / "ci.yml")
    assert {"pull_request", "push"} <= set(triggers(workflow))
    assert workflow["permissions"] == {"contents": "read"}
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    assert runs == ["bash .ci/run"]


def test_the_install_lines_name_what_the_release_publishes() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "airflow-etiquette"' in pyproject
    assert f'Source = "{REPOSITORY}"' in pyproject
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    latest = released[0]
    assert latest == "0.1.0"
    # pre-commit: the repository and the tag the release workflow runs for.
    assert re.findall(r"- repo: (\S+)\n\s+rev: (\S+)", README) == [(REPOSITORY, f"v{latest}")]
    # The Action: `uses:` the repository at that tag, in the README and in the example workflows.
    uses = re.findall(r"uses: airflow-etiquette/airflow-etiquette@(\S+)", README)
    for example in (ROOT / "examples" / "github").glob("*.yml"):
        uses += re.findall(r"uses: airflow-etiquette/airflow-etiquette@(\S+)", example.read_text(encoding="utf-8"))
    assert uses and set(uses) == {f"v{latest}"}
    assert f"pip install airflow-etiquette=={latest}" in README
