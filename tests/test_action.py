"""The GitHub Action (action.yml) and the example workflows never run the pull request's code.

The action's ``run:`` steps are executed with bash exactly as a GitHub runner executes them
(``bash --noprofile --norc -eo pipefail``, the script in a file under $RUNNER_TEMP, cwd the
workspace), in a workspace that is a real git repository whose pull request plants modules at
its root (pip.py, sitecustomize.py, an airflow_etiquette package, ...) that leave a marker file
behind when imported. The install step really installs the action's own copy of this project
with pip into a virtualenv under $RUNNER_TEMP (once per module). The example workflows are
checked for the structure that makes them safe.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
WORKFLOW_TARGET = ROOT / "examples" / "github" / "airflow-etiquette.yml"
WORKFLOW_PULL_REQUEST = ROOT / "examples" / "github" / "airflow-etiquette-pull-request.yml"

PR_NUMBER = 7
AUTHOR_LOGIN = "maria-gh"
PR_BRANCH = "maria/taxi"


def load(path: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), path
    return loaded


def action_steps() -> list[dict[str, Any]]:
    return list(load(ACTION)["runs"]["steps"])


def run_scripts() -> list[tuple[str, str]]:
    """(step id or name, script) of every ``run:`` step of the action."""
    return [(step.get("id") or step.get("name", "?"), step["run"]) for step in action_steps() if "run" in step]


def on_section(workflow: Mapping[Any, Any]) -> dict[str, Any]:
    # PyYAML (YAML 1.1) reads the key `on` as the boolean True.
    triggers = workflow.get(True, workflow.get("on"))
    assert isinstance(triggers, dict), triggers
    return triggers


# ---------------------------------------------------------------------------------------------
# Fast checks of the action's scripts: isolated Python, run from $RUNNER_TEMP.
# ---------------------------------------------------------------------------------------------

# A Python interpreter in command position or anywhere on a line: python, python3.11,
# "$venv/bin/python", /usr/bin/python3 ...
PYTHON_WORD = re.compile(r'(?:^|(?<=[\s;&|(`]))("?[^\s"\'`;&|()]*\bpython[0-9.]*"?)(?=\s|$)')
# Commands that must never run bare: the console script and pip would start Python without -I
# (and pip from whatever the PATH finds).
COMMAND_START = re.compile(r"(?:^|;|&&|\|\||\||\$\(|`|\bthen\b|\belse\b|\bdo\b)\s*")


def script_lines(script: str) -> list[str]:
    return [line for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def isolation_problems(script: str) -> list[str]:
    """What makes a run script unsafe in a workspace full of the pull request's files."""
    problems = []
    lines = script_lines(script)
    python_lines = [i for i, line in enumerate(lines) if PYTHON_WORD.search(line)]
    for line in lines:
        for match in PYTHON_WORD.finditer(line):
            rest = line[match.end() :].split()
            if not rest or rest[0] != "-I":
                problems.append(f"python without -I: {line.strip()}")
        for start in COMMAND_START.finditer(line):
            words = line[start.end() :].split()
            if words and words[0].strip("\"'").rsplit("/", 1)[-1] in ("pip", "pip3", "airflow-etiquette"):
                problems.append(f"bare {words[0]}: {line.strip()}")
    if python_lines:
        # An unconditional, top-level `cd "$RUNNER_TEMP"` before the first Python.
        cds = [i for i, line in enumerate(lines) if line in ('cd "$RUNNER_TEMP"', 'cd "${RUNNER_TEMP}"')]
        if not cds or cds[0] > python_lines[0]:
            problems.append('runs python before `cd "$RUNNER_TEMP"` (or never leaves the workspace)')
        # ... and no other change of directory (back into the workspace) anywhere in the script.
        problems += [
            f"changes directory: {line.strip()}"
            for i, line in enumerate(lines)
            if i not in cds and re.search(r"(^|[\s;&|(])(cd|pushd|popd)(\s|$)", line)
        ]
    return problems


def test_every_python_in_the_action_is_isolated_and_runs_outside_the_workspace() -> None:
    scripts = run_scripts()
    assert scripts, "action.yml has no run steps"
    assert sum(bool(PYTHON_WORD.search(script)) for _, script in scripts) >= 2  # install and check
    for step in action_steps():
        if "run" in step:
            assert step.get("shell") == "bash", step
            assert "working-directory" not in step, step
    problems = {name: isolation_problems(script) for name, script in scripts}
    assert problems == {name: [] for name, _ in scripts}


