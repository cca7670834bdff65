"""ETQ605 heavy-import: a module-level import of a library that takes seconds to load, paid on
every parse of the file by the shared scheduler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.model import dotted_name
from airflow_etiquette.analysis.parse_time import guarded_imports
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


def imported_modules(statement: cst.Import | cst.ImportFrom) -> list[str]:
    """The absolute modules an import statement loads (none for a relative import)."""
    if isinstance(statement, cst.ImportFrom):
        if statement.relative or statement.module is None:
            return []
        module = dotted_name(statement.module)
        return [module] if module else []
    return [name for alias in statement.names if (name := dotted_name(alias.name))]


class HeavyImport(FileRule):
    code = "ETQ605"
    name = "heavy-import"
    severity = Severity.WARNING
    summary = "A module-level import of a heavy library (torch, tensorflow, sklearn, ...) that every parse pays for."
    what = (
        "Reports an import at module level (not inside a function) of a library in `heavy-imports`\n"
        "(default: torch, tensorflow, keras, sklearn, transformers, jax, spacy, xgboost, lightgbm;\n"
        "pandas is not in the list, since the class's own DAGs import it at the top). The fix is the\n"
        "local import: `import torch` inside the task that uses it."
    )
    why = (
        "The scheduler imports the file on every parse, about every 30 seconds. `import torch` alone\n"
        "takes seconds and hundreds of megabytes: the parse of this file, and the class's parse loop\n"
        "behind it, slows down, and a file that takes longer than the parse timeout shows as broken.\n"
        "Inside a task it is paid once per run, on a worker."
    )
    VALID = [
        Example(
            "from airflow.sdk import dag, task\n\n"
            '@dag(dag_id="lasse_model", tags=["student:lasse"])\ndef model():\n'
            "    @task\n    def train():\n        import torch\n\n        return torch.__version__\n\n"
            "    train()\n\nmodel()\n"
        ),
        Example("import pandas as pd\n"),
        Example("import torch\n", config={"heavy-imports": ["tensorflow"]}),
        Example(  # only a type checker reads it
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import torch\n\n\n"
            'def scale(x: "torch.Tensor") -> "torch.Tensor":\n    return x * 2\n'
        ),
    ]
    INVALID = [
        Example(
            "import torch\nfrom sklearn.linear_model import LinearRegression\n",
            expect=(
                (
                    1,
                    "import torch at module level loads torch on every parse of this file by the shared "
                    "scheduler (about every 30 seconds): import it inside the task that uses it",
                ),
                (2, "loads sklearn on every parse"),
            ),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        heavy = frozenset(file.config.heavy_imports)
        if not heavy:
            return
        never_run: set[int] | None = None  # `if TYPE_CHECKING:` imports, looked for when one is heavy
        for node in file.index.imports:
            if id(node) in file.index.deferred:
                continue
            if never_run is None and any(m.split(".", 1)[0] in heavy for m in imported_modules(node)):
                never_run = guarded_imports(file.index.module, optional=False)
            if never_run is not None and id(node) in never_run:
                continue
            for module in imported_modules(node):
                top = module.split(".", 1)[0]
                if top in heavy:
                    yield Report(
                        node,
                        f"import {module} at module level loads {top} on every parse of this file by the shared "
                        "scheduler (about every 30 seconds): import it inside the task that uses it",
                    )
                    break
