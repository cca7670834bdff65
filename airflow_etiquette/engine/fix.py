"""``check --fix`` and ``--diff``: the fixes the rules offer, applied to the files on disk.

A fix replaces whole nodes of the parsed module; the module is then printed again by libcst, so
the rest of the file (comments, blank lines, layout) is unchanged byte for byte. Fixes are applied
in rounds: the fixes of one round never overlap; the file is analysed again and the next round
takes what is left (two fixes on one ``@dag(...)``, the dag_id and the tag, compose so), until
nothing changes. A fix is never applied where ETQ103 says the analysis of that code is incomplete,
where a ``# noqa`` names the finding, or when the fixed file would not parse; nor does a fix give a
DAG an id that another DAG file already defines (the scheduler keeps one DAG per id, and the other
vanishes): the files of the dags folder that may define it (ETQ104's raw-bytes screen) are analysed
in workers, and the file is fixed again without that rename, or not at all (``fix_all``).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from airflow_etiquette.analysis.context import FileContext, Fix, Report
from airflow_etiquette.analysis.dags import exact_dag_ids
from airflow_etiquette.analysis.model import is_literal_string
from airflow_etiquette.analysis.parse import parse_module
from airflow_etiquette.config import Config
from airflow_etiquette.engine import noqa
from airflow_etiquette.engine.analyze import Settings, parsed_context
from airflow_etiquette.rules import FILE_RULES
from airflow_etiquette.rules.base import FileRule
from airflow_etiquette.rules.duplicate_dag_id import DuplicateDagId
from airflow_etiquette.rules.unresolved import Unresolved
from airflow_etiquette.sources.files import SourceFile

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

MAX_ROUNDS = 4
FIXABLE: tuple[type[FileRule], ...] = tuple(rule for rule in FILE_RULES if rule.fix_note)


class FixResult(NamedTuple):
    relpath: str
    before: bytes
    after: bytes
    fixed: int  # fixes applied
    unsafe: tuple[str, ...]  # the codes of the fixes left out that --unsafe-fixes would apply
    new_dag_ids: frozenset[str] = frozenset()  # the exact dag_ids ``after`` defines and ``before`` did not
    shared: frozenset[str] = frozenset()  # the ids two DAGs of the file share after and did not before
    refused: tuple[str, ...] = ()  # why a fix was left out: one line each, for the person reading

    def diff(self, shown: Callable[[str], str] = str) -> str:
        """A unified diff of the fix (``a/`` and ``b/`` paths, as git shows them); ``shown`` writes
        the path (a newline in a file name must not split the header and make lines of the patch)."""
        old = self.before.decode("utf-8", "replace").splitlines(keepends=True)
        new = self.after.decode("utf-8", "replace").splitlines(keepends=True)
        name = shown(self.relpath)
        return "".join(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"))


def fixable_codes(config: Config) -> frozenset[str]:
    return frozenset(rule.code for rule in FIXABLE if config.selects(rule.code))


class FixTarget(NamedTuple):
    data: bytes
    file: SourceFile
    on_base: bool  # the file exists where the change starts: renaming its DAGs is unsafe


def fix_all(targets: Sequence[FixTarget], settings: Settings, *, unsafe: bool, jobs: int) -> list[FixResult]:
    """Each target's fixes (``fix_source``), none of which gives two DAGs one id: a rename to an id
    that another DAG file defines, that another target's fix gives too, or that another DAG of the
    file has or gets, is left out, and the file's other fixes are made (or none, where a fix other
    than a rename gives that id); the result says why in ``refused``. The renames only ``unsafe``
    would make are judged too (so that no hint points at a fix that would be refused), but never
    keep another file's rename from being made."""
    firsts = [fix_source(t.data, t.file, settings, unsafe=unsafe, on_base=t.on_base) for t in targets]
    probes = [
        first if unsafe or not first.unsafe else fix_source(t.data, t.file, settings, unsafe=True, on_base=t.on_base)
        for t, first in zip(targets, firsts, strict=True)
    ]
    made: dict[str, set[str]] = {}  # a dag_id -> the files whose fixes in this run give it
    possible: dict[str, set[str]] = {}  # the same, with the renames only --unsafe-fixes makes
    for first, probe in zip(firsts, probes, strict=True):
        for dag_id in first.new_dag_ids:
            made.setdefault(dag_id, set()).add(first.relpath)
        for dag_id in probe.new_dag_ids:
            possible.setdefault(dag_id, set()).add(probe.relpath)
    defined = _defined_elsewhere(frozenset(possible), settings, jobs) if possible else {}
    results: list[FixResult] = []
    for target, first, probe in zip(targets, firsts, probes, strict=True):
        why: dict[str, str] = {}
        for dag_id in sorted(probe.new_dag_ids | probe.shared):
            in_this_run = dag_id in first.new_dag_ids or dag_id in first.shared
            on_disk = sorted(defined.get(dag_id, set()) - {probe.relpath})
            others = sorted((made if in_this_run else possible).get(dag_id, set()) - {probe.relpath})
            if on_disk:
                why[dag_id] = f"which {', '.join(on_disk)} already defines"
            elif others:
                why[dag_id] = f"which the fix of {', '.join(others)} gives a DAG too"
            elif dag_id in (first.shared if in_this_run else probe.shared):
                why[dag_id] = "which another DAG of the file has or gets"
        if not why:
            results.append(first)
            continue
        taken = frozenset(why)
        result = fix_source(target.data, target.file, settings, unsafe=unsafe, on_base=target.on_base, taken=taken)
        if (result.new_dag_ids | result.shared) & taken:  # a fix other than the rename gives it
            refused = tuple(
                f'{result.relpath}: not fixed: a fix would give a DAG the id "{dag_id}", {reason} (the scheduler '
                "keeps one DAG per id); fix the file by hand"
                for dag_id, reason in why.items()
            )
            results.append(FixResult(result.relpath, target.data, target.data, 0, (), refused=refused))
            continue
        unsafe_too: frozenset[str] = frozenset()
        if result.unsafe:  # the hint at --unsafe-fixes: would that run leave the file as it is?
            variant = fix_source(target.data, target.file, settings, unsafe=True, on_base=target.on_base, taken=taken)
            unsafe_too = (variant.new_dag_ids | variant.shared) & taken
            result = result._replace(unsafe=()) if unsafe_too else result
        refused = tuple(
            f'{result.relpath}: --unsafe-fixes would give a DAG the id "{dag_id}", {reason} (the scheduler keeps '
            "one DAG per id); fix that by hand"
            if dag_id in unsafe_too
            else f'{result.relpath}: no DAG renamed to "{dag_id}", {reason} (the scheduler keeps one DAG per id): '
            "choose another name"
            for dag_id, reason in why.items()
        )
        results.append(result._replace(refused=refused))
    return results


