"""Which commands start their first worker ahead: a guess from the raw arguments, made before
click reads them. A wrong guess costs time, never a result, so the cases that matter are the
ones a user runs every day."""

from __future__ import annotations

import pytest

from airflow_etiquette.__main__ import likely_parses


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--staged", "--ignore", "ETQ2"],  # the content hook
        ["check", "--staged", "--ignore", "ETQ2", "--fix"],
        ["check", "--base", "main", "--author", "lasse"],  # CI
        ["check", "--base=auto"],  # the pre-push hook
        ["check", "dags/lasse/taxi.py", "--no-cache"],
        ["check", "--stdin-filename", "dags/lasse/taxi.py"],  # an editor
        ["check", "--staged", "--select", "ETQ1,ETQ2"],
        ["check", "--staged", "--select=ETQ3"],
    ],
)
def test_runs_on_files_new_to_the_cache_start_a_worker_ahead(args: list[str]) -> None:
    assert likely_parses(args)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--staged", "--select", "ETQ2"],  # the ownership hook reads no file's content
        ["check", "--staged", "--select=etq201,ETQ202"],
        ["check"],  # a re-run over the tree: more often answered from the cache
        ["check", "dags/lasse"],
        ["check", "--no-cache", "--help"],
        ["check", "--no-cache", "--show-files"],
        ["check", "--staged", "--show-settings"],
        ["audit", "--no-cache"],
        ["rules"],
        [],
    ],
)
def test_other_runs_start_none(args: list[str]) -> None:
    assert not likely_parses(args)