@pytest.mark.parametrize(
    "script",
    [
        'cd "$RUNNER_TEMP"\npython -m pip install x\n',
        'cd "$RUNNER_TEMP"\n"$venv/bin/python" -m airflow_etiquette check .\n',
        'cd "$RUNNER_TEMP"\nstatus=$(python3 -c "print(1)")\n',
        'cd "$RUNNER_TEMP"\nairflow-etiquette check "$GITHUB_WORKSPACE"\n',
        'cd "$RUNNER_TEMP"\nif true; then pip install x; fi\n',
        'python -I -m venv "$RUNNER_TEMP/venv"\ncd "$RUNNER_TEMP"\n',
        'if [ -n "$X" ]; then\n  cd "$RUNNER_TEMP"\nfi\npython -I -m venv v\n',
        '"$venv/bin/python" -I -m pip install x\n',
        'cd "$RUNNER_TEMP"\ncd "$GITHUB_WORKSPACE"\n"$venv/bin/python" -I -m airflow_etiquette check .\n',
        'cd "$RUNNER_TEMP"\n(cd "$GITHUB_WORKSPACE" && python -I -m airflow_etiquette check .)\n',
    ],
)
def test_the_isolation_check_catches_unsafe_scripts(script: str) -> None:
    assert isolation_problems(script)


def test_the_action_installs_only_from_pypi_or_its_own_copy() -> None:
    steps = {step.get("id"): step for step in action_steps()}
    install = steps["install"]
    assert install["env"] == {"VERSION": "${{ inputs.version }}", "ACTION_PATH": "${{ github.action_path }}"}
    installs = re.findall(r"-m pip install (.*)", install["run"])
    assert installs and all(
        line.split()[-1] in ('"airflow-etiquette==$VERSION"', '"$ACTION_PATH"') for line in installs
    ), installs
    for _, script in run_scripts():
        assert "GITHUB_WORKSPACE" not in script or "airflow_etiquette check" in script
        assert not re.search(
            r"pip install[^\n]*(\s-e\b|\s--editable\b|\s-r\b|\s--requirement\b|\s\.\s*$|"
            r"GITHUB_WORKSPACE)",
            script,
            re.MULTILINE,
        )


def test_the_action_keeps_its_interface() -> None:
    action = load(ACTION)
    assert set(action["inputs"]) == {"version", "args", "working-directory", "sarif", "python-version"}
    assert action["inputs"]["working-directory"]["default"] == "."
    assert {name: output["value"] for name, output in action["outputs"].items()} == {
        name: f"${{{{ steps.check.outputs.{name} }}}}" for name in ("sarif-file", "errors", "warnings", "findings")
    }
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["continue-on-error"] is True
    assert "inputs.sarif == 'true'" in upload["if"] and "steps.check.outputs.sarif-file != ''" in upload["if"]
    assert "always()" in upload["if"]
    check = next(step for step in steps if step.get("id") == "check")
    assert '-I -m airflow_etiquette check --sarif-output "$sarif"' in check["run"]
    assert 'exit "$status"' in check["run"]


# `uses: owner/repo[/path]@<40 hex> # vMAJOR.MINOR.PATCH`: a tag can be moved, a commit cannot.
PINNED_BY_SHA = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v(\d+)\.\d+\.\d+\s*$")
# The current major release of each action the action uses (checked when the pins were made).
CURRENT_MAJORS = {"actions/setup-python": 7, "actions/cache": 5, "github/codeql-action/upload-sarif": 4}


def test_every_action_the_action_uses_is_pinned_by_commit_sha_with_its_release_in_a_comment() -> None:
    lines = [line for line in ACTION.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert len(lines) == len(CURRENT_MAJORS) == sum("uses" in step for step in action_steps())
    pins = {}
    for line in lines:
        match = PINNED_BY_SHA.match(line)
        assert match, f"not pinned by SHA with its version in a comment: {line.strip()}"
        pins[match.group(1)] = int(match.group(3))
    assert pins == CURRENT_MAJORS


def test_pips_downloads_are_cached_between_runs_keyed_on_the_tool_and_the_python() -> None:
    steps = action_steps()
    python = next(step for step in steps if str(step.get("uses", "")).startswith("actions/setup-python@"))
    cache = next(step for step in steps if str(step.get("uses", "")).startswith("actions/cache@"))
    install = next(step for step in steps if step.get("id") == "install")
    assert steps.index(python) < steps.index(cache) < steps.index(install)
    key = cache["with"]["key"]
    assert "inputs.version" in key and f"steps.{python['id']}.outputs.python-version" in key
    assert "runner.os" in key
    assert cache["with"]["path"] == "${{ runner.temp }}/airflow-etiquette-pip-cache"
    # ... the very folder pip is told to use, in both of its installs.
    assert install["run"].count('--cache-dir "$cache"') == 2
    assert 'cache="$RUNNER_TEMP/airflow-etiquette-pip-cache"' in install["run"]


# ---------------------------------------------------------------------------------------------
# Fast checks of the example workflows.
# ---------------------------------------------------------------------------------------------

# Run scripts of a workflow that builds, installs or runs repository content, or puts the pull
# request's files into the work tree.
FORBIDDEN_IN_RUN = re.compile(
    r"\b(pip3?|python[0-9.]*|pipx|uv|poetry|pre-commit|pytest|tox|nox|make|npm|npx|yarn|source|eval)\b"
    r"|\bgit\s+(\S+\s+)*?(checkout|switch|worktree|reset|restore|read-tree|checkout-index|merge|rebase|"
    r"cherry-pick|pull|am|apply|stash|submodule)\b"
    r"|(^|[\s;&|])\.\s|\./|\b(ba)?sh\s+\S"
)
PINNED = re.compile(r"@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")


def steps_of(workflow: Mapping[Any, Any]) -> list[dict[str, Any]]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict) and jobs
    return [step for job in jobs.values() for step in job["steps"]]


