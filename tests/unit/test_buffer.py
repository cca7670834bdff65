"""A file as an editor holds it (engine.buffer): checked and fixed from its text, never from the
disk, with the same findings and fixes ``check`` and ``check --fix`` give for that file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed

from airflow_etiquette.config import Config, configure_from, read_work_tree
from airflow_etiquette.engine.buffer import buffer_file, check_buffer, fix_buffer
from airflow_etiquette.rules import RULES_BY_CODE

TAXI = """\
from airflow.sdk import dag


@dag(dag_id="taxi_pipeline", schedule="@daily", tags=["week11"])
def taxi_pipeline():
    pass


taxi_pipeline()
"""
PREFIXED = TAXI.replace('dag_id="taxi_pipeline"', 'dag_id="lasse_taxi_pipeline"')


def config_of(root: Path) -> Config:
    return configure_from(root, RULES_BY_CODE)(read_work_tree, None)


def test_only_the_files_check_reads_are_buffers(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "class",
        {"dags/lasse/taxi.py": TAXI, "secret.py": "X = 1\n"},
        config='exclude = ["dags/lasse/generated_*.py"]\n',
        init_git=False,
    )
    os.symlink(root / "secret.py", root / "dags/lasse/linked.py")
    (tmp_path / "home").mkdir()
    (tmp_path / "home/netrc.py").write_text("X = 1\n")
    os.symlink(tmp_path / "home", root / "dags/lasse/away")
    config = config_of(root)

    file = buffer_file(config, "dags/lasse/taxi.py", "X = 1\n")
    assert file is not None
    assert (file.relpath, file.owner, file.content, file.path) == (
        "dags/lasse/taxi.py",
        "lasse",
        b"X = 1\n",
        str(root / "dags/lasse/taxi.py"),
    )
    assert buffer_file(config, root / "dags/lasse/new.sql", "") is not None  # not on disk yet: still checked
    for outside in [
        "scripts/taxi.py",  # outside the dags folder
        "dags/lasse/generated_taxi.py",  # excluded
        "dags/lasse/notes.txt",  # not a file the scheduler loads
        "dags/lasse/bundle.zip",  # an archive, no text
        tmp_path / "elsewhere/dags/lasse/taxi.py",  # another repository
        "dags/lasse/away/netrc.py",  # through a link that leaves the repository
    ]:
        assert buffer_file(config, outside, TAXI) is None, outside
    # A link to a file of the repository outside the dags folder is read as check reads it.
    assert buffer_file(config, "dags/lasse/linked.py", "") is not None


@pytest.mark.slow
def test_the_buffer_is_checked_not_the_disk_with_check_s_findings(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI})
    config = config_of(root)

    on_disk = run_installed("check", "--format", "json", "dags/lasse/taxi.py", cwd=root).findings
    from_buffer = check_buffer(config, root / "dags/lasse/taxi.py", TAXI)
    assert [f.as_dict() for f in from_buffer.findings] == on_disk
    assert [(f.code, f.line, f.column) for f in from_buffer.findings] == [("ETQ101", 4, 13), ("ETQ102", 4, 54)]

    edited = check_buffer(config, "dags/lasse/taxi.py", PREFIXED)
    assert [f.code for f in edited.findings] == ["ETQ102"]
    broken = check_buffer(config, "dags/lasse/taxi.py", "def taxi(:\n    pass\n")
    assert [(f.code, f.line) for f in broken.findings] == [("ETQ001", 1)]
    assert check_buffer(config, "scripts/taxi.py", TAXI) == ([], [], ())


@pytest.mark.slow
def test_noqa_in_the_buffer_silences_what_the_configuration_lets_it(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI}, config='allow-noqa = ["ETQ102"]\n')
    waived = TAXI.replace('tags=["week11"])', 'tags=["week11"])  # noqa: ETQ102, ETQ101')
    result = check_buffer(config_of(root), "dags/lasse/taxi.py", waived)
    assert [f.code for f in result.silenced] == ["ETQ102"]
    (kept,) = result.findings
    assert kept.code == "ETQ101"
    assert kept.message.endswith("(# noqa cannot silence ETQ101: the configuration's allow-noqa does not list it)")


@pytest.mark.slow
def test_a_dag_id_the_buffer_shares_with_a_file_on_disk_is_reported_in_the_buffer(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "class",
        {"dags/lasse/taxi.py": TAXI, "dags/lasse/copy.py": PREFIXED.replace("week11", "student:lasse")},
    )
    result = check_buffer(config_of(root), "dags/lasse/taxi.py", PREFIXED.replace("week11", "student:lasse"))
    (duplicate,) = result.findings
    assert (duplicate.code, duplicate.path, duplicate.line) == ("ETQ104", "dags/lasse/taxi.py", 4)
    assert "dags/lasse/copy.py" in duplicate.message


@pytest.mark.slow
def test_the_fixed_text_is_what_check_fix_writes(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI})
    config = config_of(root)

    fixed = fix_buffer(config, "dags/lasse/taxi.py", TAXI)
    assert fixed is not None and fixed.unsafe is None  # a new file: the rename is safe
    assert (fixed.safe.before, fixed.safe.fixed) == (TAXI.encode(), 2)
    only_tags = fix_buffer(config, "dags/lasse/taxi.py", TAXI, code="ETQ102")
    assert only_tags is not None and only_tags.safe.fixed == 1
    assert b'dag_id="taxi_pipeline"' in only_tags.safe.after and b"student:lasse" in only_tags.safe.after

    assert run_installed("check", "--fix", "dags/lasse/taxi.py", cwd=root).exit_code == 0
    assert (root / "dags/lasse/taxi.py").read_bytes() == fixed.safe.after

    assert fix_buffer(config, "scripts/taxi.py", TAXI) is None
    assert fix_buffer(config, "dags/lasse/load.sql", "TRUNCATE public.trips") is None


@pytest.mark.slow
def test_renaming_a_committed_dag_id_is_only_the_unsafe_fix(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "taxi")

    fixed = fix_buffer(config_of(root), "dags/lasse/taxi.py", TAXI)
    assert fixed is not None and fixed.unsafe is not None
    assert fixed.safe.unsafe == ("ETQ101",)
    assert b'dag_id="taxi_pipeline"' in fixed.safe.after and b"student:lasse" in fixed.safe.after
    assert b'dag_id="lasse_taxi_pipeline"' in fixed.unsafe.after and b"student:lasse" in fixed.unsafe.after


def test_a_lone_surrogate_in_the_buffer_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    """An editor may send a lone UTF-16 surrogate (pasted text): encoding it raised, the check
    failed, and the editor kept the previous version's diagnostics."""
    root = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI})
    found = check_buffer(config_of(root), "dags/lasse/taxi.py", TAXI + "# pasted: \ud800\n").findings
    assert [(f.code, f.line) for f in found] == [("ETQ002", 1)]
