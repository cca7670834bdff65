"""The ground rule: no analysed file is ever imported, executed or compiled, and Airflow is not needed."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import make_repo, run_installed

import airflow_etiquette
from airflow_etiquette.rules import ALL_RULES

# An "airflow" package that leaves a marker and fails: importing it anywhere shows.
TRAP = "from pathlib import Path\nPath({marker!r}).write_text('imported')\nraise ImportError('no airflow here')\n"


def test_checking_a_dag_never_runs_its_code(tmp_path: Path, run_cli) -> None:
    marker = tmp_path / "executed.marker"
    helper_marker = tmp_path / "helper-imported.marker"
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/evil.py": f"""
            from pathlib import Path
            Path({str(marker)!r}).write_text("the DAG file was executed")

            from airflow.sdk import dag

            @dag(dag_id="taxi", tags=["student:lasse"])
            def taxi():
                Path({str(marker)!r}).write_text("the DAG function was called")

            taxi()
        """,
            "dags/lasse/helpers.py": f'from pathlib import Path\nPath({str(helper_marker)!r}).write_text("imported")\n',
            # enough files that --jobs 2 analyses them in worker processes
            **{f"dags/student{n}/noop.py": "x = 1\n" for n in range(20)},
        },
    )
    for result in (
        run_installed("check", cwd=root),
        run_installed("check", "--jobs", "2", cwd=root),
        run_cli("check", cwd=root),
    ):
        assert result.exit_code == 1
        assert 'dags/lasse/evil.py:6:13: ETQ101 dag_id "taxi" must start with "lasse_"' in result.out
    assert not marker.exists()
    assert not helper_marker.exists()
    assert "helpers" not in sys.modules and "evil" not in sys.modules


def test_airflow_is_neither_a_dependency_nor_imported(tmp_path: Path) -> None:
    requirements = importlib.metadata.requires("airflow-etiquette") or []
    assert not [r for r in requirements if r.lower().startswith("apache-airflow") and "extra" not in r]
    # A booby-trapped "airflow" first on the path: importing it anywhere (CLI, workers, audit,
    # explain, the pytest plugin) leaves a marker and fails.
    marker = tmp_path / "airflow-imported.marker"
    trap = tmp_path / "trap" / "airflow"
    trap.mkdir(parents=True)
    (trap / "__init__.py").write_text(TRAP.format(marker=str(marker)))
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/x.py": "from airflow.sdk import dag\n\n@dag(dag_id='taxi')\ndef taxi():\n    pass\n",
            **{f"dags/student{n}/noop.py": "x = 1\n" for n in range(20)},  # enough for worker processes
        },
    )
    env = {
        "PYTHONPATH": os.pathsep.join(p for p in (str(trap.parent), os.environ.get("PYTHONPATH")) if p),
        # a run on someone's machine (CI never writes a baseline, and this one writes it), even in CI
        **{name: "" for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI")},
    }
    runs = [
        ("check",),
        ("check", "--jobs", "2"),
        ("check", "--format", "sarif"),
        ("check", "--diff", "--unsafe-fixes"),
        ("check", "--output-format", "full", "--statistics"),
        ("check", "--output-format", "full"),
        ("check", "--format", "gitlab", "--report-file", f"junit={tmp_path / 'j.xml'}"),
        ("check", "--no-cache"),  # the first worker started ahead, before anything is imported
        ("check", "--no-cache", "--jobs", "1"),
        ("check", "--show-settings"),
        ("check", "--show-files"),
        ("check", "--baseline", str(tmp_path / "known.json")),
        ("audit", "--format", "json"),
        ("audit", "--format", "html", "--output", str(tmp_path / "r.html")),
        ("rules",),
        *(("explain", rule.code) for rule in ALL_RULES),
    ]
    for args in runs:
        result = run_installed(*args, cwd=root, env=env)
        assert result.exit_code in (0, 1), (args, result.err)
    plugin = subprocess.run(
        [sys.executable, "-m", "pytest", "--etiquette", "-p", "no:cacheprovider", "-q"],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "1 failed" in plugin.stdout, plugin.stdout  # lasse's taxi: prefix and tag
    # A change (the hooks, CI): judged from git, its first worker started ahead too.
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    for args in (
        ("check", "--staged", "--author", "lasse"),
        ("check", "--staged", "--select", "ETQ2", "--author", "lasse"),
    ):
        result = run_installed(*args, cwd=root, env=env)
        assert result.exit_code in (0, 1), (args, result.err)
    for args in (("check", "--fix", "--unsafe-fixes"), ("new", "weather", "--owner", "lasse")):  # they write
        result = run_installed(*args, cwd=root, env=env)
        assert result.exit_code in (0, 1), (args, result.err)
    assert (root / "dags/lasse/weather.py").is_file() and "lasse_taxi" in (root / "dags/lasse/x.py").read_text()
    for extra in ((), ("--fix",)):  # an editor's buffer
        buffer = subprocess.run(
            [sys.executable, "-m", "airflow_etiquette", "check", "--stdin-filename", "dags/lasse/x.py", *extra],
            cwd=root,
            input="from airflow.sdk import dag\n\n@dag(dag_id='other')\ndef other():\n    pass\n",
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert buffer.returncode in (0, 1), buffer.stderr
    assert _language_server_session(root, {**os.environ, **env}) == ["ETQ101", "ETQ102"]
    assert not marker.exists()


def test_no_module_of_the_package_loads_airflow(tmp_path: Path) -> None:
    """Every module, the ones no command above reaches included, imported with the trap first on
    the path, and libcst's lazy load forced: nothing asks for Airflow, not even to try."""
    marker = tmp_path / "airflow-imported.marker"
    trap = tmp_path / "trap" / "airflow"
    trap.mkdir(parents=True)
    (trap / "__init__.py").write_text(TRAP.format(marker=str(marker)))
    probe = (
        "import importlib, pkgutil, sys\n"
        "import airflow_etiquette\n"
        "from airflow_etiquette.analysis.lazy import load_now\n"
        "load_now()\n"
        "names = [m.name for m in pkgutil.walk_packages(airflow_etiquette.__path__, 'airflow_etiquette.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names), sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(trap.parent), os.environ.get("PYTHONPATH")) if p),
    }
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    count, loaded = proc.stdout.split(" ", 1)
    assert int(count) > 90 and loaded.strip() == "[]"
    assert not marker.exists()