def check_common_safety(workflow: Mapping[Any, Any]) -> None:
    steps = steps_of(workflow)
    checkouts = [step for step in steps if str(step.get("uses", "")).startswith("actions/checkout@")]
    assert len(checkouts) == 1
    options = checkouts[0].get("with", {})
    assert options.get("persist-credentials") is False
    assert options.get("fetch-depth") == 0
    assert "path" not in options
    for step in steps:
        uses = step.get("uses")
        if uses is not None:
            assert not uses.startswith("."), uses  # no local action: it would come from the checkout
            assert uses.split("@")[0] in ("actions/checkout", "actions/cache", "airflow-etiquette/airflow-etiquette"), (
                uses
            )
            if uses.startswith("actions/cache@"):  # only the tool's own result cache, which it never trusts blindly
                assert step["with"]["path"] == ".airflow-etiquette-cache", step
            assert PINNED.search(uses), f"{uses} is not pinned to a release tag or a commit SHA"
        if "run" in step:
            bad = [m.group(0) for line in script_lines(step["run"]) for m in FORBIDDEN_IN_RUN.finditer(line)]
            assert not bad, f"step {step.get('name')!r} runs {bad}"
            assert "${{" not in step["run"], step["run"]  # values reach scripts through env:, never spliced in
    action = [step for step in steps if str(step.get("uses", "")).startswith("airflow-etiquette/airflow-etiquette@")]
    assert len(action) == 1
    assert "--exit-zero" not in str(action[0].get("with", {}).get("args", ""))
    for job in workflow["jobs"].values():
        assert "continue-on-error" not in job
        assert all("continue-on-error" not in step for step in job["steps"])


def check_permissions(workflow: Mapping[Any, Any], allowed: Mapping[str, str]) -> None:
    uploads_sarif = any(str(step.get("with", {}).get("sarif", "false")) == "true" for step in steps_of(workflow))
    expected = dict(allowed)
    if uploads_sarif:
        expected.update({"security-events": "write", "actions": "read"})
    permissions = workflow.get("permissions")
    assert isinstance(permissions, dict)
    assert not set(permissions) - set(expected), permissions
    assert all(expected[key] == value for key, value in permissions.items()), permissions
    for job in workflow["jobs"].values():
        assert job.get("permissions") in (None, permissions)
    if not uploads_sarif:
        assert "security-events" not in permissions


def test_the_recommended_workflow_is_a_gate_the_pull_request_cannot_edit() -> None:
    workflow = load(WORKFLOW_TARGET)
    triggers = on_section(workflow)
    assert set(triggers) == {"pull_request_target"}
    assert {"opened", "synchronize", "reopened", "edited"} <= set(triggers["pull_request_target"]["types"])
    check_common_safety(workflow)
    check_permissions(workflow, {"contents": "read", "pull-requests": "read"})
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "read"}
    steps = steps_of(workflow)
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert "ref" not in checkout["with"]  # pull_request_target checks out the base
    # Nothing in the workflow (comments aside) names the pull request's head or merge commit,
    # except the one fetch into refs/remotes/pull/head.
    text = json.dumps(workflow)
    assert not re.search(r"pull_request\.head|head_ref|refs/pull/[^\"]*/merge|FETCH_HEAD", text), text
    fetches = [step for step in steps if "run" in step and "git fetch" in step["run"]]
    assert len(fetches) == 1
    fetch = fetches[0]
    assert re.search(
        r'git fetch --no-tags origin "\+refs/pull/\$PR_NUMBER/head:refs/remotes/pull/head"\s*$', fetch["run"]
    ), fetch["run"]
    assert fetch["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"
    assert steps.index(fetch) < next(i for i, s in enumerate(steps) if "airflow-etiquette/" in str(s.get("uses")))


def test_the_pull_request_variant_is_isolated_too() -> None:
    workflow = load(WORKFLOW_PULL_REQUEST)
    triggers = on_section(workflow)
    assert set(triggers) == {"pull_request"}
    assert {"opened", "synchronize", "reopened", "edited"} <= set(triggers["pull_request"]["types"])
    check_common_safety(workflow)
    check_permissions(workflow, {"contents": "read", "pull-requests": "read"})
    header = WORKFLOW_PULL_REQUEST.read_text(encoding="utf-8").split("\nname:")[0]
    assert "branch protection" in header and "CODEOWNERS" in header and "/.github/" in header


# ---------------------------------------------------------------------------------------------
# Running the steps for real.
# ---------------------------------------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def substitute(text: str, context: Mapping[str, str]) -> str:
    """Replace ``${{ name }}`` by ``context[name]``; an expression the test does not know fails."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in context:
            raise AssertionError(f"the simulated runner does not know ${{{{ {name} }}}} (in {text!r})")
        return context[name]

    return EXPRESSION.sub(replace, text)


@dataclass
class StepResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Maria",
        "GIT_AUTHOR_EMAIL": "maria@student.example",
        "GIT_COMMITTER_NAME": "Maria",
        "GIT_COMMITTER_EMAIL": "maria@student.example",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True, timeout=60
    ).stdout


def runner_path(bin_dir: Path) -> str:
    """PATH with a `python` from setup-python (here: the base interpreter) first, and without the
    test's own virtualenv, so a bare `pip` or `airflow-etiquette` in the action cannot work by accident."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    python = bin_dir / "python"
    if not python.exists():
        python.symlink_to(getattr(sys, "_base_executable", None) or sys.executable)
    own_bin = str(Path(sys.prefix) / "bin") if sys.prefix != sys.base_prefix else None
    entries = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry and entry != own_bin]
    return os.pathsep.join([str(bin_dir), *entries])


