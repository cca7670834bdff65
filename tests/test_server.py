"""The language server as an editor meets it: the real ``airflow-etiquette server`` in a
subprocess, spoken to over stdio by pygls's LSP client, on DAG files in real git repositories."""

from __future__ import annotations

import asyncio
import io
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from conftest import git, make_repo, run_installed
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.workspace.position_codec import PositionCodec

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.server.convert import diagnostic, lines_of, text_edits

WAIT = 90.0  # seconds: a generous ceiling on each answer, never a measure of speed
T = TypeVar("T")

TAXI = """\
from airflow.sdk import dag


@dag(dag_id="taxi_pipeline", schedule="@daily", tags=["week11"])
def taxi_pipeline():
    pass


taxi_pipeline()
"""


class Editor(LanguageClient):
    """A client that records what the server publishes and shows, like an editor would."""

    def __init__(self) -> None:
        super().__init__("test-editor", "1.0")
        self.published: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.shown: list[str] = []
        self.logged: list[str] = []
        self.exit_code: int | None = None
        self.arrived = asyncio.Event()
        self.versions: dict[str, int] = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)
            self.arrived.set()

        @self.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams) -> None:
            self.shown.append(params.message)
            self.arrived.set()

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.logged.append(params.message)
            self.arrived.set()

    async def server_exit(self, server: asyncio.subprocess.Process) -> None:
        self.exit_code = server.returncode

    async def until(self, condition: Callable[[], T | None]) -> T:
        """What ``condition`` returns once it returns something (the server's next messages)."""

        async def poll() -> T:
            while (found := condition()) is None:
                assert not self.logged, f"the server logged an internal error: {self.logged}"
                self.arrived.clear()
                await self.arrived.wait()
            return found

        return await asyncio.wait_for(poll(), WAIT)

    async def diagnostics(self, uri: str, after: int = 0) -> list[types.Diagnostic]:
        """The diagnostics of the first publication for ``uri`` after the first ``after`` ones."""
        return await self.until(lambda: _nth(self.published.get(uri, []), after))

    def count(self, uri: str) -> int:
        return len(self.published.get(uri, []))

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        document = types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=path.read_text() if text is None else text
        )
        self.text_document_did_open(types.DidOpenTextDocumentParams(text_document=document))
        return uri

    def change(self, uri: str, text: str) -> None:
        """The whole buffer replaced, not saved."""
        self.versions[uri] += 1
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def save(self, uri: str) -> None:
        self.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    async def actions(self, uri: str, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
        whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=10_000, character=0))
        answer = await asyncio.wait_for(
            self.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=whole,
                    context=types.CodeActionContext(diagnostics=diagnostics),
                )
            ),
            WAIT,
        )
        return [action for action in answer or [] if isinstance(action, types.CodeAction)]


def _nth(items: list[types.PublishDiagnosticsParams], index: int) -> list[types.Diagnostic] | None:
    return list(items[index].diagnostics) if len(items) > index else None


def in_editor(root: Path, session: Callable[[Editor], Awaitable[None]]) -> Editor:
    """Start the server in ``root``, initialise it, run ``session``, then shut it down and exit."""

    async def run() -> Editor:
        editor = Editor()
        await editor.start_io(sys.executable, "-m", "airflow_etiquette", "server", cwd=str(root))
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
            ),
            text_document=types.TextDocumentClientCapabilities(
                code_action=types.CodeActionClientCapabilities(disabled_support=True)
            ),
        )
        await asyncio.wait_for(
            editor.initialize_async(
                types.InitializeParams(capabilities=capabilities, root_uri=root.as_uri(), process_id=None)
            ),
            WAIT,
        )
        editor.initialized(types.InitializedParams())
        try:
            await session(editor)
        finally:
            await asyncio.wait_for(editor.shutdown_async(None), WAIT)
            editor.exit(None)
            await asyncio.wait_for(editor.stop(), WAIT)
        return editor

    return asyncio.run(run())


def apply(text: str, action: types.CodeAction, uri: str, version: int) -> str:
    """The text with the action's edits applied, as an editor applies them (checking the version)."""
    assert action.edit is not None and action.edit.document_changes is not None
    (change,) = action.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.uri == uri
    assert change.text_document.version == version
    return apply_edits(text, [edit for edit in change.edits if isinstance(edit, types.TextEdit)])


