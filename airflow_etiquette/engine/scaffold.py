"""``airflow-etiquette new NAME``: a first DAG that already follows every convention.

The file is ``dags/<owner>/<NAME>.py``, in the Airflow the repository is written for (``airflow.sdk``
for 3, ``airflow.decorators`` for 2: the configured ``airflow-version``, else what the other DAG
files import, else 3). The teacher can name a template of their own (``new-template``), in which
``$name``, ``$owner``, ``$dag_id``, ``$tag`` and ``$schema`` are filled in (Python's
``string.Template``: the braces of f-strings stay as they are). For an owner without a folder the
folder is made and, where the repository has a CODEOWNERS file and the owner's GitHub login is
known, the owner's line is added: the class's first pull request.
"""

from __future__ import annotations

import keyword
import re
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from airflow_etiquette.config import Config, ConfigError
from airflow_etiquette.people.ownership import CODEOWNERS_LOCATIONS

NAME = re.compile(r"[a-z][a-z0-9_]*")
# Names the built-in template defines or imports: a DAG function so named would replace them.
TAKEN = frozenset({"annotations", "os", "pendulum", "dag", "task", "start"})


def _import(module: str, names: str) -> str:
    """An import line *of the generated file*: written out here, never executed by this tool
    (which neither imports nor needs Airflow)."""
    return f"from {module} import {names}"


_AIRFLOW_3 = _import("airflow.sdk", "dag, task")
_AIRFLOW_2 = _import("airflow.decorators", "dag, task")

DEFAULT_TEMPLATE = '''\
"""$name: what this DAG does, in one line (write it here).

Made with `airflow-etiquette new`: the owner comes from the folder, so the same file works on
your laptop, in CI and on the shared scheduler.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
$imports

# dags/<you>/ names you: the shared scheduler sets no AIRFLOW_STUDENT, the folder always works.
STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"  # your own schema in the shared database
$connection_line

@dag(
    dag_id=f"{STUDENT}_$name",
    schedule=None,
    start_date=pendulum.datetime($year, 1, 1, tz="UTC"),
    catchup=False,
    tags=[f"student:{STUDENT}"],
)
def $name():
    @task
    def start() -> str:
$task_body

    start()


$name()
'''

_READ_CONNECTION = """\
        # Read the shared connection through a hook; never create, edit or delete it.
        $hook_import

        hook = PostgresHook(postgres_conn_id=CONNECTION)
        print("connected as", hook.get_first("SELECT current_user")[0], "to write to", SCHEMA)
        return SCHEMA"""
_NO_CONNECTION = """\
        return SCHEMA"""


@dataclass(frozen=True)
class Scaffold:
    path: Path  # the new DAG file
    text: str
    codeowners: tuple[Path, str] | None  # the CODEOWNERS file and the line to add, if any
    note: str | None  # what the student still has to do themselves


MAX_DAG_ID = 250  # Airflow's ID_LEN
# A GitHub login (letters, digits, single hyphens) or a GitLab username (also _ and .), one @ at most.
LOGIN = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9._-]{0,254}")


