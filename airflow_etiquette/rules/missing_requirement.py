"""ETQ606 missing-requirement: an import the shared scheduler does not have, so the file (or the
task that runs it) fails on the scheduler."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.distributions import AIRFLOW_CORE, candidate_distributions
from airflow_etiquette.analysis.model import imported_names
from airflow_etiquette.analysis.parse_time import guarded_imports
from airflow_etiquette.analysis.timing import scheduler_version
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import FileRule, RepositoryExample

if TYPE_CHECKING:
    pass
else:
    pass

ALWAYS_THERE = frozenset(sys.stdlib_module_names) | {"__future__", "__main__"}

_HEADER = (
    "import os\nfrom pathlib import Path\n\nfrom airflow.sdk import dag, task\n\n"
    'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
)


class Scheduler(NamedTuple):
    """What the shared scheduler can import, beyond the standard library and the repository."""

    distributions: frozenset[str]  # canonical names: requirements, the image (or `preinstalled`), Airflow
    modules: frozenset[str]  # import paths of the official image's distributions (empty for a custom image)
    source: str  # how to name where the requirements are, in a message

    def has(self, module: str, extra: dict[str, str]) -> bool:
        parts = module.split(".")
        if parts[0] == "airflow" and (len(parts) < 2 or parts[1] != "providers"):
            return True  # Airflow's core: renamed and removed modules are not this rule's
        try:
            candidates = candidate_distributions(module, extra)
        except ValueError:
            return True  # not a name Python would import; the parse rules say so
        if any(name in self.distributions for name in candidates):
            return True
        if parts[0] == "airflow" or any(module == name or module.startswith(name + ".") for name in extra):
            return False  # a provider, or a module the class mapped to a distribution: the names decide
        return any(".".join(parts[:end]) in self.modules for end in range(1, len(parts) + 1))


@functools.lru_cache(maxsize=8)
def scheduler(
    installed: frozenset[str], preinstalled: tuple[str, ...] | None, version: str | None, files: tuple[str, ...]
) -> Scheduler:
    from packaging.utils import canonicalize_name

    from airflow_etiquette.analysis.image_contents import IMAGE_DISTRIBUTIONS, IMAGE_MODULES

    versions: tuple[str, ...] = (
        (version,) if version is not None and version in IMAGE_DISTRIBUTIONS else tuple(IMAGE_DISTRIBUTIONS)
    )
    if preinstalled is None:
        image = frozenset().union(*(IMAGE_DISTRIBUTIONS[v] for v in versions))
        modules = frozenset().union(*(IMAGE_MODULES[v] for v in versions))
    else:
        image, modules = frozenset(canonicalize_name(name) for name in preinstalled), frozenset()
    where = " or ".join(files) or "the requirements"
    source = f"{where} or in Airflow's image" if preinstalled is None else f"{where} or `preinstalled`"
    return Scheduler(installed | image | frozenset(AIRFLOW_CORE), modules, source)


class MissingRequirement(FileRule):
    code = "ETQ606"
    name = "missing-requirement"
    severity = Severity.ERROR
    summary = (
        "An import the shared scheduler does not have: not in the requirements, Airflow's image or the repository."
    )
    what = (
        "Reports an import, at module level or inside a function, of a module that is not in the\n"
        "standard library, not Airflow or a provider or library of Airflow's official image (by the\n"
        "Airflow major the file is written for; `preinstalled` lists a custom image's distributions\n"
        "instead), not in the distributions the `requirements` files install (`-r` includes read),\n"
        "and not a module of the repository (the dags folder, beside the file, `plugins/`, the root; for\n"
        '`dags-folder = "airflow/dags"`, also `airflow/plugins/` and `airflow/`).\n'
        "Module names are mapped to distributions by a table (`yaml` is PyYAML, `sklearn`\n"
        "scikit-learn, `google.cloud.storage` google-cloud-storage); `import-names` adds to it. An\n"
        "import that may fail without harm (inside `try: ... except ImportError:` or `if\n"
        "TYPE_CHECKING:`) is not reported. Without a requirements file the rule says nothing: the\n"
        "repository has not said how its scheduler is provisioned. The requirements come from the\n"
        "base of a change, so a pull request that adds a requirement and its import is reported\n"
        "until the requirement has landed (the teacher installs it first)."
    )
    why = (
        "The scheduler imports every DAG file in its parse loop. A module it does not have makes the\n"
        "file fail to import: its DAGs vanish and every user of the shared Airflow sees the\n"
        "broken-DAG banner with the traceback. Inside a task the import fails when the task runs,\n"
        "after the pull request went green. A laptop with the package installed shows neither."
    )
    VALID = [
        RepositoryExample(
            files={
                "requirements.txt": "PyYAML>=6\nscikit-learn==1.5.*\n",
                "dags/lasse/helpers.py": "def week(ds: str) -> int:\n    return int(ds[5:7])\n",
                "dags/lasse/model.py": _HEADER
                + "import requests\nimport yaml\nfrom airflow.providers.postgres.hooks.postgres import PostgresHook\n"
                "from lasse.helpers import week\n\n\n"
                '@dag(dag_id=f"{STUDENT}_model", tags=[f"student:{STUDENT}"])\ndef model():\n'
                "    @task\n    def fit():\n        from sklearn.linear_model import LinearRegression\n\n"
                "        return LinearRegression\n\n    fit()\n\n\nmodel()\n",
            }
        ),
        RepositoryExample(
            files={
                "requirements.txt": "pandas\n",
                "dags/lasse/fast.py": "try:\n    import polars as frames\nexcept ImportError:\n    import pandas as frames\n",
            }
        ),
    ]
    INVALID = [
        RepositoryExample(
            files={
                "requirements.txt": "pandas>=2\n",
                "dags/lasse/checks.py": _HEADER + "import great_expectations as gx\n\n\n"
                '@dag(dag_id=f"{STUDENT}_checks", tags=[f"student:{STUDENT}"])\ndef checks():\n'
                "    @task\n    def train():\n        import torch\n\n        return torch.zeros(1)\n\n"
                "    train()\n\n\nchecks()\n",
            },
            expect=(
                (
                    "dags/lasse/checks.py",
                    7,
                    "import great_expectations: the shared scheduler does not have great-expectations (it is not "
                    "in requirements.txt or in Airflow's image), so this file fails to import there and every user "
                    "of the shared Airflow sees it as a broken DAG",
                ),
                ("dags/lasse/checks.py", 14, "so the task that runs this import fails"),
            ),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        config = file.config
        modules = file.resolver.modules
        if config.installed is None or modules is None or not file.index.imports:
            return
        version = scheduler_version(config.airflow_version, file.index)
        has = scheduler(config.installed, config.preinstalled, version, tuple(config.requirements))
        extra = dict(config.import_names)
        guarded: set[int] | None = None
        for statement in file.index.imports:
            for module, shown in imported_names(statement):
                if module.split(".", 1)[0] in ALWAYS_THERE or has.has(module, extra):
                    continue
                if modules.has_module(module):
                    continue
                if guarded is None:
                    guarded = guarded_imports(file.index.module)
                if id(statement) in guarded:
                    break
                wanted = candidate_distributions(module, extra)[0]
                consequence = (
                    "so the task that runs this import fails"
                    if id(statement) in file.index.deferred
                    else "so this file fails to import there and every user of the shared Airflow sees it as a "
                    "broken DAG"
                )
                yield Report(
                    statement,
                    f"{shown}: the shared scheduler does not have {wanted} (it is not in {has.source}), "
                    f"{consequence}: ask the teacher to add {wanted} to the requirements, or use a library the "
                    "scheduler has",
                )
                break
