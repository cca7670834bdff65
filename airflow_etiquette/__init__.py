"""airflow-etiquette: a static linter for shared Apache Airflow DAG repositories.

DAG files are read with libcst and never imported or executed.
"""

# The version comes from the git tag: setuptools-scm writes _version.py when the package is built
# or installed (never committed). Reading that file, not importlib.metadata, keeps `--version` at
# the cost of the interpreter. A source tree that was never installed says so instead of guessing.
try:
    from airflow_etiquette._version import __version__  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - only in a checkout that was never built or installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