def test_a_repository_with_its_own_airflow_package_at_the_root_is_checked_without_it(tmp_path: Path) -> None:
    """`python -m airflow_etiquette` puts the working directory first on the path: a class
    repository that holds an `airflow/` package of its own (a plugins copy, a vendored stub) is
    where an import of Airflow would go first. None goes there."""
    marker = tmp_path / "airflow-imported.marker"
    root = make_repo(
        tmp_path / "r",
        {
            "airflow/__init__.py": TRAP.format(marker=str(marker)),
            "dags/lasse/x.py": "from airflow.sdk import dag\n\n@dag(dag_id='taxi')\ndef taxi():\n    pass\n",
        },
    )
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    for args in (
        ("check", "--no-cache"),
        ("check", "--no-cache", "--jobs", "1"),
        ("check", "--staged", "--author", "lasse"),
        ("audit", "--format", "json", "--no-cache"),
    ):
        result = run_installed(*args, cwd=root)
        assert result.exit_code == 1, (args, result.err)  # lasse's taxi: prefix and tag; airflow/ is outside dags
        assert not marker.exists(), args


def _language_server_session(root: Path, env: dict[str, str]) -> list[str]:
    """The codes the real language server publishes for a DAG opened in it, over raw JSON-RPC."""
    import json

    def message(payload: dict[str, object]) -> bytes:
        body = json.dumps(payload).encode()
        return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)

    def read(stream: Any) -> dict[str, Any]:
        length = 0
        while (line := stream.readline().strip()) != b"":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(stream.read(length))  # type: ignore[no-any-return]

    dag = root / "dags/lasse/x.py"
    server = subprocess.Popen(
        [sys.executable, "-m", "airflow_etiquette", "server"],
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        server.stdin.write(message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
        server.stdin.write(message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        text = "from airflow.sdk import dag\n\n@dag(dag_id='taxi2')\ndef taxi():\n    pass\n"
        document = {"uri": dag.as_uri(), "languageId": "python", "version": 1, "text": text}
        server.stdin.write(
            message({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}})
        )
        server.stdin.flush()
        codes: list[str] = []
        for _ in range(50):
            received = read(server.stdout)
            if received.get("method") == "textDocument/publishDiagnostics":
                codes = sorted(d["code"] for d in received["params"]["diagnostics"])
                break
        server.stdin.write(message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        server.stdin.write(message({"jsonrpc": "2.0", "method": "exit"}))
        server.stdin.close()
        assert server.wait(timeout=60) == 0, server.stderr.read() if server.stderr else ""
        return codes
    finally:
        if server.poll() is None:
            server.kill()


def test_no_module_of_the_package_imports_airflow() -> None:
    # the generated DAG of `new` and the rules' examples hold Airflow imports as text, never as code
    package = Path(airflow_etiquette.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            found += [f"{path.name}:{node.lineno}" for name in names if name.split(".")[0] == "airflow"]
    assert found == []


def test_commands_that_parse_no_file_do_not_load_libcst(tmp_path: Path) -> None:
    """libcst is most of the start-up: --version, rules and the ownership hook never parse a file."""
    root = make_repo(tmp_path / "r", {"CODEOWNERS": "/dags/lasse/ @lasse\n", "dags/lasse/a.py": "x = 1\n"})
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    probe = (
        "import sys\nfrom airflow_etiquette.cli import main\ncode = main(sys.argv[1:])\n"
        "print(code, 'libcst._nodes' in sys.modules, file=sys.stderr)\n"
    )
    for args, loads in [
        (["--version"], False),
        (["rules"], False),
        (["check", "--staged", "--select", "ETQ2", "--author", "lasse"], False),  # the ownership hook
        (["check", "--staged", "--author", "lasse"], True),  # the content hook parses the staged file
    ]:
        proc = subprocess.run([sys.executable, "-c", probe, *args], cwd=root, capture_output=True, text=True)
        assert proc.stderr.splitlines()[-1] == f"0 {loads}", (args, proc.stderr)