def shape(diagnostic: types.Diagnostic) -> tuple[Any, ...]:
    return (
        diagnostic.code,
        diagnostic.range.start.line,
        diagnostic.range.start.character,
        diagnostic.range.end.line,
        diagnostic.range.end.character,
        diagnostic.severity,
        diagnostic.message,
    )


@pytest.mark.slow
def test_diagnostics_and_fixes_follow_the_buffer_and_match_check_fix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI, "dags/maria/other.py": "X = 1\n"})
    dag = repo / "dags/lasse/taxi.py"
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        uri = editor.open(dag)
        first = await editor.diagnostics(uri)
        seen["first"] = first
        seen["actions"] = await editor.actions(uri, first)
        # The buffer with the prefix fixed, not saved: the diagnostics follow it, not the disk.
        editor.change(uri, TAXI.replace('dag_id="taxi_pipeline"', 'dag_id="lasse_taxi_pipeline"'))
        seen["changed"] = await editor.diagnostics(uri, after=1)
        seen["changed_version"] = editor.published[uri][1].version
        editor.save(uri)
        seen["saved"] = await editor.diagnostics(uri, after=2)
        editor.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        seen["closed"] = await editor.diagnostics(uri, after=3)
        seen["uri"] = uri

    editor = in_editor(repo, session)

    assert [shape(d) for d in seen["first"]] == [
        (
            "ETQ101",
            3,
            12,
            3,
            27,
            types.DiagnosticSeverity.Error,
            'dag_id "taxi_pipeline" must start with "lasse_" (file is in dags/lasse/)',
        ),
        (
            "ETQ102",
            3,
            53,
            3,
            63,
            types.DiagnosticSeverity.Error,
            'tags must include "student:lasse" (found "week11")',
        ),
    ]
    etq101 = seen["first"][0]
    assert etq101.source == "airflow-etiquette"
    assert etq101.code_description.href == (
        "https://github.com/airflow-etiquette/airflow-etiquette/blob/main/docs/rules.md#etq101"
    )
    assert (repo / "docs").exists() is False  # the anchor is the project's page, not a file of the repository

    titles = [(a.title, a.kind) for a in seen["actions"]]
    assert titles == [
        (f"Fix ETQ101: {etq101.message}", types.CodeActionKind.QuickFix),
        ('Fix ETQ102: tags must include "student:lasse" (found "week11")', types.CodeActionKind.QuickFix),
        ("Fix all airflow-etiquette safe fixes", "source.fixAll.airflow-etiquette"),
    ]
    quick_101, quick_102, fix_all = seen["actions"]
    assert [d.code for d in quick_101.diagnostics] == ["ETQ101"]
    assert quick_101.is_preferred
    only_prefix = apply(TAXI, quick_101, seen["uri"], 1)
    assert 'dag_id="lasse_taxi_pipeline"' in only_prefix and 'tags=["week11"]' in only_prefix
    fixed_in_editor = apply(TAXI, fix_all, seen["uri"], 1)

    # What `check --fix` writes for the same file (the editor never wrote it).
    assert dag.read_text() == TAXI
    result = run_installed("check", "--fix", "dags/lasse/taxi.py", cwd=repo)
    assert result.exit_code == 0, result.err
    assert fixed_in_editor == dag.read_text() != TAXI

    assert [d.code for d in seen["changed"]] == ["ETQ102"]
    assert seen["changed_version"] == 2
    assert [d.code for d in seen["saved"]] == ["ETQ102"]
    assert seen["closed"] == []
    assert editor.exit_code == 0
    assert editor.shown == []