def runner_environment(runner_temp: Path, workspace: Path) -> dict[str, str]:
    """What a GitHub runner's step sees, minus this process's Python, git and GitHub settings."""
    dropped = ("GITHUB_", "RUNNER_", "PYTHON", "GIT_", "VIRTUAL_ENV", "AIRFLOW_STUDENT", "CONDA")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env.update(
        {
            "PATH": runner_path(runner_temp.parent / f"{runner_temp.name}-tools"),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(runner_temp),
            "RUNNER_OS": "Linux",
        }
    )
    return env


def run_step(
    step: Mapping[str, Any],
    context: Mapping[str, str],
    cwd: Path,
    env: Mapping[str, str],
    runner_temp: Path,
    timeout: float = 600,
) -> StepResult:
    """One ``run:`` step as a runner runs it: ``bash --noprofile --norc -eo pipefail {0}``."""
    assert step.get("shell", "bash") == "bash", step
    script = runner_temp / f"{uuid.uuid4()}.sh"
    script.write_text(substitute(step["run"], context), encoding="utf-8")
    output = runner_temp / f"github-output-{uuid.uuid4()}"
    output.write_text("")
    step_env = {key: substitute(str(value), context) for key, value in (step.get("env") or {}).items()}
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        check=False,
        cwd=cwd,
        env={**env, **step_env, "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    outputs = {}
    for line in output.read_text().splitlines():
        name, sep, value = line.partition("=")
        assert sep and "<<" not in name, f"unexpected GITHUB_OUTPUT line {line!r}"
        outputs[name] = value
    return StepResult(proc.returncode, proc.stdout, proc.stderr, outputs)


def action_context(
    inputs: Mapping[str, str], action_path: Path, step_outputs: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    declared = load(ACTION)["inputs"]
    assert not set(inputs) - set(declared), inputs
    context = {f"inputs.{name}": str(inputs.get(name, spec.get("default", ""))) for name, spec in declared.items()}
    context["github.action_path"] = str(action_path)
    for step_id, outputs in step_outputs.items():
        for name, value in outputs.items():
            context[f"steps.{step_id}.outputs.{name}"] = value
    context.setdefault("steps.check.outputs.sarif-file", "")
    return context


# Modules a pull request can plant at the root of the workspace: each would run if imported.
TRAPS = (
    "pip.py",
    "venv.py",
    "codeowners.py",
    "sqlglot.py",
    "click.py",
    "libcst.py",
    "sitecustomize.py",
    "usercustomize.py",
    "airflow_etiquette/__init__.py",
    "airflow_etiquette/__main__.py",
)


def trap_files(markers: Path) -> dict[str, str]:
    return {
        name: textwrap.dedent(f"""\
        import pathlib, sys
        pathlib.Path({str(markers / name.replace("/", "."))!r}).write_text("the pull request's code ran")
        print("All good: no findings")
        sys.exit(0)
        """)
        for name in TRAPS
    }


def write_files(repo: Path, files: Mapping[str, str]) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


GOOD_TAXI = """\
from airflow import DAG

with DAG("{dag_id}", tags=["student:{owner}"]) as dag:
    pass
"""

BASE_FILES = {
    "dags/maria/taxi.py": GOOD_TAXI.format(dag_id="maria_taxi", owner="maria"),
    "dags/lasse/taxi.py": GOOD_TAXI.format(dag_id="lasse_taxi", owner="lasse"),
    ".github/CODEOWNERS": "/dags/maria/ @maria-gh\n/dags/lasse/ @lasse-gh\n",
}

# The pull request: a DAG id without the owner's prefix (ETQ101), plus the traps.
BAD_TAXI = GOOD_TAXI.format(dag_id="taxi", owner="maria")
ETQ101_MESSAGE = 'dag_id "taxi" must start with "maria_"'

# A pull request that also tries to loosen the policy in the same change.
POLICY_EDITS = {
    ".github/CODEOWNERS": BASE_FILES[".github/CODEOWNERS"] + "* @maria-gh\n",
    "pyproject.toml": '[tool.airflow-etiquette]\nignore = ["ETQ1", "ETQ2"]\nadmins = ["maria"]\n',
}


@dataclass
class PullRequestRepository:
    origin: Path
    base_sha: str  # main's tip when the event fired (it moved on after the branch was made)
    head_sha: str
    merge_sha: str  # what refs/pull/N/merge holds: the head merged into the base


def make_pull_request_repository(
    tmp: Path, markers: Path, policy_edits: bool = False, project: str = ""
) -> PullRequestRepository:
    """A bare "origin" on which main and refs/pull/N/{head,merge} exist, as on GitHub; the Airflow
    project (dags/, CODEOWNERS, configuration) in the folder ``project`` of the repository."""
    dev = tmp / "dev"
    dev.mkdir()
    git(dev, "init", "-q", "-b", "main")
    base = {**BASE_FILES, "pyproject.toml": "[tool.airflow-etiquette]\n"} if project else BASE_FILES
    write_files(dev / project, base)
    git(dev, "add", "-A")
    git(dev, "commit", "-q", "-m", "Class repository")
    git(dev, "checkout", "-q", "-b", PR_BRANCH)
    write_files(dev / project, {"dags/maria/taxi.py": BAD_TAXI, **(POLICY_EDITS if policy_edits else {})})
    write_files(dev, trap_files(markers))
    git(dev, "add", "-A")
    git(dev, "commit", "-q", "-m", "maria: taxi DAG")
    head_sha = git(dev, "rev-parse", "HEAD").strip()
    # Main moves on after the branch was made: a classmate's merged work is not the PR's change.
    git(dev, "checkout", "-q", "main")
    write_files(dev / project, {"dags/lasse/extra.py": GOOD_TAXI.format(dag_id="lasse_extra", owner="lasse")})
    git(dev, "add", "-A")
    git(dev, "commit", "-q", "-m", "lasse: extra DAG")
    base_sha = git(dev, "rev-parse", "HEAD").strip()
    git(dev, "checkout", "-q", "--detach", "main")
    git(dev, "merge", "-q", "--no-ff", "--no-edit", head_sha)
    merge_sha = git(dev, "rev-parse", "HEAD").strip()
    origin = tmp / "origin.git"
    git(tmp, "init", "-q", "--bare", "--initial-branch=main", str(origin))
    git(
        dev,
        "push",
        "-q",
        str(origin),
        "main:refs/heads/main",
        f"{head_sha}:refs/pull/{PR_NUMBER}/head",
        f"{merge_sha}:refs/pull/{PR_NUMBER}/merge",
    )
    return PullRequestRepository(origin, base_sha, head_sha, merge_sha)


def write_event(path: Path, repo: PullRequestRepository, action: str = "synchronize") -> Path:
    event = {
        "action": action,
        "number": PR_NUMBER,
        "pull_request": {
            "number": PR_NUMBER,
            "user": {"login": AUTHOR_LOGIN},
            "base": {"sha": repo.base_sha, "ref": "main"},
            "head": {"sha": repo.head_sha, "ref": PR_BRANCH},
        },
    }
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def clone_workspace(tmp: Path, repo: PullRequestRepository) -> Path:
    """What actions/checkout@v4 with fetch-depth: 0 leaves: every branch, main checked out."""
    workspace = tmp / "workspace"
    # --no-local: a real transport, so only what is fetched (not every object of origin) is there.
    git(tmp, "clone", "-q", "--no-local", "--no-tags", "--branch", "main", str(repo.origin), str(workspace))
    return workspace


@dataclass
class Installed:
    """The action after its install step: one virtualenv under RUNNER_TEMP, shared by the module."""

    runner_temp: Path
    action_path: Path
    install: StepResult


def copy_of_the_action(destination: Path) -> Path:
    """The action's own copy, as a runner has it under _actions/: this project's files.

    Copied (work tree, not HEAD) so that pip's in-tree build writes its build/ and egg-info
    there and never into the repository under test, where other runs may build at the same time.
    """
    skipped_at_top = {".git", "build", "dist", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", "bench"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = {name for name in names if name == "__pycache__" or name.endswith(".egg-info")}
        if Path(directory) == ROOT:
            ignored |= skipped_at_top & set(names)
        return ignored

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)
    return destination


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """Run the action's install step once, from a workspace full of traps."""
    tmp = tmp_path_factory.mktemp("action-install")
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir()
    markers = tmp / "markers"
    markers.mkdir()
    workspace = tmp / "workspace"
    write_files(workspace, trap_files(markers))
    action_path = copy_of_the_action(tmp / "action")
    env = runner_environment(runner_temp, workspace)
    env["GITHUB_ACTION_PATH"] = str(action_path)
    install = next(step for step in action_steps() if step.get("id") == "install")
    result = run_step(install, action_context({}, action_path, {}), workspace, env, runner_temp, timeout=900)
    assert result.returncode == 0, result.output
    assert sorted(path.name for path in markers.iterdir()) == [], result.output
    assert "All good" not in result.output
    yield Installed(runner_temp, action_path, result)


def run_action(
    installed: Installed,
    workspace: Path,
    event_name: str,
    event_path: Path,
    tmp: Path,
    inputs: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> dict[str, StepResult]:
    """Every run step of the action after the install (done once by the fixture), as a runner runs them."""
    env = runner_environment(installed.runner_temp, workspace)
    env.update(
        {
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_ACTION_PATH": str(installed.action_path),
            "GITHUB_STEP_SUMMARY": str(tmp / "step-summary.md"),
            "GITHUB_BASE_REF": "main",
            "GITHUB_HEAD_REF": PR_BRANCH,
            **(extra_env or {}),
        }
    )
    results: dict[str, StepResult] = {}
    for step in action_steps():
        if "run" not in step or step.get("id") == "install":
            continue  # `uses:` steps (setup-python, the SARIF upload) are GitHub's own
        context = action_context(
            inputs or {}, installed.action_path, {key: value.outputs for key, value in results.items()}
        )
        step_id = step.get("id") or step.get("name")
        results[step_id] = result = run_step(step, context, workspace, env, installed.runner_temp)
        if result.returncode != 0:
            break  # a failing step ends the job
    return results


def assert_nothing_ran(markers: Path, result: StepResult) -> None:
    assert sorted(path.name for path in markers.iterdir()) == [], result.output


def assert_annotated(check: StepResult, path: str) -> None:
    """maria's ETQ101 is an error annotation on ``path``, at a line and column."""
    pattern = rf"^::error file={re.escape(path)},line=\d+,col=\d+,title=ETQ101[^:]*::" + re.escape(ETQ101_MESSAGE)
    assert re.search(pattern, check.stdout, re.MULTILINE), check.output


def assert_sarif_written(installed: Installed, result: StepResult) -> dict[str, Any]:
    sarif_file = result.outputs.get("sarif-file")
    assert sarif_file == str(installed.runner_temp / "airflow-etiquette.sarif"), result.outputs
    sarif = json.loads(Path(sarif_file).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    return sarif


def sarif_results(sarif: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (result["ruleId"], result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for run in sarif["runs"]
        for result in run["results"]
    ]


def pull_request_workspace(tmp: Path, markers: Path, project: str = "") -> tuple[PullRequestRepository, Path, Path]:
    """What actions/checkout leaves in a pull_request run: the merge commit, detached."""
    repo = make_pull_request_repository(tmp, markers, project=project)
    workspace = clone_workspace(tmp, repo)
    merge = f"refs/remotes/pull/{PR_NUMBER}/merge"
    git(workspace, "fetch", "-q", "--no-tags", "origin", f"+refs/pull/{PR_NUMBER}/merge:{merge}")
    git(workspace, "checkout", "-q", "--detach", merge)
    for name in TRAPS:
        assert (workspace / name).is_file()  # the traps lie at the root of the workspace
    return repo, workspace, write_event(tmp / "event.json", repo)


@pytest.mark.slow
def test_the_install_step_installs_the_action_into_its_own_virtualenv(installed: Installed) -> None:
    venv = installed.runner_temp / "airflow-etiquette-venv"
    assert (venv / "pyvenv.cfg").is_file()
    installed_files = list((venv / "lib").glob("python*/site-packages/airflow_etiquette/__init__.py"))
    assert len(installed_files) == 1
    assert "the pull request's code ran" not in installed_files[0].read_text(encoding="utf-8")


@pytest.mark.slow
def test_pull_request_run_reports_the_finding_and_runs_none_of_the_pull_requests_code(
    installed: Installed, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    repo, workspace, event = pull_request_workspace(tmp_path, markers)

    results = run_action(
        installed,
        workspace,
        "pull_request",
        event,
        tmp_path,
        extra_env={"GITHUB_SHA": repo.merge_sha, "GITHUB_REF": f"refs/pull/{PR_NUMBER}/merge"},
    )

    check = results["check"]
    assert_nothing_ran(markers, check)
    assert check.returncode == 1, check.output
    assert_annotated(check, "dags/maria/taxi.py")
    assert "dags/lasse" not in check.stdout  # main's own progress is not the pull request's change
    sarif = assert_sarif_written(installed, check)
    assert ("ETQ101", "dags/maria/taxi.py") in sarif_results(sarif)
    assert (tmp_path / "step-summary.md").read_text(encoding="utf-8").strip()
    # The counts, for a later step (`steps.<id>.outputs.errors`), read from that SARIF file: the
    # ETQ101 and the pull request's files outside dags/maria/ (the traps, ETQ201).
    errors = len(re.findall(r"^::error file=", check.stdout, re.MULTILINE))
    assert errors == len(TRAPS) + 1
    assert {name: check.outputs.get(name) for name in ("errors", "warnings", "findings")} == {
        "errors": str(errors),
        "warnings": "0",
        "findings": str(errors),
    }


@pytest.mark.slow
def test_extra_arguments_reach_the_check(installed: Installed, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    _, workspace, event = pull_request_workspace(tmp_path, markers)
    results = run_action(
        installed,
        workspace,
        "pull_request",
        event,
        tmp_path,
        inputs={"args": "--format json\n--ignore  ETQ2", "working-directory": "./"},
    )
    check = results["check"]
    assert_nothing_ran(markers, check)
    assert check.returncode == 1, check.output
    findings = json.loads(check.stdout)
    assert {(f["code"], f["path"]) for f in findings} == {("ETQ101", "dags/maria/taxi.py")}, findings


def test_a_missing_working_directory_is_a_usage_error(tmp_path: Path) -> None:
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = runner_environment(runner_temp, workspace)
    env["GITHUB_ACTION_PATH"] = str(ROOT)
    check = next(step for step in action_steps() if step.get("id") == "check")
    result = run_step(check, action_context({"working-directory": "airflow"}, ROOT, {}), workspace, env, runner_temp)
    assert result.returncode == 2
    assert "::error" in result.stdout and "'airflow'" in result.stdout
    assert result.outputs == {}


def run_fetch_step(workspace: Path, tmp: Path) -> StepResult:
    """The recommended workflow's own fetch step, run as a runner runs it, in the base checkout."""
    workflow = load(WORKFLOW_TARGET)
    fetch = next(step for step in steps_of(workflow) if "run" in step and "git fetch" in step["run"])
    runner_temp = tmp / "fetch-runner-temp"
    runner_temp.mkdir()
    context = {
        "github.event.pull_request.number": str(PR_NUMBER),
        "github.server_url": "https://github.com",
        "github.token": "ghs_not-a-real-token",
    }
    return run_step(fetch, context, workspace, runner_environment(runner_temp, workspace), runner_temp, timeout=120)


def pull_request_target_workspace(
    tmp: Path, markers: Path, policy_edits: bool = False, fetch: bool = True
) -> tuple[PullRequestRepository, Path, Path]:
    repo = make_pull_request_repository(tmp, markers, policy_edits=policy_edits)
    workspace = clone_workspace(tmp, repo)  # pull_request_target checks out the base: main
    if fetch:
        fetched = run_fetch_step(workspace, tmp)
        assert fetched.returncode == 0, fetched.output
        assert git(workspace, "rev-parse", "refs/remotes/pull/head").strip() == repo.head_sha
    assert git(workspace, "rev-parse", "HEAD").strip() == repo.base_sha
    assert git(workspace, "status", "--porcelain") == ""
    for name in TRAPS:
        assert not (workspace / name).exists()  # the pull request's files are not in the work tree
    assert 'DAG("maria_taxi"' in (workspace / "dags/maria/taxi.py").read_text(encoding="utf-8")
    return repo, workspace, write_event(tmp / "event.json", repo)


TARGET_ENV = {"GITHUB_REF": "refs/heads/main"}


def run_target(installed: Installed, tmp_path: Path, **workspace: bool) -> tuple[Path, Path, Any]:
    """A pull_request_target run of the action's steps on a fresh workspace: (markers, workspace, check step)."""
    markers = tmp_path / "markers"
    markers.mkdir()
    repo, work, event = pull_request_target_workspace(tmp_path, markers, **workspace)
    results = run_action(
        installed, work, "pull_request_target", event, tmp_path, extra_env={**TARGET_ENV, "GITHUB_SHA": repo.base_sha}
    )
    assert_nothing_ran(markers, results["check"])
    return markers, work, results["check"]


@pytest.mark.slow
def test_pull_request_target_reads_the_pull_request_from_git_objects(installed: Installed, tmp_path: Path) -> None:
    markers, workspace, check = run_target(installed, tmp_path)
    assert check.returncode == 1, check.output
    assert_annotated(check, "dags/maria/taxi.py")
    assert "dags/lasse" not in check.stdout  # main moved on after the branch: not the pull request's change
    sarif = assert_sarif_written(installed, check)
    assert ("ETQ101", "dags/maria/taxi.py") in sarif_results(sarif)
    assert git(workspace, "status", "--porcelain") == ""  # nothing was checked out or written


@pytest.mark.slow
def test_pull_request_target_takes_the_policy_from_the_base(installed: Installed, tmp_path: Path) -> None:
    """A pull request that edits CODEOWNERS and the configuration in the same change is judged by
    the base's: its findings stay, and the edits themselves are ETQ201."""
    markers, workspace, check = run_target(installed, tmp_path, policy_edits=True)
    assert check.returncode == 1, check.output
    assert re.search(r"^::error file=dags/maria/taxi\.py,.*title=ETQ101", check.stdout, re.MULTILINE), check.output
    for path in (".github/CODEOWNERS", "pyproject.toml"):
        assert re.search(rf"^::error file={re.escape(path)},.*title=ETQ201", check.stdout, re.MULTILINE), check.output


@pytest.mark.slow
def test_pull_request_target_without_the_fetched_head_is_an_error(installed: Installed, tmp_path: Path) -> None:
    markers, workspace, check = run_target(installed, tmp_path, fetch=False)
    assert check.returncode == 2, check.output
    assert "fetch" in check.output.lower()
    assert "sarif-file" not in check.outputs


@pytest.mark.slow
def test_a_project_in_a_subfolder_is_reported_with_paths_from_the_git_root(
    installed: Installed, tmp_path: Path
) -> None:
    """working-directory: the annotations and the SARIF results name the file as the pull request's
    diff does (airflow/dags/...), or GitHub shows them on no line of it."""
    markers = tmp_path / "markers"
    markers.mkdir()
    _, workspace, event = pull_request_workspace(tmp_path, markers, project="airflow")
    results = run_action(installed, workspace, "pull_request", event, tmp_path, inputs={"working-directory": "airflow"})
    check = results["check"]
    assert_nothing_ran(markers, check)
    assert check.returncode == 1, check.output
    assert_annotated(check, "airflow/dags/maria/taxi.py")
    assert "file=dags/" not in check.stdout
    sarif = assert_sarif_written(installed, check)
    assert sarif_results(sarif) == [("ETQ101", "airflow/dags/maria/taxi.py")]
    assert (workspace / "airflow/dags/maria/taxi.py").is_file()
    assert check.outputs["errors"] == "1" and check.outputs["findings"] == "1"


@pytest.mark.slow
def test_args_are_split_as_a_shell_would_and_quotes_reach_the_tool_as_meant(
    installed: Installed, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    _, workspace, event = pull_request_workspace(tmp_path, markers)
    args = """--ignore "ETQ301" --select 'ETQ1,ETQ3'\n--format "json" """
    check = run_action(installed, workspace, "pull_request", event, tmp_path, inputs={"args": args})["check"]
    assert check.returncode == 1, check.output
    assert [(f["code"], f["path"]) for f in json.loads(check.stdout)] == [("ETQ101", "dags/maria/taxi.py")]
    # The selection really applied: with only ETQ3 selected, the ETQ101 finding is gone.
    only_schemas = run_action(
        installed, workspace, "pull_request", event, tmp_path, inputs={"args": "--select 'ETQ3' --format 'json'"}
    )["check"]
    assert only_schemas.returncode == 0, only_schemas.output
    assert json.loads(only_schemas.stdout) == []
    assert only_schemas.outputs["findings"] == "0"


@pytest.mark.slow
def test_args_are_never_evaluated_by_the_shell(installed: Installed, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    _, workspace, event = pull_request_workspace(tmp_path, markers)
    planted = tmp_path / "planted"
    args = (
        f'--select "ETQ1; touch {planted}-semicolon" $(touch {planted}-substitution) '
        f"`touch {planted}-backticks` ${{HOME}} *; touch {planted}-bare"
    )
    check = run_action(installed, workspace, "pull_request", event, tmp_path, inputs={"args": args})["check"]
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("planted")) == []
    assert_nothing_ran(markers, check)
    # The words reached the tool as text, and it refused the first one it cannot use.
    assert check.returncode == 2, check.output
    assert f"unknown rule code 'ETQ1; touch {planted}-semicolon'" in check.stderr, check.output
    assert "sarif-file" not in check.outputs and "errors" not in check.outputs


@pytest.mark.slow
def test_args_with_an_unclosed_quote_are_a_clear_error(installed: Installed, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    _, workspace, event = pull_request_workspace(tmp_path, markers)
    check = run_action(installed, workspace, "pull_request", event, tmp_path, inputs={"args": "--ignore 'ETQ301"})[
        "check"
    ]
    assert check.returncode == 2, check.output
    assert check.stdout.splitlines() == [
        "::error title=airflow-etiquette::the args input cannot be split into words: ValueError: No closing quotation"
    ]
    assert check.outputs == {}
