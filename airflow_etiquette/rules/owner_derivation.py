"""ETQ105 owner-derivation: the owner name a DAG file derives for itself, where it goes wrong on
the shared scheduler (which sets no per-student environment variable)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import FileContext, Fix, Report
from airflow_etiquette.analysis.dags import argument
from airflow_etiquette.analysis.model import Scope
from airflow_etiquette.analysis.rewrite import in_owner_folder, top_statement, with_imports
from airflow_etiquette.analysis.values import Text
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

# The words of a variable's name (environment or Python) that holds the owner's name in the class
# idiom: "student", with only words like these beside it. Not "owner": Airflow's own `owner`
# (default_args, "airflow", a team) is another thing entirely. STUDENT_TABLE, MAX_STUDENTS and
# STUDENT_EMAIL hold something else.
_BESIDE_STUDENT = frozenset(
    {"airflow", "current", "dag", "dags", "dir", "folder", "handle", "login", "my", "name", "owner", "user", "username"}
)
IDIOM = 'os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name'
ENVIRONMENT_GETTERS = frozenset({"os.environ.get", "os.getenv"})


class OwnerDerivation(FileRule):
    code = "ETQ105"
    name = "owner-derivation"
    severity = Severity.ERROR
    summary = "The owner name a DAG derives for itself is wrong on the shared scheduler (a fixed fallback, a KeyError)."
    what = (
        "Reports, once and at its line, where a DAG file works out its owner's name in a way that\n"
        "breaks on the shared scheduler, which sets no per-student environment variable:\n"
        '`os.environ.get("AIRFLOW_STUDENT", "default")` (or `os.getenv`, or `... or "default"`) with a\n'
        'fallback other than the folder\'s owner, `os.environ["AIRFLOW_STUDENT"]` (a KeyError there, so\n'
        'the file does not import), and `STUDENT = "maria"` in another owner\'s folder. The variables\n'
        "looked at are those whose name says student (Airflow's own `owner` is another thing). The\n"
        "fix is the class's idiom, and the folder is the identity:\n"
        f"`STUDENT = {IDIOM}`."
    )
    why = (
        "The class repository's own taxi_pipeline.py once read\n"
        '`STUDENT = os.environ.get("AIRFLOW_STUDENT", "default")`. On every laptop it worked; on the\n'
        "shared scheduler every write went to `airflow_default`, one schema for the whole class. The\n"
        "writes are ETQ302 each; this is their cause, said once where it can be fixed."
    )
    fixes_first = True  # the dag_ids and tags it derives are judged again after it
    fix_note = (
        "The value becomes the class's idiom, with the same environment variable:\n"
        f"`{IDIOM}`.\n"
        "`import os` and `from pathlib import Path` are added where the module lacks them. Only\n"
        "where the value is the whole right-hand side of a module-level assignment. Safe for a file\n"
        "the change adds; unsafe for a file that exists where the change starts, since the scheduler\n"
        "then names its DAGs and writes its tables anew, under the owner's name."
    )
    VALID = [
        Example(f'import os\nfrom pathlib import Path\n\nSTUDENT = {IDIOM}\nSCHEMA = f"airflow_{{STUDENT}}"\n'),
        Example('import os\n\nSTUDENT = os.environ.get("AIRFLOW_STUDENT", "lasse")\n'),
        Example(
            'import os\n\nHOME = os.environ["HOME"]\nOWNER = os.getenv("DAG_OWNER", "data-team")\n'
            'STUDENT_EMAIL = "lasse@example.com"\n'
        ),
        Example(
            'import os\n\nSTUDENT_TABLE = "students"\nSTUDENT_GITHUB = "lasse-gh"\n'
            'MAX_STUDENTS = os.getenv("MAX_STUDENTS", "30")\nstudent_id_column = os.environ["STUDENT_ID_COLUMN"]\n'
        ),
    ]
    INVALID = [
        Example(
            'import os\n\nSTUDENT = os.environ.get("AIRFLOW_STUDENT", "default")\nSCHEMA = f"airflow_{STUDENT}"\n',
            expect=(
                (
                    3,
                    'STUDENT falls back to "default" where AIRFLOW_STUDENT is unset, as it is on the shared '
                    "scheduler: the DAGs and schema of this file would be \"default\"'s, not lasse's; write "
                    f"STUDENT = {IDIOM}",
                ),
            ),
        ),
        Example(
            'import os\n\nSTUDENT = os.environ["AIRFLOW_STUDENT"]\n',
            expect=(
                (
                    3,
                    'os.environ["AIRFLOW_STUDENT"] raises KeyError on the shared scheduler, which sets no such '
                    "variable: the file does not import and its DAGs disappear; write "
                    f"STUDENT = {IDIOM}",
                ),
            ),
        ),
        Example(
            'import os\n\nSTUDENT = os.getenv("STUDENT_NAME") or "maria"\n',
            expect=((3, 'STUDENT falls back to "maria" where STUDENT_NAME is unset'),),
        ),
        Example(
            'STUDENT = "maria"\nSCHEMA = f"airflow_{STUDENT}"\n',
            expect=((1, 'STUDENT is "maria" but this file is in dags/lasse/, so it is lasse\'s'),),
        ),
        Example(
            'STUDENTNAME = "maria"\nSTUDENT_USERNAME = "maria"\n',
            expect=(
                (1, 'STUDENTNAME is "maria" but this file is in dags/lasse/'),
                (2, 'STUDENT_USERNAME is "maria" but this file is in dags/lasse/'),
            ),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        owner = file.student
        if owner is None:
            return
        resolver = file.resolver
        module = file.index.module_scope
        assigned = {
            id(binding.value): name
            for name, bindings in module.bindings.items()
            for binding in bindings
            if binding.kind == "assign" and not binding.unpack
        }
        reported: set[int] = set()
        for call, scope in file.index.calls:
            problem = self._fallback(file, call, scope, owner, target=assigned.get(id(call)))
            if problem is not None and id(call) not in reported:
                reported.add(id(call))
                env = _environment_key(file, call, scope)
                fix = functools.partial(_fix, file, call, env) if id(call) in assigned and env else None
                yield Report(call, problem, fix=fix)
        for name, bindings in module.bindings.items():
            for binding in bindings:
                value = binding.value
                if binding.kind != "assign" or value is None or binding.unpack:
                    continue
                if isinstance(value, cst.Subscript) and resolver.qualname(value.value, module) == "os.environ":
                    key = _literal_key(value)
                    if key is not None and names_student(key):
                        yield Report(
                            value,
                            fix=functools.partial(_fix, file, value, key),
                            message=f'os.environ["{key}"] raises KeyError on the shared scheduler, which sets no such '
                            f"variable: the file does not import and its DAGs disappear; write {name} = "
                            f"{IDIOM.replace('AIRFLOW_STUDENT', key)}",
                        )
                elif isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
                    if isinstance(value.left, cst.Call) and id(value.left) not in reported:
                        problem = self._fallback(file, value.left, module, owner, target=name, default=value.right)
                        if problem is not None:
                            reported.add(id(value.left))
                            env = _environment_key(file, value.left, module)
                            yield Report(value, problem, fix=functools.partial(_fix, file, value, env) if env else None)
                elif names_student(name) and isinstance(value, cst.SimpleString):
                    named = _exact(file, value, module)
                    if named is not None and named != owner and re.fullmatch(r"[A-Za-z0-9_-]+", named):
                        yield Report(
                            value,
                            fix=functools.partial(_fix, file, value, "AIRFLOW_STUDENT"),
                            message=f'{name} is "{named}" but this file is in {file.config.dags_folder}/{owner}/, so '
                            f'it is {owner}\'s: its DAGs and schema would be named for "{named}"; write '
                            f"{name} = {IDIOM}",
                        )

    def _fallback(
        self,
        file: FileContext,
        call: cst.Call,
        scope: Scope,
        owner: str,
        target: str | None,
        default: cst.BaseExpression | None = None,
    ) -> str | None:
        """The message for ``os.environ.get(NAME, "default")`` (or ``os.getenv(NAME) or "default"``,
        ``default`` given) whose fallback is a fixed name that is not the owner's."""
        if file.resolver.callee(call, scope) not in ENVIRONMENT_GETTERS:
            return None
        variable = argument(call, "key", 0, scope, file.resolver).node
        if not isinstance(variable, cst.BaseExpression):
            return None
        env = _exact(file, variable, scope)
        if env is None or not names_student(env):
            return None
        fallback = default if default is not None else argument(call, "default", 1, scope, file.resolver).node
        if not isinstance(fallback, cst.BaseExpression):
            return None
        if not _written_out(file, fallback, scope):
            return None  # derived (the path idiom, even in a subfolder, is ETQ101's to hint at)
        named = _exact(file, fallback, scope)
        if named is None or named == owner:
            return None  # the owner's own name: right on the scheduler
        who = target or "the owner name"
        return (
            f'{who} falls back to "{named}" where {env} is unset, as it is on the shared scheduler: the DAGs '
            f"and schema of this file would be \"{named}\"'s, not {owner}'s; write "
            f"{target or 'STUDENT'} = {IDIOM.replace('AIRFLOW_STUDENT', env)}"
        )