@pytest.mark.slow
def test_a_committed_dag_s_rename_is_offered_only_as_an_explicitly_unsafe_fix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "taxi")
    dag = repo / "dags/lasse/taxi.py"
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        uri = editor.open(dag)
        seen["actions"] = await editor.actions(uri, await editor.diagnostics(uri))
        seen["uri"] = uri

    editor = in_editor(repo, session)

    by_title = {a.title: a for a in seen["actions"]}
    unsafe_title = (
        'Fix ETQ101: dag_id "taxi_pipeline" must start with "lasse_" (file is in dags/lasse/) '
        "(unsafe: the file is committed, and this renames what the scheduler already knows)"
    )
    assert sorted(by_title) == sorted(
        [
            unsafe_title,
            'Fix ETQ102: tags must include "student:lasse" (found "week11")',
            "Fix all airflow-etiquette safe fixes",
        ]
    )
    assert not by_title[unsafe_title].is_preferred
    renamed = apply(TAXI, by_title[unsafe_title], seen["uri"], 1)
    assert 'dag_id="lasse_taxi_pipeline"' in renamed
    fixed_in_editor = apply(TAXI, by_title["Fix all airflow-etiquette safe fixes"], seen["uri"], 1)
    assert 'dag_id="taxi_pipeline"' in fixed_in_editor  # the safe fixes leave the committed id alone
    assert run_installed("check", "--fix", "dags/lasse/taxi.py", cwd=repo).exit_code == 1  # ETQ101 stays
    assert fixed_in_editor == dag.read_text() != TAXI
    assert editor.exit_code == 0


@pytest.mark.slow
def test_no_fix_renames_a_dag_to_an_id_another_file_defines(tmp_path: Path) -> None:
    taken = TAXI.replace('dag_id="taxi_pipeline"', 'dag_id="lasse_taxi_pipeline"').replace("week11", "student:lasse")
    repo = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI, "dags/lasse/older.py": taken})
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        uri = editor.open(repo / "dags/lasse/taxi.py")
        seen["actions"] = await editor.actions(uri, await editor.diagnostics(uri))
        seen["uri"] = uri

    editor = in_editor(repo, session)

    by_title = {a.title: a for a in seen["actions"]}
    refused_title = 'Fix ETQ101: dag_id "taxi_pipeline" must start with "lasse_" (file is in dags/lasse/)'
    assert sorted(by_title) == [
        refused_title,
        'Fix ETQ102: tags must include "student:lasse" (found "week11")',
        "Fix all airflow-etiquette safe fixes",
    ]
    refused = by_title[refused_title]  # shown greyed out, with the reason, and nothing to apply
    assert refused.edit is None and refused.disabled is not None
    assert refused.disabled.reason == (
        'no DAG renamed to "lasse_taxi_pipeline", which dags/lasse/older.py already defines (the scheduler keeps '
        "one DAG per id): choose another name"
    )
    fixed_in_editor = apply(TAXI, by_title["Fix all airflow-etiquette safe fixes"], seen["uri"], 1)
    assert fixed_in_editor == TAXI.replace('tags=["week11"]', 'tags=["week11", "student:lasse"]')
    assert editor.exit_code == 0


@pytest.mark.slow
def test_a_syntax_error_a_noqa_and_files_the_tool_does_not_check(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "class",
        {
            "dags/lasse/broken.py": "from airflow.sdk import dag\n\ndef taxi(:\n    pass\n",
            "dags/lasse/waived.py": TAXI.replace('tags=["week11"])', 'tags=["week11"])  # noqa: ETQ102'),
            "scripts/taxi.py": TAXI,
        },
        config='allow-noqa = ["ETQ102"]\n',
    )
    loose = tmp_path / "loose" / "taxi.py"
    loose.parent.mkdir()
    loose.write_text(TAXI)
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        for name, path in [
            ("broken", repo / "dags/lasse/broken.py"),
            ("waived", repo / "dags/lasse/waived.py"),
            ("outside", repo / "scripts/taxi.py"),
            ("loose", loose),
        ]:
            uri = editor.open(path)
            seen[name] = await editor.diagnostics(uri)
            seen[name + "_actions"] = await editor.actions(uri, seen[name])

    editor = in_editor(repo, session)

    (broken,) = seen["broken"]
    assert (broken.code, broken.range.start.line, broken.severity) == ("ETQ001", 2, types.DiagnosticSeverity.Error)
    assert broken.message.startswith("not valid Python")
    assert seen["broken_actions"] == []
    assert [d.code for d in seen["waived"]] == ["ETQ101"]
    assert seen["outside"] == [] and seen["outside_actions"] == []
    assert seen["loose"] == [] and seen["loose_actions"] == []
    assert editor.exit_code == 0


