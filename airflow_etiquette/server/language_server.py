"""The language server: ``check``'s findings as diagnostics in the editor, and ``check --fix``'s
fixes as code actions, for the text the editor holds (saved or not).

A document is checked when it is opened or saved, and shortly after the typing stops. Each
check reads the configuration as the command line does (the repository's ``pyproject.toml`` or
``.airflow-etiquette.toml``) and runs in a thread, so the server keeps answering; the analysis
itself runs in a worker process, as in every check. The ownership rules (ETQ2xx) judge a change,
not a buffer: the hooks and CI run them. Nothing here imports or executes the analysed file.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from airflow_etiquette import __version__, limits
from airflow_etiquette.config import Config, ConfigError, configure_from, read_work_tree
from airflow_etiquette.engine.buffer import BufferFix, check_buffer, fix_buffer
from airflow_etiquette.engine.fix import fixable_codes
from airflow_etiquette.findings import Finding
from airflow_etiquette.server.convert import SOURCE, diagnostic, lines_of, text_edits

NAME = "airflow-etiquette"
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{NAME}"
FIX_ALL_TITLE = "Fix all airflow-etiquette safe fixes"
UNSAFE = "unsafe: the file is committed, and this renames what the scheduler already knows"
DEBOUNCE = 0.4  # seconds after the last keystroke before the buffer is checked
T = TypeVar("T")

logger = logging.getLogger(__name__)


class Checked(NamedTuple):
    """One check of a document: the text and version it saw, and what it found."""

    version: int | None
    text: str
    config: Config | None  # None: the document is not in a repository the tool can read
    findings: tuple[Finding, ...]


class EtiquetteServer(LanguageServer):
    def __init__(self) -> None:
        # Whole texts, not edits: pygls applies an edit by str.splitlines' lines, which are not the
        # editor's where a line holds a form feed or U+2028, and the copies would drift apart.
        super().__init__(NAME, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.checked: dict[str, Checked] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        # what was shown to the user: configuration errors since the configuration last worked (a
        # file broken again after a fix is said again), and notes (an .airflowignore given up)
        self.shown_errors: set[str] = set()
        self.shown_notes: set[str] = set()
        self.shut_down = False
        # One check at a time: a check is quick, and the machine is the user's.
        self.checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="airflow-etiquette-check")

    def _document(self, uri: str) -> TextDocument | None:
        """The open document at ``uri`` as the client wrote it: pygls keeps documents under the
        URI with its %-escapes decoded (a space, an accent in a folder name)."""
        document: TextDocument | None = self.workspace.text_documents.get(unquote(uri))
        return document

    # -- checking ---------------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float = 0.0, fresh: bool = False) -> None:
        """Check the document now (or after ``delay``), replacing a check not yet started;
        ``fresh``: also when this text was checked already (a save: the configuration or the other
        files may have changed since)."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._check_later(uri, delay, fresh))

    async def _check_later(self, uri: str, delay: float, fresh: bool) -> None:
        if delay:
            await asyncio.sleep(delay)
        checked = await self.check(uri, fresh)
        if checked is None:
            return
        document = self._document(uri)
        if document is None or document.version != checked.version:
            return  # closed, or changed since: the next check publishes
        lines = lines_of(checked.text)
        codec = document.position_codec
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[diagnostic(finding, lines, codec) for finding in checked.findings],
                version=checked.version,
            )
        )

    async def check(self, uri: str, fresh: bool = False) -> Checked | None:
        """The findings of the document as it is now; None when the check failed (logged)."""
        document = self._document(uri)
        if document is None:
            return None
        cached = self.checked.get(uri)
        if not fresh and cached is not None and cached.version == document.version and cached.text == document.source:
            return cached
        text, version, path = document.source, document.version, _local_path(document)
        loop = asyncio.get_running_loop()
        # Patterns (.airflowignore, exclude) are matched under a time limit, which only the main
        # thread, this loop's, can receive: the check thread hands that matching to it.
        limits.hand_to(_in_loop_thread(loop))
        try:
            config, findings, notes = await loop.run_in_executor(self.checks, _check, path, text)
        except ConfigError as exc:
            self._show_once(str(exc), types.MessageType.Error, self.shown_errors)
            config, findings, notes = None, [], ()
        except Exception as exc:  # a bug in one check must not end the server
            self._log(f"checking {path or uri} failed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            return None
        if config is not None:
            self.shown_errors.clear()
        for note in notes:
            self._show_once(note, types.MessageType.Warning, self.shown_notes)
        checked = Checked(version, text, config, tuple(findings))
        self.checked[uri] = checked
        return checked

    def _show_once(self, message: str, kind: types.MessageType, shown: set[str]) -> None:
        if message not in shown:
            shown.add(message)
            self.window_show_message(types.ShowMessageParams(type=kind, message=f"{NAME}: {message}"))

    def _log(self, message: str) -> None:
        logger.error("%s", message)
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=f"{NAME}: {message}"))

    def forget(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.checked.pop(uri, None)

    # -- fixing -----------------------------------------------------------------------------------
    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        checked = await self.check(uri)
        document = self._document(uri)
        if checked is None or checked.config is None or document is None:
            return []
        if any(f.code == "ETQ002" for f in checked.findings):
            return []  # the analysis did not finish in a worker: never parse that text here
        fixable = fixable_codes(checked.config) & {f.code for f in checked.findings}
        if not fixable:
            return []
        path, config = _local_path(document), checked.config
        if path is None:
            return []
        loop = asyncio.get_running_loop()

        async def fixed(code: str | None) -> BufferFix | None:
            try:
                return await loop.run_in_executor(self.checks, fix_buffer, config, path, checked.text, code)
            except Exception as exc:
                self._log(f"fixing {path} failed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
                return None

        only = params.context.only
        actions: list[types.CodeAction] = []
        if _wanted(types.CodeActionKind.QuickFix, only):
            by_code: dict[str, list[types.Diagnostic]] = {}
            for given in params.context.diagnostics:
                if given.source == SOURCE and isinstance(given.code, str) and given.code in fixable:
                    by_code.setdefault(given.code, []).append(given)
            for code, diagnostics in sorted(by_code.items()):
                outcome = await fixed(code)
                if outcome is None:
                    continue
                what = diagnostics[0].message if len(diagnostics) == 1 else f"{len(diagnostics)} findings"
                if outcome.safe.after != outcome.safe.before:
                    title = f"Fix {code}: {what}"
                    actions.append(
                        self._action(
                            title,
                            types.CodeActionKind.QuickFix,
                            document,
                            checked,
                            outcome.safe.after,
                            diagnostics,
                            preferred=True,
                        )
                    )
                elif outcome.safe.refused and self._shows_disabled_actions():
                    # nothing to apply: a rename would give two DAGs one id; the editor can say why
                    reason = " ".join(line.partition(": ")[2] for line in outcome.safe.refused)
                    actions.append(
                        types.CodeAction(
                            title=f"Fix {code}: {what}",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=diagnostics,
                            disabled=types.CodeActionDisabled(reason=reason),
                        )
                    )
                if outcome.unsafe is not None and outcome.unsafe.after != outcome.safe.after:
                    title = f"Fix {code}: {what} ({UNSAFE})"
                    actions.append(
                        self._action(
                            title, types.CodeActionKind.QuickFix, document, checked, outcome.unsafe.after, diagnostics
                        )
                    )
        if _wanted(FIX_ALL, only):
            outcome = await fixed(None)
            if outcome is not None and outcome.safe.after != outcome.safe.before:
                actions.append(self._action(FIX_ALL_TITLE, FIX_ALL, document, checked, outcome.safe.after, []))
        current = self._document(uri)
        if current is None or current.version != checked.version:
            return []  # the text changed while its fixes were worked out: they would break the new one
        return actions

    def _shows_disabled_actions(self) -> bool:
        text_document = self.client_capabilities.text_document
        code_action = text_document.code_action if text_document else None
        return bool(code_action and code_action.disabled_support)

    def _action(
        self,
        title: str,
        kind: str,
        document: TextDocument,
        checked: Checked,
        after: bytes,
        diagnostics: list[types.Diagnostic],
        preferred: bool = False,
    ) -> types.CodeAction:
        edits = text_edits(checked.text, after.decode("utf-8", "surrogateescape"), document.position_codec)
        return types.CodeAction(
            title=title,
            kind=kind,
            diagnostics=diagnostics or None,
            is_preferred=preferred or None,
            edit=self._workspace_edit(document.uri, checked.version, edits),
        )

    def _workspace_edit(self, uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        """The edits, tied to the version they were computed for where the client can check that."""
        capabilities = self.client_capabilities.workspace
        versioned = bool(capabilities and capabilities.workspace_edit and capabilities.workspace_edit.document_changes)
        if versioned:
            identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
            change = types.TextDocumentEdit(text_document=identifier, edits=edits)
            return types.WorkspaceEdit(document_changes=[change])
        return types.WorkspaceEdit(changes={uri: edits})


def _check(path: Path | None, text: str) -> tuple[Config | None, list[Finding], tuple[str, ...]]:
    """Runs in the check thread: the configuration the command line would use, the findings, and
    the notes to show (an .airflowignore given up)."""
    if path is None:
        return None, [], ()  # not a file (an unsaved new buffer): no repository to judge it by
    from airflow_etiquette.rules import RULES_BY_CODE

    config = configure_from(path, RULES_BY_CODE)(read_work_tree, None)
    checked = check_buffer(config, path, text)
    findings = checked.findings
    if config.baseline is not None and findings:  # known findings stay quiet here too (never written)
        from airflow_etiquette.engine.baseline import in_scope, load

        known = load(config.root / config.baseline, config, in_change=False, shown=config.baseline)
        if known is not None:
            findings = known.split(findings, in_scope(config, {f.path for f in findings}))[0]
    return config, findings, checked.notes


def _in_loop_thread(loop: asyncio.AbstractEventLoop) -> limits.Runner:
    """A runner for ``limits.within`` that calls the work in ``loop``'s thread and waits for it (a
    pattern's match: microseconds, and a second at most where one backtracks). Once the loop has
    stopped, the server is ending and nothing waits for the answer: the work is not done at all
    (``TooSlow``), since a pattern that backtracks would keep the check thread, and the process
    that waits for it to exit, running for hours."""

    def run(work: Callable[[], T]) -> T:
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def call() -> None:
            if done.set_running_or_notify_cancel():
                try:
                    done.set_result(work())
                except BaseException as exc:  # (TooSlow included: it goes back to the check thread)
                    done.set_exception(exc)

        try:
            loop.call_soon_threadsafe(call)
        except RuntimeError:  # the loop is closed
            raise limits.TooSlow from None
        while True:
            try:
                return done.result(timeout=1.0)
            except concurrent.futures.TimeoutError:
                if not loop.is_running() and done.cancel():
                    raise limits.TooSlow from None

    return run


def _local_path(document: TextDocument) -> Path | None:
    if not document.uri.startswith("file:") or not document.path:
        return None
    return Path(document.path)


def _wanted(kind: str, only: Iterable[str] | None) -> bool:
    """Whether the client asked for actions of ``kind`` (kinds are hierarchical: ``source``
    covers ``source.fixAll.airflow-etiquette``)."""
    return only is None or any(kind == want or kind.startswith(f"{want}.") for want in only)


def build_server() -> EtiquetteServer:
    server = EtiquetteServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: EtiquetteServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: EtiquetteServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: EtiquetteServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, fresh=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: EtiquetteServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False),
    )
    async def code_action(ls: EtiquetteServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        try:
            return await ls.code_actions(params)
        except Exception as exc:
            ls._log(f"code actions failed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            return []

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: EtiquetteServer, params: Any) -> None:
        ls.shut_down = True
        for uri in list(ls.pending):
            ls.forget(uri)

    return server


def serve() -> int:
    """Serve on standard input and output until the client says exit: 0 after a shutdown
    request, 1 without one (as the protocol asks)."""
    import multiprocessing

    with contextlib.suppress(ValueError, AttributeError):
        # The server's threads rule out forking: workers then start from a fork server, which
        # has the analysis loaded once instead of importing it for every check.
        multiprocessing.set_forkserver_preload(["airflow_etiquette.engine.workers", "libcst"])
    server = build_server()
    try:
        server.start_io()
    finally:
        server.checks.shutdown(wait=False, cancel_futures=True)
    return 0 if server.shut_down else 1