def fix_source(
    data: bytes,
    file: SourceFile,
    settings: Settings,
    *,
    unsafe: bool,
    on_base: bool,
    taken: frozenset[str] = frozenset(),
) -> FixResult:
    """``data`` with every fix the enabled rules offer applied (the unsafe ones only with
    ``unsafe``); no rename gives a DAG one of the ids in ``taken``. A file that does not parse, or
    whose fixes would not, comes back unchanged. ``fix_all`` checks the ids against the others."""
    config = settings.config
    rules = [rule() for rule in FIXABLE if config.rule_enabled(rule.code, file.relpath)]
    fixed = 0
    left_unsafe: tuple[str, ...] = ()
    current = data
    before: Definitions | None = None  # the DAG definitions of ``data``, of ``current`` (None: not known)
    ids: Definitions | None = None
    for _ in range(MAX_ROUNDS):
        try:
            module, context = parsed_context(current, file, settings, on_base, taken)
            ids = _definitions(context)
        except Exception:
            break
        before = ids if before is None else before
        try:
            chosen, left_unsafe = _choose(module, current, context, rules, config, unsafe)
            if not chosen:
                break
            replaced = module.visit(_Replace(chosen))
            assert isinstance(replaced, cst.Module)
            after = _last_line_end_kept(current, replaced.bytes)
            parse_module(after, file.relpath)
        except Exception:
            break  # a fix that fails, or would break the file, is never written; the findings stand
        if after == current:
            break
        current, ids = after, None
        fixed += len(chosen)
    if current == data or before is None:
        return FixResult(file.relpath, data, current, fixed, left_unsafe)
    if ids is None:  # (the rounds ran out before the last fix was analysed)
        ids = _definitions_of(current, file, settings)
    new = frozenset().union(*ids) - frozenset().union(*before)
    return FixResult(file.relpath, data, current, fixed, left_unsafe, new, _newly_shared(before, ids))