def names_student(name: str) -> bool:
    """A name that says it holds the student's name: ``STUDENT``, ``AIRFLOW_STUDENT``,
    ``studentName``, ``STUDENTNAME``, ``STUDENT_USERNAME``; not ``STUDENT_TABLE``, ``MAX_STUDENTS``,
    ``STUDENT_ID`` (often a number the university gives)."""
    words = [word.casefold() for word in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+", name)]
    # one word written together: STUDENTNAME, studentfolder
    words = [
        part for word in words for part in (("student", word[7:]) if word.startswith("student") else (word,)) if part
    ]
    return "student" in words and all(word == "student" or word in _BESIDE_STUDENT for word in words)


def _environment_key(file: FileContext, call: cst.Call, scope: Scope) -> str | None:
    variable = argument(call, "key", 0, scope, file.resolver).node
    return _exact(file, variable, scope) if isinstance(variable, cst.BaseExpression) else None


def _fix(file: FileContext, value: cst.BaseExpression, env: str) -> Fix | None:
    """The assigned value replaced by the idiom, reading the same environment variable."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env) or not in_owner_folder(file):
        return None  # in a subfolder, Path(__file__).parent.name is the subfolder's name
    number = top_statement(file, value)
    if number is None:
        return None
    imports = with_imports(file, (("os", None), ("pathlib", "Path")), file.index.module.body[number])
    if imports is None:
        return None
    idiom = cst.parse_expression(IDIOM.replace("AIRFLOW_STUDENT", env))
    unsafe = (
        "the file exists where the change starts: the scheduler would name its DAGs and write its tables under "
        "the owner's name from now on, apart from what ran so far"
        if file.on_base
        else None
    )
    return Fix(((value, idiom), *imports), unsafe)


def _exact(file: FileContext, expr: cst.BaseExpression, scope: Scope) -> str | None:
    """The one exact string an expression certainly is, else None."""
    values = file.resolver.values(expr, scope)
    if len(values) == 1 and isinstance(values[0], Text) and values[0].exact is not None:
        return values[0].exact
    return None


def _written_out(file: FileContext, expr: cst.BaseExpression, scope: Scope) -> bool:
    """A string literal, or a name bound only to string literals: a fixed name, not a derived one."""
    if isinstance(expr, cst.SimpleString):
        return True
    if isinstance(expr, cst.Name):
        found = scope.lookup(expr.value)
        return found is not None and all(b.kind == "assign" and isinstance(b.value, cst.SimpleString) for b in found[0])
    return False


def _literal_key(subscript: cst.Subscript) -> str | None:
    if len(subscript.slice) != 1:
        return None
    index = subscript.slice[0].slice
    if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
        value = index.value.evaluated_value
        return value if isinstance(value, str) else None
    return None
