"""Where code acts on the shared Airflow itself: CLI commands in shell strings (a ``bash_command``,
a subprocess, a script), REST API calls, and the arguments of calls; shared by the rules about
other owners' DAGs, Variables and Pools."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from airflow_etiquette.analysis.context import HOLE, FileContext
from airflow_etiquette.analysis.model import Scope

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_CURL = re.compile(r"\bcurl\b(?P<args>[^\n;&|]*)")
_CURL_METHOD = re.compile(r"(?:-X|--request)\s*['\"]?(?P<method>[A-Za-z]+)")
_CURL_DATA = re.compile(r"\s(?:-d|--data(?:-raw|-binary)?|--json)\b")


class Command(NamedTuple):
    """``airflow <group> <verb> <words...>`` found in a string."""

    node: cst.CSTNode
    verb: str
    words: tuple[str, ...]  # the rest of the command, split at whitespace, quotes stripped


class ApiCall(NamedTuple):
    """A REST call that may change something: its method and the URL text (holes as HOLE)."""

    node: cst.CSTNode
    method: str
    url: str


def airflow_commands(file: FileContext, group: str, verbs: tuple[str, ...]) -> Iterator[Command]:
    """``airflow <group> <verb> ...`` in the file's command strings (once per string and verb)."""
    pattern = re.compile(rf"\bairflow\s+{group}\s+(?P<verb>{'|'.join(verbs)})\b(?P<rest>[^\n;&|]*)", re.IGNORECASE)
    for node, command in file.commands:
        if "airflow" not in command.lower():
            continue
        text = without_shell_comments(command)
        seen = set()
        for match in pattern.finditer(text):
            if printed_only(text, match.start(), match.end()):
                continue
            verb = match.group("verb").lower()
            # quotes around a word, and the end of a command substitution: $(airflow ... maria_taxi)
            words = tuple(w.lstrip("'\"`").rstrip("'\"`)") for w in match.group("rest").split())
            if (verb, words) not in seen:
                seen.add((verb, words))
                yield Command(node, verb, words)


def printed_only(text: str, start: int, end: int) -> bool:
    """Whether the command at ``start:end`` is only text that ``echo`` or ``printf`` prints: the
    first word of its part of the command line (after the last ``;``, ``&``, ``|``, ``(``,
    backtick or line break, looked for in the 200 characters before it: linear however many
    commands a text holds) is one of those, and what is printed is not piped into a shell."""
    window = max(start - 200, 0)
    begins = max(text.rfind(mark, window, start) for mark in ";&|(`\n")
    segment = text[window if begins < 0 else begins + 1 : start].split()
    if not (segment and segment[0] in ("echo", "printf") and (begins >= 0 or window == 0)):
        return False
    line_end = text.find("\n", end, end + 200)
    rest = text[end : line_end if line_end >= 0 else end + 200]
    return re.search(_PIPED_TO_SHELL, rest) is None  # (compiled on first use, by re's own cache)


_PIPED_TO_SHELL = r"\|\s*(?:sudo\s+)?(?:ba|da|z|k)?sh\b"


def without_shell_comments(text: str) -> str:
    """The text without its comment lines (``#`` first: they run nothing); a ``{#`` Jinja comment
    or a ``#!`` line are lines like the others for what follows."""
    if "#" not in text:
        return text
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith("#"))


def positional(words: tuple[str, ...]) -> str | None:
    """The first word of a command that is not an option, if it comes before any option (the
    usual place of a dag_id, a variable's key or a pool's name); None when unknown."""
    if not words or words[0].startswith("-") or rendered_later(words[0]):
        return None
    return words[0]


def rendered_later(text: str) -> bool:
    """Whether a name is only known when the task runs: it has an unknown part, a Jinja template
    (``{{ params.downstream }}``, a templated field) or a shell expansion (``$DAG``)."""
    return HOLE in text or "{{" in text or "{%" in text or "$" in text


@functools.lru_cache(maxsize=4)  # the rules of one file ask in turn
def api_writes(file: FileContext) -> tuple[ApiCall, ...]:
    """POST/PATCH/PUT/DELETE requests: ``requests``/``httpx`` style calls (``.post(url)``,
    ``.request("PATCH", url)``) and ``curl`` in command strings."""
    return tuple(_api_writes(file))


def _api_writes(file: FileContext) -> Iterator[ApiCall]:
    for call, scope in file.index.calls:
        func = call.func
        if type(func) is not cst.Attribute:  # exact: isinstance on libcst's ABCs is slow at this rate
            continue
        method = func.attr.value.upper()
        url_arg: cst.BaseExpression | None
        if method in WRITE_METHODS:
            url_arg = call_argument(call, "url", 0)
        elif method == "REQUEST":
            verbs = exact_texts(file, call_argument(call, "method", 0), scope)
            method = verbs[0].upper() if len(verbs) == 1 else ""
            url_arg = call_argument(call, "url", 1)
        else:
            continue
        if method not in WRITE_METHODS or url_arg is None:
            continue
        for url in file.resolver.text_values(url_arg, scope):
            yield ApiCall(call, method, url.render(lambda _: HOLE))
    for node, command in file.commands:
        if "curl" not in command:
            continue
        for match in _CURL.finditer(command):
            args = match.group("args")
            found = _CURL_METHOD.search(args)
            method = found.group("method").upper() if found else ("POST" if _CURL_DATA.search(args) else "GET")
            if method in WRITE_METHODS:
                yield ApiCall(node, method, args)


def api_resource(url: str, collection: str) -> tuple[bool, str | None] | None:
    """Whether ``url`` is on the REST API's ``collection`` (``dags``, ``variables``, ``pools``), and
    the id after it (None for the collection itself, or an id with unknown parts)."""
    match = re.search(rf"/api/v\d+/{collection}(?:/(?P<id>[^/?#\s\"']+))?", url)
    if match is None:
        return None
    ident = match.group("id")
    return True, (ident if ident is not None and HOLE not in ident else None)


def exact_texts(file: FileContext, expr: cst.BaseExpression | None, scope: Scope) -> list[str]:
    """The exact strings ``expr`` may be; empty when any of its values has unknown parts or is
    rendered when the task runs (a Jinja template in a templated field)."""
    if expr is None:
        return []
    exact = [t.exact for t in file.resolver.text_values(expr, scope)]
    known = [e for e in exact if e is not None and not rendered_later(e)]
    return known if len(known) == len(exact) else []


def call_argument(call: cst.Call, keyword: str, position: int | None = None) -> cst.BaseExpression | None:
    """The expression of a call's keyword (or positional) argument, if written out."""
    positional_index = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
        elif not arg.star:
            if positional_index == position:
                return arg.value
            positional_index += 1
    return None


def owns(file: FileContext, name: str) -> bool:
    """Whether a DAG, Variable or Pool name is the file's owner's by the naming convention."""
    return file.owner is not None and name.startswith(file.config.prefix_for(file.owner))


def whose_dag(file: FileContext, dag_id: str) -> str:
    """How to name a DAG that is not the owner's: another owner's, or one not named as theirs (the
    teacher's, or a misnamed one of their own, which ETQ101 reports where it is defined)."""
    who = whose(file, dag_id)
    return f'{who} DAG "{dag_id}"' if who != "a shared" else f'the DAG "{dag_id}", which is not named as yours'


def whose(file: FileContext, name: str) -> str:
    """How to name ``name`` in a message: another owner's, or a shared one."""
    others = [o for o in file.owners.prefixed(name) if o != file.owner]
    return f"{others[0]}'s" if others else "a shared"