def _last_line_end_kept(before: bytes, after: bytes) -> bytes:
    """``after`` with the file's last line end, which libcst drops when it is a lone carriage
    return (the old Mac line end: the rest of the file keeps them)."""
    if before.endswith(b"\r") and not after.endswith((b"\r", b"\n")):
        return after + b"\r"
    return after


Definitions = tuple[frozenset[str], ...]  # each DAG definition's exact ids, in the file's order


def _definitions(context: FileContext) -> Definitions:
    return tuple(frozenset(exact_dag_ids(dag)) for dag in context.dags)


def _definitions_of(data: bytes, file: SourceFile, settings: Settings) -> Definitions:
    try:
        return _definitions(parsed_context(data, file, settings)[1])
    except Exception:
        return ()


def _newly_shared(before: Definitions, after: Definitions) -> frozenset[str]:
    """The ids that DAG definitions of the file share after the fixes and did not before: two
    definitions that had no id in common now have one (arms of an if/else too: which arm runs is
    not judged here), or one definition (a loop) now gives one id where it gave several. The
    definitions keep their order through the fixes, which rename and add, never remove; where
    their number changed all the same, every id counts as shared."""
    if len(before) != len(after):
        return frozenset().union(*after)
    shared: set[str] = set()
    for i, (ids, old) in enumerate(zip(after, before, strict=True)):
        if len(old) > 1 and len(ids) < len(old):
            shared |= ids
        for other_ids, other_old in zip(after[i + 1 :], before[i + 1 :], strict=True):
            if not old & other_old:
                shared |= ids & other_ids
    return frozenset(shared)


def _defined_elsewhere(dag_ids: frozenset[str], settings: Settings, jobs: int) -> Mapping[str, set[str]]:
    """Which DAG files of the dags folder, as they are on disk, define each of ``dag_ids``: only the
    files that may (ETQ104's screen of their raw bytes) are parsed, in workers."""
    from airflow_etiquette.engine.repository import compared_on_disk

    screen = {DuplicateDagId.code: [((tuple(sorted(dag_ids)),), ())]}
    collecting = settings._replace(collect=(DuplicateDagId.code,))
    defined: dict[str, set[str]] = {}
    for file, result in compared_on_disk(collecting, screen, [DuplicateDagId], jobs):
        ids_per_definition, _ = result.collected.get(DuplicateDagId.code, ((), ()))
        for ids in ids_per_definition:
            for dag_id in set(ids) & dag_ids:
                defined.setdefault(dag_id, set()).add(file.relpath)
    return defined