@pytest.mark.slow
def test_the_baseline_keeps_known_findings_quiet(tmp_path: Path) -> None:
    from airflow_etiquette.engine.baseline import dump
    from airflow_etiquette.findings import Finding, Severity

    repo = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI}, config='baseline = "known.json"\n')
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        seen["all"] = await editor.diagnostics(editor.open(repo / "dags/lasse/taxi.py"))

    in_editor(repo, session)
    tag = next(d for d in seen["all"] if d.code == "ETQ102")
    known = Finding("dags/lasse/taxi.py", 1, 1, "ETQ102", "owner-tag", Severity.ERROR, tag.message)
    (repo / "known.json").write_text(dump([known]))

    async def again(editor: Editor) -> None:
        seen["left"] = await editor.diagnostics(editor.open(repo / "dags/lasse/taxi.py"))

    in_editor(repo, again)
    assert sorted(d.code for d in seen["all"]) == ["ETQ101", "ETQ102"]
    assert [d.code for d in seen["left"]] == ["ETQ101"]


@pytest.mark.slow
def test_a_bad_configuration_is_shown_once_and_the_server_keeps_serving(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": TAXI, "dags/lasse/more.py": TAXI})
    (repo / "pyproject.toml").write_text("[tool.airflow-etiquette]\nselect = [\n")
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        first = editor.open(repo / "dags/lasse/taxi.py")
        seen["first"] = await editor.diagnostics(first)
        second = editor.open(repo / "dags/lasse/more.py")
        seen["second"] = await editor.diagnostics(second)
        # Fixed on disk: the next check reads it again, as the command line would.
        (repo / "pyproject.toml").write_text("[tool.airflow-etiquette]\nselect = ['ETQ102']\n")
        editor.save(first)
        seen["fixed"] = await editor.diagnostics(first, after=1)
        # Broken the same way again: said again, not taken for a clean file.
        (repo / "pyproject.toml").write_text("[tool.airflow-etiquette]\nselect = [\n")
        editor.save(first)
        seen["again"] = await editor.diagnostics(first, after=2)

    editor = in_editor(repo, session)

    assert seen["first"] == [] and seen["second"] == [] and seen["again"] == []
    assert len(editor.shown) == 2 and editor.shown[0] == editor.shown[1]
    assert editor.shown[0].startswith("airflow-etiquette: ") and "pyproject.toml: invalid TOML" in editor.shown[0]
    assert [d.code for d in seen["fixed"]] == ["ETQ102"]
    assert editor.exit_code == 0


@pytest.mark.slow
def test_an_airflowignore_that_backtracks_neither_hangs_the_server_nor_passes_unsaid(tmp_path: Path) -> None:
    """`(a+)+$` against a long name hung the server's check thread for good: no later document got
    diagnostics and the server never exited. The time limit reaches only the main thread, so the
    check thread hands the matching to it; the file is given up as in ``check``, and said once."""
    slow = "dags/maria/" + "a" * 40 + "_.py"
    maria = 'from airflow import DAG\n\ndag = DAG("taxi", tags=["student:maria"])\n'
    repo = make_repo(
        tmp_path / "class",
        {"dags/maria/.airflowignore": "(a+)+$\n", slow: maria, "dags/lasse/taxi.py": TAXI},
        config='dag-ignore-file-syntax = "regexp"\n',  # (TAXI imports airflow.sdk: glob syntax by default)
    )
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        seen["slow"] = await editor.diagnostics(editor.open(repo / slow))
        seen["other"] = await editor.diagnostics(editor.open(repo / "dags/lasse/taxi.py"))

    editor = in_editor(repo, session)

    assert [d.code for d in seen["slow"]] == ["ETQ101"]  # (given up: checked as a DAG file, as check does)
    assert sorted(d.code for d in seen["other"]) == ["ETQ101", "ETQ102"]
    assert editor.shown == [
        "airflow-etiquette: dags/maria/.airflowignore: its patterns are not applied: line 1, '(a+)+$', takes over "
        f"0.5 s to match {slow.removeprefix('dags/maria/')} (a pattern that backtracks, like (a+)+$); the scheduler "
        "stalls on it the same way when it lists the dags folder"
    ]
    assert editor.exit_code == 0


@pytest.mark.slow
def test_a_path_with_a_space_and_an_accent_gets_its_diagnostics(tmp_path: Path) -> None:
    """Editors send file:///My%20Projects/.../jos%C3%A9/taxi.py; pygls keeps the document under the
    decoded URI, and the server looked it up by the one sent: no diagnostics, no fixes, ever."""
    repo = make_repo(tmp_path / "My Projects" / "class", {"dags/josé/taxi.py": TAXI})
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        uri = editor.open(repo / "dags/josé/taxi.py")
        assert "%20" in uri and "%C3%A9" in uri
        seen["diagnostics"] = await editor.diagnostics(uri)
        seen["actions"] = [a.title for a in await editor.actions(uri, seen["diagnostics"])]

    in_editor(repo, session)
    assert sorted(d.code for d in seen["diagnostics"]) == ["ETQ101", "ETQ102"]
    assert "Fix all airflow-etiquette safe fixes" in seen["actions"]


@pytest.mark.slow
def test_the_server_never_runs_the_file_it_checks(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    payload = textwrap.dedent(
        f"""\
        from pathlib import Path
        Path({str(marker)!r}).write_text("ran")
        import airflow
        from airflow.sdk import dag

        @dag(dag_id="taxi", tags=["week11"])
        def taxi():
            Path({str(marker)!r}).write_text("ran")

        taxi()
        """
    )
    repo = make_repo(tmp_path / "class", {"dags/lasse/taxi.py": payload})
    seen: dict[str, Any] = {}

    async def session(editor: Editor) -> None:
        uri = editor.open(repo / "dags/lasse/taxi.py")
        found = await editor.diagnostics(uri)
        seen["codes"] = [d.code for d in found]
        seen["actions"] = [a.title for a in await editor.actions(uri, found)]

    editor = in_editor(repo, session)

    assert "ETQ101" in seen["codes"] and "ETQ102" in seen["codes"]
    assert "Fix all airflow-etiquette safe fixes" in seen["actions"]
    assert not marker.exists()
    assert editor.exit_code == 0


def test_a_diagnostic_after_a_form_feed_is_on_its_own_line() -> None:
    text = 'X = "\x0c"\ndag = DAG("taxi")\n'
    finding = Finding("dags/maria/x.py", 2, 11, "ETQ101", "dag-id-prefix", Severity.ERROR, "prefix")
    found = diagnostic(finding, lines_of(text), PositionCodec())
    assert (found.range.start.line, found.range.start.character, found.range.end.character) == (1, 10, 16)


def test_a_range_counts_utf16_units_and_ends_with_the_token() -> None:
    lines = ['SCHEMA = "😋"; X = "airflow_lasse"  # a comment\n']
    finding = Finding("dags/lasse/x.py", 1, 19, "ETQ301", "hard-coded-schema", Severity.WARNING, "hard-coded")
    found = diagnostic(finding, lines, PositionCodec())
    assert (found.range.start.character, found.range.end.character) == (19, 34)  # the emoji is two units
    assert found.severity == types.DiagnosticSeverity.Warning
    beyond = Finding("dags/lasse/x.py", 7, 99, "ETQ001", "parse-error", Severity.ERROR, "not valid Python")
    clamped = diagnostic(beyond, lines, PositionCodec())
    assert (clamped.range.start.line, clamped.range.end.line) == (0, 0)  # clamped to the text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a\nb\nc\n", "a\nB\nc\nd\n"),
        ("a\nb", "a\nb\nc"),  # no final line end
        ("import os\nx = 1\n", "import os\nfrom pathlib import Path\n\nx = 2\n"),
        ("", "x = 1\n"),
        # a form feed, U+2028 or U+0085 inside a line is no line end to an editor (nor to Python):
        # edits counted by str.splitlines landed a line too low and broke the file
        ('x = 1  # \x0c\nwith DAG("taxi"):\n    pass\n', 'x = 1  # \x0c\nwith DAG("maria_taxi"):\n    pass\n'),
        ('s = "\u2028\x85"\r\nDAG("taxi")\r\n', 's = "\u2028\x85"\r\nDAG("maria_taxi")\r\n'),
        ("a\rb\rc", "a\rB\rc"),
    ],
)
def test_the_edits_turn_the_text_into_the_fixed_text(before: str, after: str) -> None:
    edits = text_edits(before, after, PositionCodec())
    assert before == after or edits
    assert apply_edits(before, edits) == after


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """The text with the edits applied as an editor does: its lines end at \\n, \\r\\n or \\r only."""
    lines = io.StringIO(text, newline="").readlines()

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text
