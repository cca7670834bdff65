"""ETQ205 unchecked-code: a change rule over files the scheduler can load that no check can read."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.base import ChangeExample, ChangeRule, ChangeView
from airflow_etiquette.sources.files import CHECKED_SUFFIXES, in_dags_folder
from airflow_etiquette.sources.git import blob_contents

# Compiled and binary modules Python imports as readily as source: nothing here can read them.
COMPILED_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".egg", ".whl")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header, or an empty archive


class UncheckedCode(ChangeRule):
    code = "ETQ205"
    name = "unchecked-code"
    severity = Severity.ERROR
    summary = "A compiled module, or a zip archive under another name, added under the dags folder."
    what = (
        "Reports a file a change adds or edits under the dags folder that Python or the scheduler can\n"
        "load but no check can read: compiled modules (`.pyc`, anything in `__pycache__/`, `.so`,\n"
        "`.pyd`, `.egg`, `.whl`) and zip archives named otherwise (`trips.csv` holding Python: the\n"
        "scheduler loads DAGs from any file that is a zip archive). Checked for a change (`--base`,\n"
        "`--staged`, pull requests); a laptop's own `__pycache__` is not part of any change."
    )
    why = (
        "A `.pyc` next to a checked `.py` can be what actually runs (an unchecked-hash pyc is loaded\n"
        "without looking at the source), and an archive with a data file's name is a DAG bundle the\n"
        "checks never open. Either way, code reaches the shared scheduler that nobody checked."
    )
    INVALID = [
        ChangeExample(
            base={".github/CODEOWNERS": "/dags/lasse/  @lasse\n", "dags/lasse/taxi.py": "X = 1\n"},
            change={
                "dags/lasse/__pycache__/taxi.cpython-311.pyc": b"\xa7\r\r\n\x00\x00\x00\x00",
                "dags/lasse/trips.csv": b"PK\x05\x06" + b"\x00" * 18,
            },
            author="lasse",
            expect=(
                (
                    "dags/lasse/__pycache__/taxi.cpython-311.pyc",
                    1,
                    "is compiled code: Python can load it in "
                    "place of the source, and no check can read it; commit the .py source only",
                ),
                ("dags/lasse/trips.csv", 1, "is a zip archive under another name"),
            ),
        ),
    ]
    VALID = [
        ChangeExample(
            base={".github/CODEOWNERS": "/dags/lasse/  @lasse\n", "dags/lasse/taxi.py": "X = 1\n"},
            change={"dags/lasse/zones.csv": "zone_id,borough\n1,EWR\n"},
            author="lasse",
        ),
    ]

    def check(self, change: ChangeView) -> Iterator[Finding]:
        config = change.config
        candidates = [
            c
            for c in change.change.changes
            if c.status != "D"
            and not c.symlink
            and not c.gitlink
            and in_dags_folder(c.path, config)
            and not c.path.endswith(CHECKED_SUFFIXES)
        ]
        others = []
        for changed in candidates:
            if changed.path.endswith(COMPILED_SUFFIXES) or "__pycache__" in changed.path.split("/"):
                yield self.finding(
                    changed.path,
                    1,
                    1,
                    f"{changed.path} is compiled code: Python can load it in "
                    "place of the source, and no check can read it; commit the .py source only",
                )
            else:
                others.append(changed)
        contents = blob_contents(config.root, [c.blob for c in others if c.blob])
        for changed in others:
            if contents.get(changed.blob or "", b"")[:4] in ZIP_MAGIC:
                yield self.finding(
                    changed.path,
                    1,
                    1,
                    (
                        f"{changed.path} is a zip archive under another name: the scheduler loads DAGs from any zip "
                        "file, but no check opens this one; name it .zip (its Python files are then checked) or "
                        "remove it"
                    ),
                )
