"""What a rule sees of one file: its owner, its parse, its DAGs and its strings."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from airflow_etiquette.analysis.dags import DagDefinition, find_dags
from airflow_etiquette.analysis.model import ModuleIndex, Scope, StringSite, walk
from airflow_etiquette.analysis.modules import OwnerModules
from airflow_etiquette.analysis.resolve import Resolver
from airflow_etiquette.analysis.values import Text
from airflow_etiquette.config import Config, owner_names
from airflow_etiquette.findings import Severity

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


HOLE = "\x00"  # an unknown part of a rendered string


# A node of the parsed module and what replaces it: a node, or statements to put before it
# (``FlattenSentinel([*new_statements, node])``, the node itself last).
Edit = tuple["cst.CSTNode", "cst.CSTNode | cst.FlattenSentinel[Any]"]


class Fix(NamedTuple):
    """What to change: each node of the parsed module and what replaces it. ``unsafe`` says why the
    fix may change what the code does (then it needs ``--unsafe-fixes``); None: safe."""

    edits: tuple[Edit, ...]
    unsafe: str | None = None


class Report(NamedTuple):
    """A rule's finding before it has a position: the node and what to say (and, where the
    configuration makes it stricter than the rule's default, how bad it is). ``fix`` builds the
    fix when one is asked for (``check --fix``), and None when there is none for this place."""

    node: cst.CSTNode
    message: str
    severity: Severity | None = None
    fix: Callable[[], Fix | None] | None = None


class FileContext:
    def __init__(
        self,
        relpath: str,
        owner: str | None,
        config: Config,
        known_owners: frozenset[str],
        index: ModuleIndex,
        dag_file: bool = True,
        modules: OwnerModules | None = None,
        on_base: bool = True,
        taken_dag_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.relpath = relpath
        self.on_base = on_base  # the file exists where the change starts (a fix that renames is unsafe)
        self.taken_dag_ids = taken_dag_ids  # ids other files define: a fix renames no DAG to one of them
        self.owner = owner
        self.config = config
        self.known_owners = known_owners
        self.dag_file = dag_file  # False: .airflowignore keeps the scheduler from loading its DAGs
        self.owners = owner_names(config.dag_id_prefix, known_owners)
        self.index = index
        self.resolver = Resolver(index, relpath, modules)

    @property
    def is_admin(self) -> bool:
        return self.owner is not None and self.owner in self.config.admins

    @property
    def student(self) -> str | None:
        """The owner the owner rules apply to: None for unowned and admin files."""
        return None if self.owner is None or self.is_admin else self.owner

    @property
    def owner_directory(self) -> str:
        return f"{self.config.dags_folder}/{self.owner}/"

    @cached_property
    def dags(self) -> list[DagDefinition]:
        """The DAGs the scheduler loads from this file: none where .airflowignore skips it."""
        return find_dags(self.index, self.resolver) if self.dag_file else []

    def is_prose(self, site: StringSite) -> bool:
        """A message or documentation: logged, raised, doc_md=..., or a name only ever used so."""
        return site.prose or self.index.is_message(site.node)

    @cached_property
    def top_statements(self) -> dict[int, int]:
        """The id of every node -> the index of the top-level statement that holds it (for fixes
        that must know what is defined above what)."""
        return {
            id(inner): number for number, statement in enumerate(self.index.module.body) for inner in walk(statement)
        }

    @cached_property
    def commands(self) -> tuple[tuple[cst.CSTNode, str], ...]:
        """Every string the file may run as a command or send as a URL (not a log line or a
        docstring), each possible value with ``HOLE`` for its unknown parts; rendered once for
        all the rules that read commands."""
        found: list[tuple[cst.CSTNode, str]] = []
        for site in self.index.sites:
            if _may_be_command(site.node) and not self.is_prose(site):
                found.extend((site.node, text.render(lambda _: HOLE)) for text in self.site_texts(site))
        for call, scope in self.index.calls:  # subprocess.run(["airflow", "dags", "pause", dag_id])
            for arg in call.args:
                if isinstance(arg.value, (cst.List, cst.Tuple)) and arg.value.elements:
                    elements = arg.value.elements
                    if self._word(elements[0], scope) in COMMAND_WORDS:
                        found.append((arg.value, " ".join(self._word(element, scope) for element in elements)))
        return tuple(found)

    def _word(self, element: cst.BaseElement, scope: Scope) -> str:
        """One word of a command written as a list: its only possible value, else HOLE."""
        if isinstance(element, cst.StarredElement):
            return HOLE
        texts = self.resolver.text_values(element.value, scope)
        return texts[0].render(lambda _: HOLE) if len(texts) == 1 else HOLE

    def site_texts(self, site: StringSite) -> tuple[Text, ...]:
        return self.resolver.text_values(site.node, site.scope)


COMMAND_WORDS = ("airflow", "curl")  # what the readers of FileContext.commands look for
COMMAND_HINTS = (*COMMAND_WORDS, "dags", "tasks", "variables", "pools", "connections", "-x ", "--request")


def _may_be_command(node: cst.CSTNode) -> bool:
    """Whether a string literal may render to a command the rules read: its text names one of
    COMMAND_WORDS, or an f-string's text has a word of a command whose program a placeholder may
    name (rendering every string was a tenth of a check's time). Exact type checks: libcst's
    base classes are ABCs, and isinstance on them is slow at this rate."""
    kind = type(node)
    if kind is cst.SimpleString:
        text = node.value.lower()  # type: ignore[attr-defined]
        return "airflow" in text or "curl" in text
    if kind is cst.FormattedString:  # a placeholder may hold "airflow"; the words around it say "dags", ...
        text = "".join(p.value for p in node.parts if type(p) is cst.FormattedStringText).lower()  # type: ignore[attr-defined]
        return any(word in text for word in COMMAND_HINTS)
    if kind is cst.ConcatenatedString:
        return _may_be_command(node.left) or _may_be_command(node.right)  # type: ignore[attr-defined]
    return False
