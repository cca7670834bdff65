"""ETQ501 foreign-import: a DAG file that imports code from another owner's folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.model import dotted_name
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


class ForeignImport(FileRule):
    code = "ETQ501"
    name = "foreign-import"
    severity = Severity.WARNING
    summary = "Code imported from another owner's folder (`from sofia.helpers import ...`)."
    what = (
        "Warns about an import, in `dags/<owner>/`, of a module in another owner's folder: the\n"
        "scheduler puts the dags folder on `sys.path`, so `from sofia.helpers import make_dag` (or\n"
        "`import dags.sofia.helpers`, or a relative `from ..sofia import helpers`) loads Sofia's code\n"
        "into Maria's DAG. Only imports of a module below the folder count (`sofia.helpers`, not\n"
        "`sofia` alone), and an owner named like a standard-library module is left alone. A folder\n"
        "the teacher keeps for everyone (`dags/common/`) is shared: list it in `admins`."
    )
    why = (
        "Sofia may change or delete her helper at any time, in a pull request that only touches her\n"
        "own folder, and Maria's DAG breaks on the shared scheduler without either of them being\n"
        "told. Copy what you need into your own folder (or ask the teacher for a shared module)."
    )
    VALID = [
        Example("from lasse.helpers import TAGS\nimport dags.lasse.common\nfrom . import sql\n"),
        Example("import json\nfrom airflow.sdk import dag\n", owners=("lasse", "json")),
        Example(
            "from common.db import class_hook\n", owners=("lasse", "common"), config={"admins": ["teacher", "common"]}
        ),
    ]
    INVALID = [
        Example(
            "from airflow.sdk import dag\nfrom maria.helpers import make_dag\n",
            expect=(
                (
                    2,
                    'imports maria.helpers from owner "maria"\'s folder: a change there breaks this DAG; copy what '
                    "you need into dags/lasse/",
                ),
            ),
        ),
        Example("import dags.maria.common as common\n", expect=((1, "imports dags.maria.common from owner"),)),
        Example(
            "from ..maria import queries\n",
            path="dags/lasse/taxi_pipeline.py",
            expect=((1, "imports maria.queries from owner"),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        owner = file.student
        if owner is None:
            return
        dags = tuple(file.config.dags_folder.split("/"))
        package = file.relpath.split("/")[len(dags) : -1]  # the file's package, seen from the dags folder
        for node in file.index.imports:
            for module in _modules(node, package):
                parts = module.split(".")
                if parts[: len(dags)] == list(dags) and len(parts) > len(dags):
                    inner = parts[len(dags) :]  # dags.sofia.helpers: the repository root on sys.path
                else:
                    inner = parts
                other = inner[0]
                if (
                    len(inner) > 1
                    and other != owner
                    and other in file.known_owners
                    and other not in file.config.admins  # dags/common/ kept by the teacher: shared on purpose
                    and other not in sys.stdlib_module_names
                ):
                    yield Report(
                        node,
                        f'imports {module} from owner "{other}"\'s folder: a change there breaks this DAG; copy '
                        f"what you need into {file.owner_directory}",
                    )
                    break


def _modules(node: cst.Import | cst.ImportFrom, package: list[str]) -> list[str]:
    """The dotted modules an import statement loads (a relative one resolved from ``package``)."""
    if isinstance(node, cst.Import):
        return [name for alias in node.names if (name := dotted_name(alias.name)) is not None]
    base = dotted_name(node.module) if node.module is not None else ""
    if base is None:
        return []
    if node.relative:
        up = len(node.relative) - 1
        if up > len(package):
            return []
        prefix = package[: len(package) - up]
        base = ".".join([*prefix, base] if base else prefix)
    if not base:
        return []
    names = [] if isinstance(node.names, cst.ImportStar) else [dotted_name(alias.name) for alias in node.names]
    # `from sofia import helpers` loads sofia.helpers when helpers is a module: name it so
    return [f"{base}.{name}" if "." not in base and name else base for name in names or [None]]