def _choose(
    module: cst.Module, data: bytes, context: FileContext, rules: Iterable[FileRule], config: Config, unsafe: bool
) -> tuple[list[Fix], tuple[str, ...]]:
    """The fixes of one round (none overlapping another, or incomplete analysis, or a waiver), and
    how many were left out as unsafe."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    reports: list[tuple[FileRule, Report]] = [(rule, r) for rule in rules for r in rule.check(context) if r.fix]
    if not reports:
        return [], ()
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    comments = noqa.noqa_comments(data)
    offered: list[tuple[FileRule, Report, Fix]] = []
    for rule, report in reports:
        where = positions[report.node]
        # as for a finding, the noqa may also follow the last line of a multi-line string
        lines = {where.start.line, where.end.line if is_literal_string(report.node) else where.start.line}
        if any(noqa.names(comments.get(line), rule.code) for line in lines):
            continue  # left as the author asked, whether or not the configuration lets the noqa count
        try:
            fix = report.fix() if report.fix else None
        except Exception:  # a fix that cannot be built is no fix; the finding stands
            continue
        if fix is not None and fix.edits:
            offered.append((rule, report, fix))
    first = [item for item in offered if item[0].fixes_first and (unsafe or not item[2].unsafe)]
    if first:  # a cause first (the owner a file derives): the findings it causes are judged after it
        offered = first

    def span(node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]]:
        where = positions[node]
        return (where.start.line, where.start.column), (where.end.line, where.end.column)

    incomplete = []
    if config.rule_enabled(Unresolved.code, context.relpath):
        incomplete = [span(r.node) for r in Unresolved().check(context)]
    taken: list[tuple[tuple[int, int], tuple[int, int]]] = []
    chosen: list[Fix] = []
    left_unsafe: list[str] = []
    for rule, _, fix in offered:
        if fix.unsafe and not unsafe:
            left_unsafe.append(rule.code)
            continue
        spans = [span(old) for old, _ in fix.edits]
        if any(_overlap(s, other) for s in spans for other in [*incomplete, *taken]):
            continue  # the next round, or never where ETQ103 says the values are not all known
        taken.extend(spans)
        chosen.append(fix)
    return chosen, tuple(left_unsafe)


def _overlap(a: tuple[tuple[int, int], tuple[int, int]], b: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class _Replace(cst.CSTTransformer):
    """Replaces the nodes of the parsed module that the fixes name (by identity) with theirs."""

    def __init__(self, fixes: Iterable[Fix]) -> None:
        super().__init__()
        self.keep = [edit for fix in fixes for edit in fix.edits]  # the originals stay alive: ids stay theirs
        self.edits = {id(old): new for old, new in self.keep}

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        new = self.edits.get(id(original_node))
        if new is None:
            return updated_node
        if isinstance(new, cst.FlattenSentinel):  # statements before the node, as other fixes left it
            added = list(new.nodes)[:-1]
            if added and isinstance(updated_node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                # the blank lines above the node go above the added statements; its comments stay
                # with it, and a def or class keeps its blank lines too (two before a def, as before)
                leading = list(updated_node.leading_lines)
                added[0] = added[0].with_changes(leading_lines=[line for line in leading if line.comment is None])
                if not isinstance(updated_node, cst.BaseCompoundStatement):
                    leading = [line for line in leading if line.comment is not None]
                updated_node = updated_node.with_changes(leading_lines=leading)
            return cst.FlattenSentinel([*added, updated_node])
        return new


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` through a temporary file beside it, keeping its mode."""
    import tempfile

    mode = os.stat(path).st_mode & 0o7777
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with open(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fix_files(
    relpaths: Iterable[str], settings: Settings, *, unsafe: bool, base: str | None, jobs: int = 1
) -> list[FixResult]:
    """The fixes of the files at ``relpaths`` (those with a fixable finding) as they are on disk,
    the files that change only. ``base``: the commit the change starts from (a file there is
    known to the scheduler); None: HEAD, or, outside git, every file counts as known."""
    from airflow_etiquette.engine.read import read_source
    from airflow_etiquette.sources.files import discover
    from airflow_etiquette.sources.git import GitError, revision_reader

    config = settings.config
    found = discover([config.root / relpath for relpath in sorted(set(relpaths))], config).files
    known = revision_reader(config.root, base or "HEAD")
    targets = []
    linked: list[FixResult] = []
    real_dags = os.path.realpath(config.dags_path)  # (a dags folder that is itself a link is fine)
    for file in found:
        below = file.relpath.split("/")[len([p for p in config.dags_folder.split("/") if p]) :]
        real = os.path.realpath(file.path)
        if real != os.path.join(real_dags, *below):
            # A symlink, or a file in a linked folder (dags/sofia -> maria), is not rewritten: its
            # target is another file, another owner's, or outside the repository.
            real_root = Path(os.path.realpath(config.root))
            inside = Path(real).is_relative_to(real_root)
            shown = Path(real).relative_to(real_root).as_posix() if inside else "a file outside the repository"
            why = f"{file.relpath}: not fixed: it is {shown} through a symbolic link; fix that file, or the link"
            linked.append(FixResult(file.relpath, b"", b"", 0, (), refused=(why,)))
            continue
        if not file.relpath.endswith(".py"):
            continue
        data, problem = read_source(file._replace(content=None), config)
        if data is None or problem is not None:
            continue
        try:
            on_base = known(config.root / file.relpath) is not None
        except (GitError, OSError):
            on_base = True  # not known to be new: renaming is unsafe
        targets.append(FixTarget(data, file, on_base))
    results = [*linked, *fix_all(targets, settings, unsafe=unsafe, jobs=jobs)]
    return [r for r in results if r.after != r.before or r.unsafe or r.refused]