def plan(config: Config, name: str, owner: str, login: str | None, new_owner: bool) -> Scaffold:
    """What ``new`` writes, without writing it; ConfigError for a name or template it cannot use."""
    if not NAME.fullmatch(name):
        raise ConfigError(
            f"{name!r} is not a DAG name: use lowercase letters, digits and underscores, starting with a letter"
        )
    if keyword.iskeyword(name) or name in TAKEN:
        raise ConfigError(f"{name!r} cannot name the DAG's function (Python or the template uses it); choose another")
    if not config.dags_path.is_dir():
        raise ConfigError(f"no dags folder at {config.dags_path}: run `new` in the class repository")
    path = config.dags_path / owner / f"{name}.py"
    if len(config.prefix_for(owner) + name) > MAX_DAG_ID:
        raise ConfigError(f"{name!r} is too long: Airflow's dag_ids have at most {MAX_DAG_ID} characters")
    if path.parent.is_symlink():
        raise ConfigError(
            f"{path.parent.relative_to(config.root).as_posix()} is a symlink; `new` writes only into a real folder"
        )
    if path.parent.exists() and not path.parent.is_dir():
        raise ConfigError(f"{path.parent.relative_to(config.root).as_posix()} is a file, not an owner's folder")
    if login is not None and not LOGIN.fullmatch(login):
        raise ConfigError(f"{login!r} is not a GitHub or GitLab login (letters, digits, '-', '_' and '.')")
    if path.exists() or path.is_symlink():
        raise ConfigError(f"{path.relative_to(config.root).as_posix()} exists; `new` never overwrites a file")
    values = {
        "name": name,
        "owner": owner,
        "dag_id": config.prefix_for(owner) + name,
        "tag": config.tag_for(owner),
        "schema": config.schema_for(owner),
    }
    text = _from_template(config, values) if config.new_template else _default(config, values)
    codeowners, note = (None, None)
    if new_owner:
        codeowners, note = _codeowners_line(config, owner, login)
    return Scaffold(path, text, codeowners, note)


def write(scaffold: Scaffold) -> None:
    """Write the file (and the CODEOWNERS line); an OSError says which file could not be written."""
    if scaffold.codeowners is not None:
        file, line = scaffold.codeowners
        existing = file.read_bytes()
        with open(file, "ab") as handle:
            handle.write((b"" if existing.endswith(b"\n") or not existing else b"\n") + line.encode() + b"\n")
    scaffold.path.parent.mkdir(parents=True, exist_ok=True)
    with open(scaffold.path, "x", encoding="utf-8") as handle:  # "x": never over a file made meanwhile
        handle.write(scaffold.text)


def airflow_major(config: Config) -> str:
    """The configured Airflow, else the one the repository's DAG files are written for."""
    if config.airflow_version in ("2", "3"):
        return config.airflow_version
    seen_two = False
    for path in sorted(config.dags_path.rglob("*.py"))[:500]:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "airflow.sdk" in text:
            return "3"
        seen_two = seen_two or "airflow.decorators" in text or "from airflow import DAG" in text
    return "2" if seen_two else "3"


def _default(config: Config, values: dict[str, str]) -> str:
    connection = config.shared_connections[0] if config.shared_connections else None
    return string.Template(DEFAULT_TEMPLATE).substitute(
        name=values["name"],
        imports=_AIRFLOW_3 if airflow_major(config) == "3" else _AIRFLOW_2,
        connection_line=f'CONNECTION = "{connection}"  # shared by the class: read it, never change it\n'
        if connection
        else "",
        year=date.today().year,
        task_body=string.Template(_READ_CONNECTION if connection else _NO_CONNECTION).substitute(
            hook_import=_import("airflow.providers.postgres.hooks.postgres", "PostgresHook")
        ),
    )


def _from_template(config: Config, values: dict[str, str]) -> str:
    assert config.new_template is not None
    path = config.root / config.new_template
    try:
        template = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"new-template {config.new_template}: cannot be read ({exc})") from None
    try:
        return string.Template(template).substitute(values)
    except (KeyError, ValueError) as exc:
        known = ", ".join(f"${key}" for key in values)
        raise ConfigError(
            f"new-template {config.new_template}: {exc} is not a placeholder it knows ({known})"
        ) from None


def _codeowners_line(config: Config, owner: str, login: str | None) -> tuple[tuple[Path, str] | None, str | None]:
    folder = f"/{config.dags_folder}/{owner}/"
    for location in CODEOWNERS_LOCATIONS:
        file = config.root / location
        if file.is_file() and login is not None and not file.resolve().is_relative_to(config.root.resolve()):
            raise ConfigError(f"{location} leads out of the repository; nothing was written")
        if file.is_file():
            try:
                file.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{location}: cannot add the owner's line ({exc}); nothing was written") from None
            if login is None:
                return None, f"add your line to {location} in this pull request: {folder}  @your-github-login"
            return (file, f"{folder}  @{login.lstrip('@')}"), None
    return None, None
