"""``python -m airflow_etiquette`` and the ``airflow-etiquette`` command.

``--version`` alone is answered here, before click and the rules are imported: a shell prompt,
an editor plugin or a CI log that asks for the version pays for the interpreter only.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from airflow_etiquette import __version__

        print(f"airflow-etiquette {__version__}")  # the same line as click's --version in cli.py
        return
    from airflow_etiquette.cli import run

    run()


if __name__ == "__main__":
    main()
