"""What a student wrote (a commit subject, a dag_id, a file name) is text in the step summary and the
audit's Markdown: never HTML, never a link, never a way out of its table cell."""

from __future__ import annotations

import pytest

from airflow_etiquette.output import markdown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("<img src=https://tracker.example/x.png>", "&lt;img src=https://tracker.example/x.png&gt;"),
        ("<details><summary>x</summary>", "&lt;details&gt;&lt;summary&gt;x&lt;/summary&gt;"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("![x](https://tracker.example)", "!\\[x\\](https://tracker.example)"),
        ("a | b", "a \\| b"),
        ("maria_taxi *bold* ~~gone~~ `code`", "maria\\_taxi \\*bold\\* \\~\\~gone\\~\\~ \\`code\\`"),
        ("one\ntwo\u2028three\r\nfour", "one two three four"),
        ("AT&T", "AT&amp;T"),
        ("# not a heading", "# not a heading"),  # inside a line or a cell
    ],
)
def test_text_is_shown_as_written(written: str, shown: str) -> None:
    assert markdown.text(written) == shown


def test_a_paragraph_of_its_own_starts_no_heading_or_list() -> None:
    assert [markdown.line(x) for x in ("# h", "- item", "12. item", "3 items")] == [
        "\\# h",
        "\\- item",
        "12\\. item",
        "3 items",
    ]


def test_code_keeps_its_backticks_and_its_cell() -> None:
    assert markdown.code("dags/maria/a|b.py") == "`dags/maria/a\\|b.py`"
    assert markdown.code("a`b") == "``a`b``"
    assert markdown.code("`x`") == "`` `x` ``"
    assert markdown.code("two\nlines") == "`two lines`"


def test_every_registered_format_loads_and_renders() -> None:
    """The registry names modules by text, loaded on use: a typo there would fail only on that day."""
    from airflow_etiquette.findings import Finding, Severity
    from airflow_etiquette.output import FORMATS, CheckReport

    finding = Finding("dags/maria/a.py", 3, 5, "ETQ101", "dag-id-prefix", Severity.ERROR, 'dag_id "a"')
    for name in FORMATS:
        rendered = FORMATS[name](CheckReport([finding], files_checked=1, version="0"))
        assert "dags/maria/a.py" in rendered, name
    assert sorted(FORMATS) == ["concise", "full", "github", "gitlab", "json", "junit", "sarif", "text"]
