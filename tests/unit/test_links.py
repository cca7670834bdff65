"""sources.links: symlinks resolved component by component, as the OS does."""

from __future__ import annotations

from airflow_etiquette.sources.links import resolve_link


def test_a_way_out_through_another_link_is_followed_as_the_os_follows_it() -> None:
    links = {"dags/lasse/here": ".", "dags/lasse/mine.py": "here/../sofia/x.py"}
    # on paper dags/lasse/here/../sofia/x.py is dags/lasse/sofia/x.py; the OS lands in sofia's folder
    assert resolve_link("dags/lasse/mine.py", links) == ("dags", "sofia", "x.py")
    links = {"dags/lasse/here": "..", "dags/lasse/mine.py": "here/sofia/x.py"}
    assert resolve_link("dags/lasse/mine.py", links) == ("dags", "sofia", "x.py")


def test_loops_absolute_targets_and_the_root_are_said_so() -> None:
    assert resolve_link("dags/a", {"dags/a": "b", "dags/b": "a"}) == "loop"
    assert resolve_link("dags/a", {"dags/a": "/etc/passwd"}) == "outside"
    assert resolve_link("dags/a", {"dags/a": "../../../x"}) == "outside"
    assert resolve_link("dags/lasse/b.py", {"dags/lasse/b.py": "a.py"}) == ("dags", "lasse", "a.py")
