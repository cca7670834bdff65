"""airflow-etiquette: a static linter for shared Apache Airflow DAG repositories.

DAG files are read with libcst and never imported or executed.
"""

__version__ = "0.1.0"
